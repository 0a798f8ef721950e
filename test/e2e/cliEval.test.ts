/**
 * `scenegraph eval` and `scenegraph eval-qa`, run as the BUILT CLI (npm run build first), on files
 * written here. No database. Numbers are the hand-computed ones of test/unit/eval (see the fixture's
 * comment there); bad input must give exit code 2, a message naming the option or file, no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SceneGraph } from '../../src/scenegraph/sceneGraph.types';
import { CHOICE_LETTERS } from '../../src/text/qa';
import { toLlavaRecords } from '../../src/text/llava';
import { generateTrainingData } from '../../src/text/trainingData';
import { handFixture } from '../unit/eval/fixtures';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/src/cli/main.js');

function run(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], {
    cwd: dir,
    env: { ...process.env, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
}

let dir: string;
const write = (name: string, value: unknown): string => {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'scenegraph-clieval-'));
  const { gt, pred } = handFixture();
  write('gt.json', gt);
  // Predictions as a folder, one graph per file, with a JSON file that is no scene graph beside them.
  pred.forEach((g, i) => write(`pred/p${i}.json`, g));
  write('pred/truth.json', { generator: { seed: 1 }, pairs: [] });
  // A real graph: a synthetic scene built by the engine (scene/ keeps its depth map for `text`).
  for (const args of [
    ['synth', '--seed', '3', '--objects', '6', '--out', 'scene'],
    ['build', '--input', 'scene/scene.json', '--out', 'built.json'],
  ]) {
    const r = run(args);
    if (r.status !== 0) throw new Error(`${args[0]} failed (${r.status}): ${r.stderr}`);
  }
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectUsageError(r: ReturnType<typeof run>, ...fragments: string[]): void {
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  for (const f of fragments) expect(r.stderr).toContain(f);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('scenegraph eval', () => {
  it('asmv2: prints the hand-computed Recall 3/7 and mean Recall 0.4, and writes the JSON report', () => {
    const r = run([
      'eval',
      '--gt',
      'gt.json',
      '--pred',
      'pred',
      '--protocol',
      'asmv2',
      '--json',
      'asmv2.json',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Scene-graph evaluation, protocol asmv2');
    expect(r.stdout).toContain('Recall 42.86   mean Recall 40.00 (over 5 predicates in the GT)');
    expect(r.stderr).toContain('--pred: skipped 1 JSON files that are not scene graphs');
    const report = JSON.parse(readFileSync(path.join(dir, 'asmv2.json'), 'utf8')) as Record<string, unknown>;
    expect(report.protocol).toBe('asmv2');
    expect(report.recall).toBeCloseTo(3 / 7, 12);
    expect(report.meanRecall).toBeCloseTo(0.4, 12);
    expect(report.images).toMatchObject({ gt: 3, matched: 2, gtWithoutPrediction: 1, predictionsNotInGt: 1 });
  });

  it('openpsg: R@K 1/3, mR@K 2/56, mean over predicates with GT 0.4', () => {
    const r = run([
      'eval',
      '--gt',
      'gt.json',
      '--pred',
      'pred',
      '--protocol',
      'openpsg',
      '--json',
      'psg.json',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^R\s+33\.33\s+33\.33\s+33\.33$/m);
    const report = JSON.parse(readFileSync(path.join(dir, 'psg.json'), 'utf8')) as {
      protocol: string;
      recall: Record<string, number>;
      meanRecall: Record<string, number>;
      meanRecallWithGt: Record<string, number>;
    };
    expect(report.protocol).toBe('openpsg');
    expect(report.recall['20']).toBeCloseTo(1 / 3, 12);
    expect(report.meanRecall['100']).toBeCloseTo(2 / 56, 12);
    expect(report.meanRecallWithGt['50']).toBeCloseTo(0.4, 12);
  });

  it('scores a graph built by the CLI against itself as 100% under asmv2', () => {
    const r = run(['eval', '--gt', 'built.json', '--pred', 'built.json', '--protocol', 'asmv2']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Recall 100.00   mean Recall 100.00');
  });

  it('refuses bad options and bad files with exit code 2 and a message naming them', () => {
    expectUsageError(
      run(['eval', '--gt', 'gt.json', '--pred', 'pred', '--protocol', 'coco']),
      '--protocol: must be one of asmv2, openpsg; got "coco"',
    );
    expect(run(['eval', '--gt', 'gt.json', '--protocol', 'asmv2']).status).toBe(2);
    expectUsageError(
      run(['eval', '--gt', 'missing.json', '--pred', 'pred', '--protocol', 'asmv2']),
      '--gt: no such file or folder: missing.json',
    );
    write('broken.json', '[{"version": 1,');
    expectUsageError(
      run(['eval', '--gt', 'gt.json', '--pred', 'broken.json', '--protocol', 'asmv2']),
      '--pred: broken.json is not valid JSON',
    );
    const { pred } = handFixture();
    (pred[1] as SceneGraph).objects[0].box = [50, 0, 10, 10];
    write('badbox.json', pred);
    expectUsageError(
      run(['eval', '--gt', 'gt.json', '--pred', 'badbox.json', '--protocol', 'openpsg']),
      'badbox.json: [1].objects[0].box: is inverted or empty',
    );
    expectUsageError(
      run(['eval', '--gt', 'pred/truth.json', '--pred', 'pred', '--protocol', 'asmv2']),
      '--gt: pred/truth.json is neither a scene graph',
    );
  });
});

describe('scenegraph eval-qa', () => {
  it('scores the hand-computed case: 2 of 6 correct, per type', () => {
    const choices = ['the cup', 'the table', 'the lamp', 'the chair'];
    write('q.json', [
      { id: 'q1', kind: 'front-back', choices, correct: 'A' },
      { id: 'q2', kind: 'front-back', choices, correct: 'C' },
      { id: 'q3', kind: 'front-back', choices, correct: 'D' },
      { id: 'q4', kind: 'occlusion', choices, correct: 'B' },
      { id: 'q5', kind: 'occlusion', choices, correct: 'B' },
      { id: 'q6', kind: 'occlusion', choices, correct: 'B' },
    ]);
    write(
      'a.jsonl',
      [
        '{"question_id": "q1", "text": "(A)"}',
        '{"question_id": "q2", "text": "the lamp"}',
        '{"question_id": "q3", "text": "B"}',
        '{"question_id": "q4", "text": "maybe"}',
      ].join('\n'),
    );
    const r = run(['eval-qa', '--questions', 'q.json', '--answers', 'a.jsonl', '--json', 'qa.json']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^front-back\s+3\s+3\s+0\s+0\s+2\s+66\.67$/m);
    expect(r.stdout).toMatch(/^occlusion\s+3\s+1\s+2\s+1\s+0\s+0\.00$/m);
    expect(r.stdout).toContain('accuracy 33.33 (random choice: 25.00)');
    const report = JSON.parse(readFileSync(path.join(dir, 'qa.json'), 'utf8')) as {
      overall: { accuracy: number };
    };
    expect(report.overall.accuracy).toBeCloseTo(1 / 3, 12);
  });

  it("scores the project's own single-choice QA (raw and LLaVA files) with answers by record id", () => {
    const graph = JSON.parse(readFileSync(path.join(dir, 'built.json'), 'utf8')) as SceneGraph;
    const data = generateTrainingData(graph, { seed: 2, kinds: ['qa'], qaFormat: 'choice', maxQa: 50 });
    expect(data.qa.length).toBeGreaterThan(3);
    write('raw.json', [data]);
    const records = toLlavaRecords(data);
    write('llava.json', records);
    // Right on the first half of the records, a wrong letter on the rest.
    const half = Math.ceil(records.length / 2);
    const answers = Object.fromEntries(
      data.qa.map((q, i) => {
        const right = CHOICE_LETTERS.indexOf(q.correct as (typeof CHOICE_LETTERS)[number]);
        return [records[i].id, CHOICE_LETTERS[i < half ? right : (right + 1) % 4]];
      }),
    );
    write('answers.json', answers);
    const expected = `accuracy ${((half / records.length) * 100).toFixed(2)}`;
    for (const questions of ['raw.json', 'llava.json']) {
      const r = run(['eval-qa', '--questions', questions, '--answers', 'answers.json']);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(expected);
    }
  });

  it('refuses files without single-choice questions, and bad answer files, with exit code 2', () => {
    const open = run([
      'text',
      '--input',
      'scene/scene.json',
      '--format',
      'raw',
      '--kinds',
      'qa',
      '--out',
      'open.json',
    ]);
    expect(open.status).toBe(0);
    write('any.json', {});
    expectUsageError(
      run(['eval-qa', '--questions', 'open.json', '--answers', 'any.json']),
      '--questions: open.json has no single-choice questions',
    );
    write('dup.json', [
      { id: 'q1', answer: 'A' },
      { id: 'q1', answer: 'B' },
    ]);
    expectUsageError(
      run(['eval-qa', '--questions', 'q.json', '--answers', 'dup.json']),
      'dup.json: [1]: a second answer to question "q1"',
    );
    expectUsageError(
      run(['eval-qa', '--questions', 'q.json', '--answers', 'nope.json']),
      '--answers: cannot read nope.json',
    );
  });
});
