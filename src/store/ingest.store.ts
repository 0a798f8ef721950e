import neo4j from 'neo4j-driver';
import type { Database, QueryRunner } from '../db/database';
import { AppError, ErrorCode } from '../errors/errors';
import { EDGE_TYPES, SEMANTIC_TYPE, type EdgeType } from './relationModel';
import { REVIEW_CYPHER } from './review.store';
import type { StoredEdge, StoredImage } from './storedScene';

/**
 * Writes scene graphs (store model 2, relationModel.ts). Every image's nodes and edges commit together
 * in one transaction, and a batch of images is written with UNWIND in as few transactions as the cap
 * on relationships per transaction allows (MAX_RELATIONSHIPS_PER_TRANSACTION). The driver's managed transaction retries transient errors;
 * the work below is safe to retry because it first reads what is stored and decides from that.
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
OPTIONAL MATCH (i)-[:HAS_OBJECT|HAS_LAYER]->(n)
DETACH DELETE n, i`,
  createImages: `
UNWIND $images AS img
CREATE (i:Image)
SET i = img.props
WITH i, img
UNWIND img.objects AS o
CREATE (i)-[:HAS_OBJECT]->(x:Object)
SET x = o`,
  /** One statement per edge type: Cypher cannot take a relationship type as a parameter. */
  createEdges: Object.fromEntries(
    EDGE_TYPES.map((type) => [
      type,
      `
UNWIND $edges AS r
MATCH (s:Object {id: r.subject})
MATCH (o:Object {id: r.object})
CREATE (s)-[:${type} {score: r.score, k: r.k}]->(o)`,
    ]),
  ) as Record<EdgeType, string>,
  createSemantic: `
UNWIND $relations AS r
MATCH (s:Object {id: r.subject})
MATCH (o:Object {id: r.object})
CREATE (s)-[e:${SEMANTIC_TYPE}]->(o)
SET e = r.props`,
  createLayers: `
UNWIND $layers AS l
MATCH (i:Image {id: l.imageId})
CREATE (i)-[:HAS_LAYER]->(y:Layer {id: l.id, imageId: l.imageId, index: l.index, basic: l.basic})
WITH y, l
UNWIND l.members AS m
MATCH (o:Object {id: m})
CREATE (y)-[:CONTAINS]->(o)`,
} as const;

/** An edge as the driver sends it: the pair key as an integer (a plain number would be stored as a float). */
export function edgeParams(e: StoredEdge): Record<string, unknown> {
  return { subject: e.subject, object: e.object, score: e.score, k: e.k === null ? null : neo4j.int(e.k) };
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
  await tx.run(CYPHER.createImages, {
    images: images.map((i) => ({ props: withUnscoredEdges(i), objects: i.objects })),
  });
  const edges = images.flatMap((i) => i.edges);
  for (const type of EDGE_TYPES) {
    const ofType = edges.filter((e) => e.type === type).map(edgeParams);
    if (ofType.length > 0) await tx.run(CYPHER.createEdges[type], { edges: ofType });
  }
  const relations = images.flatMap((i) => i.semantic);
  if (relations.length > 0) await tx.run(CYPHER.createSemantic, { relations });
  const layers = images.flatMap((i) => i.layers.map((l) => ({ ...l, imageId: i.id })));
  if (layers.length > 0) await tx.run(CYPHER.createLayers, { layers });
}

/**
 * Relationships written per transaction at most (edges, semantic relations and layer memberships):
 * a larger batch of images is split into several transactions, each holding whole images, so a big
 * ingest call stays within the database's transaction memory (dbms.memory.transaction.total.max).
 */
export const MAX_RELATIONSHIPS_PER_TRANSACTION = 50_000;

function relationshipsOf(i: StoredImage): number {
  return (
    i.objects.length +
    i.edges.length +
    i.semantic.length +
    i.layers.reduce((n, l) => n + l.members.length + 1, 0)
  );
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

export async function ingestImages(db: Database, images: StoredImage[]): Promise<IngestResult[]> {
  // The same image twice in one batch: the last one wins, as if ingested one after the other.
  const byId = new Map(images.map((i) => [i.id, i]));
  const status = new Map<string, IngestStatus>();
  for (const chunk of chunkByRelationships([...byId.values()])) {
    const done = await writeChunk(db, chunk);
    for (const [id, s] of done) status.set(id, s);
  }
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
