/**
 * Depth maps as the spatial engine reads them: one float per image pixel, row-major, NaN where there is
 * no valid depth, and always "larger = farther" so that every later comparison reads the same way
 * whatever the model produced.
 */

import { UserInputError } from '../errors/errors';
import type { DepthInputUnit, DepthUnit } from '../scenegraph/sceneGraph.types';

export interface DepthMap {
  readonly width: number;
  readonly height: number;
  /** Row-major, `width * height` values; NaN marks a pixel without valid depth. Larger = farther. */
  readonly data: Float32Array;
  readonly unit: DepthUnit;
}

export interface DepthConversion {
  unit: DepthInputUnit;
  /** Multiplier applied to the raw values before anything else (e.g. 0.001 for millimetre PNGs). */
  scale?: number;
}

/**
 * Inverse depth at or below this fraction of the map's largest inverse depth is clamped to it. Zero
 * inverse depth means "infinitely far" (sky); without a floor 1/d would be infinite there, and one sky
 * pixel would dwarf every object's range. With the floor such pixels sit at 1000x the nearest pixel's
 * depth: farther than anything else, but finite.
 */
export const INVERSE_DEPTH_FLOOR = 1e-3;

/**
 * Aspect ratios of a depth map and its image may differ by this much (relative) and still be resampled.
 * Models resize to multiples of 14 or 32, which moves the aspect ratio by well under 1%; a larger
 * difference means the map was cropped or padded, and resampling it would misalign every object.
 */
export const ASPECT_TOLERANCE = 0.01;

export type SizePolicy = 'resample' | 'reject';
export type Interpolation = 'bilinear' | 'nearest';

function assertSize(width: number, height: number, path: string): void {
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    throw new UserInputError(`width and height must be positive integers; got ${width}x${height}`, path);
  }
}

/**
 * Reads a raw model output or decoded depth file into a DepthMap.
 *
 * - `meters`: value * scale; non-finite or <= 0 is invalid (0 is the usual "no reading" in 16-bit PNGs).
 * - `relative`: value * scale, already larger = farther; non-finite or < 0 is invalid (0 can be the
 *   nearest point of a normalised map, so it stays valid).
 * - `inverse` (Depth Anything's relative head: disparity-like, larger = nearer): d = value * scale;
 *   non-finite or < 0 is invalid; depth = dMax / max(d, INVERSE_DEPTH_FLOOR * dMax), where dMax is the
 *   largest valid d. The reciprocal, not `dMax - d`, because disparity is proportional to 1/depth: the
 *   reciprocal gives depths proportional to the true ones (exactly, when the model's unknown shift is
 *   zero), so back-projected points keep the scene's shape, ranges of far objects are not squashed, and
 *   ratios such as "twice as far" survive. It is strictly decreasing in d, so order is preserved (only
 *   values below the floor tie). Dividing by dMax makes the result independent of the model's arbitrary
 *   output scale: the nearest pixel is at 1, the unit is "multiples of the nearest depth".
 */
export function toDepthMap(
  raw: Float32Array | Float64Array | Uint16Array,
  width: number,
  height: number,
  conversion: DepthConversion,
): DepthMap {
  assertSize(width, height, 'depth');
  if (raw.length !== width * height) {
    throw new UserInputError(
      `has ${raw.length} values but ${width}x${height} needs ${width * height}`,
      'depth',
    );
  }
  const scale = conversion.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
    throw new UserInputError(`must be a finite number > 0; got ${String(scale)}`, 'depth.scale');
  }
  const data = new Float32Array(raw.length);
  const unit = conversion.unit;
  switch (unit) {
    case 'meters':
      for (let i = 0; i < raw.length; i++) {
        const v = raw[i] * scale;
        data[i] = Number.isFinite(v) && v > 0 ? v : NaN;
      }
      return { width, height, data, unit: 'METERS' };
    case 'relative':
      for (let i = 0; i < raw.length; i++) {
        const v = raw[i] * scale;
        data[i] = Number.isFinite(v) && v >= 0 ? v : NaN;
      }
      return { width, height, data, unit: 'RELATIVE' };
    case 'inverse':
      return { width, height, data: inverseToRelative(raw, scale, data), unit: 'RELATIVE' };
    default: {
      const unknown: never = unit;
      throw new UserInputError(
        `unknown unit ${JSON.stringify(unknown)}; use meters, relative or inverse`,
        'depth.unit',
      );
    }
  }
}

function inverseToRelative(
  raw: Float32Array | Float64Array | Uint16Array,
  scale: number,
  out: Float32Array,
): Float32Array {
  let dMax = 0;
  for (let i = 0; i < raw.length; i++) {
    const d = raw[i] * scale;
    if (Number.isFinite(d) && d > dMax) dMax = d;
  }
  // All zeros: everything is "infinitely far", which says nothing about order. No valid depth.
  if (dMax <= 0) return out.fill(NaN);
  const floor = INVERSE_DEPTH_FLOOR * dMax;
  for (let i = 0; i < raw.length; i++) {
    const d = raw[i] * scale;
    out[i] = Number.isFinite(d) && d >= 0 ? dMax / Math.max(d, floor) : NaN;
  }
  return out;
}

/**
 * Returns a map of exactly `width` x `height`. A map of another size is resampled when its aspect ratio
 * matches the image's within ASPECT_TOLERANCE and `policy` is 'resample'; otherwise it is refused.
 * Never stretched: a mismatched aspect ratio would put each object's depth under the wrong pixels.
 *
 * Sampling uses pixel centres (align_corners = false, as PyTorch and OpenCV resize). Bilinear (the
 * default, what Depth Anything's own pipeline uses to upsample) weighs only valid neighbours and
 * renormalises, so holes neither grow by a pixel nor bleed NaN; a pixel with no valid neighbour stays
 * invalid. 'nearest' never invents in-between depths at object edges, for callers who prefer that.
 */
export function matchImageSize(
  map: DepthMap,
  width: number,
  height: number,
  policy: SizePolicy = 'resample',
  interpolation: Interpolation = 'bilinear',
): DepthMap {
  assertSize(width, height, 'image');
  if (map.width === width && map.height === height) return map;
  const sizes = `depth map is ${map.width}x${map.height} but the image is ${width}x${height}`;
  if (policy === 'reject') {
    throw new UserInputError(`${sizes}; supply a map of the image's size, or allow resampling`, 'depth');
  }
  const ratio = map.width / map.height / (width / height);
  if (Math.abs(ratio - 1) > ASPECT_TOLERANCE) {
    throw new UserInputError(
      `${sizes}, and their aspect ratios differ by ${(Math.abs(ratio - 1) * 100).toFixed(1)}% ` +
        `(more than ${ASPECT_TOLERANCE * 100}%); the map was probably cropped or padded. ` +
        'Supply a map that covers exactly the image.',
      'depth',
    );
  }
  const data =
    interpolation === 'nearest' ? resampleNearest(map, width, height) : resampleBilinear(map, width, height);
  return { width, height, data, unit: map.unit };
}

function resampleNearest(map: DepthMap, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  const sx = map.width / width;
  const sy = map.height / height;
  const cols = new Int32Array(width);
  for (let x = 0; x < width; x++) cols[x] = Math.min(map.width - 1, Math.floor((x + 0.5) * sx));
  for (let y = 0; y < height; y++) {
    const row = Math.min(map.height - 1, Math.floor((y + 0.5) * sy)) * map.width;
    const base = y * width;
    for (let x = 0; x < width; x++) out[base + x] = map.data[row + cols[x]];
  }
  return out;
}

/** Source index pair and weight of the second one, per output coordinate (pixel centres aligned). */
function axisTaps(outSize: number, inSize: number): { i0: Int32Array; i1: Int32Array; w1: Float64Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w1 = new Float64Array(outSize);
  const s = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const f = Math.min(inSize - 1, Math.max(0, (o + 0.5) * s - 0.5));
    const lo = Math.floor(f);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inSize - 1);
    w1[o] = f - lo;
  }
  return { i0, i1, w1 };
}

function resampleBilinear(map: DepthMap, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  const xs = axisTaps(width, map.width);
  const ys = axisTaps(height, map.height);
  const src = map.data;
  for (let y = 0; y < height; y++) {
    const r0 = ys.i0[y] * map.width;
    const r1 = ys.i1[y] * map.width;
    const wy1 = ys.w1[y];
    const wy0 = 1 - wy1;
    const base = y * width;
    for (let x = 0; x < width; x++) {
      const c0 = xs.i0[x];
      const c1 = xs.i1[x];
      const wx1 = xs.w1[x];
      const wx0 = 1 - wx1;
      let sum = 0;
      let weight = 0;
      // `v === v` is false only for NaN, the invalid marker.
      const v00 = src[r0 + c0];
      if (v00 === v00) { sum += v00 * wx0 * wy0; weight += wx0 * wy0; } // prettier-ignore
      const v01 = src[r0 + c1];
      if (v01 === v01) { sum += v01 * wx1 * wy0; weight += wx1 * wy0; } // prettier-ignore
      const v10 = src[r1 + c0];
      if (v10 === v10) { sum += v10 * wx0 * wy1; weight += wx0 * wy1; } // prettier-ignore
      const v11 = src[r1 + c1];
      if (v11 === v11) { sum += v11 * wx1 * wy1; weight += wx1 * wy1; } // prettier-ignore
      out[base + x] = weight > 0 ? sum / weight : NaN;
    }
  }
  return out;
}
