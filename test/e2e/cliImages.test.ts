import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabase } from '../helpers/testDatabase';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const SKIMAGE = '/usr/lib/python3/dist-packages/skimage/data';

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    env: { ...process.env, DEPTH_MODEL: 'none', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('scenegraph CLI with images (bundled detector, real Neo4j)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-images-'));
  const db = testDatabase();

  beforeAll(() => {
    for (const f of ['astronaut.png', 'chelsea.png', 'coffee.png'])
      copyFileSync(path.join(SKIMAGE, f), path.join(dir, f));
    writeFileSync(path.join(dir, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
  });
  afterAll(async () => {
    await db.write('test.cleanup', (tx) =>
      tx.run('MATCH (i:Image) WHERE i.uri STARTS WITH $dir OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i', {
        dir,
      }),
    );
    await db.close();
  });

  it('ingests a folder of photos, reports the broken one, and skips everything on a re-run', async () => {
    const first = run(['ingest', '--images', dir]);
    expect(first.status).toBe(2);
    expect(first.stdout).toMatch(/ingested 3 images \(3 created, 0 replaced, 0 unchanged\)/);
    expect(first.stdout).toMatch(/stage time .* decode .* detect/);
    expect(first.stdout).toMatch(/3 images without depth/);
    expect(first.stderr).toMatch(/broken\.jpg: image: /);
    const stored = await db.read('t', (tx) =>
      tx.run<{ n: number; labels: string[] }>(
        'MATCH (i:Image)-[:HAS_OBJECT]->(o) WHERE i.uri STARTS WITH $dir RETURN count(DISTINCT i) AS n, collect(DISTINCT o.label) AS labels',
        { dir },
      ),
    );
    expect(stored.records[0].get('n')).toBe(3);
    expect(stored.records[0].get('labels')).toEqual(expect.arrayContaining(['person', 'cat', 'cup']));

    const again = run(['ingest', '--images', path.join(dir, 'astronaut.png')]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/ingested 1 images \(0 created, 0 replaced, 1 unchanged\)/);
  });

  it('builds a graph from a photo and its measured depth without storing it', () => {
    const r = run([
      'build',
      '--image',
      path.join(SKIMAGE, 'motorcycle_left.png'),
      '--depth',
      path.join(root, 'samples/depth/motorcycle.depth.png'),
      '--depth-unit',
      'meters',
      '--depth-scale',
      '0.001',
    ]);
    expect(r.status).toBe(0);
    const graph = JSON.parse(r.stdout) as {
      objects: { label: string; depth?: { unit: string } }[];
      provenance: Record<string, unknown>;
    };
    const moto = graph.objects.find((o) => o.label === 'motorcycle');
    expect(moto?.depth?.unit).toBe('METERS');
    expect(graph.provenance).toMatchObject({
      depthSource: 'file',
      models: { detector: { name: 'coco-centernet' } },
    });
  });

  it('refuses bad options with exit code 2 naming the option', () => {
    expect(run(['ingest', '--images', dir, '--scenes', dir]).stderr).toMatch(/exactly one of --scenes/);
    const r = run(['ingest', '--images', path.join(dir, 'nope')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--images: no such file or folder/);
    expect(run(['build', '--image', path.join(dir, 'chelsea.png'), '--depth', 'x.npy']).stderr).toMatch(
      /--depth-unit/,
    );
    expect(run(['ingest', '--images', dir, '--concurrency', '0']).stderr).toMatch(
      /--concurrency: must be an integer/,
    );
  });
});
