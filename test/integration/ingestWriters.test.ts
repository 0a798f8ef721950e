import type { Database } from '../../src/db/database';
import { UserInputError } from '../../src/errors/errors';
import { migrate } from '../../src/db/migrations';
import { normalizeLabel } from '../../src/labels/normalizeLabel';
import { buildSceneGraph } from '../../src/spatial/engine';
import { ingestImages } from '../../src/store/ingest.store';
import { toStoredImage, type StoredImage } from '../../src/store/storedScene';
import { obj } from '../helpers/scenes';
import { deleteImagesUnder, testDatabase, uniquePrefix } from '../helpers/testDatabase';

/**
 * Several transactions of one ingest call at once (`writers`): every image is stored exactly as with
 * one writer, statuses included, and a refused option writes nothing.
 */
describe('ingestImages with concurrent writers (real Neo4j)', () => {
  let db: Database;
  const tag = uniquePrefix('writers');
  const [PERSON, CAR] = [`${tag} person`, `${tag} car`].map((l) => normalizeLabel(l));

  function image(n: number, shift = 0): StoredImage {
    const scene = buildSceneGraph({
      version: 1,
      image: { uri: `test://${tag}/${n}.jpg`, width: 640, height: 480 },
      objects: [
        obj('p1', PERSON, [40 + shift, 100, 120 + shift, 400], 2, 2.4, 0.9),
        obj('p2', PERSON, [140, 120, 210, 380], 3 + n / 10, 3.3 + n / 10, 0.8),
        obj('c1', CAR, [260, 200, 420, 330], 6, 8, 0.8),
        obj('c2', CAR, [430, 210, 560, 320], 9 + shift, 11 + shift, 0.7),
      ],
    });
    return toStoredImage(scene, '2026-12-04T00:00:00.000Z');
  }

  /** Per image of this test: objects, typed edges and layers as stored. */
  async function stored(): Promise<Map<string, string>> {
    const res = await db.read('test.stored', (tx) =>
      tx.run<{ uri: string; objects: number; edges: number; layers: number }>(
        `MATCH (i:Image) WHERE i.uri STARTS WITH $prefix
         CALL { WITH i MATCH (i)-[:HAS_OBJECT]->(o) RETURN count(o) AS objects }
         CALL { WITH i MATCH (i)-[:HAS_OBJECT]->()-[r]->(:Object) RETURN count(r) AS edges }
         RETURN i.uri AS uri, objects, edges, size(coalesce(i.layerBasics, [])) AS layers`,
        { prefix: `test://${tag}/` },
      ),
    );
    return new Map(
      res.records.map((r) => [r.get('uri'), `${r.get('objects')}/${r.get('edges')}/${r.get('layers')}`]),
    );
  }

  const expected = (images: StoredImage[]) =>
    new Map(
      images.map((i) => [
        i.props.uri as string,
        `${i.objects.length}/${i.edges.length + i.semantic.length}/${(i.props.layerBasics as string[] | null)?.length ?? 0}`,
      ]),
    );

  beforeAll(async () => {
    db = testDatabase();
    await migrate(db);
  });
  afterAll(async () => {
    await deleteImagesUnder(db, `test://${tag}/`);
    await db.close();
  });

  it('stores a batch through four writers, then reports unchanged and replaced images as one writer would', async () => {
    const images = Array.from({ length: 13 }, (_, n) => image(n));
    const first = await ingestImages(db, images, { writers: 4 });
    expect(first.map((r) => r.status)).toEqual(images.map(() => 'created'));
    expect(first.map((r) => r.imageId)).toEqual(images.map((i) => i.id));
    expect(await stored()).toEqual(expected(images));

    // Three images change (another geometry: another graph); one of them twice in the batch, the last wins.
    const changed = images.map((i, n) => (n % 5 === 2 ? image(n, 7) : i));
    const batch = [...changed, image(2, 9)];
    const second = await ingestImages(db, batch, { writers: 3 });
    expect(second.map((r) => r.status)).toEqual(
      batch.map((_, n) => (n === batch.length - 1 || n % 5 === 2 ? 'replaced' : 'unchanged')),
    );
    const final = [...changed];
    final[2] = image(2, 9);
    expect(await stored()).toEqual(expected(final));
  });

  it('refuses writers outside 1..16, naming the field, and writes nothing', async () => {
    const before = await stored();
    for (const writers of [0, 17, 1.5]) {
      await expect(ingestImages(db, [image(99)], { writers })).rejects.toThrow(UserInputError);
      await expect(ingestImages(db, [image(99)], { writers })).rejects.toThrow(
        /^writers: must be an integer/,
      );
    }
    expect(await stored()).toEqual(before);
  });
});
