import { LABEL_KEY_SPAN, labelKey } from '../labels/labelKey';
import { INVERSE_PREDICATE, type CanonicalPredicate } from '../spatial/predicateNames';

/**
 * How relations live in the store (store model 4). One definition, used by the writer, the readers
 * and the migration from model 1.
 *
 * - **Geometric relations are not the source of truth in the store: the objects' geometry is.** The
 *   engine derives them again at read time from the stored objects and the thresholds recorded once
 *   per image (`relationsFromStoredGeometry`, the code `scenegraph build` runs), so evidence,
 *   inverses and near/far are never stored, and a caller can pass other thresholds.
 * - **The spatial relations people ask for are also edges**, so that plain Cypher and Neo4j Browser
 *   show them and pattern search runs through an index: one relationship type per directed canonical
 *   predicate, stored in one direction only (`behind` is an IN_FRONT_OF edge read backwards), with
 *   the score and the key of its two labels (`k`, `pairKey` below: the relationship index of each
 *   type; one property record per edge, where the two label strings took a second one).
 *   `beside` is symmetric: one BESIDE edge per pair, from the smaller object id. A second index per
 *   type on `(k, score)` yields one key's edges in score order (the top-k search).
 * - **One index entry per (type, subject label, object label) and image** (model 4): only the group's
 *   lead edge (best score, a missing score counting as 1: `leadEdges` in storedScene.ts) carries `k`;
 *   the others keep their score and are found inside their image by the objects' labels. Search
 *   ranks an image by each pattern's best score, which the lead holds, so the indexes need no more;
 *   about half of a 20-object image's edges stay out of them. A lead without a score is not in the
 *   `(k, score)` index either, so an image with such leads says how many on `Image.unscoredEdges`.
 * - near / far (distance thresholds, every pair is one or the other or neither) are derived only.
 * - **Semantic relations** (source MODEL, ANNOTATION, HUMAN: "holding", "parked on", or a model's own
 *   "in front of") are always stored, as RELATION edges with predicate, source, score, labels and
 *   the evidence they came with.
 */

/**
 * Recorded on every Image (`storeModel`). 4: the relations as above; 5: the same relations, with the
 * image's depth layers as lists on the Image instead of Layer nodes (layers.ts), and the thresholds
 * only in the image's provenance; 6: an object's box as four numbers instead of a list (objectBox.ts).
 */
export const STORE_MODEL_VERSION = 6;

/** Relationship type of each stored geometric predicate. */
export const EDGE_TYPE = {
  'in front of': 'IN_FRONT_OF',
  'left of': 'LEFT_OF',
  above: 'ABOVE',
  covers: 'COVERS',
  on: 'ON',
  over: 'OVER',
  in: 'IN',
  occludes: 'OCCLUDES',
  beside: 'BESIDE',
} as const satisfies Partial<Record<CanonicalPredicate, string>>;

export type StoredPredicate = keyof typeof EDGE_TYPE;
export type EdgeType = (typeof EDGE_TYPE)[StoredPredicate];

export const EDGE_TYPES: readonly EdgeType[] = Object.values(EDGE_TYPE);

/** The relationship type for semantic relations. */
export const SEMANTIC_TYPE = 'RELATION';

export interface EdgeMatch {
  type: EdgeType;
  /** true: the predicate's subject is the edge's end node (behind = IN_FRONT_OF read backwards). */
  reversed: boolean;
  /** Symmetric (BESIDE): either direction matches. */
  symmetric: boolean;
}

const STORED_BY_PREDICATE: ReadonlyMap<string, EdgeMatch> = new Map(
  Object.entries(EDGE_TYPE).flatMap(([predicate, type]) => {
    const inverse = INVERSE_PREDICATE[predicate as CanonicalPredicate];
    const symmetric = inverse === predicate;
    const own: [string, EdgeMatch] = [predicate, { type, reversed: false, symmetric }];
    return inverse && !symmetric ? [own, [inverse, { type, reversed: true, symmetric }]] : [own];
  }),
);

/** The edges that answer a (normalised) geometric predicate, or undefined when it is derived only. */
export function edgeFor(predicate: string): EdgeMatch | undefined {
  return STORED_BY_PREDICATE.get(predicate);
}

export function isStoredPredicate(predicate: string): predicate is StoredPredicate {
  return Object.prototype.hasOwnProperty.call(EDGE_TYPE, predicate);
}

/** Geometric predicates answered by derivation alone (near, far), none of them an edge. */
export function isDerivedOnly(predicate: string): boolean {
  return (predicate === 'near' || predicate === 'far') && !STORED_BY_PREDICATE.has(predicate);
}

/** Relation ids, as before: content-derived, so they need not be stored. */
export function relationId(subjectId: string, predicate: string, objectId: string, source: string): string {
  return `${subjectId}|${predicate}|${objectId}|${source}`;
}

/**
 * The key `k` a typed edge carries for its (subject label, object label): subject key x 2^26 + object
 * key. An integer below 2^52, so it fits one property block beside the score, and every edge of a
 * subject label lies in one range (`pairKeyRange`), which the index seeks too.
 */
export function pairKey(subjectLabel: string, objectLabel: string): number {
  return labelKey(subjectLabel) * LABEL_KEY_SPAN + labelKey(objectLabel);
}

/** [from, to): the pair keys of every edge whose subject has this label. */
export function pairKeyRange(subjectLabel: string): [number, number] {
  const from = labelKey(subjectLabel) * LABEL_KEY_SPAN;
  return [from, from + LABEL_KEY_SPAN];
}
