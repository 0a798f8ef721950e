import { UserInputError } from '../errors/errors';
import type { CocoRle } from '../scenegraph/sceneGraph.types';
import { decodeRleCounts } from '../spatial/mask';

/**
 * COCO run-length encoding, byte-compatible with pycocotools: pixels are walked in column-major
 * (Fortran) order, x outer and y inner, and `counts` alternates runs of 0s and 1s, starting with 0s
 * (so a mask whose first pixel is set starts with a 0-length run). The compressed string form is
 * pycocotools' `rleToString`/`rleFrString` (LEB128-like, 5 bits per char, deltas against counts[i-2]).
 *
 * Masks in and out of this module are row-major `Uint8Array`s (non-zero = inside), the layout of
 * every image buffer in the project.
 */

export function encodeCocoRle(mask: Uint8Array, width: number, height: number): CocoRle {
  checkSize(mask.length, width, height);
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0, i = x; y < height; y++, i += width) {
      const v = mask[i] !== 0 ? 1 : 0;
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [height, width], counts };
}

/**
 * One pass over a label image (row-major, value k >= 0 = instance k, anything else = background)
 * giving the RLE of each of `count` instances. Cheaper than `count` calls to encodeCocoRle.
 */
export function encodeLabelMapRle(
  labels: Int32Array,
  width: number,
  height: number,
  count: number,
): CocoRle[] {
  checkSize(labels.length, width, height);
  const counts: number[][] = Array.from({ length: count }, () => []);
  // Column-major index one past the end of each instance's last run of 1s.
  const end = new Float64Array(count);
  const runStart = new Float64Array(count).fill(-1);
  let prev = -1;
  for (let x = 0, ci = 0; x < width; x++) {
    for (let y = 0, i = x; y < height; y++, i += width, ci++) {
      const k = labels[i];
      if (k !== prev) {
        if (prev >= 0 && prev < count) {
          counts[prev].push(ci - runStart[prev]);
          end[prev] = ci;
        }
        if (k >= 0 && k < count) {
          counts[k].push(ci - end[k]);
          runStart[k] = ci;
        }
        prev = k;
      }
    }
    // Runs continue across columns in column-major order, so nothing is closed here.
  }
  const total = width * height;
  if (prev >= 0 && prev < count) {
    counts[prev].push(total - runStart[prev]);
    end[prev] = total;
  }
  return counts.map((c, k) => {
    // Like pycocotools, a mask that ends inside the instance ends on its run of 1s.
    if (end[k] < total || c.length === 0) c.push(total - end[k]);
    return { size: [height, width], counts: c };
  });
}

/** Decodes either form of COCO RLE into a row-major 0/1 mask. */
export function decodeCocoRle(rle: CocoRle, field = 'mask'): Uint8Array {
  const [height, width] = rle.size;
  if (!Number.isSafeInteger(height) || !Number.isSafeInteger(width) || height < 0 || width < 0) {
    throw new UserInputError(`size must be [height, width] of non-negative integers`, `${field}.size`);
  }
  const counts = typeof rle.counts === 'string' ? rleCountsFromString(rle.counts, field) : rle.counts;
  const total = width * height;
  let sum = 0;
  for (const c of counts) {
    if (!Number.isSafeInteger(c) || c < 0) {
      throw new UserInputError(`run lengths must be non-negative integers, got ${c}`, `${field}.counts`);
    }
    sum += c;
  }
  if (sum !== total) {
    throw new UserInputError(
      `run lengths sum to ${sum}, but size ${height}x${width} has ${total} pixels`,
      `${field}.counts`,
    );
  }
  const mask = new Uint8Array(total);
  let x = 0;
  let y = 0;
  for (let r = 0; r < counts.length; r++) {
    for (let left = counts[r]; left > 0; left--) {
      if (r % 2 === 1) mask[y * width + x] = 1;
      if (++y === height) {
        y = 0;
        x++;
      }
    }
  }
  return mask;
}

/** pycocotools `rleToString`. */
export function rleCountsToString(counts: readonly number[]): string {
  let s = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i];
    if (i > 2) x -= counts[i - 2];
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x >>= 5;
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/** pycocotools `rleFrString`; one decoder for the project, the spatial engine's. */
export function rleCountsFromString(s: string, field = 'mask'): number[] {
  return decodeRleCounts(s, `${field}.counts`);
}

function checkSize(length: number, width: number, height: number): void {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 0 || height < 0) {
    throw new UserInputError(`invalid mask size ${width}x${height}`, 'mask');
  }
  if (length !== width * height) {
    throw new UserInputError(`mask has ${length} pixels, expected ${width}x${height}`, 'mask');
  }
}
