import { copyFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../src/db/database';
import { DEFAULT_MIGRATIONS_DIR, migrate } from '../../src/db/migrations';
import { normalizeLabel } from '../../src/labels/normalizeLabel';
import type { SceneGraph } from '../../src/scenegraph/sceneGraph.types';
import { buildSceneGraph } from '../../src/spatial/engine';
import { pairKey } from '../../src/store/relationModel';
import { relationsOfImages } from '../../src/store/relations.store';
import { predicateCounts, searchImages } from '../../src/store/search.store';
import { canonicalJson, imageIdFor, objectIdFor } from '../../src/store/storedScene';
import { streetScene } from '../helpers/scenes';
import { testDatabase, uniquePrefix } from '../helpers/testDatabase';

/**
 * Migration 0004 on a store written the way store model 1 wrote it (the writer below is model 1's
 * Cypher and property mapping, kept here as the fixture): every geometric relation and its inverse a
 * RELATION edge with id, evidence and provenance. After the migration the store answers with the same
 * relations, now derived from the geometry, and its typed edges are the canonical directions.
 */

const MODEL1 = {
  images: `
UNWIND $images AS img
CREATE (i:Image) SET i = img.props
WITH i, img
UNWIND img.objects AS o
CREATE (i)-[:HAS_OBJECT]->(x:Object) SET x = o`,
  relations: `
UNWIND $relations AS r
MATCH (s:Object {id: r.subject})
MATCH (o:Object {id: r.object})
CREATE (s)-[e:RELATION]->(o) SET e = r.props`,
};

async function writeModel1(db: Database, scene: SceneGraph): Promise<string> {
  const id = imageIdFor(scene);
  const provenance = JSON.stringify(scene.provenance);
  const rule = `${String(scene.provenance!.engine)}@${String(scene.provenance!.version)}`;
  const props = {
    id,
    uri: scene.image.uri,
    width: scene.image.width,
    height: scene.image.height,
    configHash: 'model1',
    ingestedAt: '2026-12-01T00:00:00.000Z',
    objectCount: scene.objects.length,
    relationCount: scene.relations!.length,
    provenance,
  };
  const objects = scene.objects.map((o) => ({
    id: objectIdFor(id, o.key),
    imageId: id,
    key: o.key,
    label: normalizeLabel(o.label),
    rawLabel: o.label,
    box: o.box,
    score: o.score ?? null,
    depthMin: o.depth?.min ?? null,
    depthP5: o.depth?.p5 ?? null,
    depthP50: o.depth?.p50 ?? null,
    depthP95: o.depth?.p95 ?? null,
    depthMax: o.depth?.max ?? null,
    depthUnit: o.depth?.unit ?? null,
    centroid: o.centroid ?? null,
    extent: o.extent ?? null,
  }));
  const relations = scene.relations!.map((r) => {
    const subject = objectIdFor(id, r.subject);
    const object = objectIdFor(id, r.object);
    const relId = `${subject}|${r.predicate}|${object}|${r.source}`;
    return {
      subject,
      object,
      props: {
        id: relId,
        imageId: id,
        predicate: r.predicate,
        score: r.score ?? null,
        source: r.source,
        evidence: r.evidence ? JSON.stringify(r.evidence) : null,
        provenance: r.source === 'GEOMETRY' ? rule : provenance,
      },
    };
  });
  await db.write('test.model1', async (tx) => {
    await tx.run(MODEL1.images, { images: [{ props, objects }] });
    await tx.run(MODEL1.relations, { relations });
  });
  return id;
}

describe('migration 0004: store model 1 -> 2 (real Neo4j)', () => {
  let db: Database;
  beforeAll(async () => {
    db = testDatabase();
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('converts a model-1 image: typed edges one way, semantic edges labelled, the same relations derived', async () => {
    const tag = uniquePrefix('mig');
    const street = streetScene(tag);
    // Objects in key order: model 1 kept no scene order, so the derivation meets pairs in key order.
    const built = buildSceneGraph({
      ...street,
      objects: [...street.objects].sort((a, b) => (a.key < b.key ? -1 : 1)),
    });
    const id = await writeModel1(db, built);

    // The migrations' files under new ids (model 1 -> 2 -> 3): they are already applied to this
    // database for other tests' data.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'migrate-0004-'));
    const suffix = tag.replace(/-/g, '_');
    const fileIds = [`9904_compact_${suffix}`, `9906_pair_keys_${suffix}`];
    copyFileSync(
      path.join(DEFAULT_MIGRATIONS_DIR, '0004_compact_relations.cypher'),
      path.join(dir, `${fileIds[0]}.cypher`),
    );
    copyFileSync(
      path.join(DEFAULT_MIGRATIONS_DIR, '0007_pair_keys.cypher'),
      path.join(dir, `${fileIds[1]}.cypher`),
    );
    try {
      expect((await migrate(db, dir)).applied).toEqual(fileIds);

      // Typed edges carry the pair key, semantic ones their two labels.
      const counts = await db.read('test.counts', (tx) =>
        tx.run<{
          type: string;
          n: number;
          withId: number;
          withLabels: number;
          keys: [string, string, number][];
          stale: number;
        }>(
          `MATCH (:Image {id: $id})-[:HAS_OBJECT]->(s:Object)-[r]->(o:Object)
           RETURN type(r) AS type, count(r) AS n, count(r.id) AS withId,
                  count(CASE WHEN type(r) = 'RELATION' THEN r.sl ELSE r.k END) AS withLabels,
                  collect(DISTINCT [s.label, o.label, r.k]) AS keys, count(r.ol) + count(r.sk) AS stale`,
          { id },
        ),
      );
      for (const row of counts.records) {
        if (row.get('type') === 'RELATION') continue;
        expect(row.get('stale')).toBe(0);
        for (const [sl, ol, k] of row.get('keys')) expect(k).toBe(pairKey(sl, ol));
      }
      const byType = Object.fromEntries(counts.records.map((r) => [r.get('type'), r.toObject()]));
      const geometric = built.relations!.filter((r) => r.source === 'GEOMETRY');
      const count = (p: string) => geometric.filter((r) => r.predicate === p).length;
      expect(byType.IN_FRONT_OF?.n).toBe(count('in front of'));
      expect(byType.LEFT_OF?.n).toBe(count('left of'));
      expect(byType.RELATION).toMatchObject({
        n: built.relations!.filter((r) => r.source !== 'GEOMETRY').length,
        withId: 0,
        withLabels: built.relations!.filter((r) => r.source !== 'GEOMETRY').length,
      });
      for (const row of counts.records) expect(row.get('withLabels')).toBe(row.get('n'));

      // The same relations as model 1 stored, with the same ids, scores and evidence.
      const derived = (await relationsOfImages(db, [id])).get(id)!;
      const asStored = (rows: { id: string; score: number | null; evidence: unknown }[]) =>
        rows.map((r) => canonicalJson({ id: r.id, score: r.score, evidence: r.evidence })).sort();
      expect(
        asStored(derived.map((r) => ({ ...r, evidence: r.evidence && JSON.parse(r.evidence) }))),
      ).toEqual(
        asStored(
          built.relations!.map((r) => ({
            id: `${objectIdFor(id, r.subject)}|${r.predicate}|${objectIdFor(id, r.object)}|${r.source}`,
            score: r.score ?? null,
            evidence: r.evidence ?? null,
          })),
        ),
      );

      // Queries over the converted image: a search through the typed edges, the catalogue.
      const person = normalizeLabel(built.objects.find((o) => o.key === 'p')!.label);
      const car = normalizeLabel(built.objects.find((o) => o.key === 'c')!.label);
      const found = await searchImages(db, [{ subject: car, predicate: 'behind', object: person }], 5);
      expect(found.rows.map((r) => r.image.id)).toContain(id);
      const predicates = new Map((await predicateCounts(db)).map((p) => [p.predicate, p.count]));
      expect(predicates.get('in front of')).toBe(predicates.get('behind'));
    } finally {
      await db.write('test.cleanup', (tx) =>
        tx.run(
          `MATCH (m:SchemaMigration) WHERE m.id IN $fileIds DELETE m
           WITH 1 AS x MATCH (i:Image {id: $id}) OPTIONAL MATCH (i)-[:HAS_OBJECT]->(o) DETACH DELETE o, i`,
          { fileIds, id },
        ),
      );
    }
  });
});
