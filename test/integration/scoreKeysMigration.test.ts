import neo4j from 'neo4j-driver';
import type { Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrations';
import { EDGE_TYPES, pairKey } from '../../src/store/relationModel';
import { searchImagesTopK } from '../../src/store/search.store';
import { MigrationCopy } from '../helpers/migrationCopy';
import { testDatabase, uniquePrefix } from '../helpers/testDatabase';

/**
 * Migration 0008 on a store model 3 wrote before it: the (k, score) index of every typed edge type,
 * and Image.unscoredEdges on the images whose typed edges include some without a score (which those
 * indexes leave out), so the top-k search still ranks such an image first.
 */
describe('migration 0008: score-ordered pair-key indexes (real Neo4j)', () => {
  let db: Database;
  beforeAll(async () => {
    db = testDatabase();
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('creates the indexes and marks the images holding typed edges without a score', async () => {
    const tag = uniquePrefix('mig8');
    const [A, B] = [`${tag} a`, `${tag} b`];
    const ids = [`${tag}-scored`, `${tag}-unscored`];
    // Written as model 3 wrote them before 0008: no unscoredEdges property.
    await db.write('test.model3', (tx) =>
      tx.run(
        `UNWIND $images AS img
         CREATE (i:Image {id: img.id, uri: img.id, storeModel: 3})
         CREATE (i)-[:HAS_OBJECT]->(s:Object {id: img.id + '-s', imageId: img.id, label: $a})
         CREATE (i)-[:HAS_OBJECT]->(o:Object {id: img.id + '-o', imageId: img.id, label: $b})
         CREATE (s)-[:IN_FRONT_OF {score: img.score, k: $k}]->(o)
         CREATE (s)-[:LEFT_OF {score: 0.6, k: $k}]->(o)
         FOREACH (_ IN CASE WHEN img.score IS NULL THEN [1] ELSE [] END | CREATE (s)-[:ABOVE {k: $k}]->(o))`,
        {
          images: [
            { id: ids[0], score: 0.9 },
            { id: ids[1], score: null },
          ],
          a: A,
          b: B,
          k: neo4j.int(pairKey(A, B)),
        },
      ),
    );
    const migration = new MigrationCopy(db, '0008_score_keys.cypher', `9908_score_keys_${tag}`);
    try {
      await migration.apply();
      const indexes = await db.read('test.indexes', (tx) =>
        tx.run<{ name: string; type: string; props: string[] | null; state: string }>(
          `SHOW INDEXES YIELD name, labelsOrTypes, properties, state
           RETURN name, labelsOrTypes[0] AS type, properties AS props, state`,
        ),
      );
      const byType = new Map(
        indexes.records
          .filter((r) => (r.get('props') ?? []).join() === 'k,score')
          .map((r) => [r.get('type'), r.get('state')]),
      );
      for (const type of EDGE_TYPES) expect(byType.get(type)).toBe('ONLINE');
      const marks = await db.read('test.marks', (tx) =>
        tx.run<{ id: string; n: number | null }>(
          'UNWIND $ids AS id MATCH (i:Image {id: id}) RETURN id, i.unscoredEdges AS n ORDER BY id',
          { ids },
        ),
      );
      expect(marks.records.map((r) => [r.get('id'), r.get('n')])).toEqual([
        [ids[0], null],
        [ids[1], 2],
      ]);
      // The image whose edge has no score (counting 1) ranks first, though no index holds that edge.
      const top = await searchImagesTopK(db, [{ subject: A, predicate: 'in front of', object: B }], 1);
      expect(top!.rows.map((r) => [r.image.id, r.score])).toEqual([
        [ids[1], 1],
        [ids[0], 0.9],
      ]);
      // A pattern held only by an edge without a score: found all the same.
      const above = await searchImagesTopK(
        db,
        [
          { subject: A, predicate: 'left of', object: B },
          { subject: A, predicate: 'above', object: B },
        ],
        5,
      );
      expect(above!.rows.map((r) => [r.image.id, r.score])).toEqual([[ids[1], 1.6]]);
    } finally {
      await migration.cleanup();
      await db.write('test.cleanup', (tx) =>
        tx.run('UNWIND $ids AS id MATCH (i:Image {id: id})-[:HAS_OBJECT]->(o) DETACH DELETE o, i', { ids }),
      );
    }
  });
});
