import { UserInputError } from '../../../src/errors/errors';
import { decodeCursor, encodeCursor } from '../../../src/store/cursor';
import { variableField } from '../../../resolvers/runtime/formatError';
import {
  DepthInputUnit,
  jsonDepthUnit,
  toSceneJson,
  type SceneGraphInput,
} from '../../../resolvers/types/scene.input';

describe('variableField', () => {
  it('names the field of a variable-coercion error as graphql-js words it', () => {
    expect(
      variableField(
        'Variable "$input" got invalid value "feet" at "input.depth.unit"; Value "feet" does not exist in "DepthInputUnit" enum.',
      ),
    ).toBe('input.depth.unit');
    expect(
      variableField(
        'Variable "$scene" got invalid value { a: 1 } at "scene.objects[0].box[1]"; Float cannot represent',
      ),
    ).toBe('scene.objects[0].box[1]');
    expect(
      variableField('Variable "$first" got invalid value "x"; Int cannot represent non-integer value: "x"'),
    ).toBe('first');
    expect(variableField('Cannot query field "x" on type "Query".')).toBeUndefined();
  });
});

describe('cursors of another order', () => {
  it('are refused naming both orders; cursors of another connection as not ours', () => {
    const byScore = encodeCursor('front.SCORE.DESC', [0, -0.5, 'a', 'b', 'GEOMETRY']);
    const refuse = (kind: string, cursor: string, arity: number) => {
      try {
        decodeCursor(kind, cursor, arity);
      } catch (err) {
        expect(err).toBeInstanceOf(UserInputError);
        return (err as UserInputError).message;
      }
      throw new Error('accepted');
    };
    expect(refuse('front.DEPTH.ASC', byScore, 5)).toBe(
      'after: is a cursor of another order (SCORE DESC), not of DEPTH ASC: pass it with the orderBy it came from, or start again without after',
    );
    expect(refuse('front', byScore, 2)).toMatch(/another order \(SCORE DESC\), not of the default order/);
    expect(refuse('behind.SCORE.DESC', byScore, 5)).toBe(
      'after: is not a cursor returned by this connection',
    );
    expect(decodeCursor('front.SCORE.DESC', byScore, 5)).toEqual([0, -0.5, 'a', 'b', 'GEOMETRY']);
  });
});

describe('toSceneJson', () => {
  it('turns typed input into the JSON v1 object: nulls dropped, depth units in the JSON spelling, JSON fields verbatim', () => {
    const scene = {
      version: 1,
      image: { uri: 'test://a.jpg', width: 640, height: 480, sha256: null },
      intrinsics: null,
      depth: { uri: 'd.npy', unit: DepthInputUnit.INVERSE, scale: null },
      objects: [
        {
          key: 'o1',
          label: 'cup',
          box: [1, 2, 3, 4],
          score: null,
          mask: [[1, 2, 3, 4, 5, 6]],
          evidence: { a: null },
        },
      ],
      relations: null,
      provenance: { tool: 'x', nested: { n: null } },
    } as unknown as SceneGraphInput;
    expect(toSceneJson(scene)).toEqual({
      version: 1,
      image: { uri: 'test://a.jpg', width: 640, height: 480 },
      depth: { uri: 'd.npy', unit: 'inverse' },
      objects: [
        { key: 'o1', label: 'cup', box: [1, 2, 3, 4], mask: [[1, 2, 3, 4, 5, 6]], evidence: { a: null } },
      ],
      provenance: { tool: 'x', nested: { n: null } },
    });
    for (const u of Object.values(DepthInputUnit))
      expect(['meters', 'relative', 'inverse']).toContain(jsonDepthUnit(u));
  });
});
