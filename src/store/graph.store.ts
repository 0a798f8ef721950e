import type { Database } from '../db/database';
import { layersFromProps } from './layers';
import {
  IMAGE_COLUMNS,
  ImageRow,
  LayerRow,
  OBJECT_COLUMNS,
  ObjectRow,
  RelationRow,
  type Columns,
} from './rows';
import { imageIdOfObject, relationsOfImages } from './relations.store';

/** Natural order of keys and ids: digits compare as numbers, so o2 comes before o10. */
const NATURAL = new Intl.Collator('en', { numeric: true });
export const naturalCompare = (a: string, b: string): number =>
  NATURAL.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

/**
 * Batch lookups behind the DataLoaders: each takes many keys and answers with one query, so a nested
 * GraphQL selection costs one round trip per level, not one per parent.
 */

/** Rows of one kind by id, read by position (rows.ts, `columns`); ids that do not exist are absent. */
async function rowsByIds<R extends { id: string }>(
  db: Database,
  op: string,
  label: 'Image' | 'Object',
  cols: Columns<R>,
  ids: readonly string[],
): Promise<Map<string, R>> {
  const res = await db.query<{ row: unknown[] }>(
    op,
    `UNWIND $ids AS id MATCH (n:${label} {id: id}) RETURN ${cols.project('n')} AS row`,
    { ids },
  );
  return new Map(
    res.records.map((r) => {
      const row = cols.read(r.get('row'));
      return [row.id, row];
    }),
  );
}

export function imagesByIds(db: Database, ids: readonly string[]): Promise<Map<string, ImageRow>> {
  return rowsByIds(db, 'images.byIds', 'Image', IMAGE_COLUMNS, ids);
}

export function objectsByIds(db: Database, ids: readonly string[]): Promise<Map<string, ObjectRow>> {
  return rowsByIds(db, 'objects.byIds', 'Object', OBJECT_COLUMNS, ids);
}

export async function objectsByImageIds(
  db: Database,
  ids: readonly string[],
): Promise<Map<string, ObjectRow[]>> {
  const res = await db.query<{ imageId: string; objects: unknown[][] }>(
    'objects.byImageIds',
    `UNWIND $ids AS id
       MATCH (i:Image {id: id})-[:HAS_OBJECT]->(o:Object)
       WITH id, o ORDER BY o.key
       RETURN id AS imageId, collect(${OBJECT_COLUMNS.project('o')}) AS objects`,
    { ids },
  );
  return new Map(
    res.records.map((r) => [
      r.get('imageId'),
      r
        .get('objects')
        .map(OBJECT_COLUMNS.read)
        .sort((a, b) => naturalCompare(a.key, b.key)),
    ]),
  );
}

export async function masksByObjectIds(
  db: Database,
  ids: readonly string[],
): Promise<Map<string, string | null>> {
  const res = await db.query<{ id: string; mask: string | null }>(
    'objects.masks',
    'UNWIND $ids AS id MATCH (o:Object {id: id}) RETURN id, o.mask AS mask',
    {
      ids,
    },
  );
  return new Map(res.records.map((r) => [r.get('id'), r.get('mask')]));
}

export async function layersByImageIds(
  db: Database,
  ids: readonly string[],
): Promise<Map<string, LayerRow[]>> {
  const res = await db.query<{ imageId: string; basics: string[] | null; members: string[] | null }>(
    'layers.byImageIds',
    `UNWIND $ids AS id
       MATCH (i:Image {id: id}) WHERE i.layerBasics IS NOT NULL
       RETURN id AS imageId, i.layerBasics AS basics, i.layerMembers AS members`,
    { ids },
  );
  return new Map(
    res.records.map((r) => {
      const imageId = r.get('imageId');
      const layers = layersFromProps(imageId, r.get('basics'), r.get('members'));
      return [imageId, layers.map((l) => ({ ...l, members: [...l.members].sort(naturalCompare) }))];
    }),
  );
}

export type Direction = 'OUT' | 'IN';

/**
 * Relations where the object is the subject (OUT) or the object (IN), keyed `${direction}:${objectId}`,
 * in id order. Derived per image (relations.store.ts): each image of the keys is derived once.
 */
export async function relationsByObjectIds(
  db: Database,
  keys: readonly { id: string; direction: Direction }[],
): Promise<Map<string, RelationRow[]>> {
  const byImage = await relationsOfImages(
    db,
    keys.map((k) => imageIdOfObject(k.id)),
  );
  const out = new Map<string, RelationRow[]>();
  for (const k of keys) {
    const all = byImage.get(imageIdOfObject(k.id)) ?? [];
    out.set(
      `${k.direction}:${k.id}`,
      all.filter((r) => (k.direction === 'OUT' ? r.subjectId === k.id : r.objectId === k.id)),
    );
  }
  return out;
}

export function relationsByImageIds(
  db: Database,
  ids: readonly string[],
): Promise<Map<string, RelationRow[]>> {
  return relationsOfImages(db, ids);
}
