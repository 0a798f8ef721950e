import neo4j from 'neo4j-driver';
import type { Database, QueryRunner } from '../db/database';
import { AppError, ErrorCode, UserInputError } from '../errors/errors';
import { EDGE_TYPES, SEMANTIC_TYPE, type EdgeType } from './relationModel';
import { REVIEW_CYPHER } from './review.store';
import type { StoredEdge, StoredImage } from './storedScene';

/**
 * Writes scene graphs (relationModel.ts). Every image's nodes and edges commit together in one
 * transaction; a batch of images is written in transactions of whole images (one UNWIND statement
 * each, `createImages`), at most MAX_RELATIONSHIPS_PER_TRANSACTION relationships in flight, by up to
 * `writers` transactions at once. The driver's managed transaction retries transient errors; the work
 * below is safe to retry because it first reads what is stored and decides from that.
 */

export type IngestStatus = 'created' | 'replaced' | 'unchanged';

export interface IngestResult {
  imageId: string;
  status: IngestStatus;
}

export const CYPHER = {
  existing: `
UNWIND $ids AS id
MATCH (i:Image {id: id})
RETURN i.id AS id, i.configHash AS configHash`,
  inputKeys: `
UNWIND $ids AS id
MATCH (i:Image {id: id})
RETURN i.id AS id, i.inputKey AS inputKey`,
  deleteImages: `
UNWIND $ids AS id
MATCH (i:Image {id: id})
OPTIONAL MATCH (i)-[:HAS_OBJECT]->(n)
DETACH DELETE n, i`,
  /**
   * One statement per transaction writes its images whole: the image, its objects in order, then each
   * edge between the objects just created, found by position in that list (`[subject, object, score,
   * k]`, one list per relationship type: a type cannot be a parameter). Looking the two ends up by id
   * instead (an index seek each, against the transaction's own uncommitted index updates) was a quarter
   * of the database's ingest work; by position a 100k-image load runs at 195.5 img/s against 139.8
   * (BENCHMARKS.md, "Edges by position").
   */
  createImages: `
UNWIND $images AS img
CREATE (i:Image)
SET i = img.props
WITH i, img
CALL {
  WITH i, img
  UNWIND range(0, size(img.objects) - 1) AS n
  CREATE (i)-[:HAS_OBJECT]->(x:Object)
  SET x = img.objects[n]
  WITH n, x ORDER BY n
  RETURN collect(x) AS xs
}
${EDGE_TYPES.map(
  (type) => `CALL {
  WITH xs, img
  UNWIND img.edges.${type} AS r
  WITH xs[r[0]] AS s, xs[r[1]] AS o, r
  CREATE (s)-[:${type} {score: r[2], k: r[3]}]->(o)
}`,
).join('\n')}
CALL {
  WITH xs, img
  UNWIND img.semantic AS r
  WITH xs[r.s] AS s, xs[r.o] AS o, r
  CREATE (s)-[e:${SEMANTIC_TYPE}]->(o)
  SET e = r.props
}`,
} as const;

/** The pair key as the driver sends it: an integer (a plain number would be stored as a float). */
const keyParam = (k: number | null) => (k === null ? null : neo4j.int(k));

/** An edge by the ids of its two objects (the benchmark's raw baseline writes edges this way). */
export function edgeParams(e: StoredEdge): Record<string, unknown> {
  return { subject: e.subject, object: e.object, score: e.score, k: keyParam(e.k) };
}

/**
 * An image as `createImages` takes it: properties, objects, and each edge and semantic relation by
 * the positions of its two objects in `objects`.
 */
export function imageParams(image: StoredImage): Record<string, unknown> {
  const at = new Map(image.objects.map((o, n) => [o.id as string, neo4j.int(n)]));
  const position = (id: string) => {
    const n = at.get(id);
    if (n === undefined)
      throw new Error(`image ${image.id}: a relation refers to ${id}, not one of its objects`);
    return n;
  };
  const edges = Object.fromEntries(EDGE_TYPES.map((type) => [type, [] as unknown[][]])) as Record<
    EdgeType,
    unknown[][]
  >;
  for (const e of image.edges) {
    edges[e.type].push([position(e.subject), position(e.object), e.score, keyParam(e.k)]);
  }
  return {
    props: withUnscoredEdges(image),
    objects: image.objects,
    edges,
    semantic: image.semantic.map((r) => ({ s: position(r.subject), o: position(r.object), props: r.props })),
  };
}

/**
 * The image's properties, with `unscoredEdges` (how many of its typed edges have no score) when there
 * are any: such edges are not in the (k, score) indexes, so the top-k search finds their images
 * through this property (relationModel.ts).
 */
function withUnscoredEdges(image: StoredImage): Record<string, unknown> {
  const unscored = image.edges.filter((e) => e.score === null && e.k !== null).length;
  return unscored > 0 ? { ...image.props, unscoredEdges: unscored } : image.props;
}

async function writeImages(tx: QueryRunner, images: StoredImage[]): Promise<void> {
  if (images.length === 0) return;
  await tx.run(CYPHER.createImages, { images: images.map(imageParams) });
}

/**
 * Relationships written per transaction at most (HAS_OBJECT, geometric edges and semantic relations):
 * a larger batch of images is split into several transactions, each holding whole images, so a big
 * ingest call stays within the database's transaction memory (dbms.memory.transaction.total.max).
 * With several writers the bound holds for all of them together: each transaction gets its share.
 */
export const MAX_RELATIONSHIPS_PER_TRANSACTION = 50_000;

/**
 * Transactions an ingest call writes at once by default, and at most (`scenegraph ingest --writers`).
 * Different images share no nodes, so their transactions never wait for each other's locks; the
 * database spreads them over its cores and forces their commits to the log together. On 2 cores
 * 4 writers store 1.35-1.8x the images per second of one (BENCHMARKS.md, "Concurrent writers").
 */
export const DEFAULT_WRITERS = 4;
export const MAX_WRITERS = 16;

function relationshipsOf(i: StoredImage): number {
  return i.objects.length + i.edges.length + i.semantic.length;
}

/** Consecutive runs of whole images with at most `max` relationships each (an image over it alone). */
export function chunkByRelationships(
  images: StoredImage[],
  max = MAX_RELATIONSHIPS_PER_TRANSACTION,
): StoredImage[][] {
  const chunks: StoredImage[][] = [];
  let current: StoredImage[] = [];
  let size = 0;
  for (const image of images) {
    const n = relationshipsOf(image);
    if (current.length > 0 && size + n > max) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(image);
    size += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * The transactions of one ingest call for `writers` writers: consecutive runs of whole images, at
 * least one per writer while there are images enough, of about equal size (by relationships), none
 * over its share of MAX_RELATIONSHIPS_PER_TRANSACTION (an image over it alone).
 */
export function planTransactions(images: StoredImage[], writers = 1): StoredImage[][] {
  const w = Math.max(1, Math.min(writers, images.length));
  const cap = Math.floor(MAX_RELATIONSHIPS_PER_TRANSACTION / Math.max(1, writers));
  if (w === 1) return chunkByRelationships(images, cap);
  const sizes = images.map(relationshipsOf);
  const total = sizes.reduce((a, b) => a + b, 0);
  const parts = Math.max(w, Math.ceil(total / cap));
  // Image j opens part floor(parts x relationships before j / total): equal shares, in order.
  const even: StoredImage[][] = Array.from({ length: parts }, () => []);
  let before = 0;
  for (const [j, image] of images.entries()) {
    even[Math.min(parts - 1, Math.floor((parts * before) / Math.max(1, total)))].push(image);
    before += sizes[j];
  }
  return even.filter((p) => p.length > 0).flatMap((p) => chunkByRelationships(p, cap));
}

/**
 * Runs `write` over the chunks with at most `writers` of them in flight. After a failure no chunk
 * starts; the ones in flight finish, then the first error is thrown (chunks already written stay).
 */
export async function writeConcurrently<T, R>(
  chunks: readonly T[],
  writers: number,
  write: (chunk: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(chunks.length);
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (!failed && next < chunks.length) {
      const k = next++;
      try {
        out[k] = await write(chunks[k]);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(writers, chunks.length)) }, worker));
  if (failed) throw failed.error;
  return out;
}

/**
 * Attempts per chunk when a concurrent writer created one of its images first: the uniqueness
 * constraint on Image.id/Object.id refuses the second CREATE, and the retry reads what the winner
 * stored, so every caller gets created, unchanged or replaced, never a conflict. Each retry can only
 * lose to a writer that committed in between, so a few attempts suffice.
 */
export const MAX_INGEST_ATTEMPTS = 5;

async function writeChunk(db: Database, chunk: StoredImage[]): Promise<[string, IngestStatus][]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeChunkOnce(db, chunk);
    } catch (err) {
      if (!(err instanceof AppError && err.code === ErrorCode.CONFLICT) || attempt >= MAX_INGEST_ATTEMPTS) {
        throw err;
      }
    }
  }
}

export interface IngestOptions {
  /** Transactions written at once (1 to MAX_WRITERS; default DEFAULT_WRITERS). */
  writers?: number;
}

export async function ingestImages(
  db: Database,
  images: StoredImage[],
  options: IngestOptions = {},
): Promise<IngestResult[]> {
  const writers = options.writers ?? DEFAULT_WRITERS;
  if (!Number.isInteger(writers) || writers < 1 || writers > MAX_WRITERS) {
    throw new UserInputError(`must be an integer from 1 to ${MAX_WRITERS}, got ${writers}`, 'writers');
  }
  // The same image twice in one batch: the last one wins, as if ingested one after the other.
  const byId = new Map(images.map((i) => [i.id, i]));
  const status = new Map<string, IngestStatus>();
  const done = await writeConcurrently(planTransactions([...byId.values()], writers), writers, (chunk) =>
    writeChunk(db, chunk),
  );
  for (const [id, s] of done.flat()) status.set(id, s);
  // A duplicate in the batch reports what its image got.
  return images.map((i) => ({ imageId: i.id, status: status.get(i.id)! }));
}

function writeChunkOnce(db: Database, chunk: StoredImage[]): Promise<[string, IngestStatus][]> {
  return db.write('ingest', async (tx) => {
    const res = await tx.run<{ id: string; configHash: string }>(CYPHER.existing, {
      ids: chunk.map((i) => i.id),
    });
    const stored = new Map(res.records.map((r) => [r.get('id'), r.get('configHash')]));
    const toReplace = chunk.filter((i) => stored.has(i.id) && stored.get(i.id) !== i.configHash);
    const toWrite = chunk.filter((i) => stored.get(i.id) !== i.configHash);
    if (toReplace.length > 0) await tx.run(CYPHER.deleteImages, { ids: toReplace.map((i) => i.id) });
    await writeImages(tx, toWrite);
    // Human review outlives a replaced graph: relations people added come back between the objects that remain.
    if (toReplace.length > 0) await tx.run(REVIEW_CYPHER.restoreHuman, { ids: toReplace.map((i) => i.id) });
    return chunk.map((i): [string, IngestStatus] => [
      i.id,
      !stored.has(i.id) ? 'created' : stored.get(i.id) === i.configHash ? 'unchanged' : 'replaced',
    ]);
  });
}

/**
 * The input keys (image content + models + configuration, src/pipeline/inputKey.ts) under which the
 * given images were stored, so that a re-run over the same files can skip decoding and inference.
 */
export async function storedInputKeys(db: Database, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  return db.read('storedInputKeys', async (tx) => {
    const res = await tx.run<{ id: string; inputKey: string | null }>(CYPHER.inputKeys, { ids });
    const out = new Map<string, string>();
    for (const r of res.records) {
      const key = r.get('inputKey');
      if (key) out.set(r.get('id'), key);
    }
    return out;
  });
}

export interface DeleteResult {
  deleted: boolean;
  nodesDeleted: number;
  relationshipsDeleted: number;
}

export async function deleteImage(db: Database, id: string): Promise<DeleteResult> {
  return db.write('deleteImage', async (tx) => {
    const res = await tx.run(CYPHER.deleteImages, { ids: [id] });
    const c = res.summary.counters.updates();
    // The image's reviews go with it (only when the image existed).
    const reviews =
      c.nodesDeleted > 0
        ? (await tx.run(REVIEW_CYPHER.deleteOfImages, { ids: [id] })).summary.counters.updates().nodesDeleted
        : 0;
    return {
      deleted: c.nodesDeleted > 0,
      nodesDeleted: c.nodesDeleted + reviews,
      relationshipsDeleted: c.relationshipsDeleted,
    };
  });
}
