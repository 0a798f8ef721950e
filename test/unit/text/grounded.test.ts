import fc from 'fast-check';
import { UserInputError } from '../../../src/errors/errors';
import type { Box } from '../../../src/scenegraph/sceneGraph.types';
import {
  MAX_GROUNDED_WARNINGS,
  fromGroundedBox,
  groundedToSceneGraph,
  parseGroundedText,
  renderObjectRef,
  renderRelation,
  toGroundedBox,
  UNKNOWN_LABEL,
  type GroundedBox,
} from '../../../src/text/grounded';

function offsetOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return (error as UserInputError).details.offset as number | undefined;
  }
  throw new Error('expected a UserInputError');
}

describe('grounded coordinates', () => {
  it('pads the short axis: a full landscape frame spans the middle rows', () => {
    expect(toGroundedBox([0, 0, 640, 480], 640, 480)).toEqual([0, 125, 999, 874]);
    expect(toGroundedBox([0, 0, 480, 640], 480, 640)).toEqual([125, 0, 874, 999]);
    expect(toGroundedBox([0, 0, 512, 512], 512, 512)).toEqual([0, 0, 999, 999]);
  });

  it('clamps boxes in the padding to the frame', () => {
    expect(fromGroundedBox([0, 0, 999, 999], 640, 480)).toEqual([0, 0, 640, 480]);
    expect(fromGroundedBox([0, 0, 999, 100], 640, 480)).toEqual([0, 0, 640, 0]);
  });

  it.each([
    ['landscape', 640, 480],
    ['portrait', 480, 640],
    ['square', 512, 512],
    ['wide HD', 1920, 1080],
    ['tall HD', 1080, 1920],
    ['odd sizes', 333, 777],
  ])('round-trips within 1 px (%s %dx%d)', (_name, width, height) => {
    const coord = (limit: number) => fc.double({ min: 0, max: limit, noNaN: true });
    fc.assert(
      fc.property(coord(width), coord(height), coord(width), coord(height), (a, b, c, d) => {
        const box: Box = [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
        const back = fromGroundedBox(toGroundedBox(box, width, height), width, height);
        back.forEach((v, i) => expect(Math.abs(v - box[i])).toBeLessThanOrEqual(1));
      }),
    );
  });

  it('rejects bad frames and coordinates', () => {
    expect(() => toGroundedBox([0, 0, 1, 1], 0, 10)).toThrow(UserInputError);
    expect(() => toGroundedBox([0, NaN, 1, 1], 10, 10)).toThrow(UserInputError);
    expect(() => fromGroundedBox([0, 0, 1000, 1], 10, 10)).toThrow(/0\.\.999/);
    expect(() => fromGroundedBox([0, 0, 1.5, 1], 10, 10)).toThrow(UserInputError);
    expect(() => fromGroundedBox([5, 0, 1, 1], 10, 10)).toThrow(/inverted/);
  });
});

describe('rendering', () => {
  it('renders object references and relations in the ASMv2 layout', () => {
    expect(
      renderObjectRef('chair', [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ]),
    ).toBe('<ref>chair</ref><box>[[1, 2, 3, 4], [5, 6, 7, 8]]</box>');
    expect(renderRelation('in front of', [[1, 2, 3, 4]], [[5, 6, 7, 8]])).toBe(
      '<pred>in front of</pred><box>[[1, 2, 3, 4]]</box><box>[[5, 6, 7, 8]]</box>',
    );
  });

  it('refuses labels that would break the format', () => {
    expect(() => renderObjectRef('a <box> b', [[1, 2, 3, 4]])).toThrow(UserInputError);
    expect(() => renderObjectRef('  ', [[1, 2, 3, 4]])).toThrow(UserInputError);
    expect(() => renderObjectRef('cup', [])).toThrow(UserInputError);
  });
});

describe('parseGroundedText', () => {
  const W = 1000;
  const H = 1000;
  const A: GroundedBox = [10, 10, 100, 100];
  const B: GroundedBox = [200, 200, 300, 300];
  const C: GroundedBox = [400, 400, 500, 500];
  const D: GroundedBox = [600, 600, 700, 700];
  const list = (...boxes: GroundedBox[]) => `[${boxes.map((b) => `[${b.join(', ')}]`).join(', ')}]`;

  it('reads objects and a relation, sharing objects by coordinates', () => {
    const text =
      `<ref>man</ref><box>${list(A)}</box> is <pred>riding</pred><box>${list(A)}</box><box>${list(B)}</box> ` +
      `<ref>horse</ref><box>${list(B)}</box>.`;
    const parsed = parseGroundedText(text, W, H);
    expect(parsed.objects.map((o) => o.label)).toEqual(['man', 'horse']);
    expect(parsed.objects.map((o) => o.grounded)).toEqual([A, B]);
    expect(parsed.relations).toEqual([
      { subjectIndex: 0, predicate: 'riding', objectIndex: 1, offset: text.indexOf('<pred>') },
    ]);
  });

  it('broadcasts a single subject box against several object boxes', () => {
    const parsed = parseGroundedText(
      `<pred>in front of</pred><box>${list(A)}</box><box>${list(B, C)}</box>`,
      W,
      H,
    );
    expect(parsed.relations.map((r) => [r.subjectIndex, r.objectIndex])).toEqual([
      [0, 1],
      [0, 2],
    ]);
  });

  it('broadcasts a single object box against several subject boxes', () => {
    const parsed = parseGroundedText(`<pred>on</pred><box>${list(A, B)}</box><box>${list(C)}</box>`, W, H);
    expect(parsed.relations.map((r) => [r.subjectIndex, r.objectIndex])).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it('pairs boxes in order when both sides have several', () => {
    const parsed = parseGroundedText(
      `<pred>beside</pred><box>${list(A, B)}</box><box>${list(C, D)}</box>`,
      W,
      H,
    );
    expect(parsed.relations.map((r) => [r.subjectIndex, r.objectIndex])).toEqual([
      [0, 2],
      [1, 3],
    ]);
  });

  it('rejects mismatched counts by default and truncates on request', () => {
    const text = `x <pred>beside</pred><box>${list(A, B)}</box><box>${list(C, D, [1, 1, 2, 2])}</box>`;
    expect(offsetOf(() => parseGroundedText(text, W, H))).toBe(2);
    expect(() => parseGroundedText(text, W, H)).toThrow(/2 subject boxes and 3 object boxes/);
    const parsed = parseGroundedText(text, W, H, { onCountMismatch: 'truncate' });
    expect(parsed.relations).toHaveLength(2);
  });

  it('gives boxes never introduced by <ref> an unknown label, and lets a later <ref> name them', () => {
    const text = `<pred>on</pred><box>${list(A)}</box><box>${list(B)}</box> and <ref>table</ref><box>${list(B)}</box> <box>${list(C)}</box>`;
    const parsed = parseGroundedText(text, W, H);
    expect(parsed.objects.map((o) => o.label)).toEqual([null, 'table', null]);
    const graph = groundedToSceneGraph(text, { uri: 'x.png', width: W, height: H }, 'MODEL');
    expect(graph.objects.map((o) => o.label)).toEqual([UNKNOWN_LABEL, 'table', UNKNOWN_LABEL]);
  });

  it('keeps the first label when two <ref>s name the same box, and the same box once', () => {
    const parsed = parseGroundedText(
      `<ref>cup</ref><box>${list(A, A)}</box> <ref>mug</ref><box>${list(A)}</box>`,
      W,
      H,
    );
    expect(parsed.objects).toHaveLength(1);
    expect(parsed.objects[0].label).toBe('cup');
  });

  it('tolerates whitespace, case and single-box lists', () => {
    const text =
      '< REF >  big\n cup </ref>\n  < box > [ [ 10 ,10, 100,100 ] ] </ box >  <Pred> In_Front_Of </PRED>\n<box>[10,10,100,100]</box>\t<box>[[200,200,300,300]]</box>';
    const parsed = parseGroundedText(text, W, H);
    expect(parsed.objects.map((o) => o.label)).toEqual(['big cup', null]);
    expect(parsed.relations).toEqual([
      expect.objectContaining({ subjectIndex: 0, predicate: 'in front of', objectIndex: 1 }),
    ]);
  });

  it('ignores prose and ungrounded <ref>s, drops self-pairs and repeated triplets', () => {
    const selfPairs = `The <ref>room</ref> is bright. <pred>near</pred><box>${list(A, B)}</box><box>${list(A, B)}</box> a < b`;
    const parsed = parseGroundedText(selfPairs, W, H);
    expect(parsed.objects.map((o) => o.label)).toEqual([null, null]);
    expect(parsed.relations).toHaveLength(0);
    const once = `<pred>near</pred><box>${list(A)}</box><box>${list(B)}</box>`;
    expect(parseGroundedText(`${selfPairs} ${once} ${once}`, W, H).relations).toHaveLength(1);
  });

  it('converts boxes to pixels of the original image', () => {
    const parsed = parseGroundedText('<box>[[0, 125, 999, 874]]</box>', 640, 480);
    parsed.objects[0].box.forEach((v, i) => expect(Math.abs(v - [0, 0, 640, 480][i])).toBeLessThanOrEqual(1));
  });

  it.each([
    ['an unclosed <ref>', 'xx<ref>cup', 2],
    ['a <ref> closed by another tag', 'a <ref>cup</box>', 2],
    ['a stray closing tag', 'abc </box>', 4],
    ['a box with three numbers', '<box>[[1, 2, 3]]</box>', 5],
    ['a coordinate over 999', '<box>[[1, 2, 3, 1000]]</box>', 5],
    ['an inverted box', '<box>[[50, 50, 10, 10]]</box>', 5],
    ['a box list that is not JSON', '<box>[[1, 2, 3, 4]</box>', 5],
    ['an empty box list', '<box>[]</box>', 5],
    ['a <pred> with one box list', 'q <pred>on</pred><box>[[1, 2, 3, 4]]</box>', 2],
    [
      'a <pred> with text before its boxes',
      '<pred>on</pred> the <box>[[1, 2, 3, 4]]</box><box>[[5, 6, 7, 8]]</box>',
      0,
    ],
    ['an empty label', '<ref> </ref><box>[[1, 2, 3, 4]]</box>', 0],
    ['an empty predicate', '<pred></pred><box>[[1, 2, 3, 4]]</box><box>[[5, 6, 7, 8]]</box>', 0],
  ])('rejects %s with its offset', (_name, text, offset) => {
    expect(offsetOf(() => parseGroundedText(text, 1000, 1000))).toBe(offset);
    expect(() => parseGroundedText(text, 1000, 1000)).toThrow(`(at offset ${offset})`);
    // Leniently (a model's reply): a warning at the same place, and what follows is still read.
    const after = ' <ref>lamp</ref><box>[[100, 100, 200, 200]]</box>';
    const lenient = parseGroundedText(text + after, 1000, 1000, { onMalformed: 'skip' });
    expect(lenient.warnings[0].offset).toBeLessThanOrEqual(offset);
    expect(lenient.warnings[0].message).toContain(`(at offset ${offset})`);
    expect(lenient.objects.map((o) => o.label)).toContain('lamp');
  });

  it('reads leniently: pairs the first boxes of uneven sides and bounds the warnings', () => {
    const uneven =
      '<pred>on</pred><box>[[1, 1, 2, 2], [3, 3, 4, 4], [5, 5, 6, 6]]</box><box>[[7, 7, 8, 8], [9, 9, 10, 10]]</box>';
    const parsed = parseGroundedText(uneven, 1000, 1000, { onMalformed: 'skip' });
    expect(parsed.relations).toHaveLength(2);
    expect(parsed.warnings).toEqual([
      {
        message: '<pred>on</pred> has 3 subject boxes and 2 object boxes; the first 2 pairs kept',
        offset: 0,
      },
    ]);
    const garbage = '<ref>x</ref><box>[[1]]</box> '.repeat(500);
    expect(parseGroundedText(garbage, 1000, 1000, { onMalformed: 'skip' }).warnings).toHaveLength(
      MAX_GROUNDED_WARNINGS,
    );
    expect(parseGroundedText('<ref>a</ref><box>[[1, 2, 3, 4]]</box>', 10, 10).warnings).toEqual([]);
  });
});

describe('groundedToSceneGraph', () => {
  it('builds a v1 scene graph with o1.. keys, the given source and normalised predicates', () => {
    const text =
      '<ref>the man</ref><box>[[0, 0, 499, 499]]</box> <pred> Holding </pred><box>[[0, 0, 499, 499]]</box><box>[[500, 500, 999, 999]]</box> <ref>a cup</ref><box>[[500, 500, 999, 999]]</box>';
    const graph = groundedToSceneGraph(text, { uri: 'img.png', width: 200, height: 200 }, 'MODEL');
    expect(graph.version).toBe(1);
    expect(graph.image).toEqual({ uri: 'img.png', width: 200, height: 200 });
    expect(graph.objects.map((o) => [o.key, o.label])).toEqual([
      ['o1', 'man'],
      ['o2', 'cup'],
    ]);
    expect(graph.relations).toEqual([{ subject: 'o1', predicate: 'holding', object: 'o2', source: 'MODEL' }]);
    expect(graph.objects[1].box[2]).toBeCloseTo(200, 0);
  });
});
