import neo4j from 'neo4j-driver';
import type { Database } from '../db/database';
import { UserInputError } from '../errors/errors';
import { INVERSE_PREDICATE, isCanonicalPredicate } from '../spatial/predicateNames';
import { imagesByIds, objectsByIds } from './graph.store';
import { EDGE_TYPE, edgeFor, pairKey, pairKeyRange, relationId, SEMANTIC_TYPE } from './relationModel';
import {
  deriveImageRelations,
  withEvidence,
  imageIdOfObject,
  loadDerivationInputs,
  type DerivationInput,
} from './relations.store';
import { hasVariables, joinHits, matchesPattern, type JoinResult, type TripletPattern } from './patternJoin';
import { IMAGE_COLUMNS, ImageRow, OBJECT_COLUMNS, ObjectRow, RelationRow } from './rows';
import { afterCursor, byRank, groupDecided, pageDecided, upperBound, type RankedImage } from './topK';

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
  /** Only images with an object of every one of these labels. */
  labels?: string[];
  /** Only images stored at or after / before this instant (ISO 8601). */
  ingestedFrom?: string;
  ingestedBefore?: string;
}

/** Image orders: by id, or by ingest time (ties by id); cursors hold the order's key. */
export type ImageOrder = { field: 'ID' | 'INGESTED_AT'; direction: 'ASC' | 'DESC' };

function imageConditions(where: ImagesWhere): string[] {
  const conditions: string[] = [];
  const labels = [...(where.label ? [where.label] : []), ...(where.labels ?? [])];
  labels.forEach((_, k) => conditions.push(`EXISTS { (i)-[:HAS_OBJECT]->(:Object {label: $labels[${k}]}) }`));
  if (where.ingestedFrom !== undefined) conditions.push('datetime(i.ingestedAt) >= datetime($ingestedFrom)');
  if (where.ingestedBefore !== undefined)
    conditions.push('datetime(i.ingestedAt) < datetime($ingestedBefore)');
  return conditions;
}

function imageParams(where: ImagesWhere): Record<string, unknown> {
  return {
    labels: [...(where.label ? [where.label] : []), ...(where.labels ?? [])],
    ingestedFrom: where.ingestedFrom ?? null,
    ingestedBefore: where.ingestedBefore ?? null,
  };
}

export async function listImages(
  db: Database,
  where: ImagesWhere,
  first: number,
  after?: (string | number)[],
  order: ImageOrder = { field: 'ID', direction: 'ASC' },
): Promise<Page<ImageRow>> {
  const conditions = imageConditions(where);
  const cmp = order.direction === 'ASC' ? '>' : '<';
  const dir = order.direction === 'ASC' ? '' : ' DESC';
  let orderBy: string;
  if (order.field === 'ID') {
    if (after) conditions.push(`i.id ${cmp} $afterId`);
    orderBy = `i.id${dir}`;
  } else {
    // ingestedAt is an ISO 8601 UTC string: its text order is its time order.
    if (after) {
      conditions.push(
        `(i.ingestedAt ${cmp} $afterTime OR (i.ingestedAt = $afterTime AND i.id ${cmp} $afterId))`,
      );
    }
    orderBy = `i.ingestedAt${dir}, i.id${dir}`;
  }
  const res = await db.query<{ image: unknown[] }>(
    'images.list',
    `MATCH (i:Image) ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
       RETURN ${IMAGE_COLUMNS.project('i')} AS image ORDER BY ${orderBy} LIMIT $limit`,
    {
      ...imageParams(where),
      afterId: after?.at(-1) ?? null,
      afterTime: order.field === 'INGESTED_AT' ? (after?.[0] ?? null) : null,
      limit: neo4j.int(first + 1),
    },
  );
  return page(
    res.records.map((r) => IMAGE_COLUMNS.read(r.get('image'))),
    first,
  );
}

export async function countImages(db: Database, where: ImagesWhere): Promise<number> {
  const conditions = imageConditions(where);
  const res = await db.query<{ n: number }>(
    'images.count',
    `MATCH (i:Image) ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} RETURN count(i) AS n`,
    imageParams(where),
  );
  return res.records[0]?.get('n') ?? 0;
}

// ---- objects in front of / behind X --------------------------------------------------------------

export interface SpatialMatchRow {
  object: ObjectRow;
  reference: ObjectRow;
  image: ImageRow;
  /** For matches along stored edges: the relation's id, score and source (its evidence is derived on demand). */
  match: { relationId: string; score: number | null; source: string } | null;
  /** For derived matches: the numbers the match was decided on. */
  derivedEvidence: Record<string, number> | null;
  /** In an ordered query: the row's key (what its cursor holds). */
  orderKey?: OrderedSpatialKey;
}

export interface SpatialQuery {
  direction: 'in front of' | 'behind';
  label: string;
  imageId?: string;
  /** When set, derive the relation from stored depth ranges instead of the stored edges. */
  minMargin?: number;
  /** Only returned objects with one of these (normalised) labels. */
  objectLabels?: string[];
  /** Only matches whose relation score is >= this (stored edges only). */
  minScore?: number;
  /** Only returned objects whose detection score is >= this. */
  minObjectScore?: number;
  first: number;
  /** Default order: the (reference id, object id) key; ordered: the OrderedSpatialKey. */
  after?: [string, string] | OrderedSpatialKey;
  /** Order other than the default (reference id, object id). */
  order?: SpatialOrder;
}

/**
 * Orders of a spatial query other than the default (reference id, object id): by the relation's score
 * or by the returned object's median depth (p50). Matches without the value (no score, no depth) come
 * last either way; ties by reference id, object id, source.
 */
export type SpatialOrder = { field: 'SCORE' | 'DEPTH'; direction: 'ASC' | 'DESC' };

/** Keyset of an ordered page: [missing (0/1), value (negated for DESC), reference id, object id, source]. */
export type OrderedSpatialKey = [number, number, string, string, string];

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
RETURN ${OBJECT_COLUMNS.project('a')} AS object, ${OBJECT_COLUMNS.project('x')} AS reference,
       ${IMAGE_COLUMNS.project('i')} AS image,`;

const OBJECT_FILTERS = `($objectLabels IS NULL OR a.label IN $objectLabels)
    AND ($minObjectScore IS NULL OR a.score >= $minObjectScore)`;

const COUNT_RETURN = 'RETURN count(*) AS n';

/**
 * Materialised: follows the stored IN_FRONT_OF edges into objects labelled X (A behind X: X's edge to
 * A), and the stored semantic relations of that predicate, with their source and score. The
 * relation's evidence is derived only when a client asks for it (SpatialEdgeResolver).
 */
/**
 * The matches of the materialised form per reference x, as (a, source, score); `paged`: only those
 * after the default-order cursor, in (object id, source) order.
 */
function materialisedMatches(byImage: boolean, direction: SpatialQuery['direction'], paged: boolean): string {
  const edge =
    direction === 'in front of' ? '(a:Object)-[r:IN_FRONT_OF]->(x)' : '(x)-[r:IN_FRONT_OF]->(a:Object)';
  return `${referenceScan(byImage)}
CALL {
  WITH x
  CALL {
    WITH x
    MATCH ${edge}
    RETURN a, 'GEOMETRY' AS source, r.score AS score
    UNION ALL
    WITH x
    MATCH (a:Object)-[r:${SEMANTIC_TYPE}]->(x)
    WHERE r.predicate = $predicate
    RETURN a, r.source AS source, r.score AS score
  }
  WITH a, source, score WHERE ${paged ? '(x.id > $afterRef OR a.id > $afterObj)\n    AND ' : ''}($minScore IS NULL OR score >= $minScore) AND ${OBJECT_FILTERS}
  RETURN a, source, score${paged ? ' ORDER BY a.id, source' : ''}
}`;
}

export function materialisedSpatialCypher(
  byImage: boolean,
  direction: SpatialQuery['direction'] = 'in front of',
  count = false,
): string {
  return `${materialisedMatches(byImage, direction, true)}
${
  count
    ? COUNT_RETURN
    : `WITH a, source, score, x LIMIT $limit
${SPATIAL_RETURN}
       source, score, null AS derivedEvidence`
}`;
}

/** The matches of the derived form per reference x, as (a, gap); `paged` as for materialisedMatches. */
function derivedMatches(byImage: boolean, paged: boolean): string {
  return `${referenceScan(byImage, ' AND x.depthP5 IS NOT NULL')}
CALL {
  WITH x
  MATCH (x)<-[:HAS_OBJECT]-(:Image)-[:HAS_OBJECT]->(a:Object)
  WHERE a <> x AND a.depthP5 IS NOT NULL${paged ? ' AND (x.id > $afterRef OR a.id > $afterObj)' : ''} AND ${OBJECT_FILTERS}
  WITH a, CASE WHEN $predicate = 'in front of' THEN x.depthP5 - a.depthP95 ELSE a.depthP5 - x.depthP95 END AS gap
  WHERE gap >= $minMargin
  RETURN a, gap${paged ? ' ORDER BY a.id' : ''}
}`;
}

const DERIVED_RETURN = `null AS source, null AS score, {gap: gap, minMargin: $minMargin, objectNear: a.depthP5, objectFar: a.depthP95,
       referenceNear: x.depthP5, referenceFar: x.depthP95} AS derivedEvidence`;

/**
 * Derived: compares stored depth ranges at query time. "A in front of X" iff X's near bound (p5) is at
 * least minMargin beyond A's far bound (p95), in the image's depth unit; "behind" mirrors it.
 */
export function derivedSpatialCypher(byImage: boolean, count = false): string {
  return `${derivedMatches(byImage, true)}
${
  count
    ? COUNT_RETURN
    : `WITH a, x, gap LIMIT $limit
${SPATIAL_RETURN}
       ${DERIVED_RETURN}`
}`;
}

/**
 * An ordered page: every match of the reference label (the same matches as the default order), sorted
 * by the key and cut after the cursor's key. Unlike the default order this reads every match before the
 * LIMIT, so a page costs what totalCount costs (all matches of label X), not O(page).
 */
export function orderedSpatialCypher(
  byImage: boolean,
  direction: SpatialQuery['direction'],
  derived: boolean,
  field: SpatialOrder['field'],
): string {
  if (derived && field === 'SCORE') throw new Error('a match decided at query time has no score to order by');
  const carried = derived ? 'a, x, gap' : 'a, source, score, x';
  const value = field === 'SCORE' ? 'score' : 'a.depthP50';
  return `${derived ? derivedMatches(byImage, false) : materialisedMatches(byImage, direction, false)}
WITH ${carried}, ${value} AS sortKey
WITH ${carried}, CASE WHEN sortKey IS NULL THEN 1 ELSE 0 END AS sortMissing,
     coalesce(CASE WHEN $descending THEN -sortKey ELSE sortKey END, 0.0) AS sortValue,
     ${derived ? "''" : 'source'} AS sortSource
WHERE $afterMissing IS NULL OR sortMissing > $afterMissing OR (sortMissing = $afterMissing AND (
  sortValue > $afterValue OR (sortValue = $afterValue AND (
    x.id > $afterKeyRef OR (x.id = $afterKeyRef AND (a.id > $afterKeyObj OR (a.id = $afterKeyObj AND sortSource > $afterSource)))))))
WITH ${carried}, sortMissing, sortValue, sortSource
ORDER BY sortMissing, sortValue, x.id, a.id, sortSource LIMIT $limit
${SPATIAL_RETURN}
       ${derived ? DERIVED_RETURN : 'source, score, null AS derivedEvidence'},
       [sortMissing, sortValue, x.id, a.id, sortSource] AS sortKey`;
}

/** The cross-image forms (the ones benchmarked). */
export const MATERIALISED_SPATIAL_CYPHER = materialisedSpatialCypher(false, 'in front of');
export const DERIVED_SPATIAL_CYPHER = derivedSpatialCypher(false);

function orderedKeyParams(key: OrderedSpatialKey | undefined): Record<string, unknown> {
  return {
    afterMissing: key ? neo4j.int(key[0]) : null,
    afterValue: key?.[1] ?? null,
    afterKeyRef: key?.[2] ?? null,
    afterKeyObj: key?.[3] ?? null,
    afterSource: key?.[4] ?? null,
  };
}

export function spatialParams(q: SpatialQuery): Record<string, unknown> {
  return {
    label: q.label,
    imageId: q.imageId ?? null,
    predicate: q.direction,
    minMargin: q.minMargin ?? null,
    objectLabels: q.objectLabels ?? null,
    minScore: q.minScore ?? null,
    minObjectScore: q.minObjectScore ?? null,
    afterRef: !q.order ? (q.after?.[0] ?? '') : '',
    afterObj: !q.order ? (q.after?.[1] ?? '') : '',
    ...orderedKeyParams(q.order ? (q.after as OrderedSpatialKey | undefined) : undefined),
    descending: q.order?.direction === 'DESC',
    limit: neo4j.int(q.first + 1),
  };
}

export async function spatialMatches(db: Database, q: SpatialQuery): Promise<Page<SpatialMatchRow>> {
  const byImage = q.imageId !== undefined;
  const cypher = q.order
    ? orderedSpatialCypher(byImage, q.direction, q.minMargin !== undefined, q.order.field)
    : q.minMargin === undefined
      ? materialisedSpatialCypher(byImage, q.direction)
      : derivedSpatialCypher(byImage);
  const res = await db.query<{
    object: unknown[];
    reference: unknown[];
    image: unknown[];
    source: string | null;
    score: number | null;
    derivedEvidence: Record<string, number> | null;
    sortKey?: OrderedSpatialKey;
  }>(`objects.${q.minMargin === undefined ? 'materialised' : 'derived'}`, cypher, spatialParams(q));
  return page(
    res.records.map((rec) => {
      // Field by field rather than `{ source, ...rest }`: object rest costs ~1.3 µs a row in V8.
      const object = OBJECT_COLUMNS.read(rec.get('object'));
      const reference = OBJECT_COLUMNS.read(rec.get('reference'));
      const source = rec.get('source');
      const match =
        source === null
          ? null
          : {
              relationId: relationId(object.id, q.direction, reference.id, source),
              score: rec.get('score'),
              source,
            };
      const row: SpatialMatchRow = {
        object,
        reference,
        image: IMAGE_COLUMNS.read(rec.get('image')),
        derivedEvidence: rec.get('derivedEvidence'),
        match,
      };
      // An ordered query returns every row's key (orderedSpatialCypher), an unordered one none.
      if (q.order) row.orderKey = rec.get('sortKey');
      return row;
    }),
    q.first,
  );
}

/** Matches of a spatial query in all pages (`after` and `first` ignored). */
export async function countSpatialMatches(
  db: Database,
  q: Omit<SpatialQuery, 'first' | 'after'>,
): Promise<number> {
  const byImage = q.imageId !== undefined;
  const cypher =
    q.minMargin === undefined
      ? materialisedSpatialCypher(byImage, q.direction, true)
      : derivedSpatialCypher(byImage, true);
  const res = await db.query<{ n: number }>('objects.count', cypher, spatialParams({ ...q, first: 0 }));
  return res.records[0]?.get('n') ?? 0;
}

// ---- relations ----------------------------------------------------------------------------------

export interface RelationsWhere {
  subject?: string;
  predicate?: string;
  object?: string;
  imageId?: string;
  source?: string;
  minScore?: number;
  /** CONFIRMED / REJECTED: the latest human review says so; UNREVIEWED: no review. */
  review?: 'CONFIRMED' | 'REJECTED' | 'UNREVIEWED';
}

/**
 * Images derived per `relations` request at most. Relations are derived image by image in id order
 * (relation ids start with the image id, so that is id order overall); a page that has not filled up
 * after this many images ends early, with a cursor that resumes after the last image looked at.
 */
export const RELATION_SCAN_IMAGES = 2000;
const SCAN_BATCH = 50;

/** Image ids in id order from `from` on (inclusive) that can hold a match: they have the labels asked for. */
export function candidateImagesQuery(where: RelationsWhere): string {
  if (where.imageId !== undefined) {
    return 'MATCH (i:Image {id: $imageId}) WHERE i.id >= $from RETURN i.id AS id LIMIT $limit';
  }
  const label = where.subject ?? where.object;
  if (label === undefined) {
    return 'MATCH (i:Image) WHERE i.id >= $from RETURN i.id AS id ORDER BY i.id LIMIT $limit';
  }
  const other = where.subject !== undefined && where.object !== undefined ? where.object : undefined;
  // Object ids start with their image's id, so the (label, id) index yields images in id order.
  return `MATCH (x:Object)
USING INDEX x:Object(label, id)
WHERE x.label = $first AND x.id >= $from
WITH x ORDER BY x.label, x.id
WITH DISTINCT x.imageId AS id
${other !== undefined ? 'WHERE EXISTS { (:Image {id: id})-[:HAS_OBJECT]->(:Object {label: $second}) }' : ''}
RETURN id LIMIT $limit`;
}

function relationMatches(where: RelationsWhere, labels: Map<string, string>) {
  return (r: RelationRow): boolean =>
    (where.subject === undefined || labels.get(r.subjectId) === where.subject) &&
    (where.object === undefined || labels.get(r.objectId) === where.object) &&
    (where.predicate === undefined || r.predicate === where.predicate) &&
    (where.source === undefined || r.source === where.source) &&
    (where.minScore === undefined || (r.score !== null && r.score >= where.minScore)) &&
    (where.review === undefined || (r.review?.verdict ?? 'UNREVIEWED') === where.review);
}

export async function listRelations(
  db: Database,
  where: RelationsWhere,
  first: number,
  after?: [string],
): Promise<
  Page<{ relation: RelationRow; subject: ObjectRow; object: ObjectRow }> & { resumeAfter?: string }
> {
  const afterId = after?.[0] ?? '';
  let from = afterId === '' ? '' : imageIdOfObject(afterId);
  const found: RelationRow[] = [];
  let scanned = 0;
  let exhausted = false;
  let lastImage: string | undefined;
  while (found.length <= first && scanned < RELATION_SCAN_IMAGES) {
    const batch = Math.min(SCAN_BATCH, RELATION_SCAN_IMAGES - scanned);
    const res = await db.read('relations.candidates', (tx) =>
      tx.run<{ id: string }>(candidateImagesQuery(where), {
        from,
        imageId: where.imageId ?? null,
        first: where.subject ?? where.object ?? null,
        second: where.object ?? null,
        limit: neo4j.int(batch),
      }),
    );
    const ids = res.records.map((r) => r.get('id'));
    if (ids.length === 0) {
      exhausted = true;
      break;
    }
    const inputs = await loadDerivationInputs(db, ids);
    for (const id of ids) {
      const input = inputs.get(id);
      if (!input) continue;
      const labels = new Map(input.objects.map((o) => [o.id, o.label]));
      const keep = relationMatches(where, labels);
      for (const r of deriveImageRelations(input, { deferEvidence: true }))
        if (r.id > afterId && keep(r)) found.push(r);
    }
    scanned += ids.length;
    lastImage = ids[ids.length - 1];
    if (ids.length < batch) {
      exhausted = true;
      break;
    }
    from = `${lastImage};`; // just after every id of lastImage's objects (':' < ';')
  }
  const rows = found.slice(0, first).map(withEvidence);
  const objects = await objectsByIds(
    db,
    rows.flatMap((r) => [r.subjectId, r.objectId]),
  );
  const out = rows.map((relation) => ({
    relation,
    subject: objects.get(relation.subjectId)!,
    object: objects.get(relation.objectId)!,
  }));
  if (found.length > first || exhausted) return { rows: out, hasNextPage: found.length > first };
  // The scan bound was reached before the page filled: resume after the last image looked at.
  return { rows: out, hasNextPage: true, resumeAfter: `${lastImage}:\uffff` };
}

/**
 * Relations matching `where` in all pages, or null when more than RELATION_SCAN_IMAGES candidate
 * images would have to be derived to count them (the same bound as a page).
 */
export async function countRelations(db: Database, where: RelationsWhere): Promise<number | null> {
  let from = '';
  let scanned = 0;
  let n = 0;
  while (scanned < RELATION_SCAN_IMAGES) {
    const batch = Math.min(SCAN_BATCH, RELATION_SCAN_IMAGES - scanned);
    const res = await db.read('relations.candidates', (tx) =>
      tx.run<{ id: string }>(candidateImagesQuery(where), {
        from,
        imageId: where.imageId ?? null,
        first: where.subject ?? where.object ?? null,
        second: where.object ?? null,
        limit: neo4j.int(batch),
      }),
    );
    const ids = res.records.map((r) => r.get('id'));
    const inputs = await loadDerivationInputs(db, ids);
    for (const input of inputs.values()) {
      const keep = relationMatches(where, new Map(input.objects.map((o) => [o.id, o.label])));
      n += deriveImageRelations(input, { deferEvidence: true }).filter(keep).length;
    }
    scanned += ids.length;
    if (ids.length < batch) return n;
    from = `${ids[ids.length - 1]};`;
  }
  // Exactly at the bound: one more candidate decides whether the count is complete.
  const more = await db.read('relations.candidates', (tx) =>
    tx.run<{ id: string }>(candidateImagesQuery(where), {
      from,
      imageId: where.imageId ?? null,
      first: where.subject ?? where.object ?? null,
      second: where.object ?? null,
      limit: neo4j.int(1),
    }),
  );
  return more.records.length === 0 ? n : null;
}

// ---- triplet-pattern image search -----------------------------------------------------------------

export { MATCHES_PER_PATTERN, type TripletPattern } from './patternJoin';

export interface SearchRow {
  image: ImageRow;
  score: number;
  /**
   * Why the image matched, in pattern order. Absent where ranking did not need them (patterns without
   * variables, every predicate stored: the rank is read from the edges): `searchMatches` derives them
   * for the images that are read, so a client that does not ask for them does not pay for them.
   */
  matches?: RelationRow[];
  /** Variable -> object id of the best binding (empty without variables). */
  bindings: Map<string, string>;
}

/**
 * Candidate images derived per search at most when a pattern needs derivation (near, far, or no
 * predicate): such patterns are checked by the engine image by image. Stored predicates (in front of,
 * on, left of, ... and their inverses) and semantic ones are answered from the edges and need no limit.
 */
export const SEARCH_DERIVE_MAX_IMAGES = 5000;

/** A pattern the edges answer: a stored geometric predicate or its inverse, or a semantic predicate. */
function fromEdges(p: TripletPattern): boolean {
  return (
    p.predicate !== undefined && (edgeFor(p.predicate) !== undefined || !isCanonicalPredicate(p.predicate))
  );
}

/**
 * Rows (imageId, score) of the relations matching pattern i: the typed edge (read backwards for an
 * inverse predicate, either way for beside) and the semantic relations of that predicate. A typed
 * edge carries its pair key (k: the relationship index of each type) and is found by it, or by the key
 * range of its subject's label; with only the object's label the match starts from the object label
 * index instead. Semantic edges carry both labels (sl, ol: the relation_pattern index).
 */
function patternRows(p: TripletPattern, i: number, withinImage: boolean, rows = false): string {
  const P = `$patterns[${i}]`;
  const inImage = withinImage ? '(:Image {id: imageId})-[:HAS_OBJECT]->' : '';
  // rows: each matching relation's ends, score and source (the TypeScript join's input).
  const rowsOf = (source: string) => `RETURN s.id AS sid, o.id AS oid, r.score AS score, ${source} AS source`;
  const ret = rows
    ? rowsOf("'GEOMETRY'")
    : withinImage
      ? 'RETURN r.score AS score'
      : 'RETURN s.imageId AS imageId, r.score AS score';
  const semanticWhere = [`r.predicate = ${P}.predicate`];
  if (p.source !== undefined) semanticWhere.push(`r.source = ${P}.source`);
  if (p.minScore !== undefined) semanticWhere.push(`r.score >= ${P}.minScore`);
  if (p.subject !== undefined) semanticWhere.push(`r.sl = ${P}.subject`);
  if (p.object !== undefined) semanticWhere.push(`r.ol = ${P}.object`);
  const parts: string[] = [];
  const edge = p.predicate !== undefined ? edgeFor(p.predicate) : undefined;
  if (edge && (p.source === undefined || p.source === 'GEOMETRY')) {
    // Edge direction: subject -> object, or object -> subject for an inverse predicate.
    const [from, to] = edge.reversed ? ['o', 's'] : ['s', 'o'];
    const fromLabel = edge.reversed ? p.object : p.subject;
    const toLabel = edge.reversed ? p.subject : p.object;
    const fromParam = edge.reversed ? `${P}.object` : `${P}.subject`;
    const toParam = edge.reversed ? `${P}.subject` : `${P}.object`;
    const directions = edge.symmetric ? [false, true] : [false];
    for (const flip of directions) {
      const [a, b, aLabel, bLabel, aParam, bParam] = flip
        ? [to, from, toLabel, fromLabel, toParam, fromParam]
        : [from, to, fromLabel, toLabel, fromParam, toParam];
      // The pair key finds the edges through the index (all edges of a's label: a range of keys);
      // the labels on the objects are compared too, since two labels may share a key.
      const aIsSubject = aParam === `${P}.subject`;
      const labels: string[] = [];
      if (aLabel !== undefined) labels.push(`${a}.label = ${aParam}`);
      if (bLabel !== undefined) labels.push(`${b}.label = ${bParam}`);
      const min = p.minScore !== undefined ? [`r.score >= ${P}.minScore`] : [];
      if (!withinImage && aLabel !== undefined) {
        // The (k, score) index holds only edges with a score; those without one are read in the
        // images that have any (Image.unscoredEdges), unless minScore rules them out anyway.
        const key =
          bLabel !== undefined
            ? `r.k = ${P}.${aIsSubject ? 'keySO' : 'keyOS'}`
            : `r.k >= ${P}.${aIsSubject ? 'fromS' : 'fromO'} AND r.k < ${P}.${aIsSubject ? 'toS' : 'toO'}`;
        parts.push(`MATCH (${a}:Object)-[r:${edge.type}]->(${b}:Object) WHERE ${[key, 'r.score IS NOT NULL', ...labels, ...min].join(' AND ')}
    ${ret}`);
        if (p.minScore === undefined) {
          parts.push(`MATCH (i:Image) WHERE i.unscoredEdges > 0
    MATCH (i)-[:HAS_OBJECT]->(${a}:Object)-[r:${edge.type}]->(${b}:Object) WHERE ${['r.score IS NULL', ...labels].join(' AND ')}
    ${ret}`);
        }
        continue;
      }
      const where = [...labels, ...min];
      const start = withinImage ? `${inImage}(${a}:Object)` : `(${a}:Object)`;
      const match =
        !withinImage && aLabel === undefined && bLabel !== undefined
          ? `MATCH (${a}:Object)-[r:${edge.type}]->(${b}:Object {label: ${bParam}})`
          : `MATCH ${start}-[r:${edge.type}]->(${b}:Object)`;
      parts.push(`${match}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
    ${ret}`);
    }
  }
  if (p.source !== 'GEOMETRY') {
    parts.push(`MATCH ${inImage}(s:Object)-[r:${SEMANTIC_TYPE}]->(o:Object) WHERE ${semanticWhere.join(' AND ')}
    ${rows ? rowsOf('r.source') : ret}`);
  }
  // Nothing can match (e.g. source GEOMETRY with a semantic predicate): a branch with no rows.
  if (parts.length === 0) {
    parts.push(`UNWIND [] AS r\n    ${ret.replace(/[rso]\.(imageId|score|id)|'GEOMETRY'/g, 'null')}`);
  }
  return parts.join('\n    UNION ALL\n    ');
}

/**
 * All-edges search: the first pattern finds the candidate images (through the edge index), each further
 * pattern is checked inside them. Ranking as before: an image's score is the sum over the patterns of
 * the best score among its relations matching the pattern (a relation without a score counts as 1);
 * ties go to the smaller image id.
 */
function searchImagesBody(patterns: TripletPattern[]): string {
  const first = `CALL {
    ${patternRows(patterns[0], 0, false)}
}
WITH imageId, max(coalesce(score, 1.0)) AS sc0`;
  const rest = patterns.slice(1).map((p, k) => withinImageScore(p, k + 1));
  return `${first}
${rest.join('\n')}
WITH imageId, ${scoreSum(patterns)} AS score`;
}

/** Pattern i's score sc<i> inside the image imageId (rows without a match dropped), sc0..sc<i-1> carried. */
function withinImageScore(
  p: TripletPattern,
  i: number,
  carried = Array.from({ length: i + 1 }, (_, j) => `sc${j}`).join(', '),
): string {
  return `CALL {
  WITH imageId
  CALL {
    WITH imageId
    ${patternRows(p, i, true).replace(/UNION ALL\n {4}/g, 'UNION ALL\n    WITH imageId\n    ')}
  }
  RETURN max(coalesce(score, 1.0)) AS sc${i}
}
WITH imageId, ${carried} WHERE sc${i} IS NOT NULL`;
}

/** An image's score: its patterns' scores summed in pattern order (upperBound in topK.ts sums in the same order). */
const scoreSum = (patterns: TripletPattern[]): string => patterns.map((_, j) => `sc${j}`).join(' + ');

export function searchImagesQuery(patterns: TripletPattern[]): string {
  return `${searchImagesBody(patterns)}
WHERE $afterScore IS NULL OR score < $afterScore OR (score = $afterScore AND imageId > $afterId)
WITH imageId, score ORDER BY score DESC, imageId LIMIT $limit
MATCH (i:Image {id: imageId})
RETURN ${IMAGE_COLUMNS.project('i')} AS image, score`;
}

/** The images in which every pattern holds, each on its own (variables ignored): the candidates of a bound search. */
export function searchCandidatesQuery(patterns: TripletPattern[]): string {
  return `${searchImagesBody(patterns)}
RETURN imageId AS id ORDER BY id LIMIT $limit`;
}

/** Pattern i's matching relations in each of the images $ids, from the edges: the input of a bound join. */
export function patternRowsQuery(p: TripletPattern, i: number): string {
  return `UNWIND $ids AS imageId
CALL {
  WITH imageId
  ${patternRows(p, i, true, true).replace(/UNION ALL\n {4}/g, 'UNION ALL\n    WITH imageId\n    ')}
}
RETURN imageId, sid, oid, score, source`;
}

/** How many images the all-edges search finds (the connection's totalCount). */
export function searchCountQuery(patterns: TripletPattern[]): string {
  return `${searchImagesBody(patterns)}
RETURN count(*) AS n`;
}

/** The $patterns parameter of the search queries (labels, predicate, source, and the pair keys of relationModel.ts). */
export function patternParams(patterns: TripletPattern[]) {
  const int = (n: number | undefined) => (n === undefined ? null : neo4j.int(n));
  return patterns.map((p) => {
    const [fromS, toS] = p.subject !== undefined ? pairKeyRange(p.subject) : [];
    const [fromO, toO] = p.object !== undefined ? pairKeyRange(p.object) : [];
    const both = p.subject !== undefined && p.object !== undefined;
    return {
      subject: p.subject ?? null,
      predicate: p.predicate ?? null,
      object: p.object ?? null,
      source: p.source ?? null,
      minScore: p.minScore ?? null,
      // Pair keys of the typed edges (relationModel.ts): subject -> object, object -> subject (an
      // inverse predicate), and the key ranges of each label.
      keySO: both ? neo4j.int(pairKey(p.subject!, p.object!)) : null,
      keyOS: both ? neo4j.int(pairKey(p.object!, p.subject!)) : null,
      fromS: int(fromS),
      toS: int(toS),
      fromO: int(fromO),
      toO: int(toO),
    };
  });
}

/**
 * Can a relation between objects labelled a and b (either way) match one of the patterns? Only such
 * pairs are derived for a search: the join reads no other relation.
 */
export function patternsMayJoin(patterns: readonly TripletPattern[], a: string, b: string): boolean {
  const fits = (p: TripletPattern, s: string, o: string) =>
    (p.subject === undefined || p.subject === s) && (p.object === undefined || p.object === o);
  return patterns.some((p) => fits(p, a, b) || fits(p, b, a));
}

interface ScoredImage extends JoinResult {
  imageId: string;
}

/** Scores, matches and bindings of the patterns in one image from its derived relations; undefined if they fail. */
function scoreImage(input: DerivationInput, patterns: TripletPattern[]): ScoredImage | undefined {
  const labels = new Map(input.objects.map((o) => [o.id, o.label]));
  const matchers = patterns.map((p) => matchesPattern(p, labels));
  const relations = deriveImageRelations(input, {
    keepLabels: (a, b) => patternsMayJoin(patterns, a, b),
    keepRow: (r) => matchers.some((m) => m(r)),
    // every pattern names its predicate: the engine emits only those
    ...(patterns.every((p) => p.predicate !== undefined)
      ? { predicates: new Set(patterns.map((p) => p.predicate!)) }
      : {}),
    deferEvidence: true,
  });
  const joined = joinHits(
    input.imageId,
    matchers.map((m) => relations.filter(m)),
    patterns,
  );
  return joined && { imageId: input.imageId, ...joined, matches: joined.matches.map(withEvidence) };
}

/** Images holding every label the patterns name (the candidates of a search that needs derivation). */
function labelCandidatesQuery(labels: string[]): string {
  if (labels.length === 0) return 'MATCH (i:Image) RETURN i.id AS id ORDER BY i.id LIMIT $limit';
  const [head, ...tail] = labels.map((_, k) => `$labels[${k}]`);
  return `MATCH (x:Object {label: ${head}})
WITH DISTINCT x.imageId AS id
${tail.map((l) => `WHERE EXISTS { (:Image {id: id})-[:HAS_OBJECT]->(:Object {label: ${l}}) }`).join('\nWITH id\n')}
RETURN id ORDER BY id LIMIT $limit`;
}

// ---- top-k search (threshold algorithm) ---------------------------------------------------------

/**
 * Images scored in full per top-k search at most (searchImagesTopK). A search that has not decided its
 * page after scoring this many images (a deep cursor, or patterns whose scores barely tell the images
 * apart) falls back to ranking every candidate (searchImagesQuery): the same page, at that query's cost.
 */
export const SEARCH_TOPK_MAX_IMAGES = 5000;
/**
 * Sizes of the top-k search's reads: driving edges in the first chunk (each further chunk doubles, up
 * to maxChunk), and the edges of one driving score whose images are read in id order from the (k,
 * score) index at most (tieGroup; a larger group is met through the subject label's index instead).
 * Reading a group costs about 7.5 µs per edge whatever the page needs, walking the label costs about
 * 35 µs per object walked, and a group this large is dense enough among its label's objects for a
 * short walk (measured on the 100,000-image benchmark store). Tests pass small ones to reach every path on a small store.
 */
export const TOPK_READS = { firstChunk: 64, maxChunk: 1024, tieGroup: 8192 };
/** Driving edges counted per candidate driving pattern at most, to pick the most selective one. */
const TOPK_SELECTIVITY_SAMPLE = 1000;

/** One direction of a driving pattern's typed edges: the pair key and the labels at the edge's start and end. */
interface DriverBranch {
  k: number;
  from: string;
  to: string;
}

/**
 * The typed edges of a pattern that can drive a top-k search, or undefined: both labels given (one pair
 * key per direction, whose edges the (k, score) index yields in score order) and only the typed edges
 * asked for or the semantic ones besides (source unset or GEOMETRY). Inverse predicates read the edge
 * backwards; beside (symmetric) both directions, one when both labels are the same.
 */
export function driverBranches(p: TripletPattern): DriverBranch[] | undefined {
  if (p.subject === undefined || p.object === undefined || p.predicate === undefined) return undefined;
  if (p.source !== undefined && p.source !== 'GEOMETRY') return undefined;
  const edge = edgeFor(p.predicate);
  if (!edge) return undefined;
  const [from, to] = edge.reversed ? [p.object, p.subject] : [p.subject, p.object];
  const directions =
    edge.symmetric && from !== to
      ? [
          [from, to],
          [to, from],
        ]
      : [[from, to]];
  return directions.map(([f, t]) => ({ k: pairKey(f, t), from: f, to: t }));
}

/** How a chunk of driving edges is cut: all, or below the score $below. */
type ChunkBound = 'none' | 'lt';

const CHUNK_CONDITION: Record<ChunkBound, string> = {
  none: 'r.score IS NOT NULL',
  lt: 'r.score < $below',
};

/**
 * Up to $limit driving edges in descending score order, each with its image. Each branch seeks the
 * (k, score) index for its key, which yields the edges in score order, so a branch stops after $limit
 * index entries; the labels are compared too (two labels may share a key).
 */
export function driverEdgesQuery(
  type: string,
  branches: number,
  bound: ChunkBound,
  minScore: boolean,
): string {
  const parts = Array.from(
    { length: branches },
    (_, n) => `MATCH (a:Object)-[r:${type}]->(b:Object)
    USING INDEX r:${type}(k, score)
    WHERE r.k = $branches[${n}].k AND ${CHUNK_CONDITION[bound]}${minScore ? ' AND r.score >= $minScore' : ''}
      AND a.label = $branches[${n}].from AND b.label = $branches[${n}].to
    WITH a, r ORDER BY r.k DESC, r.score DESC LIMIT $limit
    RETURN a.imageId AS imageId, r.score AS score`,
  );
  return `CALL {
    ${parts.join('\n    UNION ALL\n    ')}
}
RETURN imageId, score ORDER BY score DESC LIMIT $limit`;
}

/**
 * The driving pattern's edges seen from its subject object, one arrow per branch (driverBranches'
 * order): forwards, backwards (an inverse predicate; beside's second direction), or either way (beside
 * with one label on both ends).
 */
export function driverArrows(p: TripletPattern): Arrow[] {
  const edge = edgeFor(p.predicate!)!;
  const branches = driverBranches(p)!;
  if (edge.symmetric) return branches.length === 1 ? ['-'] : ['->', '<-'];
  return [edge.reversed ? '<-' : '->'];
}

type Arrow = '->' | '<-' | '-';

/**
 * Objects labelled $subject after $afterObject, in id order (the (label, id) index, hence in image id
 * order), with a driving edge of score exactly $score to an object labelled $object: the images of a
 * tie group in id order.
 */
export function tieGroupQuery(type: string, arrows: Arrow[]): string {
  const exists = arrows.map((arrow, n) => {
    const [l, r] = arrow === '->' ? ['-', '->'] : arrow === '<-' ? ['<-', '-'] : ['-', '-'];
    // Compared as a pair, which no index answers: the planner expands a's few edges, where a seek of
    // the (k, score) index would read the whole group for every object.
    return `EXISTS { MATCH (a)${l}[r:${type}]${r}(b:Object) WHERE [r.k, r.score] = [$branches[${n}].k, $score] AND b.label = $object }`;
  });
  return `MATCH (a:Object)
USING INDEX a:Object(label, id)
WHERE a.label = $subject AND a.id > $afterObject
WITH a ORDER BY a.label, a.id
WHERE ${exists.join('\n   OR ')}
RETURN a.imageId AS imageId, a.id AS objectId LIMIT $limit`;
}

/** How many driving edges score exactly $score (index entries only, up to $limit): the tie group's size. */
export function tieGroupSizeQuery(type: string, branches: number): string {
  const parts = Array.from(
    { length: branches },
    (_, n) => `MATCH ()-[r:${type}]->()
    USING INDEX r:${type}(k, score)
    WHERE r.k = $branches[${n}].k AND r.score = $score
    WITH r LIMIT $limit
    RETURN count(r) AS n`,
  );
  return `CALL {
    ${parts.join('\n    UNION ALL\n    ')}
}
RETURN sum(n) AS n`;
}

/**
 * The images with a driving edge of score exactly $score, in id order, up to $limit: a tie group whole,
 * from the (k, score) index (in edge order, hence the sort). One record holding the list (collect keeps
 * the sorted order): thousands of one-id records cost more to send and decode than the read itself.
 */
export function tieImagesQuery(type: string, branches: number): string {
  const parts = Array.from(
    { length: branches },
    (_, n) => `MATCH (a:Object)-[r:${type}]->(b:Object)
    USING INDEX r:${type}(k, score)
    WHERE r.k = $branches[${n}].k AND r.score = $score
      AND a.label = $branches[${n}].from AND b.label = $branches[${n}].to
    RETURN DISTINCT a.imageId AS imageId`,
  );
  return `CALL {
    ${parts.join('\n    UNION\n    ')}
}
WITH imageId ORDER BY imageId LIMIT $limit
RETURN collect(imageId) AS imageIds`;
}

/** The highest score among a pattern's typed edges of the given keys (labels not compared: a bound may be high). */
export function typedMaxQuery(type: string, branches: number): string {
  const parts = Array.from(
    { length: branches },
    (_, n) => `MATCH ()-[r:${type}]->()
    USING INDEX r:${type}(k, score)
    WHERE r.k = $branches[${n}].k AND r.score IS NOT NULL
    WITH r ORDER BY r.k DESC, r.score DESC LIMIT 1
    RETURN r.score AS score`,
  );
  return `CALL {
    ${parts.join('\n    UNION ALL\n    ')}
}
RETURN max(score) AS m`;
}

/**
 * Conditions on a RELATION edge r for one pattern, as patternRows compares them, with the pattern's
 * parts as plain parameters (semanticParams), which lets the planner seek the relation_pattern index.
 */
function semanticConditions(p: TripletPattern): string {
  return [
    'r.predicate = $predicate',
    ...(p.source !== undefined ? ['r.source = $source'] : []),
    ...(p.minScore !== undefined ? ['r.score >= $minScore'] : []),
    ...(p.subject !== undefined ? ['r.sl = $subject'] : []),
    ...(p.object !== undefined ? ['r.ol = $object'] : []),
  ].join(' AND ');
}

function semanticParams(p: TripletPattern): Record<string, unknown> {
  return {
    predicate: p.predicate,
    source: p.source ?? null,
    minScore: p.minScore ?? null,
    subject: p.subject ?? null,
    object: p.object ?? null,
  };
}

/** The highest score among a pattern's semantic relations (null counts 1), and how many were read (at most $limit). */
export function semanticMaxQuery(p: TripletPattern): string {
  return `MATCH ()-[r:${SEMANTIC_TYPE}]->() WHERE ${semanticConditions(p)}
WITH r LIMIT $limit
RETURN max(coalesce(r.score, 1.0)) AS m, count(r) AS n`;
}

/**
 * The images to score before the driving list (at most $limit): those with typed edges without a
 * score (Image.unscoredEdges), and, when the driving pattern takes semantic relations too, those
 * holding one of it.
 */
export function firstImagesQuery(driver: TripletPattern): string {
  const semantic =
    driver.source === undefined
      ? `
  UNION
  MATCH (s:Object)-[r:${SEMANTIC_TYPE}]->(:Object) WHERE ${semanticConditions(driver)}
  RETURN s.imageId AS imageId`
      : '';
  return `CALL {
  MATCH (i:Image) WHERE i.unscoredEdges > 0
  RETURN i.id AS imageId${semantic}
}
RETURN imageId LIMIT $limit`;
}

/** The score of each image of $ids in which every pattern holds (searchImagesBody's checks, inside the images). */
export function scoreImagesQuery(patterns: TripletPattern[], known?: number): string {
  // `known`: that pattern's score comes with each image ($rows: {id, score}) instead of being computed.
  const carried: string[] = known === undefined ? [] : [`sc${known}`];
  const checks = patterns.flatMap((p, i) => {
    if (i === known) return [];
    carried.push(`sc${i}`);
    return [withinImageScore(p, i, carried.join(', '))];
  });
  return `UNWIND $rows AS row
WITH row.id AS imageId${known === undefined ? '' : `, row.score AS sc${known}`}
${checks.join('\n')}
MATCH (i:Image {id: imageId})
RETURN imageId, ${scoreSum(patterns)} AS score, ${IMAGE_COLUMNS.project('i')} AS image`;
}

/** Relation scores lie in [0, 1] (validated at input; the engine's are) and a missing one counts 1. */
const MAX_RELATION_SCORE = 1;

export interface TopKResult {
  /** The page and one more row, as searchImagesQuery returns them. */
  rows: { image: ImageRow; score: number }[];
  /** Images scored in full to decide it. */
  visited: number;
}

/**
 * The first+1 images of searchImagesQuery's page without ranking every candidate: the threshold
 * algorithm (topK.ts). The most selective pattern with both labels and typed edges drives: its edges
 * are read in descending score order, in chunks through the (k, score) index; every image met is scored
 * in full (scoreImagesQuery); the search stops once the page is full and no image not met can beat its
 * last row (pageDecided). The other patterns' bounds are their maxima: one index seek per key for a
 * pattern with both labels, MAX_RELATION_SCORE otherwise; semantic relations of a pattern count in its
 * maximum, and the images holding the driving pattern's semantic relations, or typed edges without a
 * score (Image.unscoredEdges), are scored first: the index order and maxima leave those out.
 *
 * Returns undefined when the search must rank every candidate instead (searchImagesQuery): no pattern can
 * drive, or the page is not decided within SEARCH_TOPK_MAX_IMAGES images.
 */
export async function searchImagesTopK(
  db: Pick<Database, 'read'>,
  patterns: TripletPattern[],
  first: number,
  after?: [number, string],
  reads: typeof TOPK_READS = TOPK_READS,
): Promise<TopKResult | undefined> {
  const drivers = patterns.flatMap((p, i) => {
    const branches = driverBranches(p);
    return branches ? [{ i, branches, type: edgeFor(p.predicate!)!.type }] : [];
  });
  if (drivers.length === 0) return undefined;
  const params = patternParams(patterns);
  const need = first + 1;
  return db.read('images.search.topk', async (tx) => {
    const branchParams = (branches: DriverBranch[]) =>
      branches.map((b) => ({ k: neo4j.int(b.k), from: b.from, to: b.to }));
    // The driving pattern: the one with the fewest edges (counted up to a sample).
    let driver = drivers[0];
    if (drivers.length > 1) {
      let fewest = Infinity;
      for (const d of drivers) {
        const res = await tx.run<{ n: number }>(
          `CALL { ${driverEdgesQuery(d.type, d.branches.length, 'none', false)} } RETURN count(*) AS n`,
          { branches: branchParams(d.branches), limit: neo4j.int(TOPK_SELECTIVITY_SAMPLE) },
        );
        const n = res.records[0]?.get('n') ?? 0;
        if (n < fewest) [fewest, driver] = [n, d];
      }
    }
    // Every other pattern's bound: the most any image can score for it.
    const maxima: number[] = [];
    for (const [j, p] of patterns.entries()) {
      if (j === driver.i) {
        maxima.push(0);
        continue;
      }
      let m = -Infinity;
      const edge = edgeFor(p.predicate!);
      if (edge && (p.source === undefined || p.source === 'GEOMETRY')) {
        const branches = driverBranches(p);
        if (!branches) m = MAX_RELATION_SCORE;
        else {
          const res = await tx.run<{ m: number | null }>(typedMaxQuery(edge.type, branches.length), {
            branches: branchParams(branches),
          });
          m = res.records[0]?.get('m') ?? -Infinity;
        }
      }
      if (p.source !== 'GEOMETRY' && m < MAX_RELATION_SCORE) {
        const res = await tx.run<{ m: number | null; n: number }>(semanticMaxQuery(p), {
          ...semanticParams(p),
          limit: neo4j.int(SEARCH_TOPK_MAX_IMAGES),
        });
        const rec = res.records[0];
        if (rec && rec.get('n') >= SEARCH_TOPK_MAX_IMAGES) m = MAX_RELATION_SCORE;
        else if (rec && rec.get('m') !== null) m = Math.max(m, rec.get('m')!);
      }
      maxima.push(m);
    }

    const visited = new Set<string>();
    const ranked: RankedImage[] = [];
    /** Scores the images not met yet; false when that would pass the visit cap. */
    const images = new Map<string, ImageRow>();
    /**
     * Scores the images not met yet; false when that would pass the visit cap. From the driving list,
     * an image's driving score is known (`known`): the first, hence best, of its edges met, since the
     * images with semantic or unscored driving relations are scored in full before the list.
     */
    const visit = async (rows: RankedImage[], known: boolean): Promise<boolean> => {
      const fresh = new Map<string, number>();
      for (const r of rows)
        if (!visited.has(r.imageId) && !fresh.has(r.imageId)) fresh.set(r.imageId, r.score);
      if (visited.size + fresh.size > SEARCH_TOPK_MAX_IMAGES) return false;
      if (fresh.size === 0) return true;
      for (const id of fresh.keys()) visited.add(id);
      const res = await tx.run<RankedImage & { image: unknown[] }>(
        scoreImagesQuery(patterns, known ? driver.i : undefined),
        { rows: [...fresh].map(([id, score]) => ({ id, score })), patterns: params },
      );
      for (const r of res.records) {
        const row = { imageId: r.get('imageId'), score: r.get('score') };
        if (afterCursor(row, after)) {
          ranked.push(row);
          images.set(row.imageId, IMAGE_COLUMNS.read(r.get('image')));
        }
      }
      ranked.sort(byRank);
      return true;
    };

    // Typed edges without a score (counting 1) are in no (k, score) index, so neither in the driving
    // list nor in the maxima, and the driving pattern's semantic relations are not in its list: the
    // images holding any are scored first.
    const dp = patterns[driver.i];
    const firstImages = await tx.run<{ imageId: string }>(firstImagesQuery(dp), {
      ...semanticParams(dp),
      limit: neo4j.int(SEARCH_TOPK_MAX_IMAGES + 1),
    });
    if (
      !(await visit(
        firstImages.records.map((r) => ({ imageId: r.get('imageId'), score: 0 })),
        false,
      ))
    )
      return undefined;
    const result = (): TopKResult => ({
      rows: ranked.slice(0, need).map((r) => ({ image: images.get(r.imageId)!, score: r.score })),
      visited: visited.size,
    });
    // A pattern with neither a scored edge nor a semantic relation anywhere holds only in the images
    // just scored (through edges without a score), if at all.
    if (maxima.includes(-Infinity)) return result();
    const chunkParams = {
      branches: branchParams(driver.branches),
      minScore: dp.minScore ?? null,
    };
    const minScore = dp.minScore !== undefined;
    /**
     * Meets the images whose best driving edge scores `score` in image id order, a batch at a time
     * (each batch doubles): from the (k, score) index sorted by image id when the group has at most
     * reads.tieGroup edges, otherwise through the subject label's (label, id) index (object ids start
     * with their image's id), until the page is decided (true), the group is exhausted without
     * deciding it (false), or the visit cap is reached (undefined).
     */
    const meetTieGroup = async (score: number, later: number | null): Promise<boolean | undefined> => {
      const size = await tx.run<{ n: number }>(tieGroupSizeQuery(driver.type, driver.branches.length), {
        branches: chunkParams.branches,
        score,
        limit: neo4j.int(reads.tieGroup + 1),
      });
      const whole = (size.records[0]?.get('n') ?? 0) <= reads.tieGroup;
      /** A group read whole: its images not met yet. */
      let rest: string[] | undefined;
      /** The next images of the group after `cursor` (an image id, or an object id for the walk). */
      const next = async (cursor: string, limit: number): Promise<{ imageIds: string[]; cursor: string }> => {
        if (whole) {
          // The whole group in one read (any read of it costs the whole group: the sort), served a
          // batch at a time.
          if (!rest) {
            const res = await tx.run<{ imageIds: string[] }>(
              tieImagesQuery(driver.type, driver.branches.length),
              { branches: chunkParams.branches, score, limit: neo4j.int(reads.tieGroup + 1) },
            );
            rest = [...(res.records[0]?.get('imageIds') ?? [])];
          }
          const imageIds = rest.splice(0, limit);
          return { imageIds, cursor: imageIds[imageIds.length - 1] ?? cursor };
        }
        const res = await tx.run<{ imageId: string; objectId: string }>(
          tieGroupQuery(driver.type, driverArrows(dp)),
          {
            ...chunkParams,
            subject: dp.subject,
            object: dp.object,
            score,
            afterObject: cursor,
            limit: neo4j.int(limit),
          },
        );
        const rows = res.records;
        return {
          imageIds: rows.map((r) => r.get('imageId')),
          cursor: rows.length ? rows[rows.length - 1].get('objectId') : cursor,
        };
      };
      let cursor = '';
      // A whole group costs the same to read for any batch: start with the page's size, as each image
      // met is scored in full; a walk reads fewer objects per image met with a larger one.
      let batch = whole ? need : Math.max(reads.firstChunk, need);
      for (;;) {
        const met = await next(cursor, batch);
        if (
          !(await visit(
            met.imageIds.map((imageId) => ({ imageId, score })),
            true,
          ))
        )
          return undefined;
        const exhausted = met.imageIds.length < batch;
        const lastId = exhausted ? null : met.imageIds[met.imageIds.length - 1];
        if (groupDecided(ranked, need, { bound: bound(score), lastId }, later)) return true;
        if (exhausted) return false;
        cursor = met.cursor;
        batch = Math.min(batch * 2, Math.max(reads.maxChunk, need));
      }
    };
    const read = async (b: ChunkBound, below: number | null, limit: number) =>
      (
        await tx.run<RankedImage>(driverEdgesQuery(driver.type, driver.branches.length, b, minScore), {
          ...chunkParams,
          below,
          limit: neo4j.int(limit),
        })
      ).records.map((r) => ({ imageId: r.get('imageId'), score: r.get('score') }));
    const bound = (score: number) => upperBound(maxima, driver.i, score);
    let cut: ChunkBound = 'none';
    let below: number | null = null;
    let chunk = Math.max(reads.firstChunk, need);
    for (;;) {
      const edges = await read(cut, below, chunk);
      if (edges.length < chunk) {
        // The rest of the list: every image with a driving edge is met.
        if (!(await visit(edges, true))) return undefined;
        break;
      }
      // Scores above the chunk's last are complete; an image not met has no driving edge above it.
      const last = edges[edges.length - 1].score;
      if (
        !(await visit(
          edges.filter((e) => e.score > last),
          true,
        ))
      )
        return undefined;
      if (pageDecided(ranked, need, bound(last))) break;
      // The images whose best driving edge scores `last` tie on their bound, so they are met in image
      // id order and the page can end inside them (a smaller id wins a tie).
      const nextScore = (await read('lt', last, 1))[0]?.score;
      const later = nextScore === undefined ? null : bound(nextScore);
      const decided = await meetTieGroup(last, later);
      if (decided === undefined) return undefined;
      if (decided) break;
      if (later === null) break;
      cut = 'lt';
      below = last;
      chunk = Math.min(chunk * 2, Math.max(reads.maxChunk, need));
    }
    return result();
  });
}

export interface SearchPage extends Page<SearchRow> {
  /** Images found in all, when the search already knew it; otherwise countSearchImages gives it. */
  totalCount?: number;
}

/** searchImagesQuery's page: every candidate image ranked (the top-k search's fallback). */
async function rankAllCandidates(
  db: Database,
  patterns: TripletPattern[],
  first: number,
  after?: [number, string],
): Promise<{ image: ImageRow; score: number }[]> {
  const res = await db.query<{ image: unknown[]; score: number }>(
    'images.search',
    searchImagesQuery(patterns),
    searchImagesParams(patterns, first, after),
  );
  return res.records.map((r) => ({ image: IMAGE_COLUMNS.read(r.get('image')), score: r.get('score') }));
}

/** The parameters of searchImagesQuery. */
export function searchImagesParams(
  patterns: TripletPattern[],
  first: number,
  after?: [number, string],
): Record<string, unknown> {
  return {
    patterns: patternParams(patterns),
    afterScore: after?.[0] ?? null,
    afterId: after?.[1] ?? '',
    limit: neo4j.int(first + 1),
  };
}

export async function searchImages(
  db: Database,
  patterns: TripletPattern[],
  first: number,
  after?: [number, string],
): Promise<SearchPage> {
  const edgesOnly = patterns.every(fromEdges);
  if (edgesOnly && !patterns.some(hasVariables)) {
    const images =
      (await searchImagesTopK(db, patterns, first, after))?.rows ??
      (await rankAllCandidates(db, patterns, first, after));
    return page(
      images.map(({ image, score }) => ({ image, score, bindings: new Map<string, string>() })),
      first,
    );
  }
  // Variables, or a pattern the engine must derive: join every candidate image (bounded), then rank.
  const ids = await searchCandidates(db, patterns, edgesOnly);
  const ranked: ScoredImage[] = [];
  let total = 0;
  if (edgesOnly) {
    // Every predicate is stored: join the patterns' edges in TypeScript, image by image; only the
    // page's images are derived, for the matches a client sees.
    const hits = await edgeHits(db, patterns, ids);
    for (const id of ids) {
      const joined = joinHits(
        id,
        patterns.map((_, i) => hits[i].get(id) ?? []),
        patterns,
      );
      if (!joined) continue;
      total++;
      const scored = { imageId: id, ...joined };
      if (afterCursor(scored, after)) ranked.push(scored);
    }
    ranked.sort(byRank);
    const top = ranked.slice(0, first + 1);
    const [images, inputs] = await Promise.all([
      imagesByIds(
        db,
        top.map((r) => r.imageId),
      ),
      loadDerivationInputs(
        db,
        top.map((r) => r.imageId),
      ),
    ]);
    // An image deleted since it was joined is neither read back nor derived: it leaves the page.
    const rows = top.flatMap((r) => {
      const image = images.get(r.imageId);
      const input = inputs.get(r.imageId);
      if (!image || !input) return [];
      const derived = scoreImage(input, patterns);
      return [
        {
          image,
          score: r.score,
          matches: derived?.matches ?? r.matches,
          bindings: derived?.bindings ?? r.bindings,
        },
      ];
    });
    return { ...page(rows, first), totalCount: total };
  }
  for (let k = 0; k < ids.length; k += SCAN_BATCH) {
    const inputs = await loadDerivationInputs(db, ids.slice(k, k + SCAN_BATCH));
    for (const input of inputs.values()) {
      const scored = scoreImage(input, patterns);
      if (!scored) continue;
      total++;
      if (afterCursor(scored, after)) ranked.push(scored);
    }
  }
  ranked.sort(byRank);
  const top = ranked.slice(0, first + 1);
  const images = await imagesByIds(
    db,
    top.map((r) => r.imageId),
  );
  return {
    ...page(
      top.flatMap((r) => {
        const image = images.get(r.imageId); // absent if deleted since it was derived
        return image ? [{ image, score: r.score, matches: r.matches, bindings: r.bindings }] : [];
      }),
      first,
    ),
    totalCount: total,
  };
}

/**
 * The matches of a search's images (`SearchRow.matches`), derived from each image's stored geometry and
 * semantic relations as the build would: image id -> relations, in pattern order. An image where the
 * patterns no longer hold (changed since it was ranked) gets none.
 */
export async function searchMatches(
  db: Database,
  patterns: TripletPattern[],
  imageIds: readonly string[],
): Promise<Map<string, RelationRow[]>> {
  const inputs = await loadDerivationInputs(db, imageIds);
  const out = new Map<string, RelationRow[]>();
  for (const id of imageIds) {
    const input = inputs.get(id);
    out.set(id, (input && scoreImage(input, patterns)?.matches) ?? []);
  }
  return out;
}

/** Per pattern: image id -> the pattern's matching relations there, read from the edges. */
async function edgeHits(
  db: Database,
  patterns: TripletPattern[],
  ids: string[],
): Promise<Map<string, RelationRow[]>[]> {
  const params = patternParams(patterns);
  return db.read('images.search.join', async (tx) => {
    const out: Map<string, RelationRow[]>[] = [];
    for (const [i, p] of patterns.entries()) {
      const res = await tx.run<{
        imageId: string;
        sid: string;
        oid: string;
        score: number | null;
        source: string;
      }>(patternRowsQuery(p, i), { ids, patterns: params });
      const byImage = new Map<string, RelationRow[]>();
      for (const rec of res.records) {
        const { imageId, sid, oid, score, source } = rec.toObject();
        const list = byImage.get(imageId) ?? [];
        list.push({
          id: relationId(sid, p.predicate!, oid, source),
          imageId,
          subjectId: sid,
          objectId: oid,
          predicate: p.predicate!,
          score,
          source,
          evidence: null,
          provenance: null,
        });
        byImage.set(imageId, list);
      }
      out.push(byImage);
    }
    return out;
  });
}

/**
 * Candidate images of a search that joins in TypeScript: those where every pattern holds on its own
 * (through the edge indexes when every pattern has a stored predicate), else those holding every
 * label named. At most SEARCH_DERIVE_MAX_IMAGES; more is refused rather than cut.
 */
async function searchCandidates(
  db: Database,
  patterns: TripletPattern[],
  edgesOnly: boolean,
): Promise<string[]> {
  const labels = [...new Set(patterns.flatMap((p) => [p.subject, p.object]).filter((l) => l !== undefined))];
  const res = await db.read('images.search.candidates', (tx) =>
    edgesOnly
      ? tx.run<{ id: string }>(searchCandidatesQuery(patterns), {
          patterns: patternParams(patterns),
          limit: neo4j.int(SEARCH_DERIVE_MAX_IMAGES + 1),
        })
      : tx.run<{ id: string }>(labelCandidatesQuery(labels), {
          labels,
          limit: neo4j.int(SEARCH_DERIVE_MAX_IMAGES + 1),
        }),
  );
  const ids = res.records.map((r) => r.get('id'));
  if (ids.length > SEARCH_DERIVE_MAX_IMAGES) {
    throw new UserInputError(
      `matches more than ${SEARCH_DERIVE_MAX_IMAGES} candidate images and ` +
        (edgesOnly
          ? 'binds variables, which are joined image by image: narrow the patterns (labels, minScore)'
          : 'has a pattern without a stored predicate (near, far, or none), which is derived image by image: ' +
            'add a stored predicate (in front of, on, left of, ...) or labels to narrow it'),
      'pattern',
    );
  }
  return ids;
}

/** Images matching an all-edges search without variables (searchImages returns the count otherwise). */
export async function countSearchImages(db: Database, patterns: TripletPattern[]): Promise<number> {
  const res = await db.read('images.search.count', (tx) =>
    tx.run<{ n: number }>(searchCountQuery(patterns), { patterns: patternParams(patterns) }),
  );
  return res.records[0]?.get('n') ?? 0;
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

/**
 * Relations per predicate over the whole store: each stored edge stands for its relation and its
 * inverse (beside: both directions), near / far are counted per image at ingest, semantic relations
 * are counted as stored.
 */
export async function predicateCounts(db: Database): Promise<{ predicate: string; count: number }[]> {
  const counts = new Map<string, number>();
  const add = (p: string, n: number): void => {
    if (n > 0) counts.set(p, (counts.get(p) ?? 0) + n);
  };
  await db.read('predicates', async (tx) => {
    for (const [predicate, type] of Object.entries(EDGE_TYPE)) {
      const res = await tx.run<{ n: number }>(`MATCH ()-[r:${type}]->() RETURN count(r) AS n`);
      const n = res.records[0]?.get('n') ?? 0;
      const inverse = INVERSE_PREDICATE[predicate as keyof typeof INVERSE_PREDICATE];
      if (inverse === predicate) add(predicate, 2 * n);
      else {
        add(predicate, n);
        if (inverse) add(inverse, n);
      }
    }
    const derived = await tx.run<{ near: number; far: number }>(
      'MATCH (i:Image) RETURN sum(coalesce(i.nearCount, 0)) AS near, sum(coalesce(i.farCount, 0)) AS far',
    );
    add('near', derived.records[0]?.get('near') ?? 0);
    add('far', derived.records[0]?.get('far') ?? 0);
    const semantic = await tx.run<{ predicate: string; count: number }>(
      `MATCH ()-[r:${SEMANTIC_TYPE}]->() RETURN r.predicate AS predicate, count(*) AS count`,
    );
    for (const r of semantic.records) add(r.get('predicate'), r.get('count'));
  });
  return [...counts]
    .map(([predicate, count]) => ({ predicate, count }))
    .sort(
      (a, b) => b.count - a.count || (a.predicate < b.predicate ? -1 : a.predicate > b.predicate ? 1 : 0),
    );
}
