/**
 * Protocol `asmv2`: how the LLaVA-SpaceSGG paper's Table 1 (PSG, ASMv2 R 14.2 / mR 10.3) was scored,
 * after ASMv2's llava/eval/eval_psg.py. Every predicted triplet takes part (no ranking, no top K, no
 * graph constraint). A GT triplet is recalled when some prediction has the same subject label,
 * predicate and object label and both boxes have IoU >= 0.5; it counts once however many predictions
 * match it, and one prediction may recall several GT triplets (the reference code checks each GT
 * triplet against all predictions independently), so duplicate predictions change nothing.
 * Recall is pooled over all GT triplets; mean Recall averages the per-predicate pooled recalls over the
 * predicates that occur in the GT. Boxes only, even where masks exist (the reference code has none).
 *
 * One difference, on purpose: the reference loop runs over the model's answers, so a GT image without
 * an answer drops out; here it stays in and its triplets count as missed (a missing prediction must
 * not raise the score). On a run where every GT image has an answer, as in the paper, they agree.
 */

import type { Triplet } from './evalImage';
import type { PairedImages } from './pairImages';
import type { Asmv2Report, Asmv2Row, ImageCounts } from './sceneGraphReport.types';
import { IOU_THRESHOLD } from './sceneGraphReport.types';
import { indexByKey, predictedOnly, RegionComparer, tripletKey } from './tripletMatch';

export const ASMV2_DEFINITION =
  'asmv2 (LLaVA-SpaceSGG Table 1, after ASMv2 eval_psg.py): all predicted triplets; a GT triplet is recalled when a prediction has equal subject label, predicate and object label (normalised) and both boxes IoU >= 0.5; Recall pooled over GT triplets; mean Recall over the predicates in the GT';

export function scoreAsmv2(paired: PairedImages, images: ImageCounts): Asmv2Report {
  const gtCount = new Map<string, number>();
  const matchedCount = new Map<string, number>();
  const predicted: Triplet[] = [];
  for (const { gt, pred } of paired.pairs) {
    const candidates = indexByKey(pred?.triplets ?? []);
    const regions = pred ? new RegionComparer(gt, pred, 'box') : undefined;
    if (pred) predicted.push(...pred.triplets);
    for (const t of gt.triplets) {
      gtCount.set(t.predicate, (gtCount.get(t.predicate) ?? 0) + 1);
      const hit =
        regions !== undefined && (candidates.get(tripletKey(t)) ?? []).some((p) => regions.matches(t, p));
      if (hit) matchedCount.set(t.predicate, (matchedCount.get(t.predicate) ?? 0) + 1);
    }
  }
  const rows: Asmv2Row[] = [...gtCount]
    .map(([predicate, gt]) => {
      const matched = matchedCount.get(predicate) ?? 0;
      return { predicate, gt, matched, recall: matched / gt };
    })
    .sort((a, b) => b.gt - a.gt || a.predicate.localeCompare(b.predicate));
  const totalGt = rows.reduce((s, r) => s + r.gt, 0);
  const totalMatched = rows.reduce((s, r) => s + r.matched, 0);
  return {
    protocol: 'asmv2',
    definition: ASMV2_DEFINITION,
    iouThreshold: IOU_THRESHOLD,
    images,
    triplets: { gt: totalGt, predicted: predicted.length },
    recall: totalMatched / totalGt,
    meanRecall: rows.reduce((s, r) => s + r.recall, 0) / rows.length,
    predicates: rows,
    predictedNotInGt: predictedOnly(new Set(gtCount.keys()), predicted),
    notes: [
      `mean Recall averages ${rows.length} predicates (those with GT triplets); predicted predicates absent from the GT do not enter it`,
      'GT images without a prediction count with all their triplets missed',
      'labels: normalised (case, plurals, synonyms) and COCO-panoptic stuff names reduced to their first word ("tree-merged" -> "tree"), as ASMv2 does',
    ],
  };
}
