/**
 * Intersection over union of two object regions: boxes as continuous rectangles (no "+1" pixel
 * convention, as torchvision's box_iou and mmdet 2's bbox_overlaps, which the reference evaluators
 * call), masks as pixel sets decoded by src/spatial/mask.ts (a pixel belongs to a polygon when its
 * centre does; COCO RLE as stored).
 */

import type { Box } from '../scenegraph/sceneGraph.types';
import type { PixelRegion } from '../spatial/pixelRegion';

export function boxIou(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  const inter = w > 0 && h > 0 ? w * h : 0;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * The region as row spans (flat [v, u0, u1) triples sorted by row, then column). Polygons decode to
 * rows already; RLE decodes to columns and is transposed here, in O(pixels), once per object.
 */
export function rowSpans(region: PixelRegion): Int32Array {
  if (region.orientation === 'rows') return region.spans;
  const columnsOfRow: number[][] = Array.from({ length: region.height }, () => []);
  const spans = region.spans;
  // Column spans come sorted by column, so each row's list is sorted as it is filled.
  for (let s = 0; s < spans.length; s += 3) {
    const u = spans[s];
    for (let v = spans[s + 1]; v < spans[s + 2]; v++) columnsOfRow[v].push(u);
  }
  const out: number[] = [];
  columnsOfRow.forEach((us, v) => {
    let start = -1;
    let prev = -2;
    for (const u of us) {
      if (u !== prev + 1) {
        if (start >= 0) out.push(v, start, prev + 1);
        start = u;
      }
      prev = u;
    }
    if (start >= 0) out.push(v, start, prev + 1);
  });
  return Int32Array.from(out);
}

/** Pixels in both of two row-span lists (each sorted by row, then column, non-overlapping). */
function intersectRows(a: Int32Array, b: Int32Array): number {
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    if (a[i] < b[j]) {
      i += 3;
    } else if (b[j] < a[i]) {
      j += 3;
    } else {
      const overlap = Math.min(a[i + 2], b[j + 2]) - Math.max(a[i + 1], b[j + 1]);
      if (overlap > 0) inter += overlap;
      // The span that ends first cannot meet any later span of the other list on this row.
      if (a[i + 2] < b[j + 2]) i += 3;
      else j += 3;
    }
  }
  return inter;
}

export interface MaskPixels {
  rows: Int32Array;
  count: number;
}

export function maskPixels(region: PixelRegion): MaskPixels {
  return { rows: rowSpans(region), count: region.pixelCount };
}

/** IoU of two masks of the same image; 0 when both are empty. */
export function maskIou(a: MaskPixels, b: MaskPixels): number {
  const inter = intersectRows(a.rows, b.rows);
  const union = a.count + b.count - inter;
  return union > 0 ? inter / union : 0;
}
