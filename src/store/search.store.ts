import neo4j from 'neo4j-driver';
import type { Database } from '../db/database';
import {
  imageProjection,
  ImageRow,
  objectProjection,
  ObjectRow,
  relationProjection,
  RelationRow,
} from './rows';

/**
 * The cross-image queries. Each returns one page plus one extra row (to tell whether another page
 * exists) in a single round trip, with the rows nested fields need, so the GraphQL layer can prime its
 * loaders instead of querying again. Every ORDER BY is total (ends in a unique id), which is what makes
 * keyset cursors correct.
 */

export interface Page<T> {
  rows: T[];
  hasNextPage: boolean;
}

function page<T>(rows: T[], first: number): Page<T> {
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
}

// ---- images ------------------------------------------------------------------------------------

export interface ImagesWhere {
  /** Only images with at least one object of this (normalised) label. */
  label?: string;
}

export async function listImages(
  db: Database,
  where: ImagesWhere,
  first: number,
  after?: [string],
): Promise<Page<ImageRow>> {
  const conditions = ['($after IS NULL OR i.id > $after)'];
  if (where.label) conditions.push('EXISTS { (i)-[:HAS_OBJECT]->(:Object {label: $label}) }');
  const res = await db.read('images.list', (tx) =>
    tx.run<{ i: ImageRow }>(
      `MATCH (i:Image) WHERE ${conditions.join(' AND ')}
       RETURN ${imageProjection('i')} AS i ORDER BY i.id LIMIT $limit`,
      { after: after?.[0] ?? null, label: where.label ?? null, limit: neo4j.int(first + 1) },
    ),
  );
  return page(
    res.records.map((r) => r.get('i')),
    first,
  );
}

// ---- objects in front of / behind X --------------------------------------------------------------

export interface SpatialMatchRow {
  object: ObjectRow;
  reference: ObjectRow;
  image: ImageRow;
  relation: RelationRow | null;
  /** For derived matches: the numbers the match was decided on. */
  derivedEvidence: Record<string, number> | null;
}

export interface SpatialQuery {
  direction: 'in front of' | 'behind';
  label: string;
  imageId?: string;
  /** When set, derive the relation from stored depth ranges instead of the stored edges. */
  minMargin?: number;
  first: number;
  after?: [string, string];
}

/**
 * The reference objects X of a page, in id order. Across images the (label, id) index yields them
 * already sorted (ORDER BY names both index properties, which is what lets the planner use the index
 * order), so the LIMIT below stops the scan after a page: a page costs O(page) at any collection
 * size, not O(objects with that label). Within one image the few objects are simply sorted.
 */
function referenceScan(byImage: boolean, extra = ''): string {
  return byImage
    ? `MATCH (x:Object)
WHERE x.imageId = $imageId AND x.label = $label AND x.id >= $afterRef${extra}
WITH x ORDER BY x.label, x.id`
    : `MATCH (x:Object)
USING INDEX x:Object(label, id)
WHERE x.label = $label AND x.id >= $afterRef${extra}
WITH x ORDER BY x.label, x.id`;
}

const SPATIAL_RETURN = `MATCH (i:Image {id: x.imageId})
RETURN ${objectProjection('a')} AS object, ${objectProjection('x')} AS reference, ${imageProjection('i')} AS image,`;

/** Materialised: follows the stored `in front of` / `behind` edges into objects labelled X. */
export function materialisedSpatialCypher(byImage: boolean): string {
  return `${referenceScan(byImage)}
CALL {
  WITH x
  MATCH (a:Object)-[r:RELATION]->(x)
  WHERE r.predicate = $predicate AND (x.id > $afterRef OR a.id > $afterObj)
  RETURN a, r ORDER BY a.id
}
WITH a, r, x LIMIT $limit
${SPATIAL_RETURN}
       ${relationProjection('r', 'a', 'x')} AS relation, null AS derivedEvidence`;
}

/**
 * Derived: compares stored depth ranges at query time. "A in front of X" iff X's near bound (p5) is at
 * least minMargin beyond A's far bound (p95), in the image's depth unit; "behind" mirrors it.
 */
export function derivedSpatialCypher(byImage: boolean): string {
  return `${referenceScan(byImage, ' AND x.depthP5 IS NOT NULL')}
CALL {
  WITH x
  MATCH (x)<-[:HAS_OBJECT]-(:Image)-[:HAS_OBJECT]->(a:Object)
  WHERE a <> x AND a.depthP5 IS NOT NULL AND (x.id > $afterRef OR a.id > $afterObj)
  WITH a, CASE WHEN $predicate = 'in front of' THEN x.depthP5 - a.depthP95 ELSE a.depthP5 - x.depthP95 END AS gap
  WHERE gap >= $minMargin
  RETURN a, gap ORDER BY a.id
}
WITH a, x, gap LIMIT $limit
${SPATIAL_RETURN}
       null AS relation, {gap: gap, minMargin: $minMargin, objectNear: a.depthP5, objectFar: a.depthP95,
       referenceNear: x.depthP5, referenceFar: x.depthP95} AS derivedEvidence`;
}

/** The cross-image forms (the ones benchmarked). */
export const MATERIALISED_SPATIAL_CYPHER = materialisedSpatialCypher(false);
export const DERIVED_SPATIAL_CYPHER = derivedSpatialCypher(false);

export function spatialParams(q: SpatialQuery): Record<string, unknown> {
  return {
    label: q.label,
    imageId: q.imageId ?? null,
    predicate: q.direction,
    minMargin: q.minMargin ?? null,
    afterRef: q.after?.[0] ?? '',
    afterObj: q.after?.[1] ?? '',
    limit: neo4j.int(q.first + 1),
  };
}

export async function spatialMatches(db: Database, q: SpatialQuery): Promise<Page<SpatialMatchRow>> {
  const byImage = q.imageId !== undefined;
  const cypher =
    q.minMargin === undefined ? materialisedSpatialCypher(byImage) : derivedSpatialCypher(byImage);
  const res = await db.read(`objects.${q.minMargin === undefined ? 'materialised' : 'derived'}`, (tx) =>
    tx.run<{ [K in keyof SpatialMatchRow]: SpatialMatchRow[K] }>(cypher, spatialParams(q)),
  );
  return page(
    res.records.map((r) => r.toObject() as SpatialMatchRow),
    q.first,
  );
}

// ---- relations -----------------------------------------------------------------------------------

export interface RelationsWhere {
  subject?: string;
  predicate?: string;
  object?: string;
  imageId?: string;
  source?: string;
  minScore?: number;
}

export function relationsQuery(where: RelationsWhere): string {
  const c = ['r.id > $after'];
  if (where.subject !== undefined) c.push('s.label = $subject');
  if (where.object !== undefined) c.push('o.label = $object');
  if (where.predicate !== undefined) c.push('r.predicate = $predicate');
  if (where.imageId !== undefined) c.push('r.imageId = $imageId');
  if (where.source !== undefined) c.push('r.source = $source');
  if (where.minScore !== undefined) c.push('r.score >= $minScore');
  return `MATCH (s:Object)-[r:RELATION]->(o:Object)
WHERE ${c.join(' AND ')}
WITH s, r, o ORDER BY r.id LIMIT $limit
RETURN ${relationProjection('r', 's', 'o')} AS relation, ${objectProjection('s')} AS subject, ${objectProjection('o')} AS object`;
}

export async function listRelations(
  db: Database,
  where: RelationsWhere,
  first: number,
  after?: [string],
): Promise<Page<{ relation: RelationRow; subject: ObjectRow; object: ObjectRow }>> {
  const res = await db.read('relations.list', (tx) =>
    tx.run<{ relation: RelationRow; subject: ObjectRow; object: ObjectRow }>(relationsQuery(where), {
      ...where,
      after: after?.[0] ?? '',
      limit: neo4j.int(first + 1),
    }),
  );
  return page(
    res.records.map((r) => ({
      relation: r.get('relation'),
      subject: r.get('subject'),
      object: r.get('object'),
    })),
    first,
  );
}

// ---- triplet-pattern image search -----------------------------------------------------------------

export interface TripletPattern {
  subject?: string;
  predicate?: string;
  object?: string;
}

export interface SearchRow {
  image: ImageRow;
  score: number;
  matches: RelationRow[];
}

/** Matches kept per pattern and image, to show why an image matched without returning thousands. */
export const MATCHES_PER_PATTERN = 5;

function patternWhere(p: TripletPattern, i: number): string {
  const c: string[] = [];
  if (p.subject !== undefined) c.push(`s${i}.label = $patterns[${i}].subject`);
  if (p.predicate !== undefined) c.push(`r${i}.predicate = $patterns[${i}].predicate`);
  if (p.object !== undefined) c.push(`o${i}.label = $patterns[${i}].object`);
  return c.length > 0 ? `WHERE ${c.join(' AND ')}` : '';
}

/**
 * Ranking: an image's score is the sum, over the patterns, of the best score among the relations that
 * match the pattern in that image (a relation without a score counts as 1). Ties go to the smaller
 * image id. The first pattern finds the candidate images; each further pattern is checked inside them.
 */
export function searchImagesQuery(patterns: TripletPattern[]): string {
  const first = `MATCH (s0:Object)-[r0:RELATION]->(o0:Object)
${patternWhere(patterns[0], 0)}
WITH r0.imageId AS imageId, max(coalesce(r0.score, 1.0)) AS sc0,
     collect(${relationProjection('r0', 's0', 'o0')})[..${MATCHES_PER_PATTERN}] AS m0`;
  const rest = patterns.slice(1).map((p, k) => {
    const i = k + 1;
    const carried = Array.from({ length: i }, (_, j) => `sc${j}, m${j}`).join(', ');
    return `CALL {
  WITH imageId
  MATCH (:Image {id: imageId})-[:HAS_OBJECT]->(s${i}:Object)-[r${i}:RELATION]->(o${i}:Object)
  ${patternWhere(p, i)}
  RETURN max(coalesce(r${i}.score, 1.0)) AS sc${i},
         collect(${relationProjection(`r${i}`, `s${i}`, `o${i}`)})[..${MATCHES_PER_PATTERN}] AS m${i}
}
WITH imageId, ${carried}, sc${i}, m${i} WHERE sc${i} IS NOT NULL`;
  });
  const n = patterns.length;
  const score = Array.from({ length: n }, (_, j) => `sc${j}`).join(' + ');
  const matches = Array.from({ length: n }, (_, j) => `m${j}`).join(' + ');
  return `${first}
${rest.join('\n')}
WITH imageId, ${score} AS score, ${matches} AS matches
WHERE $afterScore IS NULL OR score < $afterScore OR (score = $afterScore AND imageId > $afterId)
WITH imageId, score, matches ORDER BY score DESC, imageId LIMIT $limit
MATCH (i:Image {id: imageId})
RETURN ${imageProjection('i')} AS image, score, matches`;
}

export async function searchImages(
  db: Database,
  patterns: TripletPattern[],
  first: number,
  after?: [number, string],
): Promise<Page<SearchRow>> {
  const res = await db.read('images.search', (tx) =>
    tx.run<{ image: ImageRow; score: number; matches: RelationRow[] }>(searchImagesQuery(patterns), {
      patterns: patterns.map((p) => ({
        subject: p.subject ?? null,
        predicate: p.predicate ?? null,
        object: p.object ?? null,
      })),
      afterScore: after?.[0] ?? null,
      afterId: after?.[1] ?? '',
      limit: neo4j.int(first + 1),
    }),
  );
  return page(
    res.records.map((r) => ({ image: r.get('image'), score: r.get('score'), matches: r.get('matches') })),
    first,
  );
}

// ---- catalogues ----------------------------------------------------------------------------------

export async function labelCounts(db: Database): Promise<{ label: string; count: number }[]> {
  const res = await db.read('labels', (tx) =>
    tx.run<{ label: string; count: number }>(
      'MATCH (o:Object) RETURN o.label AS label, count(*) AS count ORDER BY count DESC, label',
    ),
  );
  return res.records.map((r) => ({ label: r.get('label'), count: r.get('count') }));
}

export async function predicateCounts(db: Database): Promise<{ predicate: string; count: number }[]> {
  const res = await db.read('predicates', (tx) =>
    tx.run<{ predicate: string; count: number }>(
      'MATCH ()-[r:RELATION]->() RETURN r.predicate AS predicate, count(*) AS count ORDER BY count DESC, predicate',
    ),
  );
  return res.records.map((r) => ({ predicate: r.get('predicate'), count: r.get('count') }));
}
