/**
 * Per-object 3D geometry: back-project the region's pixels that have valid depth, and keep robust
 * statistics of the points.
 *
 * - Points: x = (u + 0.5 - cx) z / fx, y = (v + 0.5 - cy) z / fy, z = depth, at pixel centres (the
 *   principal point is in the same continuous coordinates, see intrinsics.ts).
 * - Sampling: at most `maxPixels` pixels, by the deterministic grid of pixelRegion.samplePixels.
 *   Statistics describe the sample, not every pixel (min and max included).
 * - Depth stats: min, p5, p50, p95, max of z (numpy "linear" percentiles, quantiles.ts).
 * - Centroid: the per-axis median. A mask or a box's surface still holds some background and edge pixels
 *   whose depth is far from the object's; the median ignores them where the mean would be dragged
 *   toward the background. Its z is the depth p50.
 * - Extent: per axis p95 - p5 with rangeMode 'percentile' (for the same reason), max - min with
 *   'minmax'. The depth range follows the same mode: [p5, p95] or [min, max].
 *
 * Box-only objects are measured by boxSurface.ts, which picks the object's own surface among the box's
 * pixels and then uses the same statistics (summarisePoints).
 *
 * Predicates read only what is stored on a SceneObject (depth stats, centroid, extent, box, mask), so
 * a stored graph re-derived with other thresholds gives the same answers as the build did.
 */

import type { Box, DepthStats, SceneObject } from '../scenegraph/sceneGraph.types';
import type { DepthMap } from './depthMap';
import type { ResolvedIntrinsics } from './intrinsics';
import { samplePixels, type PixelRegion } from './pixelRegion';
import { denoiseHalfWidth, noiseFreeSpreads } from './depthNoise';
import { quantilesInPlace } from './quantiles';

export type RangeMode = 'percentile' | 'minmax';
export type Vec3 = [x: number, y: number, z: number];

/**
 * Default pixel budget per object. 2048 pixels put the p5 / p95 estimates within about half a percentile
 * point of the full region's (binomial standard error sqrt(0.05 * 0.95 / 2048) ~ 0.5%), which is far
 * below the depth noise of a monocular model, and keep 50 objects within a few milliseconds.
 */
export const DEFAULT_MAX_PIXELS_PER_OBJECT = 2048;

/**
 * How an object's depth statistics were obtained, and the numbers of that method (SceneObject.evidence):
 * `method` 'mask' (the mask's pixels), 'box-surface' (the box's own surface, boxSurface.ts) or
 * 'box-mixed' (a box with no dominant surface: all its unexplained pixels).
 */
export type ObjectEvidence = Record<string, number | string | boolean>;

/** What the predicates need about one object. Depth fields are absent when it had no valid depth. */
export interface Object3d {
  readonly key: string;
  readonly box: Box;
  /** The object's mask pixels, when it has a mask (occlusion and containment measure with it). */
  readonly mask?: PixelRegion;
  readonly depth?: DepthStats;
  /** Depth range by the build's range mode: [p5, p95] or [min, max]. */
  readonly range?: readonly [near: number, far: number];
  readonly centroid?: Vec3;
  readonly extent?: Vec3;
  /** How the depth statistics were measured (for stored geometry: the stored object's evidence, if any). */
  readonly evidence?: ObjectEvidence;
}

export interface MeasureOptions {
  rangeMode?: RangeMode;
  maxPixels?: number;
  /** The depth map's pixel noise to take out of the depth range (depthNoise.ts); absent or 0: none. */
  noise?: PixelNoise;
}

/** Pixel noise found in the depth map (relative standard deviation) and the standard errors to keep. */
export interface PixelNoise {
  readonly level: number;
  readonly margin: number;
}

export function depthRange(stats: DepthStats, rangeMode: RangeMode): [number, number] {
  return rangeMode === 'minmax' ? [stats.min, stats.max] : [stats.p5, stats.p95];
}

export function backProject(u: number, v: number, z: number, k: ResolvedIntrinsics): Vec3 {
  return [((u + 0.5 - k.cx) * z) / k.fx, ((v + 0.5 - k.cy) * z) / k.fy, z];
}

const PERCENTILES = [0.05, 0.5, 0.95] as const;

function minOf(a: Float64Array, from: number, to: number): number {
  let m = a[from];
  for (let i = from + 1; i <= to; i++) if (a[i] < m) m = a[i];
  return m;
}

function maxOf(a: Float64Array, from: number, to: number): number {
  let m = a[from];
  for (let i = from + 1; i <= to; i++) if (a[i] > m) m = a[i];
  return m;
}

/**
 * Buffers reused across calls (grown on demand): allocating four arrays per object per scene was a
 * visible share of the build time in garbage collection. measureObject is synchronous, so no two calls
 * can share them at once.
 */
let scratchPixels = new Int32Array(0);
let scratchX = new Float64Array(0);
let scratchY = new Float64Array(0);
let scratchZ = new Float64Array(0);

function ensureScratch(budget: number): void {
  if (scratchX.length >= budget) return;
  scratchPixels = new Int32Array(budget * 2);
  scratchX = new Float64Array(budget);
  scratchY = new Float64Array(budget);
  scratchZ = new Float64Array(budget);
}

/**
 * Measures one object from every sampled pixel of `region` (its mask; box-only objects go through
 * boxSurface.measureObjects instead, which finds their own surface); `mask` is kept on the
 * result for the predicates. The depth map must already be of the image's size (depthMap.matchImageSize).
 */
export function measureObject(
  object: { key: string; box: Box; region: PixelRegion; mask?: PixelRegion },
  depth: DepthMap,
  intrinsics: ResolvedIntrinsics,
  options: MeasureOptions = {},
): Object3d {
  if (object.region.width !== depth.width || object.region.height !== depth.height) {
    throw new RangeError(
      `region is ${object.region.width}x${object.region.height} but the depth map is ${depth.width}x${depth.height}; match sizes first`,
    );
  }
  const rangeMode = options.rangeMode ?? 'percentile';
  const base: Object3d = object.mask
    ? { key: object.key, box: object.box, mask: object.mask }
    : { key: object.key, box: object.box };
  const budget = options.maxPixels ?? DEFAULT_MAX_PIXELS_PER_OBJECT;
  ensureScratch(Math.min(budget, object.region.pixelCount));
  const pixels = samplePixels(object.region, budget, scratchPixels);
  const xs = scratchX;
  const ys = scratchY;
  const zs = scratchZ;
  const { cx, cy } = intrinsics;
  const invFx = 1 / intrinsics.fx;
  const invFy = 1 / intrinsics.fy;
  const data = depth.data;
  const width = depth.width;
  let n = 0;
  for (let i = 0; i < pixels.length; i += 2) {
    const u = pixels[i];
    const v = pixels[i + 1];
    const z = data[v * width + u];
    if (z !== z) continue; // NaN: no valid depth here
    xs[n] = (u + 0.5 - cx) * z * invFx;
    ys[n] = (v + 0.5 - cy) * z * invFy;
    zs[n] = z;
    n++;
  }
  const evidence: ObjectEvidence = { method: object.mask ? 'mask' : 'region', samples: n };
  if (n === 0) return { ...base, evidence };
  const noise = options.noise;
  if (noise && noise.level > 0) evidence.depthNoise = noise.level;
  const stats = summarisePoints(xs, ys, zs, n, depth.unit, rangeMode, noise);
  recordSpreads(evidence, zs, n, stats.depth.p50, rangeMode, noise);
  return { ...base, ...stats, evidence };
}

/**
 * Under pixel noise (percentile ranges only), the noise-free half-widths below and above the median
 * (depthNoise.noiseFreeSpreads) go into the evidence as `spreadNear` / `spreadFar`: covers compares
 * the ranges they give (predicates.ts), and a stored graph re-derives covers from them.
 */
export function recordSpreads(
  evidence: ObjectEvidence,
  zs: ArrayLike<number>,
  n: number,
  median: number,
  rangeMode: RangeMode,
  noise?: PixelNoise,
): void {
  if (noise === undefined || !(noise.level > 0) || rangeMode !== 'percentile' || n < 1) return;
  const [near, far] = noiseFreeSpreads(zs, n, median, noise.level);
  evidence.spreadNear = near;
  evidence.spreadFar = far;
}

/**
 * The statistics of an Object3d from n back-projected points (the arrays are reordered). With `noise`,
 * p5 and p95 of z are those of the object's surface with the depth map's pixel noise taken out
 * (depthNoise.denoiseHalfWidth); min and max stay the samples' own.
 */
export function summarisePoints(
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
  n: number,
  unit: DepthStats['unit'],
  rangeMode: RangeMode,
  noise?: PixelNoise,
): Pick<Required<Object3d>, 'depth' | 'range' | 'centroid' | 'extent'> {
  const [rawZ5, z50, rawZ95] = quantilesInPlace(zs, n, PERCENTILES);
  const denoise = noise !== undefined && noise.level > 0;
  const z5 = denoise ? z50 - denoiseHalfWidth(z50 - rawZ5, z50, n, noise.level, noise.margin) : rawZ5;
  const z95 = denoise ? z50 + denoiseHalfWidth(rawZ95 - z50, z50, n, noise.level, noise.margin) : rawZ95;
  const [x5, x50, x95] = quantilesInPlace(xs, n, PERCENTILES);
  const [y5, y50, y95] = quantilesInPlace(ys, n, PERCENTILES);
  // After the selections the smallest values sit at or before k5 and the largest at or after k95, so
  // min and max need only those ends (a tenth of the values) instead of a pass over all of them.
  const k5 = Math.floor(PERCENTILES[0] * (n - 1));
  const k95 = Math.floor(PERCENTILES[2] * (n - 1));
  const stats: DepthStats = {
    min: minOf(zs, 0, k5),
    p5: z5,
    p50: z50,
    p95: z95,
    max: maxOf(zs, k95, n - 1),
    unit,
  };
  const extent: Vec3 =
    rangeMode === 'minmax'
      ? [
          maxOf(xs, k95, n - 1) - minOf(xs, 0, k5),
          maxOf(ys, k95, n - 1) - minOf(ys, 0, k5),
          stats.max - stats.min,
        ]
      : [x95 - x5, y95 - y5, z95 - z5];
  return { depth: stats, range: depthRange(stats, rangeMode), centroid: [x50, y50, z50], extent };
}

/**
 * An Object3d from geometry already stored on a scene object (a graph built earlier), so relations can
 * be re-derived without the depth map. Objects without complete stored geometry are 2D only.
 */
export function objectFromStoredGeometry(
  object: SceneObject,
  rangeMode: RangeMode,
  mask?: PixelRegion,
): Object3d {
  // Literals rather than spreads: a search derives every object of each page image.
  if (!object.depth || !object.centroid || !object.extent) {
    return mask ? { key: object.key, box: object.box, mask } : { key: object.key, box: object.box };
  }
  const o: { -readonly [K in keyof Object3d]: Object3d[K] } = { key: object.key, box: object.box };
  if (mask) o.mask = mask;
  // The measurement's numbers (pixel noise, sample count) decide how sure its range is (covers).
  if (object.evidence) o.evidence = object.evidence;
  o.depth = object.depth;
  o.range = depthRange(object.depth, rangeMode);
  const [cx, cy, cz] = object.centroid;
  const [ex, ey, ez] = object.extent;
  o.centroid = [cx, cy, cz];
  o.extent = [ex, ey, ez];
  return o;
}
