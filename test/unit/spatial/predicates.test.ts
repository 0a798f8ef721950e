import type { Box, DepthUnit, Relation } from '../../../src/scenegraph/sceneGraph.types';
import { regionFromBox } from '../../../src/spatial/mask';
import type { Object3d, Vec3 } from '../../../src/spatial/object3d';
import { INVERSE_PREDICATE, isCanonicalPredicate } from '../../../src/spatial/predicateNames';
import { computeRelations } from '../../../src/spatial/predicates';
import { DEFAULT_THRESHOLDS, resolveThresholds } from '../../../src/spatial/thresholds';

interface Shape {
  box?: Box;
  /** Depth range [near, far]; median defaults to the middle. */
  z?: [number, number];
  median?: number;
  /** Centroid x, y and extent w, h; defaults derive from the box at 1 unit per 100 px. */
  x?: number;
  y?: number;
  w?: number;
  h?: number;
  unit?: DepthUnit;
}

/** An object at a given place. Without `z` it has no depth (2D only). */
function obj(key: string, s: Shape): Object3d {
  const box: Box = s.box ?? [0, 0, 100, 100];
  if (!s.z) return { key, box };
  const [near, far] = s.z;
  const median = s.median ?? (near + far) / 2;
  const centroid: Vec3 = [s.x ?? (box[0] + box[2]) / 200, s.y ?? (box[1] + box[3]) / 200, median];
  const extent: Vec3 = [s.w ?? (box[2] - box[0]) / 100, s.h ?? (box[3] - box[1]) / 100, far - near];
  return {
    key,
    box,
    depth: { min: near, p5: near, p50: median, p95: far, max: far, unit: s.unit ?? 'RELATIVE' },
    range: [near, far],
    centroid,
    extent,
  };
}

function triples(relations: Relation[]): string[] {
  return relations.map((r) => `${r.subject} ${r.predicate} ${r.object}`);
}

function has(relations: Relation[], s: string, p: string, o: string): boolean {
  return relations.some((r) => r.subject === s && r.predicate === p && r.object === o);
}

function find(relations: Relation[], s: string, p: string, o: string): Relation {
  const r = relations.find((x) => x.subject === s && x.predicate === p && x.object === o);
  if (!r) throw new Error(`no ${s} ${p} ${o} in ${triples(relations).join('; ')}`);
  return r;
}

const T = DEFAULT_THRESHOLDS;

describe('in front of / behind', () => {
  // A third object far away fixes the scene's depth span at [0, 10].
  const anchor = obj('anchor', { box: [900, 0, 1000, 100], z: [0, 10] });

  it('holds for separated ranges, both ways, with evidence and a score', () => {
    const rel = computeRelations([obj('a', { z: [1, 2] }), obj('b', { z: [3, 4] }), anchor], T);
    const front = find(rel, 'a', 'in front of', 'b');
    const behind = find(rel, 'b', 'behind', 'a');
    expect(front.source).toBe('GEOMETRY');
    expect(front.evidence).toMatchObject({
      nearer: 'a',
      farther: 'b',
      nearerFar: 2,
      fartherNear: 3,
      gap: 1,
      separated: true,
    });
    expect(front.evidence).toMatchObject({ frontMaxOverlap: 0.5, frontMedianMargin: 0.1 });
    expect(behind.evidence).toEqual(front.evidence);
    expect(behind.score).toBe(front.score);
    expect(front.score).toBeGreaterThanOrEqual(0.5);
    expect(front.score).toBeLessThanOrEqual(1);
    expect(has(rel, 'b', 'in front of', 'a')).toBe(false);
  });

  it('needs a gap beyond frontMinGap of the depth for separated ranges to count', () => {
    // Gap 0.05 at depth 6: under 2% of it, and the medians (5.5, 6.075) are not a tenth of the span apart.
    const sliver = [obj('a', { z: [5, 6] }), obj('b', { z: [6.05, 6.1] }), anchor];
    expect(has(computeRelations(sliver, T), 'a', 'in front of', 'b')).toBe(false);
    const loose = resolveThresholds({ frontMinGap: 0 });
    const rel = computeRelations(sliver, loose);
    expect(find(rel, 'a', 'in front of', 'b').evidence).toMatchObject({ separated: true, frontMinGap: 0 });
  });

  it('is never emitted for heavily overlapping ranges, whatever the medians', () => {
    // Overlap 2.5 of the shorter length 3 (83%) although medians differ by 2 (20% of the span).
    const rel = computeRelations(
      [obj('a', { z: [1, 4], median: 1.5 }), obj('b', { z: [1.5, 5], median: 3.5 }), anchor],
      T,
    );
    expect(has(rel, 'a', 'in front of', 'b')).toBe(false);
    expect(has(rel, 'b', 'in front of', 'a')).toBe(false);
    expect(has(rel, 'a', 'behind', 'b') || has(rel, 'b', 'behind', 'a')).toBe(false);
  });

  it('holds for light overlap only when the medians differ by more than the margin', () => {
    const light = [obj('a', { z: [1, 3], median: 2 }), obj('b', { z: [2.5, 4.5], median: 3.5 }), anchor];
    expect(has(computeRelations(light, T), 'a', 'in front of', 'b')).toBe(true);
    const close = [obj('a', { z: [1, 3], median: 2.6 }), obj('b', { z: [2.5, 4.5], median: 2.9 }), anchor];
    expect(has(computeRelations(close, T), 'a', 'in front of', 'b')).toBe(false);
  });

  it('ranks larger separations higher', () => {
    const near = computeRelations([obj('a', { z: [1, 2] }), obj('b', { z: [2.1, 3] }), anchor], T);
    const far = computeRelations([obj('a', { z: [1, 2] }), obj('b', { z: [8, 9] }), anchor], T);
    expect(find(far, 'a', 'in front of', 'b').score!).toBeGreaterThan(
      find(near, 'a', 'in front of', 'b').score!,
    );
  });
});

describe('covers / covered by', () => {
  it('follows Algorithm 1, with the tolerance threshold', () => {
    const objects = [obj('table', { z: [1, 3] }), obj('cup', { z: [1.5, 2] }), obj('plate', { z: [1, 2.5] })];
    const rel = computeRelations(objects, T);
    expect(has(rel, 'table', 'covers', 'cup')).toBe(true);
    expect(has(rel, 'cup', 'covered by', 'table')).toBe(true);
    expect(has(rel, 'table', 'covers', 'plate')).toBe(false); // same near bound
    const widened = computeRelations(objects, resolveThresholds({ coversTolerance: 0.1 }));
    expect(find(widened, 'table', 'covers', 'plate').evidence).toMatchObject({ coversTolerance: 0.1 });
  });
});

describe('left of / right of and above / below', () => {
  it('need a margin relative to the objects’ sizes (3D centroids)', () => {
    const a = obj('a', { z: [1, 2], x: 0, y: 0, w: 1, h: 1 });
    const rel = computeRelations([a, obj('b', { z: [1, 2], x: 0.6, y: 0.4, w: 1, h: 1 })], T);
    expect(find(rel, 'a', 'left of', 'b').evidence).toMatchObject({
      mode: '3d',
      dx: 0.6,
      meanWidth: 1,
      lateralMargin: 0.5,
    });
    expect(has(rel, 'b', 'right of', 'a')).toBe(true);
    // 0.4 < 0.9 * mean height: not clear-cut.
    expect(has(rel, 'a', 'above', 'b') || has(rel, 'b', 'above', 'a')).toBe(false);
    const lower = computeRelations([a, obj('b', { z: [1, 2], x: 0, y: 0.95, w: 1, h: 1 })], T);
    expect(has(lower, 'a', 'above', 'b')).toBe(true);
    expect(has(lower, 'b', 'below', 'a')).toBe(true);
    expect(has(lower, 'a', 'left of', 'b') || has(lower, 'a', 'right of', 'b')).toBe(false);
  });

  it('use 2D box centres when depth is missing, and skip every depth predicate', () => {
    const rel = computeRelations(
      [obj('a', { box: [0, 0, 100, 100] }), obj('b', { box: [200, 150, 300, 250] })],
      T,
    );
    expect(triples(rel).sort()).toEqual(['a above b', 'a left of b', 'b below a', 'b right of a']);
    expect(find(rel, 'a', 'left of', 'b').evidence).toMatchObject({ mode: '2d', dx: 200, meanWidth: 100 });
    // One object with depth, one without: still 2D.
    const mixed = computeRelations(
      [obj('a', { box: [0, 0, 100, 100], z: [1, 2] }), obj('b', { box: [200, 0, 300, 100] })],
      T,
    );
    expect(triples(mixed).sort()).toEqual(['a left of b', 'b right of a']);
  });
});

describe('on / under, over, in', () => {
  // Table: top surface at y = 0, legs down to y = 1. Camera y grows downward.
  const table = obj('table', { box: [100, 300, 500, 500], z: [2, 4], x: 0, y: 0.5, w: 2, h: 1 });

  it('on: bottom at the support’s top, horizontal overlap, overlapping depth', () => {
    const cup = obj('cup', { box: [250, 250, 300, 320], z: [2.8, 3.0], x: 0.1, y: -0.1, w: 0.1, h: 0.2 });
    const rel = computeRelations([cup, table], T);
    const on = find(rel, 'cup', 'on', 'table');
    expect(on.evidence).toMatchObject({ top: 'cup', support: 'table', contactGap: 0 });
    expect(on.score).toBe(1);
    expect(has(rel, 'table', 'under', 'cup')).toBe(true);
    expect(has(rel, 'cup', 'in', 'table')).toBe(false);
    expect(has(rel, 'cup', 'over', 'table')).toBe(false);
  });

  it('over: clearly above with a gap', () => {
    const lamp = obj('lamp', { box: [250, 0, 350, 100], z: [2.5, 3.5], x: 0, y: -1.5, w: 0.3, h: 0.3 });
    const rel = computeRelations([lamp, table], T);
    expect(has(rel, 'lamp', 'over', 'table')).toBe(true);
    expect(has(rel, 'lamp', 'above', 'table')).toBe(true);
    expect(has(rel, 'lamp', 'on', 'table')).toBe(false);
    // No depth overlap: above, but not over.
    const far = computeRelations(
      [obj('lamp', { box: [250, 0, 350, 100], z: [8, 9], x: 0, y: -1.5, w: 0.3, h: 0.3 }), table],
      T,
    );
    expect(has(far, 'lamp', 'over', 'table')).toBe(false);
  });

  it('in: inside the box, within the depth range, sunk below the container’s top', () => {
    const bowl = obj('bowl', { box: [100, 100, 300, 200], z: [2, 3], x: 0, y: 0, w: 1, h: 0.5 });
    const apple = obj('apple', { box: [150, 120, 200, 180], z: [2.3, 2.7], x: 0, y: 0.05, w: 0.2, h: 0.2 });
    const rel = computeRelations([apple, bowl], T);
    expect(find(rel, 'apple', 'in', 'bowl').evidence).toMatchObject({
      inner: 'apple',
      container: 'bowl',
      insideFraction: 1,
      usedMask: false,
    });
    expect(has(rel, 'bowl', 'in', 'apple')).toBe(false);
    // Sticking out of the container's depth range: not in.
    const out = obj('apple', { box: [150, 120, 200, 180], z: [3.5, 3.9], x: 0, y: 0.05, w: 0.2, h: 0.2 });
    expect(has(computeRelations([out, bowl], T), 'apple', 'in', 'bowl')).toBe(false);
  });

  it('in measures the mask when there is one', () => {
    const bowl = obj('bowl', { box: [0, 0, 20, 20], z: [2, 3], x: 0, y: 0, w: 1, h: 0.5 });
    const apple = {
      ...obj('apple', { box: [5, 5, 25, 10], z: [2.3, 2.7], x: 0, y: 0.05, w: 0.2, h: 0.2 }),
      mask: regionFromBox([5, 5, 15, 10], 40, 40, 0),
    };
    // Its box sticks out of the bowl's, its mask does not.
    const rel = computeRelations([apple, bowl], T);
    expect(find(rel, 'apple', 'in', 'bowl').evidence).toMatchObject({ usedMask: true, insideFraction: 1 });
  });
});

describe('beside', () => {
  it('holds for similar depth, vertical overlap and a small gap, both ways', () => {
    const a = obj('a', { z: [2, 3], x: 0, y: 0, w: 1, h: 1 });
    const b = obj('b', { z: [2.1, 3.1], x: 1.3, y: 0.1, w: 1, h: 1 });
    const rel = computeRelations([a, b, obj('anchor', { box: [0, 0, 1, 1], z: [0, 10], x: 50, y: 50 })], T);
    expect(has(rel, 'a', 'beside', 'b')).toBe(true);
    expect(has(rel, 'b', 'beside', 'a')).toBe(true);
    const apart = obj('b', { z: [2.1, 3.1], x: 3, y: 0.1, w: 1, h: 1 });
    expect(has(computeRelations([a, apart], T), 'a', 'beside', 'b')).toBe(false);
  });
});

describe('occludes', () => {
  const anchor = obj('anchor', { box: [900, 900, 1000, 1000], z: [0, 10] });

  it('needs a clear-cut depth order and 2D overlap', () => {
    const person = obj('person', { box: [0, 0, 100, 200], z: [1, 2] });
    const car = obj('car', { box: [50, 50, 300, 200], z: [4, 6] });
    const rel = computeRelations([person, car, anchor], T);
    const occ = find(rel, 'person', 'occludes', 'car');
    expect(occ.evidence).toMatchObject({ usedMask: false, coverage: (50 * 150) / (250 * 150) });
    expect(has(rel, 'car', 'occludes', 'person')).toBe(false);
    const apart = obj('car', { box: [500, 50, 700, 200], z: [4, 6] });
    expect(has(computeRelations([person, apart, anchor], T), 'person', 'occludes', 'car')).toBe(false);
    // Heavy depth overlap: no in front of, so no occludes either.
    const same = obj('car', { box: [50, 50, 300, 200], z: [1.1, 2.1] });
    expect(has(computeRelations([person, same, anchor], T), 'person', 'occludes', 'car')).toBe(false);
  });
});

describe('near / far', () => {
  it('only for metric depth, from the gap between the objects', () => {
    const m = (key: string, x: number, z: [number, number], unit: DepthUnit = 'METERS') =>
      obj(key, { z, x, y: 0, w: 1, h: 1, unit });
    const nearRel = computeRelations([m('a', 0, [2, 3]), m('b', 1.5, [2, 3])], T);
    expect(find(nearRel, 'a', 'near', 'b').evidence).toMatchObject({ distance: 0.5, nearDistance: 1 });
    expect(has(nearRel, 'b', 'near', 'a')).toBe(true);
    const farRel = computeRelations([m('a', 0, [2, 3]), m('b', 0, [7, 8])], T);
    expect(has(farRel, 'a', 'far', 'b')).toBe(true);
    expect(has(farRel, 'b', 'far', 'a')).toBe(true);
    const relative = computeRelations([m('a', 0, [2, 3], 'RELATIVE'), m('b', 1.5, [2, 3], 'RELATIVE')], T);
    expect(relative.some((r) => r.predicate === 'near' || r.predicate === 'far')).toBe(false);
  });
});

describe('every relation', () => {
  it('is canonical, scored in [0.5, 1], finite in its evidence, and paired with its inverse', () => {
    const objects: Object3d[] = [];
    for (let i = 0; i < 12; i++) {
      const near = (i * 7) % 10;
      objects.push(
        obj(`o${i}`, {
          box: [(i * 53) % 400, (i * 31) % 300, ((i * 53) % 400) + 80, ((i * 31) % 300) + 60],
          z: [near, near + 1 + (i % 4)],
          unit: 'METERS',
        }),
      );
    }
    const rel = computeRelations(objects, T);
    expect(rel.length).toBeGreaterThan(20);
    for (const r of rel) {
      expect(isCanonicalPredicate(r.predicate)).toBe(true);
      expect(r.score).toBeGreaterThanOrEqual(0.5);
      expect(r.score).toBeLessThanOrEqual(1);
      for (const v of Object.values(r.evidence ?? {}))
        if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
      const inverse = INVERSE_PREDICATE[r.predicate as keyof typeof INVERSE_PREDICATE];
      if (inverse) expect(has(rel, r.object, inverse, r.subject)).toBe(true);
    }
    expect(computeRelations(objects, T)).toEqual(rel);
  });
});

describe('a predicate filter', () => {
  // A deterministic scene of 40 objects with metric depth: every geometric predicate occurs.
  const objects: Object3d[] = [];
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 40; i++) {
    const x = Math.floor(next() * 560);
    const y = Math.floor(next() * 400);
    const w = 20 + Math.floor(next() * 200);
    const h = 20 + Math.floor(next() * 200);
    const near = next() * 8;
    objects.push(
      obj(`o${i}`, { box: [x, y, x + w, y + h], z: [near, near + 0.2 + next() * 3], unit: 'METERS' }),
    );
  }
  // and an apple in a bowl (containment is rare among random boxes)
  objects.push(
    obj('bowl', { box: [100, 100, 300, 200], z: [2, 3], x: 0, y: 0, w: 1, h: 0.5, unit: 'METERS' }),
  );
  objects.push(
    obj('apple', { box: [150, 120, 200, 180], z: [2.3, 2.7], x: 0, y: 0.05, w: 0.2, h: 0.2, unit: 'METERS' }),
  );
  const all = computeRelations(objects, T);
  const emitted = new Set(all.map((r) => r.predicate));

  it('yields exactly the unfiltered relations of the predicates asked for, inverses on their own', () => {
    expect([...emitted].sort()).toEqual(
      [
        'above',
        'behind',
        'below',
        'beside',
        'covered by',
        'covers',
        'far',
        'in',
        'in front of',
        'left of',
        'near',
        'occludes',
        'on',
        'over',
        'right of',
        'under',
      ].sort(),
    );
    for (const p of emitted) {
      expect(computeRelations(objects, T, undefined, new Set([p]))).toEqual(
        all.filter((r) => r.predicate === p),
      );
    }
    const two = new Set(['behind', 'left of']);
    expect(computeRelations(objects, T, undefined, two)).toEqual(all.filter((r) => two.has(r.predicate)));
  });

  it('and a pair filter together: the same relations as filtering the whole output', () => {
    const keep = (a: string, b: string): boolean => a < 'o2' && b > 'o3';
    const set = new Set(['in front of', 'occludes']);
    expect(computeRelations(objects, T, keep, set)).toEqual(
      all.filter((r) => set.has(r.predicate) && (keep(r.subject, r.object) || keep(r.object, r.subject))),
    );
  });
});
