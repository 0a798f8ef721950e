import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSceneGraphs, readJsonEntries } from '../../../src/eval/loadEvalFiles';
import { graph } from './fixtures';

let dir: string;
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'scenegraph-eval-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('readJsonEntries', () => {
  it('gives the elements of an array with their index, or the one value', async () => {
    const a = file('a.json', '[{"id": 1}, {"id": 2}]');
    expect(await readJsonEntries(a, '--x')).toEqual([
      { value: { id: 1 }, path: `${a}: [0]` },
      { value: { id: 2 }, path: `${a}: [1]` },
    ]);
    const o = file('o.json', '{"q1": "A"}');
    expect(await readJsonEntries(o, '--x')).toEqual([{ value: { q1: 'A' }, path: o }]);
  });

  it('reads JSON Lines, by extension or when the file is not one JSON document', async () => {
    const l = file('a.jsonl', '{"question_id": 1, "text": "A"}\n\n{"question_id": 2, "text": "B"}\n');
    expect((await readJsonEntries(l, '--x')).map((e) => e.path)).toEqual([`${l}: line 1`, `${l}: line 3`]);
    const j = file('b.json', '{"id": 1}\n{"id": 2}\n');
    expect(await readJsonEntries(j, '--x')).toHaveLength(2);
  });

  it('names the option, the file and the line of bad JSON', async () => {
    const bad = file('bad.json', '{"id": 1,');
    await expect(readJsonEntries(bad, '--answers')).rejects.toThrow(
      new RegExp(`^--answers: ${bad} is not valid JSON: `),
    );
    const badLine = file('bad.jsonl', '{"id": 1}\n{"id": \n');
    await expect(readJsonEntries(badLine, '--answers')).rejects.toThrow(
      `--answers: ${badLine} is not valid JSON (line 2)`,
    );
    await expect(readJsonEntries(path.join(dir, 'missing.json'), '--answers')).rejects.toThrow(
      '--answers: cannot read',
    );
    await expect(readJsonEntries(file('empty.jsonl', '\n'), '--answers')).rejects.toThrow('holds no JSON');
  });
});

describe('loadSceneGraphs', () => {
  const g = (uri: string) => graph(uri, [['a', 'cup', [0, 0, 10, 10]]], []);

  it('reads a folder of graphs and arrays of graphs, skipping other JSON (synth truth.json)', async () => {
    file('s1/scene.json', JSON.stringify(g('one.png')));
    file('s1/truth.json', JSON.stringify({ generator: {}, pairs: [] }));
    file('s2/many.json', JSON.stringify([g('two.png'), g('three.png')]));
    file('s2/notes.txt', 'not json');
    const r = await loadSceneGraphs(dir, '--gt');
    expect(r.graphs.map((x) => (x as { image: { uri: string } }).image.uri)).toEqual([
      'one.png',
      'two.png',
      'three.png',
    ]);
    const rel = (p: string) => path.relative(process.cwd(), path.join(dir, p));
    expect(r.sources).toEqual([
      rel('s1/scene.json'),
      `${rel('s2/many.json')}: [0]`,
      `${rel('s2/many.json')}: [1]`,
    ]);
    expect(r.skippedFiles.map((s) => path.basename(s))).toEqual(['truth.json']);
  });

  it('refuses a named file that holds no scene graph, a missing path and an empty folder', async () => {
    const truth = file('truth.json', '{"pairs": []}');
    await expect(loadSceneGraphs(truth, '--pred')).rejects.toThrow(
      `--pred: ${truth} is neither a scene graph ({version, image, objects, relations}) nor a JSON array of them`,
    );
    await expect(loadSceneGraphs(path.join(dir, 'nope'), '--pred')).rejects.toThrow(
      '--pred: no such file or folder',
    );
    mkdirSync(path.join(dir, 'empty'));
    await expect(loadSceneGraphs(path.join(dir, 'empty'), '--pred')).rejects.toThrow(
      '--pred: no scene graphs in',
    );
  });
});
