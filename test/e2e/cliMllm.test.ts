import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { testDatabase } from '../helpers/testDatabase';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const SKIMAGE = '/usr/lib/python3/dist-packages/skimage/data';

/** The CLI as a child process, asynchronously: the fake endpoint lives in this process's event loop. */
function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      env: { ...process.env, DEPTH_MODEL: 'none', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const completion = (content: string, finish = 'stop') =>
  JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }] });

// Replies per image, as an ASMv2-style model writes them; the coffee one is cut at max_tokens.
const REPLIES: Record<string, string[]> = {
  astronaut: [
    '<ref>astronaut</ref><box>[[100, 50, 850, 999]]</box> <pred>holding</pred><box>[[100, 50, 850, 999]]</box>' +
      '<box>[[600, 600, 900, 900]]</box> <ref>helmet</ref><box>[[600, 600, 900, 900]]</box> <ref>flag</ref><box>[[20, 20, 200, 300]]</box>',
  ],
  chelsea: ['I see a cat, but I will not draw boxes.'],
  coffee: [
    '<ref>cup</ref><box>[[200, 250, 800, 700]]</box> <pred>on</pred><box>[[200, 250, 800, 700]]</box><box>[[0, 500, 999, 999]]</box> ' +
      '<ref>saucer</ref><box>[[0, 500, 999, 999]]</box> <ref>spoon</ref><box>[[900, 30',
  ],
};

const NAME_BY_WIDTH: Record<number, string> = { 512: 'astronaut', 451: 'chelsea', 600: 'coffee' };

describe('ingest --images --mllm (local OpenAI-compatible endpoint, real Neo4j)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-mllm-'));
  const db = testDatabase();
  const requests: { image: string; model: string; auth?: string }[] = [];
  let failFirst = true;
  let server: http.Server;
  let baseUrl: string;

  beforeAll(async () => {
    for (const f of ['astronaut.png', 'chelsea.png', 'coffee.png'])
      copyFileSync(path.join(SKIMAGE, f), path.join(dir, f));
    // Which image a request is about is told by its width (the three differ).
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', async () => {
        const parsed = JSON.parse(body) as {
          model: string;
          messages: { content: { type: string; image_url?: { url: string } }[] }[];
        };
        const url = parsed.messages[0].content.find((c) => c.type === 'image_url')!.image_url!.url;
        const { width } = await sharp(Buffer.from(url.split(',')[1], 'base64')).metadata();
        const name = NAME_BY_WIDTH[width ?? 0];
        requests.push({ image: name, model: parsed.model, auth: req.headers.authorization });
        if (failFirst) {
          failFirst = false;
          res.writeHead(503);
          res.end('warming up');
          return;
        }
        const [reply] = REPLIES[name];
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(completion(reply, name === 'coffee' ? 'length' : 'stop'));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await db.write('test.cleanup', (tx) =>
      tx.run('MATCH (i:Image) WHERE i.uri STARTS WITH $dir OPTIONAL MATCH (i)-->(n) DETACH DELETE n, i', {
        dir,
      }),
    );
    await db.close();
  });

  const env = () => ({
    MLLM_URL: baseUrl,
    MLLM_MODEL: 'asmv2-13b',
    MLLM_API_KEY: 'sk-e2e',
    MLLM_RETRY_BASE_MS: '10',
  });

  it('stores the MLLM objects with MODEL and geometric relations, warns on cut replies, fails prose-only ones alone', async () => {
    const r = await run(['ingest', '--images', dir, '--mllm', '--concurrency', '1'], env());
    expect(r.stdout).toMatch(/ingested 2 images \(2 created/);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /chelsea\.png: mllm\.reply: the MLLM reply names no object with a box: "I see a cat/,
    );
    expect(r.stderr).toMatch(/warning: .*coffee\.png: MLLM reply: <box> is not closed by <\/box>/);
    expect(r.stderr).toMatch(/warning: .*coffee\.png: MLLM reply: cut at max_tokens/);
    expect(requests.length).toBe(4); // one 503 retried
    expect(requests.every((q) => q.model === 'asmv2-13b' && q.auth === 'Bearer sk-e2e')).toBe(true);

    const stored = await db.read('t', (tx) =>
      tx.run<{ uri: string; labels: string[]; model: string[]; provenance: string }>(
        `MATCH (i:Image)-[:HAS_OBJECT]->(o) WHERE i.uri STARTS WITH $dir
         OPTIONAL MATCH (o)-[r:RELATION {source: 'MODEL'}]->(t)
         WITH i, o, collect(r.predicate + ' ' + t.label) AS rels ORDER BY o.key
         RETURN i.uri AS uri, collect(o.label) AS labels, reduce(a = [], x IN collect(rels) | a + x) AS model, i.provenance AS provenance
         ORDER BY uri`,
        { dir },
      ),
    );
    const byName = Object.fromEntries(stored.records.map((x) => [path.basename(x.get('uri')), x]));
    expect(Object.keys(byName)).toEqual(['astronaut.png', 'coffee.png']);
    expect(byName['astronaut.png'].get('labels')).toEqual(['astronaut', 'helmet', 'flag']);
    expect(byName['astronaut.png'].get('model')).toEqual(['holding helmet']);
    expect(byName['coffee.png'].get('labels')).toEqual(['cup', 'saucer']);
    expect(byName['coffee.png'].get('model')).toEqual(['on saucer']);
    expect(JSON.parse(byName['coffee.png'].get('provenance'))).toMatchObject({
      objects: 'mllm',
      models: { mllm: { model: 'asmv2-13b', endpoint: `${baseUrl}/chat/completions` } },
    });
    expect(byName['coffee.png'].get('provenance')).not.toContain('sk-e2e');
    // The engine's geometric relations are stored beside the model's (the flag is left of the astronaut's helmet).
    const geometric = await db.read('t', (tx) =>
      tx.run<{ n: number }>(
        'MATCH (i:Image)-[:HAS_OBJECT]->()-[e:LEFT_OF|ABOVE|IN|ON|OVER|BESIDE]->() WHERE i.uri STARTS WITH $dir RETURN count(e) AS n',
        { dir },
      ),
    );
    expect(geometric.records[0].get('n')).toBeGreaterThan(0);

    // A re-run asks the MLLM only about the image it could not read.
    const before = requests.length;
    const again = await run(['ingest', '--images', dir, '--mllm'], env());
    expect(again.stdout).toMatch(/\(0 created, 0 replaced, 2 unchanged\)/);
    expect(requests.length - before).toBe(1);

    // The model's relations reach the dataset export.
    const exported = await run(
      ['dataset', 'export', '--where', `uri-prefix=${dir},source=MODEL`, '--kinds', 'desc'],
      {},
    );
    expect(exported.code).toBe(0);
    expect((JSON.parse(exported.stdout) as unknown[]).length).toBe(2);
  });

  it('refuses --mllm without an endpoint (exit 3, naming MLLM_URL) and with --scenes (exit 2)', async () => {
    const none = await run(['ingest', '--images', dir, '--mllm'], { MLLM_URL: '', MLLM_MODEL: '' });
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/MLLM_URL: is required by --mllm/);
    const scenes = await run(['ingest', '--scenes', dir, '--mllm'], env());
    expect(scenes.code).toBe(2);
    expect(scenes.stderr).toMatch(/--mllm: works with --images/);
    const noModel = await run(['ingest', '--images', dir, '--mllm'], { MLLM_URL: baseUrl, MLLM_MODEL: '' });
    expect(noModel.code).toBe(3);
    expect(noModel.stderr).toMatch(/MLLM_MODEL: is required when MLLM_URL is set/);
  });
});
