/**
 * `scenegraph import`, `scenegraph export` and `scenegraph ingest --format`, run as the BUILT CLI
 * (npm run build first) on the fixture files of test/fixtures/formats. Import and export need no
 * database; the ingest test stores into the Neo4j the e2e suite runs against.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabase } from '../helpers/testDatabase';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const fixtures = path.join(root, 'test/fixtures/formats');
const fx = (name: string) => path.join(fixtures, name);

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
  });
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'scenegraph-cliimport-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scenegraph import', () => {
  it.each([
    ['coco', 'coco-instances.json', [], ['000000000139.json', '000000000632.json', '000000000724.json']],
    ['labelme', 'labelme-kitchen.json', [], ['kitchen.json']],
    ['psg', 'psg-excerpt.json', [], ['000000000139.json', '000000000785.json']],
    ['vg', 'vg-relationships.json', ['--image-data', fx('vg-image_data.json')], ['1.json', '2.json']],
    ['grounded', 'grounded-records.jsonl', [], ['kitchen.json', 'street.json']],
  ])('--format %s writes one scene-graph file per image', (format, input, extra, files) => {
    const out = path.join(dir, `import-${format}`);
    const r = run(['import', '--format', format, fx(input), '--out', out, ...(extra as string[])]);
    expect(r.stdout).toMatch(
      new RegExp(
        `^imported ${files.length} images? \\(\\d+ objects, \\d+ relations\\) from 1 ${format} file`,
      ),
    );
    if (format !== 'vg') expect(r.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(files);
    const scene = readJson(path.join(out, files[0])) as { version: number; image: { uri: string } };
    expect(scene.version).toBe(1);
    // Images are named relative to the scene file, resolved against the input's folder.
    expect(path.resolve(out, scene.image.uri).startsWith(fixtures)).toBe(true);
  });

  it('is deterministic: the same input gives byte-identical files', () => {
    const a = path.join(dir, 'det-a');
    const b = path.join(dir, 'det-b');
    expect(run(['import', '--format', 'psg', fx('psg-excerpt.json'), '--out', a]).status).toBe(0);
    expect(run(['import', '--format', 'psg', fx('psg-excerpt.json'), '--out', b]).status).toBe(0);
    for (const f of readdirSync(a))
      expect(readFileSync(path.join(b, f), 'utf8')).toBe(readFileSync(path.join(a, f), 'utf8'));
  });

  it('--image-root sets where image names resolve', () => {
    const out = path.join(dir, 'root');
    expect(
      run([
        'import',
        '--format',
        'coco',
        fx('coco-instances.json'),
        '--out',
        out,
        '--image-root',
        '/data/coco/val2017',
      ]).status,
    ).toBe(0);
    const scene = readJson(path.join(out, '000000000139.json')) as { image: { uri: string } };
    expect(path.resolve(out, scene.image.uri)).toBe('/data/coco/val2017/000000000139.jpg');
  });

  it('writes the valid images of a broken file, names each broken one with file and JSON path, exits 2', () => {
    const out = path.join(dir, 'broken');
    const r = run(['import', '--format', 'psg', fx('psg-broken.json'), '--out', out]);
    expect(r.status).toBe(2);
    expect(readdirSync(out)).toEqual(['ok.json']);
    expect(r.stderr).toContain(
      'psg-broken.json: data[1].relations[0][1]: 5 is out of range: the image has 2 annotations',
    );
    expect(r.stderr).toContain('psg-broken.json: data[3].annotations[0].bbox: must be 4 finite numbers');
    expect(r.stderr).toMatch(/6 images were not imported/);
  });

  it.each([
    [
      ['--format', 'yolo', fx('coco-instances.json')],
      /--format: must be one of coco, labelme, psg, vg, grounded; got "yolo"/,
    ],
    [['--format', 'coco', fx('nope.json')], /nope\.json: IN: no such file or folder/],
    [
      ['--format', 'coco', fx('coco-no-categories.json')],
      /coco-no-categories\.json: categories: must be an array/,
    ],
    [
      ['--format', 'labelme', fx('labelme-kitchen.json'), '--image-data', fx('vg-image_data.json')],
      /--image-data: works with --format vg or coco/,
    ],
    [['--format', 'coco', fx('coco-instances.json'), '--crowd', 'maybe'], /--crowd: must be skip or keep/],
    [
      ['--format', 'psg', fx('psg-excerpt.json'), '--relation-source', 'GEOMETRY'],
      /--relation-source: must be one of ANNOTATION, MODEL, HUMAN/,
    ],
  ])('bad input %j exits 2 with a message and writes nothing', (args, message) => {
    const out = path.join(dir, `bad-${Math.random().toString(36).slice(2)}`);
    const r = run(['import', ...(args as string[]), '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });
});

describe('scenegraph export', () => {
  it('psg: import -> export -> import gives the same scene graphs', () => {
    const first = path.join(dir, 'rt-first');
    const second = path.join(dir, 'rt-second');
    const psg = path.join(dir, 'rt.psg.json');
    expect(
      run(['import', '--format', 'psg', fx('psg-excerpt.json'), '--out', first, '--image-root', '/images'])
        .status,
    ).toBe(0);
    const e = run(['export', '--format', 'psg', first, '--out', psg]);
    expect(e.status).toBe(0);
    expect(e.stdout).toMatch(/exported 2 images, 6 relations as PSG json/);
    const file = readJson(psg) as { predicate_classes: string[]; data: Array<{ file_name: string }> };
    expect(file.predicate_classes).toHaveLength(56);
    // Scene files name images relative to themselves; the PSG file keeps those names.
    expect(run(['import', '--format', 'psg', psg, '--out', second, '--image-root', first]).status).toBe(0);
    for (const f of readdirSync(first)) {
      const a = readJson(path.join(first, f)) as { image: { uri: string } };
      const b = readJson(path.join(second, f)) as { image: { uri: string } };
      expect(path.resolve(second, b.image.uri)).toBe(path.resolve(first, a.image.uri));
      expect({ ...b, image: { ...b.image, uri: '' } }).toEqual({ ...a, image: { ...a.image, uri: '' } });
    }
  });

  it('psg --classes indexes into a reference file; scenegraph writes validated, normalised files', () => {
    const scenes = path.join(dir, 'import-labelme');
    const psg = path.join(dir, 'classes.psg.json');
    const r = run(['export', '--format', 'psg', scenes, '--out', psg, '--classes', fx('psg-excerpt.json')]);
    expect(r.status).toBe(0);
    expect((readJson(psg) as { thing_classes: string[] }).thing_classes).toHaveLength(80);
    expect(r.stderr).toMatch(/label is not a class left out/);
    const out = path.join(dir, 'passthrough');
    expect(run(['export', '--format', 'scenegraph', scenes, '--out', out]).status).toBe(0);
    expect(readJson(path.join(out, 'kitchen.json'))).toEqual(readJson(path.join(scenes, 'kitchen.json')));
  });

  it('refuses a scene graph ingest would refuse, and bad options, with exit code 2', () => {
    const bad = run([
      'export',
      '--format',
      'psg',
      fx('coco-instances.json'),
      '--out',
      path.join(dir, 'x.json'),
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no scene-graph JSON files found/);
    const fmt = run([
      'export',
      '--format',
      'llava',
      path.join(dir, 'import-labelme'),
      '--out',
      path.join(dir, 'y'),
    ]);
    expect(fmt.status).toBe(2);
    expect(fmt.stderr).toMatch(/--format: must be one of psg, scenegraph/);
  });
});

describe('scenegraph ingest --format (real Neo4j)', () => {
  const db = testDatabase();
  const images = path.join(os.tmpdir(), `formats-ingest-${process.pid}`);

  afterAll(async () => {
    await db.write('test.cleanup', (tx) =>
      tx.run('MATCH (i:Image) WHERE i.uri STARTS WITH $images OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i', {
        images,
      }),
    );
    await db.close();
  });

  it('stores PSG annotations directly, with ANNOTATION relations, and is idempotent', async () => {
    const args = ['ingest', '--format', 'psg', '--scenes', fx('psg-excerpt.json'), '--image-root', images];
    const first = run(args);
    expect(first.stderr).not.toMatch(/scenegraph: (?!warning)/);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/ingested 2 images \(2 created, 0 replaced, 0 unchanged\), 8 objects/);
    // Stored labels are normalised (normalizeLabel): floor-wood is matched as "floor wood".
    const rows = await db.read('test.psg', (tx) =>
      tx.run<{ s: string; p: string; o: string }>(
        `MATCH (i:Image)-[:HAS_OBJECT]->(s)-[r:RELATION {source: 'ANNOTATION'}]->(o)
         WHERE i.uri STARTS WITH $images RETURN s.label AS s, r.predicate AS p, o.label AS o ORDER BY s, p, o`,
        { images },
      ),
    );
    expect(rows.records.map((r) => `${r.get('s')} ${r.get('p')} ${r.get('o')}`)).toEqual([
      'chair on floor wood',
      'horse standing on grass',
      'person looking at tv',
      'person riding horse',
      'person standing on floor wood',
      'tv in front of wall',
    ]);
    const again = run(args);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/\(0 created, 0 replaced, 2 unchanged\)/);
  });

  it('reports broken images with file and JSON path, stores the rest, exits 2', () => {
    const r = run(['ingest', '--format', 'coco', '--scenes', fx('coco-broken.json'), '--image-root', images]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('coco-broken.json: annotations[1].bbox: must be 4 finite numbers');
    expect(r.stdout).toMatch(/ingested 1 image/);
  });

  it('refuses format options without --format, before touching the database', () => {
    const r = run(['ingest', '--scenes', fx('psg-excerpt.json'), '--image-root', images]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--image-root: works with --format/);
    const missing = run(['ingest', '--format', 'coco', '--scenes', fx('coco-no-categories.json')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/categories: must be an array/);
  });
});
