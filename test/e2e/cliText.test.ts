import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeSceneFolder } from '../../src/synth/sceneFolder';
import { generateScene } from '../../src/synth/generateScene';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/src/cli/main.js');

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Record_ {
  id: string;
  image: string;
  conversations: { from: string; value: string }[];
}

describe('scenegraph text (built CLI)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'text-'));

  beforeAll(async () => {
    await writeSceneFolder(await generateScene({ seed: 11, objects: 6 }), dir);
  });

  it('writes LLaVA records from a scene with a depth map, deterministically for a seed', async () => {
    const a = await run(['text', '--input', path.join(dir, 'scene.json'), '--seed', '3', '--max-qa', '4']);
    expect(a.code).toBe(0);
    const records = JSON.parse(a.stdout) as Record_[];
    expect(records[0].id).toMatch(/-desc$/);
    expect(records[0].conversations[0].value.startsWith('<image>\n')).toBe(true);
    expect(records[0].conversations[1].value).toMatch(/^The scene has \d+ depth layers/);
    expect(records.filter((r) => r.id.includes('-qa-'))).toHaveLength(4);
    expect(records.at(-1)!.conversations.length).toBeGreaterThanOrEqual(6);
    const b = await run(['text', '--input', path.join(dir, 'scene.json'), '--seed', '3', '--max-qa', '4']);
    expect(b.stdout).toBe(a.stdout);
  });

  it('renders grounded tags and raw QA with evidence', async () => {
    const r = await run(['text', '--input', dir, '--grounded', '--format', 'raw', '--kinds', 'desc,qa']);
    expect(r.code).toBe(0);
    const [data] = JSON.parse(r.stdout) as {
      desc: string;
      qa: { answer: string; evidence: unknown[] }[];
      conv?: unknown;
    }[];
    expect(data.desc).toMatch(/<ref>\w+<\/ref><box>\[\[\d+, \d+, \d+, \d+\]\]<\/box>/);
    expect(data.qa.length).toBeGreaterThan(0);
    expect(data.conv).toBeUndefined();
  });

  it('rephrases answers through an OpenAI-compatible endpoint and reports bad options', async () => {
    const requests: { model: string; auth?: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const parsed = JSON.parse(body) as { model: string; messages: { role: string; content: string }[] };
        requests.push({ model: parsed.model, auth: req.headers.authorization });
        const text = parsed.messages.at(-1)!.content;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            choices: [{ message: { role: 'assistant', content: `In other words: ${text}` } }],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      const out = path.join(dir, 'llava.json');
      const r = await run(
        [
          'text',
          '--input',
          path.join(dir, 'scene.json'),
          '--kinds',
          'desc',
          '--llm-url',
          url,
          '--llm-model',
          'm1',
          '--out',
          out,
        ],
        { SCENEGRAPH_LLM_KEY: 'k' },
      );
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/1 answers rephrased/);
      const [desc] = JSON.parse(readFileSync(out, 'utf8')) as Record_[];
      expect(desc.conversations[1].value).toMatch(/^In other words: The scene has/);
      expect(requests).toEqual([{ model: 'm1', auth: 'Bearer k' }]);
    } finally {
      server.close();
    }
    const bad = await run(['text', '--input', dir, '--kinds', 'desc,poem']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--kinds: unknown kind "poem"/);
  });

  it('writes single-choice QA (--qa-format choice) that eval-qa scores', async () => {
    const file = path.join(dir, 'choice.json');
    const r = await run(['text', '--input', dir, '--kinds', 'qa', '--qa-format', 'choice', '--out', file]);
    expect(r.code).toBe(0);
    const records = JSON.parse(readFileSync(file, 'utf8')) as Record_[];
    expect(records.length).toBeGreaterThan(1);
    for (const rec of records) {
      expect(rec.conversations[0].value).toMatch(/\nA\. .+\nB\. .+\nC\. .+\nD\. .+/);
      expect(rec.conversations[1].value).toMatch(/^[A-D]$/);
    }
    // The correct letters for all but the first question: accuracy (n - 1) / n.
    const answers = Object.fromEntries(
      records.map((rec, i) => [
        rec.id,
        i === 0 ? (rec.conversations[1].value === 'A' ? 'B' : 'A') : rec.conversations[1].value,
      ]),
    );
    writeFileSync(path.join(dir, 'answers.json'), JSON.stringify(answers));
    const report = path.join(dir, 'qa-report.json');
    const scored = await run([
      'eval-qa',
      '--questions',
      file,
      '--answers',
      path.join(dir, 'answers.json'),
      '--json',
      report,
    ]);
    expect(scored.code).toBe(0);
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      overall: { correct: number; questions: number };
    };
    expect(json.overall).toMatchObject({ correct: records.length - 1, questions: records.length });

    const bad = await run(['text', '--input', dir, '--qa-format', 'multi']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--qa-format: must be one of open, choice, both/);
  });
});
