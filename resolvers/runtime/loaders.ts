import DataLoader from 'dataloader';
import type { Database } from '../../src/db/database';
import {
  Direction,
  imagesByIds,
  layersByImageIds,
  masksByObjectIds,
  objectsByIds,
  objectsByImageIds,
  relationsByImageIds,
  relationsByObjectIds,
} from '../../src/store/graph.store';
import type { SceneGraph } from '../../src/scenegraph/sceneGraph.types';
import { exportPageByIds } from '../../src/store/export.store';
import { reviewsByRelationIds } from '../../src/store/review.store';
import type { ImageRow, LayerRow, ObjectRow, RelationRow, ReviewRow } from '../../src/store/rows';

/**
 * One set per request (never shared between users), one loader per nested field. Top-level queries
 * `prime` what they already fetched, so nested fields usually cost no query at all.
 */
export interface Loaders {
  image: DataLoader<string, ImageRow | null>;
  object: DataLoader<string, ObjectRow | null>;
  objectsOfImage: DataLoader<string, ObjectRow[]>;
  layersOfImage: DataLoader<string, LayerRow[]>;
  relationsOfImage: DataLoader<string, RelationRow[]>;
  relationsOfObject: DataLoader<{ id: string; direction: Direction }, RelationRow[], string>;
  mask: DataLoader<string, string | null>;
  /** The latest review of a relation, by relation id. */
  review: DataLoader<string, ReviewRow | null>;
  /** A stored image read back as its scene graph (what `dataset export` reads). */
  sceneGraph: DataLoader<string, SceneGraph | null>;
  /**
   * The image rows primed into `image`, for SceneObject.image and Relation.image to answer at once
   * (`imageOfRoot`, resolvers/lookup.ts): a value where
   * DataLoader gives a promise lets graphql-js complete the object without waiting a tick (~20 objects
   * a page each paid a promise and graphql-js' promise bookkeeping).
   */
  primedImages: Map<string, ImageRow>;
}

function byKey<V>(map: Map<string, V>, keys: readonly string[], missing: V): V[] {
  return keys.map((k) => map.get(k) ?? missing);
}

export function createLoaders(db: Database): Loaders {
  return {
    image: new DataLoader(async (ids) => byKey(await imagesByIds(db, ids), ids, null)),
    object: new DataLoader(async (ids) => byKey(await objectsByIds(db, ids), ids, null)),
    objectsOfImage: new DataLoader(async (ids) => byKey(await objectsByImageIds(db, ids), ids, [])),
    layersOfImage: new DataLoader(async (ids) => byKey(await layersByImageIds(db, ids), ids, [])),
    relationsOfImage: new DataLoader(async (ids) => byKey(await relationsByImageIds(db, ids), ids, [])),
    relationsOfObject: new DataLoader(
      async (keys) => {
        const found = await relationsByObjectIds(db, keys);
        return keys.map((k) => found.get(`${k.direction}:${k.id}`) ?? []);
      },
      { cacheKeyFn: (k) => `${k.direction}:${k.id}` },
    ),
    mask: new DataLoader(async (ids) => byKey(await masksByObjectIds(db, ids), ids, null)),
    review: new DataLoader(async (ids) => byKey(await reviewsByRelationIds(db, ids), ids, null)),
    sceneGraph: new DataLoader(async (ids) => {
      const found = new Map((await exportPageByIds(db, ids)).map((s) => [s.id, s.scene]));
      return byKey(found, ids, null);
    }),
    primedImages: new Map(),
  };
}

export function primeObjects(loaders: Loaders, rows: Iterable<ObjectRow>): void {
  for (const row of rows) loaders.object.prime(row.id, row);
}

export function primeImages(loaders: Loaders, rows: Iterable<ImageRow>): void {
  for (const row of rows) {
    loaders.image.prime(row.id, row);
    loaders.primedImages.set(row.id, row);
  }
}
