import type { Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrations';
import { normalizeLabel } from '../../src/labels/normalizeLabel';
import { buildSceneGraph } from '../../src/spatial/engine';
import { ingestImages } from '../../src/store/ingest.store';
import { EDGE_TYPES, pairKey } from '../../src/store/relationModel';
import { searchImages, type TripletPattern } from '../../src/store/search.store';
import { scoreOrOne, toStoredImage, type StoredImage } from '../../src/store/storedScene';
import { deleteLegacyLayers, writeLegacyLayers } from '../helpers/legacyLayers';
import { MigrationCopy } from '../helpers/migrationCopy';
import { obj } from '../helpers/scenes';
import { deleteImagesUnder, testDatabase, uniquePrefix } from '../helpers/testDatabase';

/**
 * Migration 0009 on a store written the way store model 3 wrote it (every typed edge with its pair
 * key, CONTAINS edges with a `basic` flag): afterwards only the lead edge of each (type, subject
 * label, object label) group in an image keeps the key, Image.unscoredEdges counts the leads without
 * a score, and searches answer as before.
 */
describe('migration 0009: pair keys on lead edges only (real Neo4j)', () => {
  let db: Database;
  const tag = uniquePrefix('mig9');
  // As the store keeps them (searches take normalised labels, as the GraphQL layer passes them).
  const [PERSON, CAR, DOG] = [`${tag} person`, `${tag} car`, `${tag} dog`].map((l) => normalizeLabel(l));

  /** A built scene as model 3 stored it: the key on every edge, the image at model 3. */
  function model3(n: number, shift: number): StoredImage {
    const scene = buildSceneGraph({
      version: 1,
      image: { uri: `test://${tag}/${n}.jpg`, width: 640, height: 480 },
      objects: [
        obj('p1', PERSON, [40 + shift, 100, 120 + shift, 400], 2, 2.4, 0.9),
        obj('p2', PERSON, [140 + shift, 120, 210 + shift, 380], 3 + n / 10, 3.3 + n / 10, 0.8),
        obj('c1', CAR, [260, 200, 420, 330], 6, 8, 0.8),
        obj('c2', CAR, [430 - shift, 210, 560 - shift, 320], 9, 11, 0.7),
        obj('c3', CAR, [300, 150, 600, 260], 14 - n, 16 - n, 0.6),
        obj('g', DOG, [20, 350, 90, 430], 3, 3.2, 0.7),
      ],
    });
    const stored = toStoredImage(scene, '2026-12-03T00:00:00.000Z');
    const labelOf = new Map(stored.objects.map((o) => [o.id as string, o.label as string]));
    return {
      ...stored,
      props: { ...stored.props, storeModel: 3 },
      edges: stored.edges.map((e) => ({ ...e, k: pairKey(labelOf.get(e.subject)!, labelOf.get(e.object)!) })),
    };
  }

  beforeAll(async () => {
    db = testDatabase();
    await migrate(db);
  });
  afterAll(async () => {
    await deleteImagesUnder(db, `test://${tag}/`);
    await db.close();
  });

  it('keeps one key per group and image, recounts unscored leads, drops CONTAINS.basic; searches answer as before', async () => {
    const images = [0, 1, 2, 3].map((n) => model3(n, n * 7));
    // One image with typed edges without a score (model 3 counted every such edge): all of one group's.
    const unscored = model3(4, 3);
    const group = unscored.edges.find((e) => e.type === 'LEFT_OF')!;
    const inGroup = unscored.edges.filter((e) => e.type === group.type && e.k === group.k);
    unscored.edges = unscored.edges.map((e) => (inGroup.includes(e) ? { ...e, score: null } : e));
    await ingestImages(db, [...images, unscored]);
    const ids = [...images, unscored].map((i) => i.id);
    await db.write('test.model3', (tx) =>
      tx.run(
        `UNWIND $ids AS id MATCH (i:Image {id: id})
         SET i.unscoredEdges = CASE WHEN id = $unscored THEN $n END`,
        { ids, unscored: unscored.id, n: inGroup.length },
      ),
    );
    // Model 3's layers: Layer nodes whose CONTAINS edges carry a `basic` flag.
    await writeLegacyLayers(db, ids, { basicFlags: true });
    const flags = async (): Promise<number> => {
      const res = await db.read('test.basicFlags', (tx) =>
        tx.run(
          `MATCH (l:Layer)-[c:CONTAINS]->() WHERE l.imageId IN $ids AND c.basic IS NOT NULL
           RETURN count(c) AS n`,
          { ids },
        ),
      );
      return Number(res.records[0].get('n'));
    };
    expect(await flags()).toBeGreaterThan(0);

    const searches: TripletPattern[][] = [
      [{ subject: PERSON, predicate: 'in front of', object: CAR }],
      [
        { subject: PERSON, predicate: 'in front of', object: CAR },
        { subject: PERSON, predicate: 'left of' },
      ],
      [{ subject: CAR, predicate: 'behind', object: PERSON, minScore: 0.5 }],
      [{ subject: PERSON, predicate: 'right of', object: DOG }],
      [{ subject: PERSON, predicate: 'left of', object: CAR }],
      [
        { subject: PERSON, subjectVar: 'x', predicate: 'in front of', object: CAR },
        { subjectVar: 'x', predicate: 'left of', object: CAR },
      ],
    ];
    const answers = async () =>
      Promise.all(
        searches.map(async (patterns) => {
          const page = await searchImages(db, patterns, 10);
          return JSON.stringify(page, (_, v: unknown) => (v instanceof Map ? [...v] : v));
        }),
      );
    const before = await answers();
    for (const a of before) expect((JSON.parse(a) as { rows: unknown[] }).rows.length).toBeGreaterThan(0);

    const migration = new MigrationCopy(db, '0009_lead_keys.cypher', `9909_lead_keys_${tag}`);
    try {
      await migration.apply();

      const edges = await db.read('test.edges', (tx) =>
        tx.run<{ image: string; type: string; sl: string; ol: string; score: number | null; k: unknown }>(
          `UNWIND $ids AS id MATCH (:Image {id: id})-[:HAS_OBJECT]->(s:Object)-[r]->(o:Object)
           WHERE type(r) IN $types
           RETURN id AS image, type(r) AS type, s.label AS sl, o.label AS ol, r.score AS score, r.k AS k`,
          { ids, types: EDGE_TYPES },
        ),
      );
      const groups = new Map<string, { score: number | null; keyed: boolean }[]>();
      for (const r of edges.records) {
        const g = [r.get('image'), r.get('type'), r.get('sl'), r.get('ol')].join('|');
        groups.set(g, [...(groups.get(g) ?? []), { score: r.get('score'), keyed: r.get('k') !== null }]);
      }
      expect(edges.records.length).toBe([...images, unscored].reduce((n, i) => n + i.edges.length, 0));
      expect(edges.records.length).toBeGreaterThan(groups.size);
      for (const members of groups.values()) {
        const keyed = members.filter((m) => m.keyed);
        expect(keyed).toHaveLength(1);
        expect(scoreOrOne(keyed[0].score)).toBe(Math.max(...members.map((m) => scoreOrOne(m.score))));
      }

      const state = await db.read('test.state', (tx) =>
        tx.run<{ id: string; model: number; unscored: number | null; leadsUnscored: number }>(
          `UNWIND $ids AS id MATCH (i:Image {id: id})
           CALL { WITH i OPTIONAL MATCH (i)-[:HAS_OBJECT]->(:Object)-[r]->(:Object)
                  WHERE type(r) IN $types AND r.k IS NOT NULL AND r.score IS NULL RETURN count(r) AS leadsUnscored }
           RETURN id, i.storeModel AS model, i.unscoredEdges AS unscored, leadsUnscored`,
          { ids, types: EDGE_TYPES },
        ),
      );
      for (const r of state.records) {
        expect(r.get('model')).toBe(4);
        expect(r.get('unscored') ?? 0).toBe(r.get('leadsUnscored'));
      }
      expect(await flags()).toBe(0);
      // The group without scores has one lead, and it has no score.
      expect(state.records.find((r) => r.get('id') === unscored.id)!.get('unscored')).toBe(1);

      expect(await answers()).toEqual(before);
      // The batches only read images below model 4: a second run changes nothing.
      await migration.apply();
      expect(await answers()).toEqual(before);
    } finally {
      await deleteLegacyLayers(db, ids);
      await migration.cleanup();
    }
  });
});
