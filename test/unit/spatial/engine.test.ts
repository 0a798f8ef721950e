import { UserInputError } from '../../../src/errors/errors';
import type { SceneGraph, SceneObject } from '../../../src/scenegraph/sceneGraph.types';
import { toDepthMap, type DepthMap } from '../../../src/spatial/depthMap';
import { buildSceneGraph, SPATIAL_ENGINE, SPATIAL_ENGINE_VERSION } from '../../../src/spatial/engine';
import { DEFAULT_THRESHOLDS } from '../../../src/spatial/thresholds';

const W = 200;
const H = 100;

/**
 * A wall at depth 8 behind a table (depth 3..5 from its front edge to its back edge, rows 60..100) with
 * a cup on it (depth 3.8 at columns 40..60, rows 40..60) and a person (depth 1.5) on the right.
 */
function sceneDepth(): DepthMap {
  const raw = new Float32Array(W * H);
  for (let v = 0; v < H; v++) {
    for (let u = 0; u < W; u++) {
      let z = 8;
      if (v >= 60) z = 5 - ((v - 60) / 40) * 2;
      if (u >= 40 && u < 60 && v >= 40 && v < 60) z = 3.8;
      if (u >= 185 && u < 195 && v >= 10 && v < 100) z = 1.5;
      raw[v * W + u] = z;
    }
  }
  return toDepthMap(raw, W, H, { unit: 'meters' });
}

function scene(objects: SceneObject[], extra: Partial<SceneGraph> = {}): SceneGraph {
  return { version: 1, image: { uri: 'file:///x.png', width: W, height: H }, objects, ...extra };
}

const OBJECTS: SceneObject[] = [
  { key: 'wall', label: 'wall', box: [0, 0, 200, 60] },
  { key: 'table', label: 'table', box: [0, 60, 140, 100] },
  { key: 'cup', label: 'cup', box: [40, 40, 60, 60], mask: [[40, 40, 60, 40, 60, 60, 40, 60]] },
  { key: 'person', label: 'person', box: [185, 10, 195, 100] },
];

describe('buildSceneGraph', () => {
  it('fills geometry, layers, relations, intrinsics and provenance', () => {
    const input = scene(OBJECTS, {
      relations: [
        { subject: 'person', predicate: 'Looking_At', object: 'cup', source: 'MODEL', score: 0.7 },
        { subject: 'cup', predicate: 'stale', object: 'wall', source: 'GEOMETRY' },
      ],
      provenance: { detector: 'owlv2' },
    });
    const before = JSON.stringify(input);
    const out = buildSceneGraph(input, sceneDepth());
    expect(JSON.stringify(input)).toBe(before); // input untouched

    const byKey = Object.fromEntries(out.objects.map((o) => [o.key, o]));
    expect(byKey.cup.depth).toMatchObject({ p50: expect.closeTo(3.8, 5), unit: 'METERS' });
    expect(byKey.person.depth!.p50).toBeCloseTo(1.5, 5);
    expect(byKey.person.centroid![0]).toBeGreaterThan(byKey.cup.centroid![0]);
    expect(byKey.table.extent![2]).toBeGreaterThan(0);
    expect(out.objects.every((o) => o.layer !== undefined)).toBe(true);

    expect(out.layers![0]).toEqual({ index: 0, basic: 'person', members: ['person'] });
    expect(out.intrinsics).toMatchObject({ source: 'FOV_PRIOR', cx: 100, cy: 50 });

    const triples = out.relations!.map((r) => `${r.subject} ${r.predicate} ${r.object} ${r.source}`);
    expect(triples).toContain('person looking at cup MODEL');
    expect(triples).not.toContain('cup stale wall GEOMETRY');
    expect(triples).toContain('person in front of wall GEOMETRY');
    expect(triples).toContain('wall behind person GEOMETRY');
    expect(triples).toContain('cup left of person GEOMETRY');
    expect(out.relations!.find((r) => r.source === 'MODEL')!.score).toBe(0.7);

    expect(out.provenance).toMatchObject({
      detector: 'owlv2',
      engine: SPATIAL_ENGINE,
      version: SPATIAL_ENGINE_VERSION,
      geometryFrom: 'depth-map',
      depthUnit: 'METERS',
      thresholds: DEFAULT_THRESHOLDS,
      rangeMode: 'percentile',
      intrinsicsSource: 'FOV_PRIOR',
    });
  });

  it('re-derives the same graph from stored geometry, and is deterministic', () => {
    const built = buildSceneGraph(scene(OBJECTS), sceneDepth());
    expect(buildSceneGraph(scene(OBJECTS), sceneDepth())).toEqual(built);
    const again = buildSceneGraph(built);
    expect(again.relations).toEqual(built.relations);
    expect(again.layers).toEqual(built.layers);
    expect(again.objects).toEqual(built.objects);
    expect(again.provenance).toMatchObject({ geometryFrom: 'stored' });
    // Other thresholds change the relations without the depth map.
    const strict = buildSceneGraph(built, undefined, { thresholds: { lateralMargin: 100 } });
    expect(strict.relations!.some((r) => r.predicate === 'left of')).toBe(false);
  });

  it('gives 2D relations only without depth or stored geometry', () => {
    const out = buildSceneGraph(scene(OBJECTS));
    expect(new Set(out.relations!.map((r) => r.predicate))).toEqual(
      new Set(['left of', 'right of', 'above', 'below']),
    );
    expect(out.layers).toEqual([]);
    expect(out.objects.every((o) => o.depth === undefined && o.layer === undefined)).toBe(true);
  });

  it('measures depth under the mask, and under the box when the mask is empty', () => {
    // An RLE mask of the cup's 20x20 pixels inside a box twice as wide that also covers the wall.
    const counts = [40 * H + 40, 20, H - 20];
    for (let c = 1; c < 20; c++) counts.push(20, H - 20);
    counts[counts.length - 1] = W * H - counts.slice(0, -1).reduce((a, b) => a + b, 0);
    const cup: SceneObject = {
      key: 'cup',
      label: 'cup',
      box: [30, 40, 70, 60],
      mask: { size: [H, W], counts },
    };
    const out = buildSceneGraph(scene([cup]), sceneDepth(), { rangeMode: 'minmax' });
    expect(out.objects[0].depth).toMatchObject({ min: expect.closeTo(3.8, 5), max: expect.closeTo(3.8, 5) });
    // Nothing nearer beyond its top or bottom edge: neither is hidden (edgeOcclusion.ts).
    expect(out.objects[0].evidence).toEqual({ method: 'mask', samples: 400, hiddenBelow: 0, hiddenAbove: 0 });
    // An empty mask: the box is measured, half cup and half wall, and neither surface dominates.
    const empty: SceneObject = { ...cup, mask: { size: [H, W], counts: [W * H] } };
    const fromBox = buildSceneGraph(scene([empty]), sceneDepth(), { rangeMode: 'minmax' });
    expect(fromBox.objects[0].depth).toMatchObject({ min: expect.closeTo(3.8, 5), max: 8 });
    expect(fromBox.objects[0].evidence).toMatchObject({ method: 'box-mixed' });
    // With the cup's box, the cup's surface dominates and the wall behind it is rejected.
    const tight = buildSceneGraph(
      scene([{ key: 'cup', label: 'cup', box: [36, 40, 64, 60] }]),
      sceneDepth(),
      {
        rangeMode: 'minmax',
      },
    );
    expect(tight.objects[0].depth).toMatchObject({
      min: expect.closeTo(3.8, 5),
      max: expect.closeTo(3.8, 5),
    });
    expect(tight.objects[0].evidence).toMatchObject({ method: 'box-surface', rejectedFarther: 160 });
  });

  it('uses supplied intrinsics, then EXIF', () => {
    const given = buildSceneGraph(scene(OBJECTS), sceneDepth(), {
      intrinsics: { fx: 300, fy: 300, cx: 100, cy: 50 },
    });
    expect(given.intrinsics).toEqual({ fx: 300, fy: 300, cx: 100, cy: 50, source: 'GIVEN' });
    const exif = buildSceneGraph(scene(OBJECTS), sceneDepth(), { exif: { focalLength35mm: 28 } });
    expect(exif.intrinsics!.source).toBe('EXIF');
    // A stored prior is recomputed, stored EXIF numbers keep their source.
    expect(buildSceneGraph(exif).intrinsics!.source).toBe('EXIF');
  });

  it('resamples a smaller map of the same aspect ratio and refuses another', () => {
    const small = toDepthMap(new Float32Array(100 * 50).fill(2), 100, 50, { unit: 'meters' });
    expect(buildSceneGraph(scene(OBJECTS), small).objects[0].depth!.p50).toBe(2);
    const square = toDepthMap(new Float32Array(100 * 100).fill(2), 100, 100, { unit: 'meters' });
    expect(() => buildSceneGraph(scene(OBJECTS), square)).toThrow(/aspect ratios differ/);
    expect(() => buildSceneGraph(scene(OBJECTS), small, { depthSizePolicy: 'reject' })).toThrow(
      /depth: depth map is 100x50/,
    );
  });
});

describe('bad input', () => {
  const cup: SceneObject = { key: 'cup', label: 'cup', box: [10, 10, 20, 20] };
  const withObject = (patch: Record<string, unknown>) =>
    scene([cup, { ...cup, key: 'x', ...patch } as SceneObject]);

  it.each([
    ['NaN box', withObject({ box: [NaN, 1, 2, 3] }), /objects\[1\]\.box: must be 4 finite numbers/],
    ['inverted box', withObject({ box: [20, 10, 10, 20] }), /objects\[1\]\.box: is inverted or empty/],
    ['empty box', withObject({ box: [10, 10, 10, 20] }), /objects\[1\]\.box: is inverted or empty/],
    [
      'out-of-frame box',
      withObject({ box: [150, 10, 201, 20] }),
      /objects\[1\]\.box: is outside the 200x100 image/,
    ],
    ['negative box', withObject({ box: [-1, 10, 20, 20] }), /objects\[1\]\.box: is outside/],
    ['short box', withObject({ box: [1, 2, 3] }), /objects\[1\]\.box: must be \[x1, y1, x2, y2\]/],
    ['empty label', withObject({ label: '   ' }), /objects\[1\]\.label: must be a non-empty string/],
    [
      'huge label',
      withObject({ label: 'x'.repeat(201) }),
      /objects\[1\]\.label: is 201 characters long; at most 200/,
    ],
    [
      'duplicate key',
      withObject({ key: 'cup' }),
      /objects\[1\]\.key: duplicate key "cup" \(also objects\[0\]\.key\)/,
    ],
    ['empty key', withObject({ key: '' }), /objects\[1\]\.key: must be a non-empty string/],
    ['bad score', withObject({ score: 1.5 }), /objects\[1\]\.score: must be a number in \[0, 1\]/],
    [
      'bad stored depth',
      withObject({ depth: { min: 1, p5: 3, p50: 2, p95: 4, max: 5, unit: 'METERS' } }),
      /objects\[1\]\.depth\.p50: must be >= p5/,
    ],
    ['bad centroid', withObject({ centroid: [0, 1] }), /objects\[1\]\.centroid: must be 3 finite numbers/],
    [
      'mask of another size',
      withObject({ mask: { size: [50, 100], counts: [5000] } }),
      /objects\[1\]\.mask\.size: must be \[height, width\] = \[100, 200\]/,
    ],
    ['bad polygon', withObject({ mask: [[1, 2, 3]] }), /objects\[1\]\.mask\[0\]: each polygon/],
    ['bad version', { ...scene([cup]), version: 2 }, /version: must be 1/],
    [
      'bad image size',
      { ...scene([cup]), image: { uri: 'x', width: 0, height: 10 } },
      /image\.width: must be a positive integer/,
    ],
    [
      'objects missing',
      { version: 1, image: { uri: 'x', width: 10, height: 10 } },
      /objects: must be an array/,
    ],
  ])('%s', (_name, input, message) => {
    const run = () => buildSceneGraph(input as SceneGraph, undefined);
    expect(run).toThrow(UserInputError);
    expect(run).toThrow(message);
  });

  it.each([
    [
      'unknown subject',
      { subject: 'nope', predicate: 'on', object: 'cup', source: 'MODEL' },
      /relations\[0\]\.subject: refers to "nope"/,
    ],
    [
      'unknown object',
      { subject: 'cup', predicate: 'on', object: 'nope', source: 'MODEL' },
      /relations\[0\]\.object: refers to "nope"/,
    ],
    [
      'self relation',
      { subject: 'cup', predicate: 'on', object: 'cup', source: 'MODEL' },
      /relations\[0\]: subject and object are the same/,
    ],
    [
      'empty predicate',
      { subject: 'cup', predicate: ' _ ', object: 'x', source: 'MODEL' },
      /relations\[0\]\.predicate: must be a non-empty string/,
    ],
    [
      'huge predicate',
      { subject: 'cup', predicate: 'p'.repeat(300), object: 'x', source: 'MODEL' },
      /relations\[0\]\.predicate: is 300 characters long; at most 200/,
    ],
    [
      'bad source',
      { subject: 'cup', predicate: 'on', object: 'x', source: 'GUESS' },
      /relations\[0\]\.source: must be one of GEOMETRY/,
    ],
    [
      'bad score',
      { subject: 'cup', predicate: 'on', object: 'x', source: 'MODEL', score: -1 },
      /relations\[0\]\.score/,
    ],
  ])('relation: %s', (_name, relation, message) => {
    const input = scene([cup, { ...cup, key: 'x' }], { relations: [relation as never] });
    expect(() => buildSceneGraph(input)).toThrow(message);
  });

  it.each([
    [{ thresholds: { nope: 1 } }, /thresholds\.nope: unknown threshold/],
    [{ rangeMode: 'mean' }, /rangeMode: must be one of percentile, minmax/],
    [{ maxPixelsPerObject: 0 }, /maxPixelsPerObject: must be a positive integer/],
    [{ boxMargin: 0.5 }, /boxMargin: must be a number in \[0, 0.5\)/],
    [{ depthSizePolicy: 'stretch' }, /depthSizePolicy: must be one of resample, reject/],
    [{ intrinsics: { fx: -1, fy: 1, cx: 0, cy: 0 } }, /intrinsics\.fx/],
    [{ fovDegrees: 0 }, /fovDegrees/],
  ])('option %j', (options, message) => {
    expect(() => buildSceneGraph(scene([cup]), undefined, options as never)).toThrow(message);
  });
});
