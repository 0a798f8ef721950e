import { UserInputError } from '../../../src/errors/errors';
import { SCENE_LIMITS } from '../../../src/scenegraph/sceneLimits';
import { IMPORT_LIMITS } from '../../../src/formats/limits';
import { validateSceneInput } from '../../../src/spatial/sceneValidation';

function scene(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    image: { uri: 'a.png', width: 64, height: 48 },
    objects: [
      { key: 'a', label: 'cup', box: [1, 1, 20, 20] },
      { key: 'b', label: 'table', box: [10, 10, 60, 40] },
    ],
    ...extra,
  };
}

function fieldOf(input: unknown): string | undefined {
  try {
    validateSceneInput(input);
  } catch (e) {
    expect(e).toBeInstanceOf(UserInputError);
    return (e as UserInputError).path;
  }
  return undefined;
}

const withObject = (patch: Record<string, unknown>) => {
  const s = scene();
  (s.objects as Record<string, unknown>[])[0] = { key: 'a', label: 'cup', box: [1, 1, 20, 20], ...patch };
  return s;
};

describe('validateSceneInput', () => {
  it('accepts a plain scene and a built one with layers, evidence and thresholds', () => {
    expect(fieldOf(scene())).toBeUndefined();
    const built = scene({
      layers: [{ index: 0, basic: 'a', members: ['a', 'b'] }],
      provenance: { engine: 'scenegraph-spatial', thresholds: { frontMaxOverlap: 0.3 }, rangeMode: 'minmax' },
    });
    (built.objects as Record<string, unknown>[])[0].layer = 0;
    (built.objects as Record<string, unknown>[])[0].evidence = { method: 'mask', samples: 10, ok: true };
    expect(fieldOf(built)).toBeUndefined();
  });

  it('checks image identity fields', () => {
    expect(fieldOf(scene({ image: { uri: 'a.png', width: 64, height: 48, sha256: 5 } }))).toBe(
      'image.sha256',
    );
    expect(fieldOf(scene({ image: { width: 64, height: 48 } }))).toBe('image.uri');
    expect(fieldOf(scene({ image: { uri: '', width: 64, height: 48 } }))).toBe('image.uri');
    expect(fieldOf(scene({ image: { uri: 7, width: 64, height: 48 } }))).toBe('image.uri');
    expect(fieldOf(scene({ image: { uri: 'a', width: 1e5, height: 1e5 } }))).toBe('image');
  });

  it.each([
    ['lone high surrogate', 'cup\ud800'],
    ['lone low surrogate', '\udc00cup'],
    ['U+FFFD', 'cup\ufffd'],
    ['NUL', 'c\u0000up'],
    ['newline', 'c\nup'],
    ['DEL', 'cup\u007f'],
    ['blank', ' \t'],
    ['too long', 'x'.repeat(SCENE_LIMITS.maxNameLength + 1)],
  ])('refuses a label with %s', (_what, label) => {
    expect(fieldOf(withObject({ label }))).toBe('objects[0].label');
  });

  it('accepts labels with astral characters and accents up to the limit', () => {
    expect(fieldOf(withObject({ label: '🐕 chien é' }))).toBeUndefined();
    expect(fieldOf(withObject({ label: '🐕'.repeat(SCENE_LIMITS.maxNameLength) }))).toBeUndefined();
  });

  it('checks layers and object layers that a built graph brings', () => {
    expect(fieldOf(scene({ layers: 'x' }))).toBe('layers');
    expect(fieldOf(scene({ layers: [{ index: 0, basic: 'a' }] }))).toBe('layers[0].members');
    expect(fieldOf(scene({ layers: [{ index: 0, basic: 'z', members: ['a'] }] }))).toBe('layers[0].basic');
    expect(fieldOf(scene({ layers: [{ index: '0', basic: 'a', members: ['a'] }] }))).toBe('layers[0].index');
    expect(fieldOf(scene({ layers: [{ index: 0, basic: 'a', members: ['b'] }] }))).toBe('layers[0].members');
    expect(fieldOf(withObject({ layer: 'abc' }))).toBe('objects[0].layer');
    expect(fieldOf(withObject({ layer: -1 }))).toBe('objects[0].layer');
  });

  it('bounds objects, relations and mask points with the one set of limits', () => {
    expect(IMPORT_LIMITS.maxObjectsPerImage).toBe(SCENE_LIMITS.maxObjectsPerImage);
    expect(IMPORT_LIMITS.maxRelationsPerImage).toBe(SCENE_LIMITS.maxRelationsPerImage);
    const many = scene({
      objects: Array.from({ length: SCENE_LIMITS.maxObjectsPerImage + 1 }, (_, i) => ({
        key: `o${i}`,
        label: 'x',
        box: [0, 0, 1, 1],
      })),
    });
    expect(fieldOf(many)).toBe('objects');
    const rel = { subject: 'a', predicate: 'on', object: 'b', source: 'MODEL' };
    expect(fieldOf(scene({ relations: Array(SCENE_LIMITS.maxRelationsPerImage + 1).fill(rel) }))).toBe(
      'relations',
    );
    const ring = (n: number) =>
      Array.from({ length: n }, (_, i) => [10 + 5 * Math.cos(i), 10 + 5 * Math.sin(i)]).flat();
    expect(fieldOf(withObject({ mask: [ring(SCENE_LIMITS.maxPolygonPoints)] }))).toBeUndefined();
    expect(fieldOf(withObject({ mask: [ring(SCENE_LIMITS.maxPolygonPoints + 1)] }))).toBe(
      'objects[0].mask[0]',
    );
    const half = ring(SCENE_LIMITS.maxPolygonPoints);
    expect(fieldOf(withObject({ mask: [half, half, [1, 1, 5, 1, 5, 5]] }))).toBe('objects[0].mask');
  });

  it('refuses a 1,000,000-point polygon quickly, before filling it', () => {
    const poly = new Array<number>(2_000_000).fill(1);
    const t = performance.now();
    expect(fieldOf(withObject({ mask: [poly] }))).toBe('objects[0].mask');
    expect(performance.now() - t).toBeLessThan(500);
  });

  it('checks evidence values, provenance thresholds and depth references', () => {
    expect(fieldOf(withObject({ evidence: { m: { deep: 1 } } }))).toBe('objects[0].evidence.m');
    expect(fieldOf(scene({ provenance: { thresholds: { frontMaxOverlap: 'x' } } }))).toBe(
      'provenance.thresholds.frontMaxOverlap',
    );
    expect(fieldOf(scene({ depth: { uri: 3, unit: 'meters' } }))).toBe('depth.uri');
    expect(fieldOf(scene({ depth: { uri: 'd.npy', unit: 'meters', scale: 0 } }))).toBe('depth.scale');
  });
});
