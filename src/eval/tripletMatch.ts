/**
 * The match test both protocols share: same subject label, predicate and object label (normalised),
 * and subject and object regions each with IoU >= IOU_THRESHOLD (inclusive: exactly 0.5 matches).
 */

import type { EvalImage, EvalObject, Triplet } from './evalImage';
import { boxIou, maskIou } from './iou';
import { IOU_THRESHOLD } from './sceneGraphReport.types';

/** 'box': always box IoU (asmv2). 'mask-or-box': mask IoU when both objects have a mask (openpsg). */
export type RegionMode = 'box' | 'mask-or-box';

export const tripletKey = (t: Triplet): string =>
  `${t.subject.label}\u0000${t.predicate}\u0000${t.object.label}`;

/** IoU of GT and predicted objects of one image pair, each object pair computed once. */
export class RegionComparer {
  private readonly cache = new Map<string, number>();
  maskComparisons = 0;
  boxComparisons = 0;

  constructor(
    private readonly gt: EvalImage,
    private readonly pred: EvalImage,
    private readonly mode: RegionMode,
  ) {}

  iou(g: EvalObject, p: EvalObject): number {
    const id = `${g.key}\u0000${p.key}`;
    let v = this.cache.get(id);
    if (v === undefined) {
      if (this.mode === 'mask-or-box' && g.mask !== undefined && p.mask !== undefined) {
        v = maskIou(this.gt.mask(g), this.pred.mask(p));
        this.maskComparisons++;
      } else {
        v = boxIou(g.box, p.box);
        this.boxComparisons++;
      }
      this.cache.set(id, v);
    }
    return v;
  }

  /** Assumes the keys are equal (the caller looks candidates up by tripletKey). */
  matches(g: Triplet, p: Triplet): boolean {
    return this.iou(g.subject, p.subject) >= IOU_THRESHOLD && this.iou(g.object, p.object) >= IOU_THRESHOLD;
  }
}

export function indexByKey(triplets: readonly Triplet[]): Map<string, Triplet[]> {
  const index = new Map<string, Triplet[]>();
  for (const t of triplets) {
    const key = tripletKey(t);
    const list = index.get(key);
    if (list) list.push(t);
    else index.set(key, [t]);
  }
  return index;
}

/** Predicates predicted (in matched images) that never occur in the GT, most frequent first. */
export function predictedOnly(
  gtPredicates: ReadonlySet<string>,
  predicted: Iterable<Triplet>,
): Array<{ predicate: string; predicted: number }> {
  const counts = new Map<string, number>();
  for (const t of predicted) {
    if (!gtPredicates.has(t.predicate)) counts.set(t.predicate, (counts.get(t.predicate) ?? 0) + 1);
  }
  return [...counts]
    .map(([predicate, n]) => ({ predicate, predicted: n }))
    .sort((a, b) => b.predicted - a.predicted || a.predicate.localeCompare(b.predicate));
}
