import neo4j from 'neo4j-driver';
import type { Database } from '../db/database';
import { SEMANTIC_TYPE } from './relationModel';

/** Existence checks behind the API's hints; each runs through an index and only for an empty answer. */

/** The labels of `labels` that no object has. */
export async function unknownLabels(db: Database, labels: readonly string[]): Promise<Set<string>> {
  if (labels.length === 0) return new Set();
  const res = await db.query<{ label: string }>(
    'labels.unknown',
    'UNWIND $labels AS label WITH label WHERE NOT EXISTS { MATCH (:Object {label: label}) } RETURN label',
    { labels },
  );
  return new Set(res.records.map((r) => r.get('label')));
}

/** The predicates of `predicates` that no stored (semantic) relation has. */
export async function unknownSemanticPredicates(
  db: Database,
  predicates: readonly string[],
): Promise<Set<string>> {
  if (predicates.length === 0) return new Set();
  const res = await db.query<{ p: string }>(
    'predicates.unknown',
    `UNWIND $predicates AS p WITH p
       WHERE NOT EXISTS { MATCH ()-[r:${SEMANTIC_TYPE}]->() WHERE r.predicate = p } RETURN p`,
    { predicates },
  );
  return new Set(res.records.map((r) => r.get('p')));
}

/** The most frequent labels, at most `limit`. */
export async function knownLabels(db: Database, limit: number): Promise<string[]> {
  const res = await db.query<{ label: string }>(
    'labels.known',
    'MATCH (o:Object) WITH o.label AS label, count(*) AS n ORDER BY n DESC, label LIMIT $limit RETURN label',
    { limit: neo4j.int(limit) },
  );
  return res.records.map((r) => r.get('label'));
}
