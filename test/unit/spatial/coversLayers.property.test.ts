/**
 * Algorithm 1 (covers) and Algorithm 2 (layers) against a second implementation written straight from
 * the paper's words, with the obvious loops and no shared code, on random intervals that include ties
 * (a small integer grid makes equal bounds common) and tolerances.
 */

import fc from 'fast-check';
import { compareByDepth, computeLayers, type KeyedRange } from '../../../src/spatial/layers';
import { coverMatrix, covers } from '../../../src/spatial/covers';
import type { Layer } from '../../../src/scenegraph/sceneGraph.types';

// --- the naive reference -------------------------------------------------------------------------

/** "A covers B iff a0 < b0 and a1 > b1"; widened by t, with the longer-range condition (covers.ts). */
function naiveCovers(a: KeyedRange, b: KeyedRange, t: number): boolean {
  const [a0, a1] = a.range;
  const [b0, b1] = b.range;
  if (t === 0) return a0 < b0 && a1 > b1;
  const strict = a0 < b0 && a1 > b1;
  const widened = a0 < b0 + t && a1 > b1 - t && a1 - a0 > b1 - b0;
  return strict || widened;
}

/** Nearest first: near bound, then far bound, then key. */
function naiveBefore(a: KeyedRange, b: KeyedRange): boolean {
  if (a.range[0] !== b.range[0]) return a.range[0] < b.range[0];
  if (a.range[1] !== b.range[1]) return a.range[1] < b.range[1];
  return a.key < b.key;
}

function naiveSort(items: KeyedRange[]): KeyedRange[] {
  const out = [...items];
  // Selection sort: obviously correct, obviously slow.
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      if (naiveBefore(out[j], out[i])) [out[i], out[j]] = [out[j], out[i]];
    }
  }
  return out;
}

function naiveLayers(objects: KeyedRange[], t: number): Layer[] {
  // "Basic objects are the objects that cover no other object."
  const basic: KeyedRange[] = [];
  for (const a of objects) {
    let coversSomething = false;
    for (const b of objects) if (a !== b && naiveCovers(a, b, t)) coversSomething = true;
    if (!coversSomething) basic.push(a);
  }
  // "Sort the basic objects by depth, nearest first; each starts a layer. The layer of a basic object A
  // also holds every object that covers A."
  return naiveSort(basic).map((a, index) => {
    const coverers: KeyedRange[] = [];
    for (const o of objects) if (o !== a && naiveCovers(o, a, t)) coverers.push(o);
    return { index, basic: a.key, members: [a.key, ...naiveSort(coverers).map((o) => o.key)] };
  });
}

// --- generators ----------------------------------------------------------------------------------

/** Bounds on a grid of 0..8 (many ties) or arbitrary doubles; near <= far. */
const bound = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.double({ min: -100, max: 100, noNaN: true }));
const interval = fc.tuple(bound, bound).map(([p, q]) => (p <= q ? [p, q] : [q, p]) as [number, number]);
const scene = fc.array(interval, { minLength: 0, maxLength: 14 }).map((ranges) =>
  // Keys out of depth order, so the key tie-break is exercised rather than mirroring input order.
  ranges.map((range, i): KeyedRange => ({ key: `k${(i * 7) % 17}-${i}`, range })),
);
const tolerance = fc.oneof(
  fc.constant(0),
  fc.constant(1),
  fc.constant(0.5),
  fc.double({ min: 0, max: 5, noNaN: true }),
);

describe('Algorithm 1: covers', () => {
  it('agrees exactly with the naive definition, pair by pair', () => {
    fc.assert(
      fc.property(scene, tolerance, (objects, t) => {
        const matrix = coverMatrix(
          objects.map((o) => o.range),
          t,
        );
        const n = objects.length;
        const mismatches: string[] = [];
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const expected = i !== j && naiveCovers(objects[i], objects[j], t);
            if ((matrix[i * n + j] === 1) !== expected) mismatches.push(`matrix ${i} ${j}`);
            if (i !== j && covers(objects[i].range, objects[j].range, t) !== expected)
              mismatches.push(`covers ${i} ${j}`);
          }
        }
        expect(mismatches).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('is the paper exactly at tolerance 0', () => {
    fc.assert(
      fc.property(interval, interval, ([a0, a1], [b0, b1]) => {
        expect(covers([a0, a1], [b0, b1])).toBe(a0 < b0 && a1 > b1);
      }),
    );
  });

  it('only widens as the tolerance grows, and is never mutual', () => {
    fc.assert(
      fc.property(interval, interval, tolerance, tolerance, (a, b, t1, t2) => {
        const [lo, hi] = t1 <= t2 ? [t1, t2] : [t2, t1];
        if (covers(a, b, lo)) expect(covers(a, b, hi)).toBe(true);
        expect(covers(a, b, hi) && covers(b, a, hi)).toBe(false);
      }),
    );
  });

  it('equal ranges never cover each other; touching bounds are not strict enclosure', () => {
    expect(covers([1, 5], [1, 5])).toBe(false);
    expect(covers([1, 5], [1, 4])).toBe(false);
    expect(covers([1, 5], [2, 5])).toBe(false);
    expect(covers([1, 5], [2, 4])).toBe(true);
    // Tolerance 0.5 lets [1, 5] reach around [1, 4] (and it is longer) ...
    expect(covers([1, 5], [1, 4], 0.5)).toBe(true);
    // ... but not around a range of the same length.
    expect(covers([1, 5], [1.2, 5.2], 0.5)).toBe(false);
  });
});

describe('Algorithm 2: layers', () => {
  it('agrees exactly with the naive implementation', () => {
    fc.assert(
      fc.property(scene, tolerance, (objects, t) => {
        expect(computeLayers(objects, t).layers).toEqual(naiveLayers(objects, t));
      }),
      { numRuns: 400 },
    );
  });

  it('gives each object the index of the first layer it appears in, and every object a layer at t = 0', () => {
    fc.assert(
      fc.property(scene, tolerance, (objects, t) => {
        const { layers, layerOf } = computeLayers(objects, t);
        for (const o of objects) {
          const first = layers.find((l) => l.members.includes(o.key));
          expect(layerOf.get(o.key)).toBe(first?.index);
          if (t === 0) expect(first).toBeDefined();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on input order', () => {
    fc.assert(
      fc.property(scene, tolerance, fc.infiniteStream(fc.nat()), (objects, t, stream) => {
        const shuffled = [...objects];
        const rand = stream[Symbol.iterator]();
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = (rand.next().value as number) % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
        }
        expect(computeLayers(shuffled, t).layers).toEqual(computeLayers(objects, t).layers);
      }),
      { numRuns: 200 },
    );
  });

  it('follows the paper on a table with a cup and a book', () => {
    const objects: KeyedRange[] = [
      { key: 'wall', range: [4, 6] },
      { key: 'table', range: [1, 3] },
      { key: 'cup', range: [1.5, 2] },
      { key: 'book', range: [2.2, 2.6] },
      { key: 'room', range: [0.5, 7] },
    ];
    const { layers, layerOf } = computeLayers(objects);
    expect(layers).toEqual([
      { index: 0, basic: 'cup', members: ['cup', 'room', 'table'] },
      { index: 1, basic: 'book', members: ['book', 'room', 'table'] },
      { index: 2, basic: 'wall', members: ['wall', 'room'] },
    ]);
    expect(Object.fromEntries(layerOf)).toEqual({ cup: 0, room: 0, table: 0, book: 1, wall: 2 });
  });

  it('breaks exact depth ties by key, in code-unit order', () => {
    const objects: KeyedRange[] = [
      { key: 'b', range: [1, 2] },
      { key: 'B', range: [1, 2] },
      { key: 'a', range: [1, 2] },
    ];
    expect(computeLayers(objects).layers.map((l) => l.basic)).toEqual(['B', 'a', 'b']);
    expect(compareByDepth(objects[0], objects[1])).toBeGreaterThan(0);
  });

  it('lays out 50 objects well under a millisecond', () => {
    const objects: KeyedRange[] = Array.from({ length: 50 }, (_, i) => {
      const near = (i * 37) % 50;
      return { key: `o${i}`, range: [near, near + 1 + ((i * 13) % 20)] };
    });
    for (let i = 0; i < 50; i++) computeLayers(objects);
    const runs = 500;
    const start = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) computeLayers(objects);
    const ms = Number(process.hrtime.bigint() - start) / 1e6 / runs;
    expect(ms).toBeLessThan(1);
  });
});
