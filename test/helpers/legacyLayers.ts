import type { Database } from '../../src/db/database';

/**
 * The layers of stored images written back the way store models 1-4 kept them: a Layer node per
 * depth layer (`id` imageId#index, `basic` the basic object's id) with HAS_LAYER from its image and
 * CONTAINS to each member, read from the image's model-5 lists (`layerBasics`, `layerMembers`), which
 * are then removed. With `basicFlags` each CONTAINS edge also gets model 3's `basic` flag. The fixture
 * of the migrations that read or drop those nodes (0009, 0010).
 */
export async function writeLegacyLayers(
  db: Database,
  imageIds: string[],
  opts: { basicFlags?: boolean } = {},
): Promise<void> {
  await db.write('test.legacyLayers', (tx) =>
    tx.run(
      `UNWIND $ids AS id
       MATCH (i:Image {id: id})
       CALL {
         WITH i
         UNWIND range(0, size(coalesce(i.layerBasics, [])) - 1) AS n
         WITH i, split(i.layerBasics[n], ':')[0] AS index, i.layerBasics[n] AS entry
         WITH i, index, substring(entry, size(index) + 1) AS basic
         CREATE (i)-[:HAS_LAYER]->(y:Layer {id: i.id + '#' + index, imageId: i.id, index: toInteger(index),
                                             basic: i.id + ':' + basic})
         WITH i, y, index
         UNWIND [m IN i.layerMembers WHERE split(m, ':')[0] = index | substring(m, size(index) + 1)] AS key
         MATCH (i)-[:HAS_OBJECT]->(o:Object {key: key})
         CREATE (y)-[c:CONTAINS]->(o)
         SET c.basic = CASE WHEN $basicFlags THEN o.id = y.basic END
       }
       WITH DISTINCT i
       REMOVE i.layerBasics, i.layerMembers`,
      { ids: imageIds, basicFlags: opts.basicFlags === true },
    ),
  );
}

/** Removes the Layer nodes of these images (what `writeLegacyLayers` made and a migration left). */
export async function deleteLegacyLayers(db: Database, imageIds: string[]): Promise<void> {
  await db.write('test.legacyLayers.cleanup', (tx) =>
    tx.run('MATCH (l:Layer) WHERE l.imageId IN $ids DETACH DELETE l', { ids: imageIds }),
  );
}
