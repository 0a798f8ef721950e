/**
 * Greedy non-maximum suppression per label: boxes sorted by score, a box is dropped when it overlaps
 * an already kept box of the same label by more than `iouThreshold`. Ties in score keep the earlier
 * box, so the result is deterministic.
 */

import type { Box, Detection } from '../results';

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  if (inter === 0) return 0;
  const areaA = (a[2] - a[0]) * (a[3] - a[1]);
  const areaB = (b[2] - b[0]) * (b[3] - b[1]);
  return inter / (areaA + areaB - inter);
}

export function nonMaxSuppression(
  detections: readonly Detection[],
  iouThreshold: number,
  maxDetections: number,
): Detection[] {
  const order = detections
    .map((d, i) => ({ d, i }))
    .sort((a, b) => b.d.score - a.d.score || a.i - b.i)
    .map((x) => x.d);
  const kept: Detection[] = [];
  for (const d of order) {
    if (kept.length >= maxDetections) break;
    if (kept.some((k) => k.label === d.label && iou(k.box, d.box) > iouThreshold)) continue;
    kept.push(d);
  }
  return kept;
}

/** Clamps a box to the image and drops it when nothing of it is left. */
export function clampBox(box: Box, width: number, height: number): Box | undefined {
  const x1 = Math.min(Math.max(box[0], 0), width);
  const y1 = Math.min(Math.max(box[1], 0), height);
  const x2 = Math.min(Math.max(box[2], 0), width);
  const y2 = Math.min(Math.max(box[3], 0), height);
  return x2 - x1 >= 1 && y2 - y1 >= 1 ? [x1, y1, x2, y2] : undefined;
}
