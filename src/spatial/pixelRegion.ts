/**
 * An object's pixels as runs ("spans") rather than a bitmap or an index list. A 1920x1080 bitmap per
 * object would allocate 2 MB fifty times per scene; spans cost one triple per row (boxes, polygons) or
 * per column run (COCO RLE, which is column-major), and every question the engine asks (how many
 * pixels, how many inside that box, which ones to sample) is answered in O(spans).
 */

import type { Box } from '../scenegraph/sceneGraph.types';

export type SpanOrientation = 'rows' | 'columns';

export interface PixelRegion {
  readonly width: number;
  readonly height: number;
  /**
   * 'rows': each span is a horizontal run (line = v, along = u). 'columns': a vertical run (line = u,
   * along = v), which is how COCO RLE decodes without a transpose.
   */
  readonly orientation: SpanOrientation;
  /** Flat triples [line, start, end): sorted by line then start, non-empty, non-overlapping. */
  readonly spans: Int32Array;
  readonly pixelCount: number;
}

export function makeRegion(
  width: number,
  height: number,
  orientation: SpanOrientation,
  spans: ArrayLike<number>,
): PixelRegion {
  const packed = Int32Array.from(spans);
  let pixelCount = 0;
  for (let s = 0; s < packed.length; s += 3) pixelCount += packed[s + 2] - packed[s + 1];
  return { width, height, orientation, spans: packed, pixelCount };
}

/**
 * Integer pixel range [lo, hi) whose centres (p + 0.5) lie in the continuous interval [a, b), clipped
 * to [0, size). Half-open so that two boxes or polygons sharing an edge never both claim a pixel.
 */
export function centreRange(a: number, b: number, size: number): [number, number] {
  const lo = Math.max(0, Math.ceil(a - 0.5));
  const hi = Math.min(size, Math.ceil(b - 0.5));
  return [lo, Math.max(lo, hi)];
}

/** Number of the region's pixels whose centres lie inside `box`. */
export function countInBox(region: PixelRegion, box: Box): number {
  const [u0, u1] = centreRange(box[0], box[2], region.width);
  const [v0, v1] = centreRange(box[1], box[3], region.height);
  const rows = region.orientation === 'rows';
  const lineLo = rows ? v0 : u0;
  const lineHi = rows ? v1 : u1;
  const alongLo = rows ? u0 : v0;
  const alongHi = rows ? u1 : v1;
  const spans = region.spans;
  let count = 0;
  for (let s = 0; s < spans.length; s += 3) {
    const line = spans[s];
    if (line < lineLo) continue;
    if (line >= lineHi) break; // sorted by line
    const overlap = Math.min(spans[s + 2], alongHi) - Math.max(spans[s + 1], alongLo);
    if (overlap > 0) count += overlap;
  }
  return count;
}

/** Row-major 0/1 bitmap; for tests and debugging, not for the hot path. */
export function regionToBitmap(region: PixelRegion): Uint8Array {
  const bitmap = new Uint8Array(region.width * region.height);
  const rows = region.orientation === 'rows';
  const spans = region.spans;
  for (let s = 0; s < spans.length; s += 3) {
    for (let a = spans[s + 1]; a < spans[s + 2]; a++) {
      bitmap[rows ? spans[s] * region.width + a : a * region.width + spans[s]] = 1;
    }
  }
  return bitmap;
}

/** How many pixels with u % step === phase and v % step === phase the region holds. */
function gridCount(spans: Int32Array, step: number, phase: number): number {
  let count = 0;
  for (let s = 0; s < spans.length; s += 3) {
    if (spans[s] % step !== phase) continue;
    const first = Math.ceil((spans[s + 1] - phase) / step);
    const last = Math.floor((spans[s + 2] - 1 - phase) / step);
    if (last >= first) count += last - first + 1;
  }
  return count;
}

/**
 * A deterministic subsample of at most `budget` pixels, as flat [u0, v0, u1, v1, ...].
 *
 * All pixels when they fit. Otherwise a square grid aligned to the image (u and v both equal to
 * floor(step / 2) modulo `step`, with the smallest step that fits the budget): uniform in 2D, so the
 * sample has the region's shape; at the middle of each step x step cell, so it is not biased toward the
 * top-left; and it picks the same pixels whether the region came from a mask in rows or in columns. A plain
 * every-k-th-pixel stride is not used because on a box whose width divides k it picks one column.
 * A region too thin for the grid (no grid point at all) falls back to that stride along its spans.
 * The result may be a view of `scratch`, valid until the caller reuses it.
 */
export function samplePixels(region: PixelRegion, budget: number, scratch?: Int32Array): Int32Array {
  const spans = region.spans;
  const rows = region.orientation === 'rows';
  const n = region.pixelCount;
  let step = 1;
  let count = n;
  if (n > budget) {
    step = Math.max(1, Math.floor(Math.sqrt(n / budget)));
    count = gridCount(spans, step, step >> 1);
    while (count > budget) {
      step++;
      count = gridCount(spans, step, step >> 1);
    }
  }
  const phase = step >> 1;
  if (count === 0 && n > 0) return strideSample(region, Math.ceil(n / budget));

  // The caller's buffer when it is large enough: saves an allocation per object on the hot path.
  const out =
    scratch && scratch.length >= count * 2 ? scratch.subarray(0, count * 2) : new Int32Array(count * 2);
  let o = 0;
  for (let s = 0; s < spans.length; s += 3) {
    const line = spans[s];
    if (line % step !== phase) continue;
    const last = spans[s + 2];
    for (let a = Math.ceil((spans[s + 1] - phase) / step) * step + phase; a < last; a += step) {
      out[o++] = rows ? a : line;
      out[o++] = rows ? line : a;
    }
  }
  return out;
}

function strideSample(region: PixelRegion, stride: number): Int32Array {
  const out = new Int32Array(Math.ceil(region.pixelCount / stride) * 2);
  const rows = region.orientation === 'rows';
  const spans = region.spans;
  let index = 0;
  let o = 0;
  for (let s = 0; s < spans.length; s += 3) {
    for (let a = spans[s + 1]; a < spans[s + 2]; a++, index++) {
      if (index % stride !== 0) continue;
      out[o++] = rows ? a : spans[s];
      out[o++] = rows ? spans[s] : a;
    }
  }
  return out.subarray(0, o);
}
