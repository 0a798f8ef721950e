import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateScene } from '../../src/synth/generateScene';
import { writeSceneFolder } from '../../src/synth/sceneFolder';
import { testDatabase } from '../helpers/testDatabase';
import { gql, startTestService } from '../helpers/testService';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });

describe('ingest from files (CLI and GraphQL, real Neo4j)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ingest-'));
  const db = testDatabase();
  const seeds = [901, 902, 903];

  beforeAll(async () => {
    for (const s of seeds)
      await writeSceneFolder(await generateScene({ seed: s, objects: 5 }), path.join(dir, `s${s}`));
  });

  afterAll(async () => {
    await db.write('test.cleanup', (tx) =>
      tx.run('MATCH (i:Image) WHERE i.uri STARTS WITH $dir OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i', {
        dir,
      }),
    );
    await db.close();
  });

  const stored = async () =>
    (
      await db.read('test.count', (tx) =>
        tx.run<{ n: number }>('MATCH (i:Image) WHERE i.uri STARTS WITH $dir RETURN count(i) AS n', { dir }),
      )
    ).records[0].get('n');

  it('ingests a folder of synthetic scenes (depth maps run through the engine), and re-runs store nothing new', async () => {
    const first = run(['ingest', '--scenes', dir]);
    expect(first.stderr).toMatch(/ingest \[/);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(
      /ingested 3 images \(3 created, 0 replaced, 0 unchanged\), 15 objects, \d+ relations/,
    );
    expect(first.stdout).toMatch(/skipped 3 JSON files that are not scene graphs/);
    expect(await stored()).toBe(3);

    const again = run(['ingest', '--scenes', dir]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/\(0 created, 0 replaced, 3 unchanged\)/);
    expect(await stored()).toBe(3);

    const depth = await db.read('test.depth', (tx) =>
      tx.run<{ n: number }>(
        'MATCH (i:Image)-[:HAS_OBJECT]->(o) WHERE i.uri STARTS WITH $dir AND o.depthUnit = "METERS" RETURN count(o) AS n',
        { dir },
      ),
    );
    expect(depth.records[0].get('n')).toBe(15);
  });

  it('writes batches of one image with three writers, the next batch built while one is written', async () => {
    const more = mkdtempSync(path.join(os.tmpdir(), 'ingest-writers-'));
    for (const s of [911, 912, 913, 914, 915])
      await writeSceneFolder(await generateScene({ seed: s, objects: 4 }), path.join(more, `s${s}`));
    try {
      const r = run(['ingest', '--scenes', more, '--batch', '1', '--writers', '3']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/ingested 5 images \(5 created, 0 replaced, 0 unchanged\), 20 objects/);
      const n = await db.read('test.count', (tx) =>
        tx.run<{ n: number }>(
          'MATCH (i:Image)-[:HAS_OBJECT]->(o) WHERE i.uri STARTS WITH $more RETURN count(o) AS n',
          { more },
        ),
      );
      expect(n.records[0].get('n')).toBe(20);
    } finally {
      await db.write('test.cleanup', (tx) =>
        tx.run('MATCH (i:Image) WHERE i.uri STARTS WITH $more OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i', {
          more,
        }),
      );
    }
  });

  it.each([['0'], ['17'], ['two']])('refuses --writers %s before any database work', (w) => {
    const r = run(['ingest', '--scenes', dir, '--writers', w], { NEO4J_URI: 'bolt://127.0.0.1:1' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--writers: must be an integer from 1 to 16/);
  });

  it('reports files it could not ingest and exits 2, ingesting the rest', async () => {
    const bad = mkdtempSync(path.join(os.tmpdir(), 'ingest-bad-'));
    writeFileSync(path.join(bad, 'broken.json'), '{"version": 1, ');
    writeFileSync(
      path.join(bad, 'inverted.json'),
      JSON.stringify({
        version: 1,
        image: { uri: 'x.png', width: 10, height: 10 },
        objects: [{ key: 'a', label: 'cup', box: [5, 5, 1, 1] }],
      }),
    );
    const r = run(['ingest', '--scenes', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/broken\.json: .*is not valid JSON/);
    expect(r.stderr).toMatch(/inverted\.json.*objects\[0\]\.box/);
    expect(run(['ingest', '--scenes', path.join(bad, 'nope')]).status).toBe(2);
  });

  it('ingestSceneGraph reads a depth map inside INGEST_ROOTS and runs the engine', async () => {
    const service = await startTestService({ INGEST_ROOTS: dir });
    try {
      const s = await generateScene({ seed: 904, objects: 4 });
      await writeSceneFolder(s, path.join(dir, 's904'));
      const input = {
        ...s.scene,
        image: { ...s.scene.image, uri: path.join(dir, 's904', 'image.png') },
        depth: { uri: path.join(dir, 's904', 'depth.npy'), unit: 'meters' },
      };
      const r = await gql(
        service,
        `mutation($g: JSONObject!) { ingestSceneGraph(input: $g) { status image { depthUnit intrinsics provenance } } }`,
        { g: input },
      );
      expect(r.body.errors).toBeUndefined();
      const res = r.body.data!.ingestSceneGraph as {
        status: string;
        image: { depthUnit: string; intrinsics: { source: string }; provenance: { geometryFrom: string } };
      };
      expect(res.status).toBe('CREATED');
      expect(res.image.depthUnit).toBe('METERS');
      expect(res.image.intrinsics.source).toBe('GIVEN');
      expect(res.image.provenance.geometryFrom).toBe('depth-map');
    } finally {
      await service.stop();
    }
  });
});
