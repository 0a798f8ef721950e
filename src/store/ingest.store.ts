import type { Database, QueryRunner } from '../db/database';
import type { StoredImage } from './storedScene';

/**
 * Writes scene graphs. One call = one transaction, so every image's nodes and edges commit together
 * (and a batch of images commits together: ingesting many images batches them with UNWIND rather
 * than paying a transaction per image). The driver's managed transaction retries transient errors;
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
  createRelations: `
UNWIND $relations AS r
MATCH (s:Object {id: r.subject})
MATCH (o:Object {id: r.object})
CREATE (s)-[e:RELATION]->(o)
SET e = r.props`,
  createLayers: `
UNWIND $layers AS l
MATCH (i:Image {id: l.imageId})
CREATE (i)-[:HAS_LAYER]->(y:Layer {id: l.id, imageId: l.imageId, index: l.index, basic: l.basic})
WITH y, l
UNWIND l.members AS m
MATCH (o:Object {id: m})
CREATE (y)-[:CONTAINS {basic: m = l.basic}]->(o)`,
} as const;

async function writeImages(tx: QueryRunner, images: StoredImage[]): Promise<void> {
  if (images.length === 0) return;
  await tx.run(CYPHER.createImages, { images: images.map((i) => ({ props: i.props, objects: i.objects })) });
  const relations = images.flatMap((i) => i.relations);
  if (relations.length > 0) await tx.run(CYPHER.createRelations, { relations });
  const layers = images.flatMap((i) => i.layers.map((l) => ({ ...l, imageId: i.id })));
  if (layers.length > 0) await tx.run(CYPHER.createLayers, { layers });
}

export async function ingestImages(db: Database, images: StoredImage[]): Promise<IngestResult[]> {
  // The same image twice in one batch: the last one wins, as if ingested one after the other.
  const byId = new Map(images.map((i) => [i.id, i]));
  const unique = [...byId.values()];
  return db.write('ingest', async (tx) => {
    const res = await tx.run<{ id: string; configHash: string }>(CYPHER.existing, {
      ids: unique.map((i) => i.id),
    });
    const stored = new Map(res.records.map((r) => [r.get('id'), r.get('configHash')]));
    const toReplace = unique.filter((i) => stored.has(i.id) && stored.get(i.id) !== i.configHash);
    const toWrite = unique.filter((i) => stored.get(i.id) !== i.configHash);
    if (toReplace.length > 0) await tx.run(CYPHER.deleteImages, { ids: toReplace.map((i) => i.id) });
    await writeImages(tx, toWrite);
    return images.map((i) => ({
      imageId: i.id,
      status: !stored.has(i.id) ? 'created' : stored.get(i.id) === i.configHash ? 'unchanged' : 'replaced',
    }));
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
    return {
      deleted: c.nodesDeleted > 0,
      nodesDeleted: c.nodesDeleted,
      relationshipsDeleted: c.relationshipsDeleted,
    };
  });
}
