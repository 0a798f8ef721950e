/**
 * Protocol `openpsg`: R@K and mR@K (K = 20, 50, 100) as the PSG benchmark code computes them
 * (OpenPSG openpsg/evaluation/sgg_metrics.py, SGRecall and SGMeanRecall with the graph constraint).
 *
 * Per image:
 * - Graph constraint: one predicate per ordered (subject, object) pair of predicted objects, the
 *   highest-scoring one (the PSG code takes the argmax of each pair's predicate distribution); on a
 *   tie the relation that comes first in the file.
 * - The remaining triplets in score order (descending; ties keep file order; a relation without a
 *   score counts as 0), cut at K. The constraint is applied before the cut, so a second predicate on a
 *   pair never takes a slot.
 * - A GT triplet is recalled at K when one of the top K has the same labels and predicate and IoU >= 0.5
 *   for subject and object: mask IoU when both objects have masks, else box IoU. As in the PSG code a
 *   GT triplet counts once, and one prediction may recall several GT triplets.
 * - recall@K = recalled / GT triplets of the image; per predicate the same over that predicate's GT.
 *
 * Over images: R@K averages the per-image recall over the GT images that have relations. mR@K first
 * averages each predicate's per-image recall over the images where it occurs in the GT, then averages
 * over all 56 PSG predicates, a predicate without GT counting as 0: the PSG code divides by the 56
 * classes whether or not they occur, which on a subset of PSG is lower than the mean over the
 * predicates present, so that mean is reported too (`meanRecallWithGt`, which also covers GT predicates
 * outside PSG's 56; those enter R@K and this mean but not mR@K).
 *
 * One difference, on purpose: the PSG code skips an image whose prediction has no relations; here it,
 * and a GT image with no prediction at all, counts with recall 0.
 */

import type { EvalImage, Triplet } from './evalImage';
import type { PairedImages } from './pairImages';
import { isPsgPredicate, PSG_PREDICATES } from './psgPredicates';
import {
  IOU_THRESHOLD,
  RECALL_KS,
  type AtK,
  type ImageCounts,
  type OpenPsgReport,
  type OpenPsgRow,
} from './sceneGraphReport.types';
import { indexByKey, predictedOnly, RegionComparer, tripletKey } from './tripletMatch';

export const OPENPSG_DEFINITION =
  'openpsg (PSG benchmark code): graph constraint (one predicate per ordered object pair, the highest scoring), predictions by score, top K = 20/50/100; a GT triplet is recalled when a top-K prediction has equal labels and predicate and subject and object IoU >= 0.5 (mask IoU when both have masks, else box IoU); R@K: per-image recall averaged over GT images with relations; mR@K: per-predicate recall (averaged over the images where it occurs) averaged over all 56 PSG predicates';

const MAX_K = Math.max(...RECALL_KS);

/** The graph-constrained predictions in rank order, at most MAX_K. */
export function rankPredictions(triplets: readonly Triplet[]): { ranked: Triplet[]; constrained: number } {
  const best = new Map<string, Triplet>();
  for (const t of triplets) {
    const pair = `${t.subject.key}\u0000${t.object.key}`;
    const kept = best.get(pair);
    if (kept === undefined || t.score > kept.score) best.set(pair, t);
  }
  const constrained = [...best.values()].sort((a, b) => b.score - a.score || a.index - b.index);
  return { ranked: constrained.slice(0, MAX_K), constrained: constrained.length };
}

/** For each GT triplet, the best (lowest) rank of a prediction that recalls it; Infinity if none. */
function firstMatchRanks(
  gt: EvalImage,
  pred: EvalImage | undefined,
  ranked: Triplet[],
  regions?: RegionComparer,
): number[] {
  if (!pred || !regions) return gt.triplets.map(() => Infinity);
  const rankOf = new Map(ranked.map((t, r) => [t, r]));
  const candidates = indexByKey(ranked);
  return gt.triplets.map((t) => {
    let best = Infinity;
    for (const p of candidates.get(tripletKey(t)) ?? []) {
      const r = rankOf.get(p) as number;
      if (r < best && regions.matches(t, p)) best = r;
    }
    return best;
  });
}

const atK = <T>(f: (k: (typeof RECALL_KS)[number]) => T): AtK<T> =>
  Object.fromEntries(RECALL_KS.map((k) => [k, f(k)])) as AtK<T>;

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

export function scoreOpenPsg(paired: PairedImages, images: ImageCounts): OpenPsgReport {
  const imageRecalls: AtK<number[]> = atK(() => []);
  /** predicate -> per-image recalls at each K, over the images where it occurs. */
  const perPredicate = new Map<
    string,
    { gt: number; images: number; recalls: AtK<number[]>; matched: AtK<number> }
  >();
  const predicted: Triplet[] = [];
  let afterConstraint = 0;
  let predictedCount = 0;
  const comparisons = { mask: 0, box: 0 };

  for (const { gt, pred } of paired.pairs) {
    if (pred) {
      predictedCount += pred.triplets.length;
      predicted.push(...pred.triplets);
    }
    const { ranked, constrained } = rankPredictions(pred?.triplets ?? []);
    afterConstraint += constrained;
    if (gt.triplets.length === 0) continue;
    const regions = pred ? new RegionComparer(gt, pred, 'mask-or-box') : undefined;
    const ranks = firstMatchRanks(gt, pred, ranked, regions);
    if (regions) {
      comparisons.mask += regions.maskComparisons;
      comparisons.box += regions.boxComparisons;
    }
    for (const k of RECALL_KS) imageRecalls[k].push(ranks.filter((r) => r < k).length / ranks.length);

    const byPredicate = new Map<string, number[]>();
    gt.triplets.forEach((t, i) => {
      const list = byPredicate.get(t.predicate);
      if (list) list.push(ranks[i]);
      else byPredicate.set(t.predicate, [ranks[i]]);
    });
    for (const [predicate, pr] of byPredicate) {
      let entry = perPredicate.get(predicate);
      if (!entry) {
        entry = { gt: 0, images: 0, recalls: atK(() => []), matched: atK(() => 0) };
        perPredicate.set(predicate, entry);
      }
      entry.gt += pr.length;
      entry.images++;
      for (const k of RECALL_KS) {
        const hits = pr.filter((r) => r < k).length;
        entry.recalls[k].push(hits / pr.length);
        entry.matched[k] += hits;
      }
    }
  }

  const row = (predicate: string): OpenPsgRow => {
    const e = perPredicate.get(predicate);
    return {
      predicate,
      psg: isPsgPredicate(predicate),
      gt: e?.gt ?? 0,
      images: e?.images ?? 0,
      matched: atK((k) => e?.matched[k] ?? 0),
      recall: atK((k) => (e ? mean(e.recalls[k]) : null)),
    };
  };
  const extra = [...perPredicate.keys()]
    .filter((p) => !isPsgPredicate(p))
    .sort((a, b) => (perPredicate.get(b)?.gt ?? 0) - (perPredicate.get(a)?.gt ?? 0) || a.localeCompare(b));
  const rows = [...PSG_PREDICATES.map(row), ...extra.map(row)];
  const psgRows = rows.filter((r) => r.psg);
  const withGt = rows.filter((r) => r.gt > 0);
  const psgWithoutGt = psgRows.filter((r) => r.gt === 0).length;
  const totalGt = withGt.reduce((s, r) => s + r.gt, 0);

  const notes = [
    `mR@K averages all ${PSG_PREDICATES.length} PSG predicates; ${psgWithoutGt} of them have no GT here and count as 0, as in the PSG code; meanRecallWithGt averages the ${withGt.length} predicates that have GT`,
    'GT images without a prediction, or whose prediction has no relations, count with recall 0',
  ];
  if (extra.length > 0) {
    notes.push(
      `${extra.length} GT predicates are not PSG classes (${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', ...' : ''}): they count in R@K and meanRecallWithGt, not in mR@K`,
    );
  }
  return {
    protocol: 'openpsg',
    definition: OPENPSG_DEFINITION,
    iouThreshold: IOU_THRESHOLD,
    images,
    triplets: { gt: totalGt, predicted: predictedCount, afterGraphConstraint: afterConstraint },
    comparisons,
    k: RECALL_KS,
    recall: atK((k) => mean(imageRecalls[k])),
    meanRecall: atK((k) => psgRows.reduce((s, r) => s + (r.recall[k] ?? 0), 0) / psgRows.length),
    meanRecallWithGt: atK((k) => mean(withGt.map((r) => r.recall[k] as number))),
    predicatesWithGt: withGt.length,
    predicates: rows,
    predictedNotInGt: predictedOnly(new Set(perPredicate.keys()), predicted),
    notes,
  };
}
