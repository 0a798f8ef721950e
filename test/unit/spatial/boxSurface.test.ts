/**
 * Box-only depth statistics (src/spatial/boxSurface.ts): the object's own surface among the pixels of
 * its box, with occluders' pixels given to the occluder and the background behind rejected.
 *
 * Scenes are painted with a z-buffer: fronto-parallel rectangles (or discs) at fixed depths in front
 * of a wall, so the truth of every pixel is known exactly.
 */

import fc from 'fast-check';
import type { Box, SceneGraph, SceneObject } from '../../../src/scenegraph/sceneGraph.types';
import {
  binEdge,
  boxGrid,
  depthBin,
  measureObjects,
  regionHas,
  type MeasureInput,
} from '../../../src/spatial/boxSurface';
import type { DepthMap } from '../../../src/spatial/depthMap';
import { buildSceneGraph } from '../../../src/spatial/engine';
import type { ResolvedIntrinsics } from '../../../src/spatial/intrinsics';
import { regionFromBox, regionFromPolygons } from '../../../src/spatial/mask';
import { measureObject, type Object3d } from '../../../src/spatial/object3d';
import { makeRegion, regionToBitmap } from '../../../src/spatial/pixelRegion';
import { DEFAULT_THRESHOLDS } from '../../../src/spatial/thresholds';

const W = 64;
const H = 48;
const K: ResolvedIntrinsics = { fx: 60, fy: 60, cx: W / 2, cy: H / 2, source: 'GIVEN' };

interface Shape {
  key: string;
  /** Pixel rectangle [x1, y1, x2, y2) (a disc: its bounding square). */
  rect: Box;
  z: number;
  disc?: boolean;
}

function inside(s: Shape, u: number, v: number): boolean {
  const [x1, y1, x2, y2] = s.rect;
  if (u < x1 || u >= x2 || v < y1 || v >= y2) return false;
  if (!s.disc) return true;
  const r = (x2 - x1) / 2;
  return (u + 0.5 - (x1 + r)) ** 2 + (v + 0.5 - (y1 + r)) ** 2 <= r * r;
}

/** Depth map (nearest shape wins, else the wall) and the owner of every pixel (-1: wall). */
function paint(shapes: readonly Shape[], wall: number): { depth: DepthMap; owner: Int32Array } {
  const data = new Float32Array(W * H).fill(wall);
  const owner = new Int32Array(W * H).fill(-1);
  for (let v = 0; v < H; v++) {
    for (let u = 0; u < W; u++) {
      shapes.forEach((s, i) => {
        const p = v * W + u;
        if (inside(s, u, v) && s.z < data[p]) {
          data[p] = s.z;
          owner[p] = i;
        }
      });
    }
  }
  return { depth: { width: W, height: H, data, unit: 'METERS' }, owner };
}

/** The tight box of shape i's visible pixels, optionally grown by `grow` pixels per side. */
function visibleBox(owner: Int32Array, i: number, grow = 0): Box | undefined {
  let x1 = W;
  let y1 = H;
  let x2 = -1;
  let y2 = -1;
  for (let p = 0; p < owner.length; p++) {
    if (owner[p] !== i) continue;
    const u = p % W;
    const v = (p - u) / W;
    x1 = Math.min(x1, u);
    y1 = Math.min(y1, v);
    x2 = Math.max(x2, u + 1);
    y2 = Math.max(y2, v + 1);
  }
  if (x2 < 0) return undefined;
  return [Math.max(0, x1 - grow), Math.max(0, y1 - grow), Math.min(W, x2 + grow), Math.min(H, y2 + grow)];
}

function boxInput(key: string, box: Box): MeasureInput {
  return { key, box, region: regionFromBox(box, W, H) };
}

function measure(inputs: MeasureInput[], depth: DepthMap): Object3d[] {
  return measureObjects(inputs, depth, K, { thresholds: DEFAULT_THRESHOLDS });
}

function range(o: Object3d): [number, number] {
  return [o.depth!.min, o.depth!.max];
}

describe('depth bins', () => {
  it('are a log scale with K bins per octave, each 1/(2K)..1/K of its depth wide', () => {
    const k = 34;
    expect(depthBin(1, k)).toBe(0);
    expect(depthBin(2, k)).toBe(k);
    expect(depthBin(0.5, k)).toBe(-k);
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e5, noNaN: true }), (z) => {
        const b = depthBin(z, k);
        expect(binEdge(b, k)).toBeLessThanOrEqual(z * (1 + 1e-12));
        expect(binEdge(b + 1, k)).toBeGreaterThan(z * (1 - 1e-12));
        const width = (binEdge(b + 1, k) - binEdge(b, k)) / binEdge(b, k);
        expect(width).toBeGreaterThanOrEqual(1 / (2 * k) - 1e-12);
        expect(width).toBeLessThanOrEqual(1 / k + 1e-12);
      }),
    );
    // Monotonic.
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e5, noNaN: true }), fc.double({ min: 0, max: 1 }), (z, f) => {
        expect(depthBin(z * (1 + f), k)).toBeGreaterThanOrEqual(depthBin(z, k));
      }),
    );
  });
});

describe('boxGrid', () => {
  it('samples every pixel when they fit, else at most the budget, all inside the box', () => {
    expect(boxGrid(3, 4, 10, 5, 100)).toMatchObject({ su: 1, sv: 1, cols: 10, rows: 5 });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 3000 }),
        (w, h, budget) => {
          const g = boxGrid(0, 0, w, h, budget);
          expect(g.cols * g.rows).toBeLessThanOrEqual(Math.max(budget, 1));
          expect(g.cols).toBeGreaterThan(0);
          expect(g.rows).toBeGreaterThan(0);
          expect(g.offU + (g.cols - 1) * g.su).toBeLessThan(w);
          expect(g.offV + (g.rows - 1) * g.sv).toBeLessThan(h);
        },
      ),
    );
  });
});

describe('regionHas', () => {
  it('agrees with the bitmap for rows and columns regions', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 9 }),
            fc.integer({ min: 0, max: 9 }),
            fc.integer({ min: 1, max: 4 }),
          ),
          {
            maxLength: 12,
          },
        ),
        fc.boolean(),
        (runs, rows) => {
          // Non-overlapping sorted spans: one run per line at most.
          const byLine = new Map<number, [number, number]>();
          for (const [line, start, len] of runs) byLine.set(line, [start, Math.min(10, start + len)]);
          const spans = [...byLine.entries()].sort((a, b) => a[0] - b[0]).flatMap(([l, [a, b]]) => [l, a, b]);
          const region = makeRegion(10, 10, rows ? 'rows' : 'columns', spans);
          const bitmap = regionToBitmap(region);
          for (let v = 0; v < 10; v++)
            for (let u = 0; u < 10; u++) expect(regionHas(region, u, v)).toBe(bitmap[v * 10 + u] === 1);
        },
      ),
    );
  });
});

describe('measureObjects, box-only', () => {
  it('gives an occluder inside the box its pixels: the object keeps only its own surface', () => {
    // A far crate (depth 9) whose lower middle is hidden by a near ball's box (depth 4).
    const shapes: Shape[] = [
      { key: 'crate', rect: [10, 8, 40, 38], z: 9 },
      { key: 'ball', rect: [18, 20, 34, 36], z: 4 },
    ];
    const { depth } = paint(shapes, 20);
    const [crate, ball] = measure(
      [boxInput('crate', [10, 8, 40, 38]), boxInput('ball', [18, 20, 34, 36])],
      depth,
    );
    expect(range(crate)).toEqual([9, 9]);
    expect(range(ball)).toEqual([4, 4]);
    // Far apart in depth, the ball's pixels are a separate surface in the crate's box: rejected.
    expect(crate.evidence).toMatchObject({ method: 'box-surface', attributed: 0 });
    expect(Number(crate.evidence!.rejectedNearer)).toBeGreaterThan(0);
    expect(ball.evidence).toMatchObject({ method: 'box-surface', attributed: 0, rejectedFarther: 0 });
  });

  it('gives an occluder its pixels when no depth gap separates it from the object', () => {
    // Depths jittered by up to +-5%: the crate's (around 10) and the box's (around 9.2) overlap, so
    // there is no empty bin between them and only attribution can tell them apart.
    const { depth: flat } = paint(
      [
        { key: 'crate', rect: [10, 8, 40, 38], z: 10 },
        { key: 'box', rect: [18, 20, 34, 36], z: 9.2 },
      ],
      20,
    );
    const data = flat.data.map((z, p) => z * (1 + 0.05 * Math.sin(p * 12.9898)));
    const depth: DepthMap = { ...flat, data };
    const [crate, box] = measure(
      [boxInput('crate', [10, 8, 40, 38]), boxInput('box', [18, 20, 34, 36])],
      depth,
    );
    // The box's samples on its side of the harmonic mean of the two medians go to the box: the ranges
    // come apart (all samples of the crate's box would give [8.8, 10.5]).
    expect(Number(crate.evidence!.attributed)).toBeGreaterThan(100);
    expect(crate.depth!.p5).toBeGreaterThan(9.45);
    expect(box.depth!.p95).toBeLessThan(9.4);
    expect(crate.depth!.p50).toBeCloseTo(10, 0);
    expect(box.depth!.p50).toBeCloseTo(9, 0);
  });

  it('rejects the background behind the object', () => {
    // A disc at depth 5 in its bounding box: the corners show the wall at depth 12.
    const shapes: Shape[] = [{ key: 'ball', rect: [10, 10, 40, 40], z: 5, disc: true }];
    const { depth } = paint(shapes, 12);
    const [ball] = measure([boxInput('ball', [10, 10, 40, 40])], depth);
    expect(range(ball)).toEqual([5, 5]);
    expect(Number(ball.evidence!.rejectedFarther)).toBeGreaterThan(0);
    expect(ball.evidence!.rejectedNearer).toBe(0);
    // Engine 1.1.0's statistics of the same box reach the wall.
    const plain = measureObject(
      { key: 'ball', box: [10, 10, 40, 40], region: regionFromBox([10, 10, 40, 40], W, H, 0) },
      depth,
      K,
    );
    expect(plain.depth!.max).toBe(12);
  });

  it('separates two overlapping boxes, nearer and farther', () => {
    // Left crate at 5 in front of the right one at 8; their boxes overlap in columns 24..32.
    const shapes: Shape[] = [
      { key: 'left', rect: [4, 10, 32, 40], z: 5 },
      { key: 'right', rect: [24, 6, 56, 36], z: 8 },
    ];
    const { depth, owner } = paint(shapes, 15);
    const boxes = [visibleBox(owner, 0)!, visibleBox(owner, 1)!];
    const [left, right] = measure([boxInput('left', boxes[0]), boxInput('right', boxes[1])], depth);
    expect(range(left)).toEqual([5, 5]);
    expect(range(right)).toEqual([8, 8]);
    expect(Number(right.evidence!.rejectedNearer)).toBeGreaterThan(0);
    // And the engine orders them.
    const scene: SceneGraph = {
      version: 1,
      image: { uri: 'x', width: W, height: H },
      intrinsics: { fx: K.fx, fy: K.fy, cx: K.cx, cy: K.cy },
      objects: [
        { key: 'left', label: 'crate', box: boxes[0] },
        { key: 'right', label: 'crate', box: boxes[1] },
      ],
    };
    const built = buildSceneGraph(scene, depth);
    const triples = built.relations!.map((r) => `${r.subject} ${r.predicate} ${r.object}`);
    expect(triples).toContain('left in front of right');
    expect(triples).toContain('right behind left');
    expect(built.objects[1].evidence).toMatchObject({ method: 'box-surface' });
  });

  it('handles a box fully inside another, whichever is nearer', () => {
    // Nearer inside: a small box at 3 in front of a big cabinet at 8.
    {
      const shapes: Shape[] = [
        { key: 'cabinet', rect: [6, 4, 58, 44], z: 8 },
        { key: 'cup', rect: [26, 18, 38, 30], z: 3 },
      ];
      const { depth } = paint(shapes, 20);
      const [cabinet, cup] = measure(
        [boxInput('cabinet', [6, 4, 58, 44]), boxInput('cup', [26, 18, 38, 30])],
        depth,
      );
      expect(range(cabinet)).toEqual([8, 8]);
      expect(range(cup)).toEqual([3, 3]);
    }
    // Farther inside: a big disc at 4 whose box corner shows a small crate at 9 (its box inside the disc's).
    {
      const shapes: Shape[] = [
        { key: 'disc', rect: [8, 2, 52, 46], z: 4, disc: true },
        { key: 'crate', rect: [8, 2, 18, 12], z: 9 },
      ];
      const { depth, owner } = paint(shapes, 20);
      const crateBox = visibleBox(owner, 1)!;
      expect(crateBox[2] - crateBox[0]).toBeLessThanOrEqual(10);
      const [disc, crate] = measure([boxInput('disc', [8, 2, 52, 46]), boxInput('crate', crateBox)], depth);
      expect(range(disc)).toEqual([4, 4]);
      expect(range(crate)).toEqual([9, 9]);
    }
  });

  it('keeps everything, and claims no depth order, when no surface dominates', () => {
    // Half the box at 4, half at 8, and no other object to explain either half.
    const data = new Float32Array(W * H).fill(20);
    for (let v = 10; v < 30; v++) for (let u = 10; u < 30; u++) data[v * W + u] = u < 20 ? 4 : 8;
    const depth: DepthMap = { width: W, height: H, data, unit: 'METERS' };
    const [o] = measure([boxInput('o', [10, 10, 30, 30])], depth);
    expect(o.evidence).toMatchObject({ method: 'box-mixed', kept: 400 });
    expect(range(o)).toEqual([4, 8]);
  });

  it('measures masked objects exactly as before, and lets their masks claim pixels', () => {
    const shapes: Shape[] = [
      { key: 'crate', rect: [10, 8, 40, 38], z: 9 },
      { key: 'ball', rect: [18, 20, 34, 36], z: 4, disc: true },
    ];
    const { depth, owner } = paint(shapes, 20);
    // The ball's mask: its visible pixels as polygons would give them; here straight from the owner map.
    const spans: number[] = [];
    for (let v = 0; v < H; v++) {
      let start = -1;
      for (let u = 0; u <= W; u++) {
        const on = u < W && owner[v * W + u] === 1;
        if (on && start < 0) start = u;
        if (!on && start >= 0) {
          spans.push(v, start, u);
          start = -1;
        }
      }
    }
    const mask = makeRegion(W, H, 'rows', spans);
    const ballInput: MeasureInput = { key: 'ball', box: [18, 20, 34, 36], region: mask, mask };
    const [crate, ball] = measure([boxInput('crate', [10, 8, 40, 38]), ballInput], depth);
    const alone = measureObject(ballInput, depth, K);
    expect(ball).toEqual(alone);
    expect(ball.evidence).toEqual({ method: 'mask', samples: mask.pixelCount });
    expect(range(crate)).toEqual([9, 9]);
  });

  it('is deterministic and leaves objects whose boxes meet no other as if alone', () => {
    const shapes: Shape[] = [
      { key: 'a', rect: [2, 2, 20, 20], z: 5, disc: true },
      { key: 'b', rect: [30, 10, 60, 40], z: 7 },
    ];
    const { depth } = paint(shapes, 12);
    const inputs = [boxInput('a', [2, 2, 20, 20]), boxInput('b', [30, 10, 60, 40])];
    const both = measure(inputs, depth);
    expect(measure(inputs, depth)).toEqual(both);
    expect(measure([inputs[0]], depth)[0]).toEqual(both[0]);
    expect(measure([inputs[1]], depth)[0]).toEqual(both[1]);
  });

  it('skips pixels without depth, and reports an object without any', () => {
    const data = new Float32Array(W * H).fill(NaN);
    for (let v = 10; v < 20; v++) for (let u = 10; u < 20; u++) if ((u + v) % 3 !== 0) data[v * W + u] = 6;
    const depth: DepthMap = { width: W, height: H, data, unit: 'METERS' };
    const [o, none] = measure([boxInput('o', [10, 10, 20, 20]), boxInput('none', [40, 30, 50, 40])], depth);
    expect(range(o)).toEqual([6, 6]);
    expect(o.evidence!.samples).toBe(67);
    expect(none.depth).toBeUndefined();
    expect(none.evidence).toEqual({ method: 'box-surface', samples: 0 });
  });
});

describe('measureObjects, properties', () => {
  // A far rectangle partly hidden by a near one, in front of a wall; depths apart by >= 20%.
  const twoRects = fc
    .record({
      far: fc.tuple(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 12, max: 40 }),
        fc.integer({ min: 12, max: 30 }),
      ),
      near: fc.tuple(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 4, max: 30 }),
        fc.integer({ min: 4, max: 30 }),
      ),
      zNear: fc.double({ min: 1, max: 10, noNaN: true }),
      farRatio: fc.double({ min: 1.2, max: 3, noNaN: true }),
      wallRatio: fc.double({ min: 1.2, max: 3, noNaN: true }),
      grow: fc.integer({ min: 0, max: 1 }),
    })
    .map(({ far, near, zNear, farRatio, wallRatio, grow }) => {
      const rect = ([x, y, w, h]: number[]): Box => [x, y, Math.min(W, x + w), Math.min(H, y + h)];
      const zFar = zNear * farRatio;
      return {
        shapes: [
          { key: 'far', rect: rect(far), z: Math.fround(zFar) },
          { key: 'near', rect: rect(near), z: Math.fround(zNear) },
        ] as Shape[],
        wall: Math.fround(zFar * wallRatio),
        grow,
      };
    });

  it('finds each surface exactly when the far object shows most of its box', () => {
    fc.assert(
      fc.property(twoRects, ({ shapes, wall, grow }) => {
        const { depth, owner } = paint(shapes, wall);
        const farBox = visibleBox(owner, 0, grow);
        const nearBox = visibleBox(owner, 1, grow);
        fc.pre(farBox !== undefined && nearBox !== undefined);
        // The far object's own pixels are at least 60% of its box, and it is not a sliver.
        const [x1, y1, x2, y2] = farBox!;
        let own = 0;
        for (let v = y1; v < y2; v++) for (let u = x1; u < x2; u++) if (owner[v * W + u] === 0) own++;
        fc.pre(own >= 0.6 * (x2 - x1) * (y2 - y1) && x2 - x1 >= 12 && y2 - y1 >= 12);
        const [far, near] = measure([boxInput('far', farBox!), boxInput('near', nearBox!)], depth);
        expect(range(far)).toEqual([shapes[0].z, shapes[0].z]);
        if (grow === 0) expect(range(near)).toEqual([shapes[1].z, shapes[1].z]);
        // Evidence adds up.
        for (const o of [far, near]) {
          const e = o.evidence!;
          expect(
            Number(e.kept) + Number(e.attributed) + Number(e.rejectedNearer) + Number(e.rejectedFarther),
          ).toBe(e.samples);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('finds both surfaces when a nearer box lies fully inside a farther one, with the wall behind both', () => {
    const nested = fc
      .record({
        outer: fc.tuple(
          fc.integer({ min: 0, max: 30 }),
          fc.integer({ min: 0, max: 20 }),
          fc.integer({ min: 16, max: 34 }),
          fc.integer({ min: 16, max: 28 }),
        ),
        inner: fc.tuple(
          fc.double({ min: 0.05, max: 0.6, noNaN: true }),
          fc.double({ min: 0.05, max: 0.6, noNaN: true }),
          fc.double({ min: 0.15, max: 0.35, noNaN: true }),
          fc.double({ min: 0.15, max: 0.35, noNaN: true }),
        ),
        zNear: fc.double({ min: 1, max: 10, noNaN: true }),
        farRatio: fc.double({ min: 1.2, max: 3, noNaN: true }),
        wallRatio: fc.double({ min: 1.2, max: 3, noNaN: true }),
        disc: fc.boolean(),
      })
      .map(({ outer: [x, y, w, h], inner: [fx, fy, fw, fh], zNear, farRatio, wallRatio, disc }) => {
        const ow = Math.min(W - x, w);
        const oh = Math.min(H - y, h);
        const ix = x + Math.max(1, Math.floor(fx * ow));
        const iy = y + Math.max(1, Math.floor(fy * oh));
        const iw = Math.max(2, Math.floor(fw * ow));
        const ih = Math.max(2, Math.floor(fh * oh));
        const zFar = zNear * farRatio;
        return {
          // A disc as the outer object shows the wall in its box's corners: background behind it.
          shapes: [
            { key: 'outer', rect: [x, y, x + ow, y + oh], z: Math.fround(zFar), disc },
            {
              key: 'inner',
              rect: [ix, iy, Math.min(x + ow - 1, ix + iw), Math.min(y + oh - 1, iy + ih)],
              z: Math.fround(zNear),
            },
          ] as Shape[],
          wall: Math.fround(zFar * wallRatio),
        };
      });
    fc.assert(
      fc.property(nested, ({ shapes, wall }) => {
        const { depth, owner } = paint(shapes, wall);
        const outerBox = visibleBox(owner, 0);
        const innerBox = visibleBox(owner, 1);
        fc.pre(outerBox !== undefined && innerBox !== undefined);
        const [x1, y1, x2, y2] = outerBox!;
        let own = 0;
        for (let v = y1; v < y2; v++) for (let u = x1; u < x2; u++) if (owner[v * W + u] === 0) own++;
        fc.pre(own >= 0.5 * (x2 - x1) * (y2 - y1));
        const [outer, inner] = measure([boxInput('outer', outerBox!), boxInput('inner', innerBox!)], depth);
        expect(range(outer)).toEqual([shapes[0].z, shapes[0].z]);
        expect(range(inner)).toEqual([shapes[1].z, shapes[1].z]);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps statistics within the depths of the box, and is deterministic', () => {
    const rect = fc
      .tuple(
        fc.integer({ min: 0, max: 56 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 2, max: 30 }),
        fc.integer({ min: 2, max: 30 }),
      )
      .map(([x, y, w, h]): Box => [x, y, Math.min(W, x + w), Math.min(H, y + h)]);
    fc.assert(
      fc.property(
        fc.array(fc.record({ rect, z: fc.double({ min: 0.5, max: 50, noNaN: true }), disc: fc.boolean() }), {
          minLength: 1,
          maxLength: 6,
        }),
        (specs) => {
          const shapes: Shape[] = specs.map((s, i) => ({
            key: `o${i}`,
            rect: s.rect,
            z: Math.fround(s.z),
            disc: s.disc,
          }));
          const { depth } = paint(shapes, 60);
          const inputs = shapes.map((s) => boxInput(s.key, s.rect));
          const out = measure(inputs, depth);
          expect(measure(inputs, depth)).toEqual(out);
          out.forEach((o, i) => {
            const [x1, y1, x2, y2] = shapes[i].rect;
            let lo = Infinity;
            let hi = -Infinity;
            for (let v = y1; v < y2; v++) {
              for (let u = x1; u < x2; u++) {
                lo = Math.min(lo, depth.data[v * W + u]);
                hi = Math.max(hi, depth.data[v * W + u]);
              }
            }
            expect(o.depth!.min).toBeGreaterThanOrEqual(lo);
            expect(o.depth!.max).toBeLessThanOrEqual(hi);
            expect(o.depth!.p5).toBeLessThanOrEqual(o.depth!.p50);
            expect(o.depth!.p50).toBeLessThanOrEqual(o.depth!.p95);
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('buildSceneGraph with box-only objects', () => {
  it('records the method in the object evidence and keeps it when re-deriving from stored geometry', () => {
    const shapes: Shape[] = [
      { key: 'crate', rect: [10, 8, 40, 38], z: 9 },
      { key: 'ball', rect: [18, 20, 34, 36], z: 4 },
    ];
    const { depth } = paint(shapes, 20);
    const objects: SceneObject[] = [
      { key: 'crate', label: 'crate', box: [10, 8, 40, 38] },
      { key: 'ball', label: 'ball', box: [18, 20, 34, 36], mask: [[18, 20, 34, 20, 34, 36, 18, 36]] },
    ];
    const scene: SceneGraph = { version: 1, image: { uri: 'x', width: W, height: H }, objects };
    const built = buildSceneGraph(scene, depth);
    expect(built.objects[0].evidence).toMatchObject({ method: 'box-surface' });
    expect(built.objects[1].evidence).toEqual({
      method: 'mask',
      samples: regionFromPolygons(objects[1].mask as number[][], W, H).pixelCount,
      hiddenBelow: 0,
      hiddenAbove: 0,
    });
    expect(built.objects[0].depth).toMatchObject({ min: 9, max: 9 });
    const again = buildSceneGraph(built);
    expect(again.objects).toEqual(built.objects);
    expect(again.relations).toEqual(built.relations);
    // A boxMargin still shrinks the region the samples come from.
    const shrunk = buildSceneGraph(scene, depth, { boxMargin: 0.25 });
    expect(Number(shrunk.objects[0].evidence!.samples)).toBeLessThan(
      Number(built.objects[0].evidence!.samples),
    );
  });
});
