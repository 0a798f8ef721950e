/**
 * `scenegraph models list|pull|verify`, run as the BUILT CLI (npm run build first) against a fake hub
 * on 127.0.0.1 (HF_ENDPOINT) serving the REAL registry's repositories and paths with stand-in bytes.
 * No database. The CLI runs as a child process without blocking this one, so the fake hub can answer.
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findModel } from '../../inference/models/registry';
import { bytes, closedEndpoint, FakeHub, FakeRepo, sha256Of } from '../unit/inference/models/fakeHub';
import { tempDir } from '../unit/inference/models/helpers';

// Each run starts a node process (about a second); a test runs several.
jest.setTimeout(60_000);

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/src/cli/main.js');

const OWL = 'owlv2-base-patch16-ensemble';
const owlSpec = findModel(OWL);
const smallSpec = findModel('depth-anything-v2-small');
if (owlSpec?.kind !== 'hub' || smallSpec?.kind !== 'hub')
  throw new Error('registry changed: update this test');

const OWL_MODEL = bytes(400_000, 11);
const OWL_TOK = Buffer.from(JSON.stringify({ version: '1.0', model: { type: 'BPE' } }));
const OWL_TOK_CFG = Buffer.from(JSON.stringify({ model_max_length: 16 }));
const owlRepo: FakeRepo = {
  repo: owlSpec.spec.hub.repo,
  revision: owlSpec.spec.hub.revision,
  commit: owlSpec.spec.hub.revision,
  files: [
    { path: 'onnx/model.onnx', content: OWL_MODEL, lfs: true, dropAfterBytes: 150_000 },
    { path: 'tokenizer.json', content: OWL_TOK, lfs: false },
    { path: 'tokenizer_config.json', content: OWL_TOK_CFG, lfs: false },
  ],
};
// Its sha256 is pinned in the registry; these bytes cannot match it.
const SMALL_BYTES = bytes(10_000, 5);
const smallRepo: FakeRepo = {
  repo: smallSpec.spec.hub.repo,
  revision: smallSpec.spec.hub.revision,
  files: [{ path: 'onnx/model.onnx', content: SMALL_BYTES, lfs: true }],
};

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

let hub: FakeHub;
let tmp: { dir: string; cleanup: () => void };
let modelDir: string;

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    LOG_LEVEL: 'silent',
    DATA_DIR: path.join(tmp.dir, 'data'),
    MODEL_DIR: modelDir,
    HF_ENDPOINT: hub.url,
    ...env,
  };
  delete childEnv.HF_TOKEN;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const statusOf = async (name: string): Promise<string> => {
  const r = await run(['models', 'list', '--json']);
  expect(r.status).toBe(0);
  const rows = JSON.parse(r.stdout) as { name: string; status: string }[];
  return rows.find((x) => x.name === name)!.status;
};

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  hub = await FakeHub.start([owlRepo, smallRepo]);
});
afterAll(() => hub.close());
beforeEach(() => {
  tmp = tempDir('scenegraph-climodels-');
  modelDir = path.join(tmp.dir, 'models');
});
afterEach(() => tmp.cleanup());

describe('scenegraph models (built CLI, fake hub)', () => {
  it('lists every registered model with task, architecture, size, licence and status', async () => {
    const r = await run(['models', 'list']);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+TASK\s+ARCHITECTURE\s+SIZE\s+LICENCE\s+STATUS$/);
    expect(lines.find((l) => l.startsWith('depth-anything-v2-small '))).toMatch(
      /depth\s+depth-anything-v2\s+~99\.1 MB\s+Apache-2\.0\s+not pulled$/,
    );
    expect(lines.find((l) => l.startsWith(`${OWL} `))).toMatch(
      /detect\s+owlv2\s+~616 MB\s+Apache-2\.0\s+not pulled$/,
    );
    expect(lines.find((l) => l.startsWith('coco-centernet '))).toMatch(/detect\s+centernet\s+/);
    expect(r.stdout).toContain(`MODEL_DIR: ${modelDir}`);
  });

  it('pulls a model with a progress bar, resuming a dropped connection, then verifies it', async () => {
    hub.requests.length = 0;
    const r = await run(['models', 'pull', OWL]);
    if (r.status !== 0) throw new Error(`pull failed (${r.status}): ${r.stderr}`);
    expect(r.stderr).toMatch(new RegExp(`pull ${OWL} onnx/model.onnx \\[.*\\] 100% \\| 400 kB/400 kB`));
    const dir = path.join(modelDir, OWL);
    expect(r.stdout).toContain(`${OWL}: onnx/model.onnx 400 kB sha256 ${sha256Of(OWL_MODEL)}`);
    expect(r.stdout).toContain(`${OWL}: pulled into ${dir}`);
    expect(readFileSync(path.join(dir, 'onnx/model.onnx')).equals(OWL_MODEL)).toBe(true);
    expect(readFileSync(path.join(dir, 'tokenizer_config.json')).equals(OWL_TOK_CFG)).toBe(true);
    // The first transfer was cut at 150000 bytes and resumed from there.
    expect(hub.cdnRequests('onnx/model.onnx').map((q) => q.range)).toEqual([undefined, 'bytes=150000-']);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
      files: { path: string; sha256: string }[];
      pulled: { revision: string; endpoint: string };
    };
    expect(manifest.files.map((f) => f.sha256)).toEqual([OWL_MODEL, OWL_TOK, OWL_TOK_CFG].map(sha256Of));
    expect(manifest.pulled).toMatchObject({ revision: owlRepo.revision, endpoint: hub.url });
    expect(await statusOf(OWL)).toBe('pulled');

    const v = await run(['models', 'verify', OWL]);
    expect(v.status).toBe(0);
    expect(v.stdout).toContain(`${OWL}: ok (pulled)`);
    expect(v.stdout).toMatch(
      new RegExp(`ok\\s+onnx/model.onnx  400000 bytes  sha256 ${sha256Of(OWL_MODEL)}`),
    );

    // One changed byte: verify exits 3 and names the file and both hashes.
    const bad = Buffer.from(OWL_MODEL);
    bad[999] ^= 0x55;
    writeFileSync(path.join(dir, 'onnx/model.onnx'), bad);
    const v2 = await run(['models', 'verify', OWL]);
    expect(v2.status).toBe(3);
    expect(v2.stdout).toContain(
      `MISMATCH  onnx/model.onnx: sha256 ${sha256Of(bad)}, expected ${sha256Of(OWL_MODEL)}`,
    );
    expect(v2.stderr).toContain(`problems found in 1 model: ${OWL}`);

    truncateSync(path.join(dir, 'tokenizer.json'), 3);
    expect(await statusOf(OWL)).toBe('corrupt');
    // A second pull repairs what is wrong and keeps what is right.
    hub.requests.length = 0;
    const again = await run(['models', 'pull', OWL]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('tokenizer_config.json');
    expect(again.stdout).toContain('(already in place)');
    expect(hub.cdnRequests('tokenizer_config.json')).toEqual([]);
    expect((await run(['models', 'verify', OWL])).status).toBe(0);
  });

  it('verifies every model on disk when no name is given', async () => {
    expect((await run(['models', 'pull', OWL])).status).toBe(0);
    const v = await run(['models', 'verify']);
    expect(v.stdout).toContain(`${OWL}: ok (pulled)`);
    expect(v.stdout).not.toContain('depth-anything-v2-small');
    const bundledThere = existsSync(path.join(root, 'models/coco-centernet/model.json'));
    if (bundledThere) {
      expect(v.stdout).toMatch(/coco-centernet: ok \(bundled\)/);
      expect(v.status).toBe(0);
    } else {
      // The bundled detector is not in this checkout yet: that is a problem verify must report.
      expect(v.stdout).toMatch(/coco-centernet: PROBLEM \(missing\)/);
      expect(v.status).toBe(3);
    }
  });

  it('adopts files placed by hand once verify has checked them against the hub', async () => {
    const dir = path.join(modelDir, OWL);
    mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    writeFileSync(path.join(dir, 'onnx/model.onnx'), OWL_MODEL);
    writeFileSync(path.join(dir, 'tokenizer.json'), OWL_TOK);
    writeFileSync(path.join(dir, 'tokenizer_config.json'), OWL_TOK_CFG);
    expect(await statusOf(OWL)).toBe('unverified');
    const v = await run(['models', 'verify', OWL]);
    expect(v.status).toBe(0);
    expect(v.stdout).toContain('files placed by hand verified; model.json written');
    expect(await statusOf(OWL)).toBe('pulled');
  });

  it('fails with exit 3 when the download does not match the pinned sha256, leaving nothing behind', async () => {
    const r = await run(['models', 'pull', 'depth-anything-v2-small']);
    expect(r.status).toBe(3);
    const pinned = smallSpec.spec.files[0].sha256!;
    expect(r.stderr).toContain(
      `onnx/model.onnx of model depth-anything-v2-small: sha256 mismatch: expected ${pinned}, got ${sha256Of(SMALL_BYTES)}`,
    );
    const local = path.join(modelDir, 'depth-anything-v2-small/onnx/model.onnx');
    expect(existsSync(local)).toBe(false);
    expect(existsSync(`${local}.part`)).toBe(false);
    expect(await statusOf('depth-anything-v2-small')).toBe('not pulled');
  });

  it('explains how to place the files by hand when the hub is unreachable (exit 3)', async () => {
    const endpoint = await closedEndpoint();
    const r = await run(['models', 'pull', OWL], { HF_ENDPOINT: endpoint });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('connection refused');
    for (const f of ['onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json']) {
      expect(r.stderr).toContain(`${endpoint}/${owlRepo.repo}/resolve/${owlRepo.revision}/${f}`);
      expect(r.stderr).toContain(`-> ${path.join(modelDir, OWL, ...f.split('/'))}`);
    }
    expect(r.stderr).toContain(`then run \`scenegraph models verify ${OWL}\``);
    expect(r.stdout).toBe('');
  });

  it('rejects unknown names and missing arguments with exit 2 before downloading anything', async () => {
    hub.requests.length = 0;
    const r = await run(['models', 'pull', OWL, 'no-such-model']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown model "no-such-model"; known models: depth-anything-v2-small');
    expect(hub.requests).toEqual([]);
    expect(existsSync(path.join(modelDir, OWL))).toBe(false);
    expect((await run(['models', 'pull'])).status).toBe(2);
    expect((await run(['models', 'verify', 'no-such-model'])).status).toBe(2);
    expect((await run(['models', 'pull', '--all', OWL])).status).toBe(2);
  });

  it('says "not pulled" for verify of a model that is not there, and has nothing to pull for a bundled one', async () => {
    const v = await run(['models', 'verify', OWL]);
    expect(v.status).toBe(3);
    expect(v.stdout).toContain(`not pulled: run \`scenegraph models pull ${OWL}\``);
    const b = await run(['models', 'pull', 'coco-centernet']);
    expect(b.status).toBe(0);
    expect(b.stdout).toContain('coco-centernet: bundled with the repository');
  });

  it('refuses a malformed HF_ENDPOINT with exit 3, naming the variable', async () => {
    const r = await run(['models', 'list'], { HF_ENDPOINT: 'hf.co' });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('HF_ENDPOINT:');
  });
});
