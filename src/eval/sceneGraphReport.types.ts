/**
 * What `evaluateSceneGraphs` returns and `scenegraph eval --json` writes. Recalls are fractions in
 * [0, 1] (the text table shows percent). Every report names its protocol and says in `definition` what
 * the numbers mean, so a JSON file read months later still explains itself.
 */

export const EVAL_PROTOCOLS = ['asmv2', 'openpsg'] as const;
export type EvalProtocol = (typeof EVAL_PROTOCOLS)[number];

/** Both protocols count a box (or mask) as found when its IoU with the ground truth is at least this. */
export const IOU_THRESHOLD = 0.5;

export const RECALL_KS = [20, 50, 100] as const;
export type RecallK = (typeof RECALL_KS)[number];
export type AtK<T> = Record<RecallK, T>;

export interface ImageCounts {
  /** Ground-truth graphs. */
  gt: number;
  /** Ground-truth graphs with at least one relation (the images recall is averaged over in openpsg). */
  gtWithTriplets: number;
  /** Prediction graphs given. */
  predictions: number;
  /** GT images that have a prediction. */
  matched: number;
  /** GT images with relations but no prediction graph: every one of their triplets counts as missed. */
  gtWithoutPrediction: number;
  /** Prediction graphs whose image is not in the GT: counted here, otherwise ignored. */
  predictionsNotInGt: number;
}

export interface PredictedOnlyRow {
  predicate: string;
  /** Predicted triplets with this predicate (in matched images); they can never match. */
  predicted: number;
}

export interface Asmv2Row {
  predicate: string;
  gt: number;
  matched: number;
  recall: number;
}

export interface Asmv2Report {
  protocol: 'asmv2';
  definition: string;
  iouThreshold: number;
  images: ImageCounts;
  triplets: { gt: number; predicted: number };
  /** Matched GT triplets / all GT triplets, pooled over images. */
  recall: number;
  /** Mean of the rows' recall: over the predicates that occur in the GT. */
  meanRecall: number;
  /** Rows: predicates that occur in the GT, most frequent first. */
  predicates: Asmv2Row[];
  predictedNotInGt: PredictedOnlyRow[];
  notes: string[];
}

export interface OpenPsgRow {
  predicate: string;
  /** One of PSG's 56 classes. Only these enter mR@K. */
  psg: boolean;
  gt: number;
  /** GT images in which the predicate occurs. */
  images: number;
  /** GT triplets of this predicate recalled within the top K (pooled; informative). */
  matched: AtK<number>;
  /** Per-image recall of this predicate, averaged over `images`; null when it has no GT. */
  recall: AtK<number | null>;
}

export interface OpenPsgReport {
  protocol: 'openpsg';
  definition: string;
  iouThreshold: number;
  images: ImageCounts;
  triplets: {
    gt: number;
    predicted: number;
    /** Left after the graph constraint (one predicate per ordered subject-object pair). */
    afterGraphConstraint: number;
  };
  /** Object pairs compared by mask IoU (both objects have masks) and by box IoU (otherwise). */
  comparisons: { mask: number; box: number };
  k: readonly RecallK[];
  /** Per-image recall, averaged over the GT images that have relations. */
  recall: AtK<number>;
  /** Averaged over all 56 PSG predicates; those without GT count as 0 (as in the PSG code). */
  meanRecall: AtK<number>;
  /** Averaged over the predicates that have GT (PSG or not): the number to read on a subset. */
  meanRecallWithGt: AtK<number>;
  predicatesWithGt: number;
  /** All 56 PSG predicates in PSG's order, then other GT predicates by frequency. */
  predicates: OpenPsgRow[];
  predictedNotInGt: PredictedOnlyRow[];
  notes: string[];
}

export type SceneGraphEvalReport = Asmv2Report | OpenPsgReport;
