/**
 * Object regions: the pixels whose depth describes an object. A mask when there is one (COCO RLE or
 * polygons), else the box (shrunk by a margin, 0 by default).
 *
 * Pixel (u, v) covers [u, u + 1) x [v, v + 1); a polygon or box contains it when it contains the pixel's
 * centre (u + 0.5, v + 0.5), with left/top edges inclusive and right/bottom edges exclusive.
 */

import { UserInputError } from '../errors/errors';
import type { Box, CocoRle, Mask, PolygonMask } from '../scenegraph/sceneGraph.types';
import { centreRange, makeRegion, type PixelRegion } from './pixelRegion';

/**
 * Fraction of the box's width (height) removed from the left and right (top and bottom) sides when an
 * object has no mask. 0 since engine 1.2.0: a box-only object's own surface is found among its box's
 * pixels (boxSurface.ts), which rejects the background that shrinking used to cut away, and shrinking
 * also cut away the object itself where only the edge of its box shows it (an object peeking out
 * beside or above an occluder). Engine 1.1.0 used 0.1 (the central 80% x 80%).
 */
export const DEFAULT_BOX_MARGIN = 0;

export function isRle(mask: Mask): mask is CocoRle {
  return !Array.isArray(mask);
}

/**
 * Decodes COCO's compressed counts string (pycocotools `rleFrString`). Each count is written in 5-bit
 * groups, least significant first, as characters 48 + group; bit 0x20 of a group means "more groups
 * follow", and bit 0x10 of the last group is the sign. From the fourth count on (index > 2, as in the C
 * code, not >= 2) the value is a delta from the count two places before.
 */
export function decodeRleCounts(encoded: string, path = 'mask.counts'): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < encoded.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= encoded.length)
        throw new UserInputError('compressed RLE string ends in the middle of a count', path);
      const c = encoded.charCodeAt(p) - 48;
      if (c < 0 || c > 63) {
        throw new UserInputError(
          `character ${JSON.stringify(encoded[p])} at ${p} is not valid in a compressed RLE string`,
          path,
        );
      }
      // Arithmetic, not bit shifts: JavaScript shifts are 32-bit and wrap at 5 * 7 bits.
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && (c & 0x10) !== 0) x -= 2 ** (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2];
    counts.push(x);
  }
  return counts;
}

/**
 * The pixels of a COCO RLE mask. Runs alternate background / foreground, starting with background, and
 * walk the image column by column (Fortran order). The mask must be of the image's size: a mask for a
 * resized image would mark the wrong pixels, so it is refused rather than scaled.
 */
export function regionFromRle(rle: CocoRle, width: number, height: number, path = 'mask'): PixelRegion {
  const size = rle.size as unknown;
  if (!Array.isArray(size) || size.length !== 2 || size[0] !== height || size[1] !== width) {
    throw new UserInputError(
      `must be [height, width] = [${height}, ${width}], the image's; got ${JSON.stringify(size)}`,
      `${path}.size`,
    );
  }
  const raw = rle.counts as unknown;
  let counts: number[];
  if (typeof raw === 'string') {
    counts = decodeRleCounts(raw, `${path}.counts`);
  } else if (Array.isArray(raw)) {
    counts = raw as number[];
  } else {
    throw new UserInputError('must be an array of run lengths or a compressed RLE string', `${path}.counts`);
  }
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0) {
      throw new UserInputError(`run ${i} must be a non-negative integer; got ${String(c)}`, `${path}.counts`);
    }
    total += c;
  }
  if (total !== width * height) {
    throw new UserInputError(
      `runs add up to ${total} pixels but the mask is ${height}x${width} = ${width * height}`,
      `${path}.counts`,
    );
  }

  const spans: number[] = [];
  let pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const end = pos + counts[i];
    if (i % 2 === 1) {
      // A foreground run may wrap from the bottom of one column to the top of the next.
      for (let at = pos; at < end;) {
        const column = Math.floor(at / height);
        const row = at - column * height;
        const stop = Math.min(end - column * height, height);
        spans.push(column, row, stop);
        at = column * height + stop;
      }
    }
    pos = end;
  }
  return makeRegion(width, height, 'columns', spans);
}

/**
 * The pixels of a COCO polygon mask. Each polygon is filled with the even-odd rule (a self-intersecting
 * outline leaves its doubly-wound parts empty, as SVG's evenodd); the polygons of one object are then
 * united, because COCO uses several polygons for one object's separate visible parts, and an overlap
 * between two parts is still the object. Points outside the image are clipped.
 */
export function regionFromPolygons(
  polygons: PolygonMask,
  width: number,
  height: number,
  path = 'mask',
): PixelRegion {
  let yMin = Infinity;
  let yMax = -Infinity;
  polygons.forEach((polygon, j) => {
    if (!Array.isArray(polygon) || polygon.length < 6 || polygon.length % 2 !== 0) {
      throw new UserInputError(
        'each polygon must be a flat [x1, y1, x2, y2, ...] list of at least 3 points',
        `${path}[${j}]`,
      );
    }
    for (let i = 0; i < polygon.length; i++) {
      const v = polygon[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new UserInputError(
          `coordinate ${i} must be a finite number; got ${String(v)}`,
          `${path}[${j}]`,
        );
      }
      if (i % 2 === 1) {
        yMin = Math.min(yMin, v);
        yMax = Math.max(yMax, v);
      }
    }
  });
  const spans: number[] = [];
  if (polygons.length === 0) return makeRegion(width, height, 'rows', spans);
  const [vLo, vHi] = centreRange(yMin, yMax, height);
  const crossings: number[] = [];
  const intervals: Array<[number, number]> = [];
  for (let v = vLo; v < vHi; v++) {
    const yc = v + 0.5;
    intervals.length = 0;
    for (const polygon of polygons) {
      crossings.length = 0;
      const n = polygon.length;
      for (let i = 0; i < n; i += 2) {
        const x0 = polygon[i];
        const y0 = polygon[i + 1];
        const x1 = polygon[(i + 2) % n];
        const y1 = polygon[(i + 3) % n];
        // Half-open in y: a vertex on the scanline counts for exactly one of its two edges, and
        // horizontal edges never count.
        if (y0 <= yc !== y1 <= yc) crossings.push(x0 + ((yc - y0) * (x1 - x0)) / (y1 - y0));
      }
      crossings.sort((a, b) => a - b);
      for (let c = 0; c + 1 < crossings.length; c += 2) {
        const [lo, hi] = centreRange(crossings[c], crossings[c + 1], width);
        if (hi > lo) intervals.push([lo, hi]);
      }
    }
    intervals.sort((a, b) => a[0] - b[0]);
    let start = -1;
    let end = -1;
    for (const [lo, hi] of intervals) {
      if (lo > end) {
        if (end > start) spans.push(v, start, end);
        start = lo;
      }
      end = Math.max(end, hi);
    }
    if (end > start) spans.push(v, start, end);
  }
  return makeRegion(width, height, 'rows', spans);
}

/**
 * The box's pixels after removing `margin` of its width from each side and of its height from top and
 * bottom. Never empty for a box inside the image: if the shrunk box holds no pixel centre, the whole box
 * is used; if even that holds none (a box thinner than a pixel), the pixel under the box's centre.
 */
export function regionFromBox(
  box: Box,
  width: number,
  height: number,
  margin = DEFAULT_BOX_MARGIN,
): PixelRegion {
  const [x1, y1, x2, y2] = box;
  const dx = (x2 - x1) * margin;
  const dy = (y2 - y1) * margin;
  for (const [a, b, c, d] of [
    [x1 + dx, y1 + dy, x2 - dx, y2 - dy],
    [x1, y1, x2, y2],
  ]) {
    const [u0, u1] = centreRange(a, c, width);
    const [v0, v1] = centreRange(b, d, height);
    if (u1 > u0 && v1 > v0) {
      const spans = new Int32Array((v1 - v0) * 3);
      for (let v = v0, s = 0; v < v1; v++, s += 3) {
        spans[s] = v;
        spans[s + 1] = u0;
        spans[s + 2] = u1;
      }
      return { width, height, orientation: 'rows', spans, pixelCount: (u1 - u0) * (v1 - v0) };
    }
  }
  const u = Math.min(width - 1, Math.max(0, Math.floor((x1 + x2) / 2)));
  const v = Math.min(height - 1, Math.max(0, Math.floor((y1 + y2) / 2)));
  return makeRegion(width, height, 'rows', [v, u, u + 1]);
}

/** The region of a mask of either form; `path` names the mask in errors (e.g. `objects[3].mask`). */
export function regionFromMask(mask: Mask, width: number, height: number, path = 'mask'): PixelRegion {
  if (Array.isArray(mask)) return regionFromPolygons(mask, width, height, path);
  if (typeof mask === 'object' && mask !== null && 'counts' in mask)
    return regionFromRle(mask, width, height, path);
  throw new UserInputError('must be a COCO RLE {size, counts} or a list of polygons', path);
}
