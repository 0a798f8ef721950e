import { randomUUID } from 'node:crypto';
import type { SceneGraph } from '../../src/scenegraph/sceneGraph.types';
import type { RunningService } from '../../src/server/service';
import { buildSceneGraph } from '../../src/spatial/engine';
import { streetScene } from '../helpers/scenes';
import { testDatabase } from '../helpers/testDatabase';
import { gql, startTestService } from '../helpers/testService';

/**
 * Query-time thresholds: `Image.relations(thresholds:)` re-derives the geometric relations from the
 * stored geometry with the engine, so they equal what `scenegraph build` gives with the same numbers,
 * for every geometric predicate.
 */

const INGEST = `mutation($input: JSONObject!) { ingestSceneGraph(input: $input) { image { id } } }`;
const RELATIONS = `query($id: ID!, $t: JSONObject) { image(id: $id) {
  relations(thresholds: $t, source: GEOMETRY) { predicate score subject { key } object { key } } } }`;

type Row = { predicate: string; score: number | null; subject: { key: string }; object: { key: string } };

const triplets = (rows: Row[]) => rows.map((r) => `${r.subject.key} ${r.predicate} ${r.object.key}`).sort();

function expected(scene: SceneGraph, thresholds?: Record<string, number>): string[] {
  const built = buildSceneGraph(scene, undefined, thresholds ? { thresholds } : {});
  return built
    .relations!.filter((r) => r.source === 'GEOMETRY')
    .map((r) => `${r.subject} ${r.predicate} ${r.object}`)
    .sort();
}

describe('query-time thresholds (real Neo4j)', () => {
  let service: RunningService;
  const db = testDatabase();
  const tag = randomUUID().slice(0, 8);
  const scene = streetScene(`thr${tag}`);
  let id: string;

  beforeAll(async () => {
    service = await startTestService();
    const r = await gql(service, INGEST, { input: scene });
    id = (r.body.data!.ingestSceneGraph as { image: { id: string } }).image.id;
  });
  afterAll(async () => {
    await db.write('test.cleanup', (tx) =>
      tx.run('MATCH (i:Image {id: $id}) OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i', { id }),
    );
    await db.close();
    await service.stop();
  });

  async function relations(t?: Record<string, unknown>) {
    const r = await gql(service, RELATIONS, { id, t: t ?? null });
    return r;
  }

  it('without thresholds: the relations the build stored', async () => {
    const r = await relations();
    expect(r.body.errors).toBeUndefined();
    expect(triplets((r.body.data!.image as { relations: Row[] }).relations)).toEqual(expected(scene));
  });

  // One override per family of geometric predicates; each must change the answer, and match the build.
  it.each([
    ['in front of / behind, occludes', { frontMinGap: 0.9, frontMedianMargin: 1 }],
    ['left of / right of', { lateralMargin: 100 }],
    ['above / below', { verticalMargin: 100 }],
    ['near / far', { nearDistance: 100, farDistance: 200 }],
  ])('%s: with other thresholds, the relations a build with them gives', async (_name, thresholds) => {
    const r = await relations(thresholds);
    expect(r.body.errors).toBeUndefined();
    const got = triplets((r.body.data!.image as { relations: Row[] }).relations);
    expect(got).toEqual(expected(scene, thresholds));
    expect(got).not.toEqual(expected(scene));
  });

  it('refuses an unknown threshold or an out-of-range value, naming it', async () => {
    const unknown = await relations({ lateralMarginn: 1 });
    expect(unknown.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknown.body.errors?.[0].message).toMatch(/thresholds\.lateralMarginn/);
    const range = await relations({ frontMedianMargin: 5 });
    expect(range.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(range.body.errors?.[0].message).toMatch(/frontMedianMargin/);
  });
});
