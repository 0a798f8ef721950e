import { normalizePredicate } from '../spatial/predicateNames';
import type { SynthTruth, TruthPredicate, TruthStatus } from './truth.types';

/**
 * Per-predicate precision and recall of predicted relations against a synthetic scene's truth.json.
 *
 * Predictions refer to objects by the scene's keys (run the pipeline on scene.json, whose objects
 * are the truth's). Predicates are compared in the engine's canonical spelling
 * (spatial/predicateNames.normalizePredicate: "in_front_of", "InFrontOf", "on top of" -> "in front
 * of", "on"). Duplicate predictions count
 * once. A prediction is a true positive when its triplet is TRUE, a false positive when FALSE, and
 * ignored when AMBIGUOUS; predictions outside the closed world (unknown key or predicate, subject =
 * object) are counted in `unscored`. Recall = true positives / TRUE triplets.
 */

export interface PredictedTriplet {
  subject: string;
  predicate: string;
  object: string;
}

export interface PredicateScore {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** Predictions on AMBIGUOUS triplets. */
  ignored: number;
  /** null when nothing scorable was predicted. */
  precision: number | null;
  /** null when truth has no TRUE triplet for the predicate. */
  recall: number | null;
}

export interface TruthScore {
  predicates: Record<TruthPredicate, PredicateScore>;
  unscored: number;
}

export type TruthLookup = (subject: string, predicate: string, object: string) => TruthStatus | undefined;

/** Status of any triplet; undefined outside the closed world. */
export function truthLookup(truth: SynthTruth): TruthLookup {
  const keys = new Set(truth.objects.map((o) => o.key));
  const predicates = new Set<string>(truth.predicates);
  const trueSet = new Set(truth.relations.map((r) => tripletId(r.subject, r.predicate, r.object)));
  const ambiguousSet = new Set(truth.ambiguous.map((r) => tripletId(r.subject, r.predicate, r.object)));
  return (subject, predicate, object) => {
    const p = normalizePredicate(predicate);
    if (!keys.has(subject) || !keys.has(object) || subject === object || !predicates.has(p)) return undefined;
    const id = tripletId(subject, p, object);
    if (trueSet.has(id)) return 'TRUE';
    if (ambiguousSet.has(id)) return 'AMBIGUOUS';
    return 'FALSE';
  };
}

export function scoreAgainstTruth(truth: SynthTruth, predicted: readonly PredictedTriplet[]): TruthScore {
  const lookup = truthLookup(truth);
  const scores = Object.fromEntries(truth.predicates.map((p) => [p, { tp: 0, fp: 0, ignored: 0 }])) as Record<
    TruthPredicate,
    { tp: number; fp: number; ignored: number }
  >;
  const seen = new Set<string>();
  let unscored = 0;
  for (const t of predicted) {
    const predicate = normalizePredicate(t.predicate);
    const id = tripletId(t.subject, predicate, t.object);
    if (seen.has(id)) continue;
    seen.add(id);
    const status = lookup(t.subject, predicate, t.object);
    if (status === undefined) {
      unscored++;
      continue;
    }
    const s = scores[predicate as TruthPredicate];
    if (status === 'TRUE') s.tp++;
    else if (status === 'FALSE') s.fp++;
    else s.ignored++;
  }
  const predicates = {} as Record<TruthPredicate, PredicateScore>;
  for (const p of truth.predicates) {
    const { tp, fp, ignored } = scores[p];
    const positives = truth.summary[p].true;
    predicates[p] = {
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: positives - tp,
      ignored,
      precision: tp + fp > 0 ? tp / (tp + fp) : null,
      recall: positives > 0 ? tp / positives : null,
    };
  }
  return { predicates, unscored };
}

function tripletId(s: string, p: string, o: string): string {
  return JSON.stringify([s, p, o]);
}
