import type { Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrations';
import { buildSceneGraph } from '../../src/spatial/engine';
import { exportPageByIds } from '../../src/store/export.store';
import { objectsByImageIds, relationsByImageIds } from '../../src/store/graph.store';
import { ingestImages } from '../../src/store/ingest.store';
import { toStoredImage } from '../../src/store/storedScene';
import { MigrationCopy } from '../helpers/migrationCopy';
import { obj } from '../helpers/scenes';
import { deleteImagesUnder, testDatabase, uniquePrefix } from '../helpers/testDatabase';

/**
 * Migration 0011 on a store written the way store model 5 wrote it (each object's box one list):
 * afterwards every box is four numbers (boxX1..boxY2), no list is left, every image says model 6,
 * and the store answers with the same objects, derived relations and exported scenes as before.
 */
describe('migration 0011: the box as four numbers (real Neo4j)', () => {
  let db: Database;
  const tag = uniquePrefix('mig11');
  const prefix = `test://${tag}/`;

  const scene = (n: number) =>
    buildSceneGraph({
      version: 1,
      image: { uri: `${prefix}${n}.jpg`, width: 640, height: 480 },
      objects: [
        obj('p1', 'person', [40.25 + n, 100, 120 + n, 400.5], 2, 2.4, 0.9),
        obj('t', 'table', [30, 250, 400, 420], 2.6, 3.2, 0.8),
        obj('c1', 'car', [260, 200, 420.75, 330], 6, 8, 0.8),
        obj('c2', 'car', [300, 150, 600, 260], 9 + n, 11 + n, 0.6),
      ],
    });

  /** What model 5 wrote: the box as one list. */
  const TO_MODEL5 = `
UNWIND $ids AS id
MATCH (i:Image {id: id})-[:HAS_OBJECT]->(o:Object)
SET o.box = [o.boxX1, o.boxY1, o.boxX2, o.boxY2], i.storeModel = 5
REMOVE o.boxX1, o.boxY1, o.boxX2, o.boxY2`;

  beforeAll(async () => {
    db = testDatabase();
    await db.verify();
    await migrate(db);
  });

  afterAll(async () => {
    await deleteImagesUnder(db, prefix);
    await db.close();
  });

  it('converts box lists to four numbers and answers as before', async () => {
    const images = [0, 1, 2].map((n) => toStoredImage(scene(n), '2026-01-01T00:00:00.000Z'));
    await ingestImages(db, images);
    const ids = images.map((i) => i.id);
    const answers = async () => ({
      objects: [...(await objectsByImageIds(db, ids))],
      relations: [...(await relationsByImageIds(db, ids))],
      scenes: await exportPageByIds(db, ids),
    });
    const model6 = await answers();
    expect(model6.objects.flatMap(([, os]) => os.map((o) => o.box))).toContainEqual([40.25, 100, 120, 400.5]);
    expect(model6.relations.flatMap(([, rs]) => rs).length).toBeGreaterThan(0);

    await db.write('test.model5', (tx) => tx.run(TO_MODEL5, { ids }));
    const state = async () =>
      (
        await db.read('test.state', (tx) =>
          tx.run(
            `UNWIND $ids AS id MATCH (i:Image {id: id})-[:HAS_OBJECT]->(o:Object)
             RETURN sum(CASE WHEN o.box IS NULL THEN 0 ELSE 1 END) AS lists,
                    sum(CASE WHEN o.boxX1 IS NULL OR o.boxY1 IS NULL OR o.boxX2 IS NULL OR o.boxY2 IS NULL
                        THEN 0 ELSE 1 END) AS scalars,
                    collect(DISTINCT i.storeModel) AS models`,
            { ids },
          ),
        )
      ).records[0].toObject();
    expect(await state()).toEqual({ lists: 12, scalars: 0, models: [5] });

    const migration = new MigrationCopy(db, '0011_box_scalars.cypher', `9911_box_${tag}`);
    try {
      await migration.apply();
      expect(await state()).toEqual({ lists: 0, scalars: 12, models: [6] });
      expect(await answers()).toEqual(model6);

      await migration.apply();
      expect(await answers()).toEqual(model6);
    } finally {
      await migration.cleanup();
    }
  });
});
