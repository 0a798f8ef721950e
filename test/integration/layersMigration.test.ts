import type { Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrations';
import { buildSceneGraph } from '../../src/spatial/engine';
import { exportPageByIds } from '../../src/store/export.store';
import { layersByImageIds, objectsByImageIds } from '../../src/store/graph.store';
import { ingestImages } from '../../src/store/ingest.store';
import { toStoredImage } from '../../src/store/storedScene';
import { writeLegacyLayers } from '../helpers/legacyLayers';
import { MigrationCopy } from '../helpers/migrationCopy';
import { obj } from '../helpers/scenes';
import { deleteImagesUnder, testDatabase, uniquePrefix } from '../helpers/testDatabase';

/**
 * Migration 0010 on a store written the way store model 4 wrote it (Layer nodes with HAS_LAYER and
 * CONTAINS edges, rawLabel on every object, the thresholds copied out of the provenance): afterwards
 * the layers are two lists on their image, no Layer node is left, rawLabel stays only where it differs
 * from the label, the thresholds are only in the provenance, and the store answers with the same
 * layers, objects and exported scenes (relations derived with the recorded thresholds) as a store
 * written by model 5.
 */
describe('migration 0010: layers on their image (real Neo4j)', () => {
  let db: Database;
  const tag = uniquePrefix('mig10');
  const prefix = `test://${tag}/`;

  const scene = (n: number) =>
    buildSceneGraph({
      version: 1,
      image: { uri: `${prefix}${n}.jpg`, width: 640, height: 480 },
      objects: [
        obj('p1', 'People', [40 + n, 100, 120 + n, 400], 2, 2.4, 0.9),
        obj('t', 'table', [30, 250, 400, 420], 2.6, 3.2, 0.8),
        obj('c:1', 'car', [260, 200, 420, 330], 6, 8, 0.8),
        obj('c2', 'car', [300, 150, 600, 260], 9 + n, 11 + n, 0.6),
      ],
    });

  /** What model 4 kept besides the Layer nodes: rawLabel on every object, the thresholds copied out. */
  const TO_MODEL4 = `
UNWIND $images AS img
MATCH (i:Image {id: img.id})-[:HAS_OBJECT]->(o:Object)
SET i.thresholds = img.thresholds, i.storeModel = 4, o.rawLabel = coalesce(o.rawLabel, o.label)`;

  beforeAll(async () => {
    db = testDatabase();
    await migrate(db);
  });
  afterAll(async () => {
    await db.write('test.cleanup.layers', (tx) =>
      tx.run('MATCH (l:Layer) WHERE l.imageId STARTS WITH $tag DETACH DELETE l', { tag }),
    );
    await deleteImagesUnder(db, prefix);
    await db.close();
  });

  it('moves the layers onto their image and answers as a model-5 store does; a second run changes nothing', async () => {
    const images = [0, 1, 2].map((n) => toStoredImage(scene(n), '2026-12-05T00:00:00.000Z'));
    await ingestImages(db, images);
    const ids = images.map((i) => i.id);
    const answers = async () => ({
      layers: [...(await layersByImageIds(db, ids))],
      objects: [...(await objectsByImageIds(db, ids))],
      scenes: await exportPageByIds(db, ids),
    });
    const model5 = await answers();
    expect(model5.layers.flatMap(([, ls]) => ls).length).toBeGreaterThanOrEqual(3);

    const model4 = images.map((i) => ({
      id: i.id,
      thresholds: JSON.stringify(
        (JSON.parse(i.props.provenance as string) as { thresholds: unknown }).thresholds,
      ),
    }));
    await writeLegacyLayers(db, ids);
    await db.write('test.model4', (tx) => tx.run(TO_MODEL4, { images: model4 }));
    // A layer no image points at (a crashed writer of model 4 could leave one).
    await db.write('test.orphan', (tx) =>
      tx.run('CREATE (:Layer {id: $id, imageId: $tag, index: 0, basic: $id})', { id: `${tag}#0`, tag }),
    );
    const state = async () =>
      (
        await db.read('test.state', (tx) =>
          tx.run<{
            layerNodes: number;
            contains: number;
            lists: number;
            rawLabels: number;
            models: number[];
          }>(
            `UNWIND $ids AS id MATCH (i:Image {id: id})
             CALL { WITH i OPTIONAL MATCH (i)-[:HAS_LAYER]->(l:Layer) RETURN count(l) AS layerNodes }
             CALL { WITH i OPTIONAL MATCH (i)-[:HAS_LAYER]->(:Layer)-[c:CONTAINS]->() RETURN count(c) AS contains }
             CALL { WITH i OPTIONAL MATCH (i)-[:HAS_OBJECT]->(o:Object) WHERE o.rawLabel IS NOT NULL RETURN count(o) AS rawLabels }
             RETURN sum(layerNodes) AS layerNodes, sum(contains) AS contains,
                    sum(CASE WHEN i.layerBasics IS NULL THEN 0 ELSE 1 END) AS lists, sum(rawLabels) AS rawLabels,
                    sum(CASE WHEN i.thresholds IS NULL THEN 0 ELSE 1 END) AS thresholds,
                    collect(DISTINCT i.storeModel) AS models`,
            { ids },
          ),
        )
      ).records[0].toObject();
    const before = await state();
    expect(before.layerNodes).toBe(model5.layers.flatMap(([, ls]) => ls).length);
    expect(before.contains).toBe(model5.layers.flatMap(([, ls]) => ls.flatMap((l) => l.members)).length);
    expect(before).toMatchObject({ lists: 0, rawLabels: 12, thresholds: 3, models: [4] });

    const migration = new MigrationCopy(db, '0010_layers_on_images.cypher', `9910_layers_${tag}`);
    try {
      await migration.apply();
      // Only the 'People' objects keep rawLabel (normalised to 'person').
      expect(await state()).toEqual({
        layerNodes: 0,
        contains: 0,
        lists: 3,
        rawLabels: 3,
        thresholds: 0,
        models: [5],
      });
      const orphans = await db.read('test.orphans', (tx) =>
        tx.run('MATCH (l:Layer) WHERE l.imageId = $tag RETURN count(l) AS n', { tag }),
      );
      expect(orphans.records[0].get('n')).toBe(0);
      expect(await answers()).toEqual(model5);

      await migration.apply();
      expect(await answers()).toEqual(model5);
    } finally {
      await migration.cleanup();
    }
  });
});
