/**
 * Depth statistics of objects that have only a box (no mask).
 *
 * A box also holds what is in front of the object (an occluder) and what is behind it (the ground, a
 * wall, farther objects). Statistics over all of its pixels span several surfaces, the object's depth
 * range then overlaps its neighbours', and clear depth orders go unreported. This module finds the
 * object's own surface among the pixels of its box, using the other objects of the scene. Thresholds
 * are the box* entries of the one table (thresholds.ts).
 *
 * 1. Samples: at most `maxPixels` per object, at the centres of the su x sv cells of a grid over the box
 *    region (boxGrid; the region is the box shrunk by the build's boxMargin, 0 by default); pixels
 *    without valid depth are skipped. Depths are binned on a logarithmic scale with
 *    K = ceil(1 / boxSurfaceGap) bins per octave (linear in the float's mantissa, so a bin is 1/(2K) to
 *    1/K of its depth wide: 1.5% to 2.9% by default). A run of non-empty bins is one surface: an empty
 *    bin, a depth gap of at least a bin, separates two.
 * 2. Preliminary surfaces, from every second row and column of the grid when it has more than 512
 *    samples. Objects are taken in order of their share of samples inside no other object's box or mask
 *    ("own" samples), so an object hidden inside others' boxes comes after the objects that hide it.
 *    An object's surface is the most populous run (the nearer on a tie) of
 *    - its own samples, when they are at least boxExclusiveMinShare of its samples;
 *    - else of its samples that no object taken before it explains (inside that object's mask; or inside
 *      its box, within its surface's extent widened by boxSurfaceTolerance of its median); when those
 *      are less than boxSurfaceMinShare of its samples, the object is at a neighbour's depth and all
 *      its samples count.
 *    A run that does not hold boxSurfaceMinLead times the samples of the runner-up does not dominate:
 *    the surface is then 'mixed'. A surface is its median and extent [p5, p95], read from the histogram
 *    (the middle of the median's bin; the outer edges of the bins of p5 and p95).
 * 3. Attribution (every sample): a sample inside another object B's mask is B's; so is a sample inside
 *    B's box when B's surface median differs from this object's by more than boxSurfaceSeparation of
 *    the larger, the sample's depth lies within B's extent (+- boxSurfaceTolerance of B's median) and on
 *    B's side of the harmonic mean of the two medians, i.e. it is relatively closer to B's median. When
 *    B is nearer these are the occluder's pixels, when it is farther what is seen behind the object.
 *    Only B whose interval reaches into the run holding this object's surface are tried: samples outside
 *    that run are rejected in step 4 anyway, and taking them away cannot change the run.
 * 4. Background rejection: of the samples left, those in the run of bins that holds the preliminary
 *    median (or the run nearest to it) are the object's; the others (the ground or a wall behind it, a
 *    nearer surface that no object explains) are rejected. A 'mixed' surface keeps every sample left:
 *    its range stays wide, and the predicates, which need separated or lightly overlapping ranges,
 *    claim no depth order for it.
 * 5. Statistics as for a mask (object3d.summarisePoints: numpy-style percentiles, median centroid)
 *    over the object's samples. The object's evidence records the method ('box-surface' or
 *    'box-mixed'), the grid, and how many samples were attributed to others in step 3 (only those
 *    inside the object's run), rejected in step 4 as nearer or farther, and kept.
 *
 * Deterministic: a fixed grid, fixed orders (ties by input index), integer binning, no randomness.
 * Objects with a mask are measured from the mask exactly as before (object3d.measureObject); their masks
 * take part in attribution. Cost: a few passes over the samples plus, per overlapping box, the samples
 * in the overlap; no sorting (the 50-object benchmark, BENCHMARKS.md).
 */

import type { Box } from '../scenegraph/sceneGraph.types';
import type { DepthMap } from './depthMap';
import type { ResolvedIntrinsics } from './intrinsics';
import {
  DEFAULT_MAX_PIXELS_PER_OBJECT,
  measureObject,
  recordSpreads,
  summarisePoints,
  type Object3d,
  type ObjectEvidence,
  type PixelNoise,
  type RangeMode,
} from './object3d';
import { estimatePixelNoise, noisyHalfWidth } from './depthNoise';
import { centreRange, type PixelRegion } from './pixelRegion';
import type { Thresholds } from './thresholds';

export interface MeasureInput {
  readonly key: string;
  readonly box: Box;
  /** Where depth is read: the mask, or the (shrunk) box as regionFromBox gives it. */
  readonly region: PixelRegion;
  readonly mask?: PixelRegion;
}

export interface MeasureAllOptions {
  rangeMode?: RangeMode;
  maxPixels?: number;
  thresholds: Thresholds;
}

/** Whether the region holds pixel (u, v): binary search over its sorted spans. */
export function regionHas(region: PixelRegion, u: number, v: number): boolean {
  const rows = region.orientation === 'rows';
  const line = rows ? v : u;
  const along = rows ? u : v;
  const spans = region.spans;
  let lo = 0;
  let hi = spans.length / 3;
  // The first span after (line, along); the candidate is the one before it.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const l = spans[mid * 3];
    if (l < line || (l === line && spans[mid * 3 + 1] <= along)) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return false;
  const s = (lo - 1) * 3;
  return spans[s] === line && along < spans[s + 2];
}

/** A sample grid over a pixel rectangle: column c at u0 + offU + c su, row r at v0 + offV + r sv. */
export interface BoxGrid {
  readonly u0: number;
  readonly v0: number;
  readonly su: number;
  readonly sv: number;
  readonly offU: number;
  readonly offV: number;
  readonly cols: number;
  readonly rows: number;
}

function cellCount(size: number, step: number): number {
  return Math.floor((size - 1 - (step >> 1)) / step) + 1;
}

/**
 * At most `budget` samples over the w x h rectangle at (u0, v0): every pixel when they fit, else the
 * centres of s x s cells with the smallest s that fits (s capped at the side, so a thin box still gets a
 * row or column of samples).
 */
export function boxGrid(u0: number, v0: number, w: number, h: number, budget: number): BoxGrid {
  if (w * h <= budget) return { u0, v0, su: 1, sv: 1, offU: 0, offV: 0, cols: w, rows: h };
  let s = Math.max(1, Math.floor(Math.sqrt((w * h) / budget)));
  for (;;) {
    const su = Math.min(s, w);
    const sv = Math.min(s, h);
    const cols = cellCount(w, su);
    const rows = cellCount(h, sv);
    if (cols * rows <= budget) return { u0, v0, su, sv, offU: su >> 1, offV: sv >> 1, cols, rows };
    s++;
  }
}

// Depth bins from the float's bits: exponent * K + floor(mantissa * K), no logarithm needed.
const BITS = new Float64Array(1);
const WORDS = new Uint32Array(BITS.buffer);
const HI = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: high word second
/**
 * A box's histogram spans this many octaves on either side of its first valid sample's depth (a factor
 * of 256 each way); depths beyond share the end bins, which are far from any surface of the box.
 */
const HALF_OCTAVES = 8;
/** Bins per octave at most (boxSurfaceGap >= 1 / 2048). */
export const MAX_BINS_PER_OCTAVE = 2048;
/** Preliminary surfaces use every second row and column of a grid with more samples than this. */
const COARSE_ABOVE = 512;

/** The depth bin of z >= 0: exponent * K + floor(mantissa * K) (0 and denormals fall very low). */
export function depthBin(z: number, k: number): number {
  BITS[0] = z;
  const hi = WORDS[HI];
  // k <= MAX_BINS_PER_OCTAVE keeps the product below 2^31, so integer arithmetic is exact.
  return ((hi >>> 20) - 1023) * k + (Math.imul(hi & 0xfffff, k) >>> 20);
}

/** Lower edge of depth bin b: 2^e (1 + j / K) for b = e K + j. */
export function binEdge(b: number, k: number): number {
  const e = Math.floor(b / k);
  return 2 ** e * (1 + (b - e * k) / k);
}

/**
 * Scratch buffers reused across calls (measureObjects is synchronous), grown on demand.
 * Per sample: depth, depth bin relative to its object's histogram (-1: no valid depth), flags. Per
 * box-only object, each `bins` long: histograms of all its valid samples, of its preliminary
 * (coarse) samples, and of those no other box or mask claims. `work` is the histogram being edited,
 * `cover` a per-row difference array.
 */
let scratchZs = new Float64Array(0);
let scratchBins = new Int32Array(0);
let scratchFlags = new Uint8Array(0);
let scratchHistAll = new Int32Array(0);
let scratchHistCoarse = new Int32Array(0);
let scratchHistFree = new Int32Array(0);
let scratchWork = new Int32Array(0);
let scratchCover = new Int32Array(0);
let scratchXsOut = new Float64Array(0);
let scratchYsOut = new Float64Array(0);
let scratchZsOut = new Float64Array(0);
const CLAIMED = 1;
const EXPLAINED = 2;
const GIVEN = 4;

function ensure(
  samples: number,
  perObject: number,
  histograms: number,
  binsPerObject: number,
  coverCells: number,
): void {
  if (scratchZs.length < samples) {
    scratchZs = new Float64Array(samples);
    scratchBins = new Int32Array(samples);
    scratchFlags = new Uint8Array(samples);
  }
  if (scratchXsOut.length < perObject) {
    scratchXsOut = new Float64Array(perObject);
    scratchYsOut = new Float64Array(perObject);
    scratchZsOut = new Float64Array(perObject);
  }
  if (scratchHistAll.length < histograms) {
    scratchHistAll = new Int32Array(histograms);
    scratchHistCoarse = new Int32Array(histograms);
    scratchHistFree = new Int32Array(histograms);
  }
  if (scratchWork.length < binsPerObject + 1) scratchWork = new Int32Array(binsPerObject + 1);
  if (scratchCover.length < coverCells) scratchCover = new Int32Array(coverCells);
}

/** A surface: median and extent [lo, hi] of depth; `mixed` when no surface dominated. */
interface Surface {
  median: number;
  lo: number;
  hi: number;
  mixed: boolean;
}

interface BoxObject {
  readonly index: number;
  readonly grid: BoxGrid;
  /** Offset of this object's samples in the sample buffers, and how many. */
  readonly at: number;
  readonly count: number;
  /** 1, or 2 when the preliminary surface uses every second row and column. */
  readonly coarse: number;
  valid: number;
  validCoarse: number;
  /** Coarse valid samples inside no other object's box or mask. */
  freeCoarse: number;
  /** Absolute depth bin of histogram index 0, and the indices [bMin, bEnd) that hold samples. */
  binLo: number;
  bMin: number;
  bEnd: number;
  readonly near: number[];
}

/** Pixel rectangle [u0, u1) x [v0, v1) of a box's pixel centres. */
function pixelRect(box: Box, width: number, height: number): Int32Array {
  const [u0, u1] = centreRange(box[0], box[2], width);
  const [v0, v1] = centreRange(box[1], box[3], height);
  return Int32Array.of(u0, u1, v0, v1);
}

/** The bounding rectangle of a region's pixels (for a box region: the region itself). */
function regionRect(region: PixelRegion): [u0: number, v0: number, w: number, h: number] {
  const spans = region.spans;
  let a0 = Infinity;
  let a1 = -Infinity;
  let l0 = Infinity;
  let l1 = -Infinity;
  for (let s = 0; s < spans.length; s += 3) {
    l0 = Math.min(l0, spans[s]);
    l1 = Math.max(l1, spans[s] + 1);
    a0 = Math.min(a0, spans[s + 1]);
    a1 = Math.max(a1, spans[s + 2]);
  }
  if (!(l1 > l0)) return [0, 0, 0, 0];
  return region.orientation === 'rows' ? [a0, l0, a1 - a0, l1 - l0] : [l0, a0, l1 - l0, a1 - a0];
}

interface Run {
  /** Histogram indices [from, to), and how many samples they hold. */
  from: number;
  to: number;
  count: number;
  mixed: boolean;
}

/**
 * The most populous run of non-empty bins of h[lo..n), the nearer on a tie; mixed (all of [lo, n))
 * without the lead. Bins below lo are empty.
 */
function dominantRun(h: Int32Array, lo: number, n: number, minLead: number): Run {
  let bestFrom = 0;
  let bestTo = 0;
  let best = 0;
  let second = 0;
  let start = -1;
  let count = 0;
  let total = 0;
  for (let b = lo; b <= n; b++) {
    const c = b < n ? h[b] : 0;
    if (c > 0) {
      if (start < 0) start = b;
      count += c;
      continue;
    }
    if (start >= 0) {
      total += count;
      if (count > best) {
        second = best;
        best = count;
        bestFrom = start;
        bestTo = b;
      } else if (count > second) second = count;
      start = -1;
      count = 0;
    }
  }
  if (best < minLead * second) return { from: lo, to: n, count: total, mixed: true };
  return { from: bestFrom, to: bestTo, count: best, mixed: false };
}

/** The run of non-empty bins of h[lo..n) that holds index `target`, else the nearest one. */
function runAt(h: Int32Array, lo: number, n: number, target: number): Run {
  let at = Math.min(n - 1, Math.max(lo, target));
  if (h[at] === 0) {
    let down = at - 1;
    let up = at + 1;
    while (down >= lo && h[down] === 0) down--;
    while (up < n && h[up] === 0) up++;
    if (down < lo && up >= n) return { from: lo, to: lo, count: 0, mixed: false };
    at = down < lo ? up : up >= n ? down : at - down <= up - at ? down : up;
  }
  let from = at;
  while (from > lo && h[from - 1] > 0) from--;
  let to = at + 1;
  while (to < n && h[to] > 0) to++;
  let count = 0;
  for (let b = from; b < to; b++) count += h[b];
  return { from, to, count, mixed: false };
}

/**
 * A run's surface from the histogram alone: the median is the middle of the bin holding the median
 * sample, the extent runs from the lower edge of the bin holding the 5th percentile to the upper edge
 * of the one holding the 95th (so it holds the run's [p5, p95], give or take a bin).
 */
function surfaceOfRun(h: Int32Array, run: Run, binLo: number, k: number): Surface {
  const n = run.count;
  const ranks = [Math.floor(0.05 * (n - 1)), Math.floor(0.5 * (n - 1)), Math.floor(0.95 * (n - 1))];
  const at = [run.from, run.from, run.from];
  let seen = 0;
  for (let b = run.from, q = 0; b < run.to && q < 3; b++) {
    seen += h[b];
    while (q < 3 && ranks[q] < seen) at[q++] = b;
  }
  return {
    median: (binEdge(binLo + at[1], k) + binEdge(binLo + at[1] + 1, k)) / 2,
    lo: binEdge(binLo + at[0], k),
    hi: binEdge(binLo + at[2] + 1, k),
    mixed: run.mixed,
  };
}

/**
 * Measures every object of a scene: masked objects from their mask (object3d.measureObject, unchanged),
 * box-only objects from their own surface (see the module comment). The depth map must be of the
 * image's size. Results are in input order.
 */
export function measureObjects(
  inputs: readonly MeasureInput[],
  depth: DepthMap,
  intrinsics: ResolvedIntrinsics,
  options: MeasureAllOptions,
): Object3d[] {
  const rangeMode = options.rangeMode ?? 'percentile';
  const budget = options.maxPixels ?? DEFAULT_MAX_PIXELS_PER_OBJECT;
  const t = options.thresholds;
  const K = Math.min(MAX_BINS_PER_OCTAVE, Math.max(1, Math.ceil(1 / t.boxSurfaceGap)));
  const B = 2 * HALF_OCTAVES * K + 1; // bins per object
  const { width, height, data } = depth;
  const level = estimatePixelNoise(depth);
  const noise: PixelNoise = {
    level: level >= t.depthNoiseMin ? level : 0,
    margin: t.depthNoiseMargin,
  };
  const n = inputs.length;
  const results: Object3d[] = new Array<Object3d>(n);
  const surfaces: Array<Surface | undefined> = new Array<Surface | undefined>(n);
  const rects = new Int32Array(4 * n);
  for (let i = 0; i < n; i++) rects.set(pixelRect(inputs[i].box, width, height), 4 * i);

  // Masked objects as before; box-only ones get a sample grid.
  const boxes: BoxObject[] = [];
  let total = 0;
  let largest = 0;
  let coverCells = 0;
  for (let i = 0; i < n; i++) {
    const o = inputs[i];
    if (o.region.width !== width || o.region.height !== height) {
      throw new RangeError(
        `region is ${o.region.width}x${o.region.height} but the depth map is ${width}x${height}; match sizes first`,
      );
    }
    if (o.mask) {
      const measured = measureObject(o, depth, intrinsics, { rangeMode, maxPixels: budget, noise });
      results[i] = measured;
      if (measured.depth) {
        // Other objects' samples are compared with this extent, and they carry the noise: the extent
        // they are compared with keeps it too.
        const d = measured.depth;
        surfaces[i] = {
          median: d.p50,
          lo: d.p50 - noisyHalfWidth(d.p50 - d.p5, d.p50, noise.level),
          hi: d.p50 + noisyHalfWidth(d.p95 - d.p50, d.p50, noise.level),
          mixed: false,
        };
      }
      continue;
    }
    const [u0, v0, w, h] = regionRect(o.region);
    const grid = boxGrid(u0, v0, w, h, budget);
    const count = grid.cols * grid.rows;
    const coarse = count > COARSE_ABOVE ? 2 : 1;
    boxes.push({
      index: i,
      grid,
      at: total,
      count,
      coarse,
      valid: 0,
      validCoarse: 0,
      freeCoarse: 0,
      binLo: 0,
      bMin: 0,
      bEnd: 0,
      near: [],
    });
    total += count;
    largest = Math.max(largest, count);
    coverCells = Math.max(coverCells, grid.rows * (grid.cols + 1));
  }
  ensure(total, largest, boxes.length * B, B, coverCells);
  // Local bindings of the scratch buffers: module-level `let`s would be re-read from the module
  // context on every access in the loops below, which made them several times slower.
  const zs = scratchZs;
  const bins = scratchBins;
  const flags = scratchFlags;
  const histAll = scratchHistAll;
  const histCoarse = scratchHistCoarse;
  const histFree = scratchHistFree;
  const work = scratchWork;
  const cover = scratchCover;
  const xsOut = scratchXsOut;
  const ysOut = scratchYsOut;
  const zsOut = scratchZsOut;

  // Depths and bins of every sample, and the histograms of all and of the coarse samples.
  boxes.forEach((o, index) => {
    const g = o.grid;
    const h0 = index * B;
    histAll.fill(0, h0, h0 + B);
    histCoarse.fill(0, h0, h0 + B);
    let probe = NaN;
    for (let r = 0; r < g.rows && probe !== probe; r++) {
      const p = (g.v0 + g.offV + r * g.sv) * width + g.u0 + g.offU;
      for (let c = 0; c < g.cols && probe !== probe; c++) probe = data[p + c * g.su];
    }
    if (probe !== probe) {
      flags.fill(0, o.at, o.at + o.count);
      bins.fill(-1, o.at, o.at + o.count);
      return;
    }
    const binLo = depthBin(probe, K) - HALF_OCTAVES * K;
    o.binLo = binLo;
    const mask = o.coarse - 1;
    let bMin = B;
    let bEnd = 0;
    let valid = 0;
    let validCoarse = 0;
    let k = o.at;
    flags.fill(0, o.at, o.at + o.count);
    const { rows, cols, su, sv } = g;
    const fu = g.u0 + g.offU;
    const fv = g.v0 + g.offV;
    for (let r = 0; r < rows; r++) {
      const coarseRow = (r & mask) === 0;
      let p = (fv + r * sv) * width + fu;
      for (let c = 0; c < cols; c++, k++, p += su) {
        const z = data[p];
        if (z !== z) {
          bins[k] = -1;
          continue;
        }
        zs[k] = z;
        let b = depthBin(z, K) - binLo;
        if (b < 0) b = 0;
        else if (b >= B) b = B - 1;
        bins[k] = b;
        histAll[h0 + b]++;
        if (b < bMin) bMin = b;
        if (b >= bEnd) bEnd = b + 1;
        valid++;
        if (coarseRow && (c & mask) === 0) {
          histCoarse[h0 + b]++;
          validCoarse++;
        }
      }
    }
    o.valid = valid;
    o.validCoarse = validCoarse;
    o.bMin = bMin;
    o.bEnd = bEnd;
  });

  // Which boxes meet which.
  for (const o of boxes) {
    const a = 4 * o.index;
    for (let j = 0; j < n; j++) {
      const b = 4 * j;
      if (
        j !== o.index &&
        rects[b] < rects[a + 1] &&
        rects[a] < rects[b + 1] &&
        rects[b + 2] < rects[a + 3] &&
        rects[a + 2] < rects[b + 3]
      )
        o.near.push(j);
    }
  }

  /** The grid cells [c0, c1) x [r0, r1) of o inside object j's box. */
  const cellsOf = (o: BoxObject, j: number): [number, number, number, number] => {
    const g = o.grid;
    const fu = g.u0 + g.offU;
    const fv = g.v0 + g.offV;
    return [
      Math.max(0, Math.ceil((rects[4 * j] - fu) / g.su)),
      Math.min(g.cols, Math.ceil((rects[4 * j + 1] - fu) / g.su)),
      Math.max(0, Math.ceil((rects[4 * j + 2] - fv) / g.sv)),
      Math.min(g.rows, Math.ceil((rects[4 * j + 3] - fv) / g.sv)),
    ];
  };

  /**
   * Flags o's valid samples (only the coarse ones when `coarseOnly`) inside object j's box that j
   * explains: inside j's mask if it has one, else with depth in [lo, hi] and, when `rival` is given,
   * relatively closer to its median than to `own`'s. Each newly flagged sample leaves histogram
   * h[hAt..]. Returns how many were newly flagged.
   */
  const flagExplained = (
    o: BoxObject,
    j: number,
    flag: number,
    coarseOnly: boolean,
    h: Int32Array,
    hAt: number,
    lo: number,
    hi: number,
    rival: Surface | undefined,
    own: Surface | undefined,
  ): number => {
    const [c0, c1, r0, r1] = cellsOf(o, j);
    if (c0 >= c1 || r0 >= r1) return 0;
    const g = o.grid;
    const step = coarseOnly ? o.coarse : 1;
    const cStart = Math.ceil(c0 / step) * step;
    const rStart = Math.ceil(r0 / step) * step;
    const mask = inputs[j].mask;
    const mJ = rival ? rival.median : 0;
    const invJ = rival ? 1 / rival.median : 0;
    const mOwn = own ? own.median : 0;
    const invOwn = own ? 1 / own.median : 0;
    let flagged = 0;
    const cols = g.cols;
    for (let r = rStart; r < r1; r += step) {
      const row = o.at + r * cols;
      for (let c = cStart; c < c1; c += step) {
        const k = row + c;
        const b = bins[k];
        if (b < 0 || (flags[k] & flag) !== 0) continue;
        if (mask) {
          if (!regionHas(mask, g.u0 + g.offU + c * g.su, g.v0 + g.offV + r * g.sv)) continue;
        } else {
          const z = zs[k];
          if (z < lo || z > hi) continue;
          if (rival && !(Math.abs(z - mJ) * invJ < Math.abs(z - mOwn) * invOwn)) continue;
        }
        flags[k] |= flag;
        h[hAt + b]--;
        flagged++;
      }
    }
    return flagged;
  };

  // Coarse samples inside some other object's box (a per-row difference array) or mask.
  boxes.forEach((o, index) => {
    if (o.valid === 0) return;
    const g = o.grid;
    const h0 = index * B;
    histFree.set(histCoarse.subarray(h0 + o.bMin, h0 + o.bEnd), h0 + o.bMin);
    const stride = g.cols + 1;
    cover.fill(0, 0, g.rows * stride);
    let claimed = 0;
    for (const j of o.near) {
      if (inputs[j].mask) {
        claimed += flagExplained(o, j, CLAIMED, true, histFree, h0, 0, 0, undefined, undefined);
        continue;
      }
      const [c0, c1, r0, r1] = cellsOf(o, j);
      if (c0 >= c1) continue;
      for (let r = r0; r < r1; r++) {
        cover[r * stride + c0]++;
        cover[r * stride + c1]--;
      }
    }
    const step = o.coarse;
    const { rows, cols } = g;
    for (let r = 0; r < rows; r += step) {
      const row = o.at + r * cols;
      let depthOfCover = 0;
      let c = 0;
      for (let next = 0; next < cols; next += step) {
        for (; c <= next; c++) depthOfCover += cover[r * stride + c];
        const k = row + next;
        const b = bins[k];
        if (depthOfCover === 0 || b < 0 || (flags[k] & CLAIMED) !== 0) continue;
        flags[k] |= CLAIMED;
        histFree[h0 + b]--;
        claimed++;
      }
    }
    o.freeCoarse = o.validCoarse - claimed;
  });

  // Pass 1: preliminary surfaces, objects with more samples of their own first.
  const resolved = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (surfaces[i]) resolved[i] = 1;
  const slot = new Map(boxes.map((o, index) => [o, index]));
  const byOwnShare = boxes
    .filter((o) => o.valid > 0)
    .sort((a, b) => b.freeCoarse / b.validCoarse - a.freeCoarse / a.validCoarse || a.index - b.index);
  for (const o of byOwnShare) {
    const h0 = slot.get(o)! * B;
    let h = histFree;
    let hAt = h0;
    let left = o.freeCoarse;
    if (o.freeCoarse < t.boxExclusiveMinShare * o.validCoarse) {
      // Too few samples of its own: its samples less those that a resolved neighbour explains.
      work.set(histCoarse.subarray(h0 + o.bMin, h0 + o.bEnd), o.bMin);
      h = work;
      hAt = 0;
      left = o.validCoarse;
      for (const j of o.near) {
        const sj = surfaces[j];
        if (!resolved[j] || !sj) continue;
        const tol = t.boxSurfaceTolerance * sj.median;
        if (!inputs[j].mask) {
          // Nothing to explain when none of the samples has a depth in j's extent.
          const bLo = Math.max(o.bMin, depthBin(Math.max(sj.lo - tol, 0), K) - o.binLo);
          const bHi = Math.min(o.bEnd - 1, depthBin(sj.hi + tol, K) - o.binLo);
          let any = 0;
          for (let b = bLo; b <= bHi && any === 0; b++) any = work[b];
          if (any === 0) continue;
        }
        left -= flagExplained(o, j, EXPLAINED, true, work, 0, sj.lo - tol, sj.hi + tol, undefined, undefined);
      }
    }
    if (left === 0 || left < t.boxSurfaceMinShare * o.validCoarse) {
      // The object is at a neighbour's depth: all its samples.
      h = histCoarse;
      hAt = h0;
    }
    const view = h.subarray(hAt, hAt + o.bEnd);
    surfaces[o.index] = surfaceOfRun(
      view,
      dominantRun(view, o.bMin, o.bEnd, t.boxSurfaceMinLead),
      o.binLo,
      K,
    );
    resolved[o.index] = 1;
  }

  // Pass 2: attribution, background rejection, statistics.
  const { cx, cy } = intrinsics;
  const invFx = 1 / intrinsics.fx;
  const invFy = 1 / intrinsics.fy;
  // Rivals of the object in pass 2: their grid cells, depth interval, pivot, side.
  let nRivals = 0;
  const rivalCells = new Int32Array(4 * n);
  const rivalLo = new Float64Array(n);
  const rivalHi = new Float64Array(n);
  const rivalPivot = new Float64Array(n);
  const rivalNearer = new Uint8Array(n);
  const active = new Int32Array(n);
  /** Per depth bin of the object in pass 2: whether some rival's interval reaches into it. */
  const rivalBins = new Uint8Array(B);
  boxes.forEach((o, index) => {
    const input = inputs[o.index];
    if (o.valid === 0) {
      results[o.index] = { key: input.key, box: input.box, evidence: { method: 'box-surface', samples: 0 } };
      return;
    }
    const own = surfaces[o.index]!;
    const h0 = index * B;
    work.set(histAll.subarray(h0 + o.bMin, h0 + o.bEnd), o.bMin);
    // Others whose surface is told apart from this one's. A masked one takes its mask's samples; a
    // box-only one those inside its box in the depth interval where it explains them better: within its
    // widened extent, and on its side of the harmonic mean of the two medians (where the relative
    // distances to them are equal). Only intervals that reach into the run of bins holding this
    // object's surface matter: samples outside that run are rejected anyway, and taking them away
    // cannot change the run, which empty bins bound.
    const target = depthBin(own.median, K) - o.binLo;
    const before = own.mixed ? undefined : runAt(work, o.bMin, o.bEnd, target);
    let given = 0;
    nRivals = 0;
    let gNear = -Infinity;
    let gFar = Infinity;
    for (const j of o.near) {
      const sj = surfaces[j];
      if (!sj) continue;
      if (inputs[j].mask) {
        given += flagExplained(o, j, GIVEN, false, work, 0, 0, 0, undefined, undefined);
        continue;
      }
      if (!(Math.abs(sj.median - own.median) > t.boxSurfaceSeparation * Math.max(sj.median, own.median)))
        continue;
      const tol = t.boxSurfaceTolerance * sj.median;
      const pivot = (2 * sj.median * own.median) / (sj.median + own.median);
      const nearer = sj.median < own.median;
      const lo = nearer ? sj.lo - tol : Math.max(sj.lo - tol, pivot);
      const hi = nearer ? Math.min(sj.hi + tol, pivot) : sj.hi + tol;
      if (!(lo <= hi)) continue;
      const bLo = Math.max(o.bMin, depthBin(Math.max(lo, 0), K) - o.binLo);
      const bHi = Math.min(o.bEnd - 1, depthBin(hi, K) - o.binLo);
      if (bLo > bHi) continue;
      if (before && (bHi < before.from || bLo >= before.to)) continue;
      const [c0, c1, r0, r1] = cellsOf(o, j);
      if (c0 >= c1 || r0 >= r1) continue;
      const q = nRivals++;
      rivalCells[4 * q] = c0;
      rivalCells[4 * q + 1] = c1;
      rivalCells[4 * q + 2] = r0;
      rivalCells[4 * q + 3] = r1;
      rivalLo[q] = lo;
      rivalHi[q] = hi;
      rivalPivot[q] = pivot;
      rivalNearer[q] = nearer ? 1 : 0;
      if (nearer) gNear = Math.max(gNear, hi);
      else gFar = Math.min(gFar, lo);
      for (let b = bLo; b <= bHi; b++) rivalBins[b] = 1;
    }
    if (nRivals > 0) {
      given += giveToRivals(o, gNear, gFar);
      rivalBins.fill(0, o.bMin, o.bEnd);
    }
    const everythingGiven = given === o.valid;
    const h = everythingGiven ? histAll.subarray(h0, h0 + o.bEnd) : work;
    const exclude = everythingGiven ? 0 : GIVEN;
    const mixed = own.mixed || everythingGiven;
    const left = o.valid - (everythingGiven ? 0 : given);
    const run: Run = mixed
      ? { from: o.bMin, to: o.bEnd, count: left, mixed: true }
      : runAt(h, o.bMin, o.bEnd, target);
    // The object's samples (those in the run's bins), back-projected.
    const g = o.grid;
    let m = 0;
    const { rows, cols } = g;
    const x0 = (g.u0 + g.offU + 0.5 - cx) * invFx;
    const dx = g.su * invFx;
    const runFrom = run.from;
    const runTo = run.to;
    for (let r = 0, k = o.at; r < rows; r++) {
      const y = (g.v0 + g.offV + r * g.sv + 0.5 - cy) * invFy;
      for (let c = 0; c < cols; c++, k++) {
        const b = bins[k];
        if (b < runFrom || b >= runTo || (flags[k] & exclude) !== 0) continue;
        const x = x0 + c * dx;
        const z = zs[k];
        xsOut[m] = x * z;
        ysOut[m] = y * z;
        zsOut[m] = z;
        m++;
      }
    }
    let nearer = 0;
    for (let b = o.bMin; b < run.from; b++) nearer += h[b];
    const evidence: ObjectEvidence = {
      method: mixed ? 'box-mixed' : 'box-surface',
      samples: o.valid,
      grid: `${g.su}x${g.sv}`,
      attributed: everythingGiven ? 0 : given,
      rejectedNearer: mixed ? 0 : nearer,
      rejectedFarther: mixed ? 0 : left - nearer - m,
      kept: m,
      keptShare: Math.round((m / o.valid) * 1e4) / 1e4,
    };
    if (noise.level > 0) evidence.depthNoise = noise.level;
    if (m === 0) {
      results[o.index] = { key: input.key, box: input.box, evidence };
    } else {
      // Spelled out rather than spread (spreads are slow here); the keys in measureObject's order.
      const stats = summarisePoints(xsOut, ysOut, zsOut, m, depth.unit, rangeMode, noise);
      recordSpreads(evidence, zsOut, m, stats.depth.p50, rangeMode, noise);
      results[o.index] = {
        key: input.key,
        box: input.box,
        depth: stats.depth,
        range: stats.range,
        centroid: stats.centroid,
        extent: stats.extent,
        evidence,
      };
    }
  });
  return results;

  /**
   * GIVEN on every valid sample of o (not yet given) that a rival in rivalCells / rivalLo..rivalHi
   * explains, in one pass: a sample whose depth lies between every nearer rival's interval and every
   * farther one's (gNear < z < gFar), as the object's own surface does, is passed over at once; the
   * others try the rivals whose boxes cover their row.
   */
  function giveToRivals(o: BoxObject, gNear: number, gFar: number): number {
    const g = o.grid;
    let given = 0;
    const { rows, cols } = g;
    for (let r = 0, k = o.at; r < rows; r++) {
      let nActive = 0;
      for (let q = 0; q < nRivals; q++) {
        if (r >= rivalCells[4 * q + 2] && r < rivalCells[4 * q + 3]) active[nActive++] = q;
      }
      if (nActive === 0) {
        k += cols;
        continue;
      }
      for (let c = 0; c < cols; c++, k++) {
        const b = bins[k];
        if (b < 0 || rivalBins[b] === 0) continue;
        const z = zs[k];
        if ((z > gNear && z < gFar) || (flags[k] & GIVEN) !== 0) continue;
        for (let e = 0; e < nActive; e++) {
          const q = active[e];
          if (c < rivalCells[4 * q] || c >= rivalCells[4 * q + 1] || z < rivalLo[q] || z > rivalHi[q])
            continue;
          // Strictly on the rival's side of the pivot (at the pivot the distances are equal).
          if (rivalNearer[q] === 1 ? !(z < rivalPivot[q]) : !(z > rivalPivot[q])) continue;
          flags[k] |= GIVEN;
          work[b]--;
          given++;
          break;
        }
      }
    }
    return given;
  }
}
