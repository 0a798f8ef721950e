import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportDataset } from '../../src/dataset/exportDataset';
import type { LlavaRecord } from '../../src/text/llava';
import { generateScene } from '../../src/synth/generateScene';
import { writeSceneFolder } from '../../src/synth/sceneFolder';
import { testDatabase } from '../helpers/testDatabase';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const run = (args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { cwd: root, env: process.env, encoding: 'utf8' });

describe('scenegraph dataset export (real Neo4j)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dataset-'));
  const out = mkdtempSync(path.join(os.tmpdir(), 'dataset-out-'));
  const db = testDatabase();
  const seeds = [931, 932, 933, 934, 935];
  const labelsOf = new Map<string, string[]>();

  beforeAll(async () => {
    for (const s of seeds) {
      const scene = await generateScene({ seed: s, objects: 5 });
      await writeSceneFolder(scene, path.join(dir, `s${s}`));
      labelsOf.set(
        `s${s}`,
        scene.scene.objects.map((o) => o.label),
      );
    }
    const ingest = run(['ingest', '--scenes', dir]);
    expect(ingest.stderr).not.toMatch(/scenegraph: /);
    expect(ingest.status).toBe(0);
  });

  afterAll(async () => {
    await db.write('test.cleanup', (tx) =>
      tx.run('MATCH (i:Image) WHERE i.uri STARTS WITH $dir OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i', {
        dir,
      }),
    );
    await db.close();
  });

  const exportTo = (name: string, ...args: string[]) => {
    const file = path.join(out, name);
    const r = run(['dataset', 'export', '--where', `uri-prefix=${dir}`, '--out', file, ...args]);
    return { ...r, file, text: r.status === 0 ? readFileSync(file, 'utf8') : '' };
  };
  const folderOf = (record: LlavaRecord) => path.relative(dir, record.image).split(path.sep)[0];

  it('writes grounded Desc, QA and Conv records for every stored image, deterministically for a seed', () => {
    const a = exportTo('a.json', '--seed', '3', '--max-qa', '4');
    expect(a.status).toBe(0);
    expect(a.stderr).toMatch(/exported \d+ records from 5 images in 1 pages/);
    const records = JSON.parse(a.text) as LlavaRecord[];
    const folders = [...new Set(records.map(folderOf))].sort();
    expect(folders).toEqual(seeds.map((s) => `s${s}`));
    for (const folder of folders) {
      const mine = records.filter((r) => folderOf(r) === folder);
      expect(mine.filter((r) => r.id.endsWith('-desc'))).toHaveLength(1);
      expect(mine.filter((r) => r.id.includes('-qa-')).length).toBeGreaterThan(0);
      expect(mine.filter((r) => r.id.includes('-qa-')).length).toBeLessThanOrEqual(4);
      expect(mine.at(-1)!.conversations.length).toBeGreaterThanOrEqual(4);
      const desc = mine[0].conversations[1].value;
      expect(desc).toMatch(/<ref>[^<]+<\/ref><box>\[\[\d+, \d+, \d+, \d+\]\]<\/box>/);
      // The labels in the text are the stored objects' labels.
      const named = [...desc.matchAll(/<ref>([^<]+)<\/ref>/g)].map((m) => m[1]);
      for (const label of named) expect(labelsOf.get(folder)).toContain(label);
      expect(mine[0].conversations[0].value.startsWith('<image>\n')).toBe(true);
    }
    const again = exportTo('b.json', '--seed', '3', '--max-qa', '4');
    expect(again.text).toBe(a.text);
    const other = exportTo('c.json', '--seed', '4', '--max-qa', '4');
    expect(other.text).not.toBe(a.text);
  });

  it('gives the records `scenegraph text` makes from the same scene files', () => {
    const stored = JSON.parse(exportTo('d.json', '--seed', '5', '--kinds', 'desc,qa').text) as LlavaRecord[];
    const folder = `s${seeds[0]}`;
    const fromFile = run([
      'text',
      '--input',
      path.join(dir, folder, 'scene.json'),
      '--seed',
      '5',
      '--kinds',
      'desc,qa',
      '--grounded',
    ]);
    expect(fromFile.status).toBe(0);
    const expected = JSON.parse(fromFile.stdout) as LlavaRecord[];
    const mine = stored.filter((r) => folderOf(r) === folder);
    expect(mine.map((r) => [r.id, r.conversations])).toEqual(expected.map((r) => [r.id, r.conversations]));
  });

  it('pages through the store with a bounded page size: page size 2 over 5 images gives all 5 in order', async () => {
    const whole = exportTo('e.json', '--seed', '1', '--kinds', 'desc');
    const paged = exportTo('f.json', '--seed', '1', '--kinds', 'desc', '--page-size', '2');
    expect(paged.status).toBe(0);
    expect(paged.stderr).toMatch(/from 5 images in 3 pages/);
    expect(paged.text).toBe(whole.text);

    const written: LlavaRecord[] = [];
    const pages: number[] = [];
    const queriesBefore = db.queries;
    const result = await exportDataset(
      db,
      { write: async (r) => void written.push(r) },
      {
        filter: { labels: [], predicates: [], uriPrefix: dir },
        seed: 1,
        kinds: ['desc'],
        grounded: true,
        maxQa: 0,
        qaFormat: 'open',
        pageSize: 2,
        onPage: ({ images }) => pages.push(images),
      },
    );
    expect(pages).toEqual([2, 4, 5]);
    expect(db.queries - queriesBefore).toBe(3);
    expect(result).toMatchObject({ images: 5, records: 5, pages: 3, failures: [] });
    expect(written).toEqual(JSON.parse(whole.text));
    const ids = written.map((r) => r.id);
    expect(ids).toHaveLength(5);
  });

  it('writes JSON Lines, relative image paths, and single-choice QA', () => {
    const jsonl = exportTo(
      'g.jsonl',
      '--format',
      'llava-jsonl',
      '--image-root',
      dir,
      '--qa-format',
      'choice',
    );
    expect(jsonl.status).toBe(0);
    const lines = jsonl.text.trimEnd().split('\n');
    const records = lines.map((l) => JSON.parse(l) as LlavaRecord);
    expect(records.length).toBeGreaterThan(5);
    expect(records.every((r) => /^s93\d\/image\.png$/.test(r.image))).toBe(true);
    const qa = records.filter((r) => r.id.includes('-qa-'));
    expect(qa.length).toBeGreaterThan(0);
    for (const r of qa) expect(r.conversations[0].value).toMatch(/\(A\)|A\./);
  });

  it('filters by label and predicate', () => {
    const label = labelsOf.get(`s${seeds[0]}`)![0];
    const having = seeds.filter((s) => labelsOf.get(`s${s}`)!.includes(label)).map((s) => `s${s}`);
    const byLabel = exportTo('h.json', '--kinds', 'desc', '--where', `label=${label}`);
    expect(byLabel.status).toBe(0);
    expect((JSON.parse(byLabel.text) as LlavaRecord[]).map(folderOf).sort()).toEqual(having.sort());

    const none = exportTo('i.json', '--where', 'predicate=holding,source=MODEL');
    expect(none.status).toBe(0);
    expect(none.text).toBe('[]\n');
    const geometric = exportTo(
      'j.json',
      '--kinds',
      'desc',
      '--where',
      'predicate=behind',
      '--where',
      'source=GEOMETRY',
    );
    expect(geometric.status).toBe(0);
    expect((JSON.parse(geometric.text) as LlavaRecord[]).length).toBeGreaterThan(0);
  });

  it('refuses bad options with exit 2, naming the option, and writes nothing', () => {
    for (const [args, message] of [
      [['--where', 'colour=red'], /--where: unknown key "colour"/],
      [['--where', 'label'], /--where: "label" is not key=value/],
      [['--where', 'source=ROBOT'], /--where: source= must be one of/],
      [['--page-size', '0'], /--page-size: must be an integer from 1 to 1000/],
      [['--format', 'csv'], /--format: must be one of llava, llava-jsonl/],
      [['--kinds', 'desc,poem'], /--kinds: unknown kind "poem"/],
      [['--qa-format', 'multi'], /--qa-format: must be one of open, choice, both/],
    ] as const) {
      const file = path.join(out, 'bad.json');
      const r = run(['dataset', 'export', '--out', file, ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(file)).toBe(false);
    }
  });
});
