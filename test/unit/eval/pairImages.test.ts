/** Which prediction scores against which GT image, and the errors for inputs that cannot be scored. */
import { UserInputError } from '../../../src/errors/errors';
import { EVAL_LIMITS } from '../../../src/eval/evalLimits';
import { evaluateSceneGraphs } from '../../../src/eval/sceneGraphEval';
import type { SceneGraph } from '../../../src/scenegraph/sceneGraph.types';
import { graph, type Obj } from './fixtures';

const objs: Obj[] = [
  ['a', 'cup', [0, 0, 10, 10]],
  ['b', 'table', [0, 50, 100, 100]],
];
/** Short digests in the tests, padded to the 64 hex digits validation asks for. */
const scene = (uri: string, sha256?: string, relations = true) =>
  graph(uri, objs, relations ? [['a', 'on', 'b', 1]] : [], { sha256: sha256?.padEnd(64, '0') });
const run = (gt: unknown[], pred: unknown[], sources?: { gt?: string[]; pred?: string[] }) =>
  evaluateSceneGraphs(gt, pred, { protocol: 'asmv2', gtSources: sources?.gt, predSources: sources?.pred });
const fail = (f: () => unknown): UserInputError => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UserInputError);
    return err as UserInputError;
  }
  throw new Error('expected a UserInputError');
};

describe('matching predictions to GT images', () => {
  it('matches by sha256 when both sides have it, whatever the uri', () => {
    const r = run([scene('a/image.png', 'AB12')], [scene('b/renamed.png', 'ab12')]);
    expect(r.images).toMatchObject({ matched: 1, predictionsNotInGt: 0 });
    expect(r).toMatchObject({ recall: 1 });
  });

  it('does not match the same uri when both sha256 differ (two synth scenes are both "image.png")', () => {
    const r = run([scene('image.png', 'aa'), scene('image.png', 'bb')], [scene('image.png', 'bb')]);
    expect(r.images).toMatchObject({ gt: 2, matched: 1, gtWithoutPrediction: 1, predictionsNotInGt: 0 });
    expect(r).toMatchObject({ recall: 0.5 });
    const other = run([scene('image.png', 'aa')], [scene('image.png', 'cc')]);
    expect(other.images).toMatchObject({ matched: 0, predictionsNotInGt: 1 });
  });

  it('matches by uri when one side has no sha256', () => {
    expect(run([scene('x.jpg', 'aa')], [scene('x.jpg')]).images.matched).toBe(1);
    expect(run([scene('x.jpg')], [scene('x.jpg', 'aa')]).images.matched).toBe(1);
    expect(run([scene('x.jpg')], [scene('./x.jpg')]).images.matched).toBe(0);
  });

  it('counts and names predictions for images not in the GT, and ignores them', () => {
    const r = run([scene('x.jpg')], [scene('x.jpg'), scene('y.jpg'), scene('z.jpg')], {
      pred: ['p.json: [0]', 'p.json: [1]', 'p.json: [2]'],
    });
    expect(r.images.predictionsNotInGt).toBe(2);
    expect(r).toMatchObject({ recall: 1, triplets: { predicted: 1 } });
    expect(r.notes.join('\n')).toContain(
      '2 predictions are for images not in the GT and were ignored: p.json: [1], p.json: [2]',
    );
  });

  it('refuses two GT graphs for one image', () => {
    expect(fail(() => run([scene('x.jpg', 'aa'), scene('y.jpg', 'aa')], [])).message).toBe(
      `gt[1]: describes the same image (sha256 ${'aa'.padEnd(64, '0')}) as gt[0]; give each image once`,
    );
    expect(fail(() => run([scene('x.jpg'), scene('x.jpg', 'bb')], [])).message).toContain(
      'gt[1]: has the same image uri "x.jpg" as gt[0] and no sha256 to tell them apart',
    );
  });

  it('refuses two predictions for one image, naming both', () => {
    const e = fail(() =>
      run([scene('x.jpg')], [scene('x.jpg'), scene('x.jpg')], { pred: ['p1.json', 'p2.json'] }),
    );
    expect(e.message).toBe(
      'p2.json: is a second prediction for the image of gt[0] (the first is p1.json); give one graph per image',
    );
  });

  it('refuses a prediction of another image size', () => {
    const small = graph('x.jpg', objs, [], { width: 200, height: 100 });
    expect(fail(() => run([scene('x.jpg')], [small])).message).toContain(
      'pred[0]: image is 200x100 but the ground truth (gt[0]) is 100x100',
    );
  });
});

describe('bad input', () => {
  it('names the source and the JSON path of an invalid graph', () => {
    const bad = scene('x.jpg') as SceneGraph;
    bad.objects[1].box = [0, 50, 100, 101];
    expect(fail(() => run([scene('x.jpg')], [bad], { pred: ['pred.json: [4]'] })).message).toBe(
      'pred.json: [4].objects[1].box: is outside the 100x100 image: need 0 <= x1, 0 <= y1, x2 <= 100, y2 <= 100; got [0,50,100,101]',
    );
    expect(fail(() => run([{ version: 2 }], [], { gt: ['gt.json'] })).message).toBe(
      'gt.json: version: must be 1; got 2',
    );
    expect(fail(() => run(['nope'], [])).message).toBe('gt[0]: must be a scene-graph object');
  });

  it('names the mask when a mask cannot be decoded (openpsg compares masks)', () => {
    const withMask = (size: [number, number]) =>
      graph(
        'x.jpg',
        [['a', 'cup', [0, 0, 10, 10], { size, counts: [10000] }], objs[1]],
        [['a', 'on', 'b', 1]],
      );
    const e = fail(() =>
      evaluateSceneGraphs([withMask([100, 100])], [withMask([50, 50])], {
        protocol: 'openpsg',
        predSources: ['p.json'],
      }),
    );
    expect(e.message).toBe(
      "p.json: objects[0].mask.size: must be [height, width] = [100, 100], the image's; got [50,50]",
    );
  });

  it('refuses a GT without any relation: there is nothing to recall', () => {
    expect(fail(() => run([scene('x.jpg', undefined, false)], [scene('x.jpg')])).message).toContain(
      'gt: the ground truth (1 graphs) has no relations, so there is nothing to recall',
    );
  });

  it('bounds the relations per image', () => {
    const many = graph(
      'x.jpg',
      objs,
      Array.from(
        { length: EVAL_LIMITS.maxTripletsPerImage + 1 },
        () => ['a', 'on', 'b'] as [string, string, string],
      ),
    );
    expect(fail(() => run([many], [])).message).toBe(
      `gt[0].relations: has ${EVAL_LIMITS.maxTripletsPerImage + 1} relations; at most ${EVAL_LIMITS.maxTripletsPerImage} per image are evaluated`,
    );
  });

  it('refuses an unknown protocol', () => {
    expect(() => evaluateSceneGraphs([], [], { protocol: 'coco' as never })).toThrow(
      'protocol: must be one of asmv2, openpsg; got "coco"',
    );
  });
});
