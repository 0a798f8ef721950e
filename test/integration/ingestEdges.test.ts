import type { Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrations';
import { buildSceneGraph } from '../../src/spatial/engine';
import { ingestImages } from '../../src/store/ingest.store';
import { SEMANTIC_TYPE } from '../../src/store/relationModel';
import { toStoredImage, type StoredImage } from '../../src/store/storedScene';
import { obj } from '../helpers/scenes';
import { deleteImagesUnder, testDatabase, uniquePrefix } from '../helpers/testDatabase';

/**
 * ingestImages writes each edge between the objects it names: the statement finds the two ends by
 * their position in the image's object list, so this checks every stored relationship (type, ends,
 * properties) against the StoredImage records, with object keys out of order, an object without
 * relations, semantic relations, an image without objects, and several images per transaction.
 */
describe('ingestImages stores every edge between the right objects (real Neo4j)', () => {
  let db: Database;
  const tag = uniquePrefix('edges');
  const prefix = `test://${tag}/`;

  function image(n: number): StoredImage {
    const scene = buildSceneGraph({
      version: 1,
      image: { uri: `${prefix}${n}.jpg`, width: 640, height: 480 },
      objects:
        n === 3
          ? []
          : [
              obj('z9', 'person', [40 + n, 100, 120 + n, 400], 2, 2.4, 0.9),
              obj('a1', 'table', [30, 250, 400, 420], 2.6, 3.2, 0.8),
              obj('m:5', 'car', [260, 200, 420, 330], 6, 8, 0.8),
              obj('b2', 'car', [300, 150, 600, 260], 9 + n, 11 + n, 0.6),
              obj('lone', 'kite', [600, 10, 630, 30], 40, 41, 0.5),
            ],
      relations:
        n === 3
          ? []
          : [
              { subject: 'z9', predicate: 'holding', object: 'b2', source: 'ANNOTATION', score: 0.7 },
              { subject: 'm:5', predicate: 'parked near', object: 'a1', source: 'MODEL' },
            ],
    });
    return toStoredImage(scene, '2026-12-07T00:00:00.000Z');
  }

  beforeAll(async () => {
    db = testDatabase();
    await migrate(db);
  });

  afterAll(async () => {
    await deleteImagesUnder(db, prefix);
    await db.close();
  });

  it('writes the edges and semantic relations the records hold, and nothing else', async () => {
    const images = [0, 1, 2, 3].map(image);
    expect(images[0].edges.length).toBeGreaterThan(5);
    await ingestImages(db, images, { writers: 2 });

    const res = await db.read('test.edges', (tx) =>
      tx.run(
        `MATCH (i:Image)-[:HAS_OBJECT]->(s:Object)-[r]->(o:Object) WHERE i.uri STARTS WITH $prefix
         RETURN type(r) AS type, s.id AS subject, o.id AS object, properties(r) AS props`,
        { prefix },
      ),
    );
    const row = (type: string, subject: string, object: string, props: Record<string, unknown>) =>
      JSON.stringify([
        type,
        subject,
        object,
        Object.entries(props)
          .filter(([, v]) => v !== null)
          .sort(),
      ]);
    const stored = res.records
      .map((r) =>
        row(r.get('type'), r.get('subject'), r.get('object'), r.get('props') as Record<string, unknown>),
      )
      .sort();
    const expected = images
      .flatMap((i) => [
        ...i.edges.map((e) => row(e.type, e.subject, e.object, { score: e.score, k: e.k })),
        ...i.semantic.map((r) => row(SEMANTIC_TYPE, r.subject, r.object, r.props)),
      ])
      .sort();
    expect(stored).toEqual(expected);
    expect(new Set(stored.map((s) => JSON.parse(s)[0] as string))).toEqual(
      new Set([SEMANTIC_TYPE, ...images.flatMap((i) => i.edges.map((e) => e.type))]),
    );

    const objects = await db.read('test.objects', (tx) =>
      tx.run(
        `MATCH (i:Image)-[:HAS_OBJECT]->(o:Object) WHERE i.uri STARTS WITH $prefix
         RETURN o.id AS id ORDER BY id`,
        { prefix },
      ),
    );
    expect(objects.records.map((r) => r.get('id'))).toEqual(
      images.flatMap((i) => i.objects.map((o) => o.id as string)).sort(),
    );
  });
});
