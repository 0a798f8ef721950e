/**
 * The model store's local side: resolve, status, verify and hand placement, with a fake hub where a
 * pull is needed and temp folders for MODEL_DIR and the bundled-model root.
 */

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ModelNotPulledError,
  ModelUnusableError,
  PullInProgressError,
  UnknownModelError,
} from '../../../../inference/models/errors';
import { partPathOf } from '../../../../inference/models/download';
import { readManifest } from '../../../../inference/models/manifest';
import type { RegistryEntry } from '../../../../inference/models/registry';
import { exitCodeFor, EXIT } from '../../../../src/cli/main';
import { ModelError, UserInputError } from '../../../../src/errors/errors';
import { bytes, closedEndpoint, FakeHub, FakeRepo, sha256Of } from './fakeHub';
import { hubEntry, storeFor, tempDir } from './helpers';

const MODEL = bytes(50_000, 3);
const TOK = Buffer.from('{"tokenizer":true}');
const repo: FakeRepo = {
  repo: 'test-org/owl',
  revision: 'r1',
  commit: 'r1commit',
  files: [
    { path: 'onnx/model.onnx', content: MODEL, lfs: true },
    { path: 'tokenizer.json', content: TOK, lfs: false },
  ],
};

const bundled: RegistryEntry = {
  kind: 'bundled',
  name: 'tiny-centernet',
  task: 'detect',
  architecture: 'centernet',
  description: 'test bundled model',
  dir: 'models/tiny-centernet',
};

let hub: FakeHub;
let tmp: { dir: string; cleanup: () => void };
let modelDir: string;
let bundledRoot: string;
const registry: RegistryEntry[] = [hubEntry('owl', repo), bundled];

beforeAll(async () => {
  hub = await FakeHub.start([repo]);
});
afterAll(() => hub.close());
beforeEach(() => {
  tmp = tempDir('scenegraph-cache-');
  modelDir = path.join(tmp.dir, 'models');
  bundledRoot = path.join(tmp.dir, 'repo');
  hub.requests.length = 0;
});
afterEach(() => tmp.cleanup());

const store = (withHub = true, reg: readonly RegistryEntry[] = registry) =>
  storeFor(modelDir, reg, withHub ? { endpoint: hub.url } : undefined, bundledRoot);

function placeByHand(files: Record<string, Buffer>): void {
  for (const [p, content] of Object.entries(files)) {
    const full = path.join(modelDir, 'owl', p);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

function writeBundled(spec: Record<string, unknown> | string, files: Record<string, Buffer> = {}): void {
  const dir = path.join(bundledRoot, 'models/tiny-centernet');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'model.json'), typeof spec === 'string' ? spec : JSON.stringify(spec));
  for (const [p, c] of Object.entries(files)) writeFileSync(path.join(dir, p), c);
}

const bundledSpec = (extra: Record<string, unknown> = {}) => ({
  name: 'tiny-centernet',
  task: 'detect',
  architecture: 'centernet',
  description: 'x',
  license: 'MIT',
  inputSize: 512,
  labels: ['person', 'car'],
  files: [{ role: 'model', path: 'model.onnx', size: 4, sha256: sha256Of(Buffer.from('onnx')) }],
  ...extra,
});

describe('resolve', () => {
  it('rejects an unknown name as bad input, listing the known ones', async () => {
    const err = await store()
      .resolve('nope')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownModelError);
    expect(err).toBeInstanceOf(UserInputError);
    expect(exitCodeFor(err)).toBe(EXIT.USAGE);
    expect((err as Error).message).toBe('unknown model "nope"; known models: owl, tiny-centernet');
  });

  it('says how to pull a hub model that is not on disk', async () => {
    const err = await store(false)
      .resolve('owl')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelNotPulledError);
    expect(err).toBeInstanceOf(ModelError);
    expect(exitCodeFor(err)).toBe(EXIT.ENVIRONMENT);
    expect((err as Error).message).toBe('model owl: not pulled: run `scenegraph models pull owl`');
  });

  it('returns folder, ONNX path, spec with checksums and provenance after a pull', async () => {
    await store().pull('owl');
    const r = await store(false).resolve('owl');
    expect(r.dir).toBe(path.join(modelDir, 'owl'));
    expect(r.file).toBe(path.join(modelDir, 'owl', 'onnx', 'model.onnx'));
    expect(r.source).toBe('hub');
    expect(r.spec.files.map((f) => [f.path, f.sha256, f.size])).toEqual([
      ['onnx/model.onnx', sha256Of(MODEL), MODEL.length],
      ['tokenizer.json', sha256Of(TOK), TOK.length],
    ]);
    expect(r.provenance).toEqual({
      model: 'owl',
      source: 'hub',
      architecture: 'owlv2',
      repo: 'test-org/owl',
      revision: 'r1',
      commit: 'r1commit',
      files: [
        { path: 'onnx/model.onnx', sha256: sha256Of(MODEL) },
        { path: 'tokenizer.json', sha256: sha256Of(TOK) },
      ],
    });
  });

  it('refuses a pulled model whose file went missing or changed size', async () => {
    await store().pull('owl');
    writeFileSync(path.join(modelDir, 'owl/tokenizer.json'), 'short');
    await expect(store().resolve('owl')).rejects.toThrow(
      `model owl: tokenizer.json has 5 bytes, not ${TOK.length}: run \`scenegraph models pull owl\` to repair it`,
    );
    rmSync(path.join(modelDir, 'owl/onnx/model.onnx'));
    await expect(store().resolve('owl')).rejects.toThrow(/onnx\/model.onnx is missing/);
  });

  it('refuses files placed by hand until verify has checked them', async () => {
    placeByHand({ 'onnx/model.onnx': MODEL, 'tokenizer.json': TOK });
    const err = await store()
      .resolve('owl')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelUnusableError);
    expect((err as Error).message).toMatch(
      /present in .* but not verified: run `scenegraph models verify owl`/,
    );
  });

  it('refuses a pull of another revision than the registry now pins', async () => {
    await store().pull('owl');
    const moved = hubEntry('owl', { ...repo, revision: 'r2' });
    await expect(store(false, [moved]).resolve('owl')).rejects.toThrow(
      'model owl: pulled from test-org/owl@r1, the registry now names test-org/owl@r2: run `scenegraph models pull owl`',
    );
    expect((await store(false, [moved]).status('owl')).status).toBe('outdated');
  });

  it('resolves a bundled model from its folder in the repository', async () => {
    writeBundled(bundledSpec(), { 'model.onnx': Buffer.from('onnx') });
    const r = await store(false).resolve('tiny-centernet');
    expect(r.source).toBe('bundled');
    expect(r.file).toBe(path.join(bundledRoot, 'models/tiny-centernet/model.onnx'));
    expect(r.spec.labels).toEqual(['person', 'car']);
    expect(r.provenance).toMatchObject({
      model: 'tiny-centernet',
      source: 'bundled',
      architecture: 'centernet',
    });
  });

  it('explains a bundled model that is missing, invalid or not what the registry says', async () => {
    await expect(store(false).resolve('tiny-centernet')).rejects.toThrow(/no model.json in .*tiny-centernet/);
    writeBundled('{not json');
    await expect(store(false).resolve('tiny-centernet')).rejects.toThrow(/is not JSON/);
    writeBundled(bundledSpec({ architecture: 'owlv2' }), { 'model.onnx': Buffer.from('onnx') });
    await expect(store(false).resolve('tiny-centernet')).rejects.toThrow(
      'model.json says detect/owlv2, the registry detect/centernet',
    );
    writeBundled(bundledSpec({ files: [{ role: 'model', path: '../escape.onnx' }] }));
    await expect(store(false).resolve('tiny-centernet')).rejects.toThrow(
      /files.0.path: must be a relative path inside the model folder/,
    );
  });
});

describe('status', () => {
  it('follows a hub model from not pulled to partial, pulled and corrupt', async () => {
    const s = store();
    expect(await s.status('owl')).toEqual({ name: 'owl', status: 'not pulled', bytes: undefined });
    mkdirSync(path.join(modelDir, 'owl/onnx'), { recursive: true });
    writeFileSync(partPathOf(path.join(modelDir, 'owl/onnx/model.onnx')), MODEL.subarray(0, 100));
    expect((await s.status('owl')).status).toBe('partial');
    await s.pull('owl');
    expect(await s.status('owl')).toEqual({
      name: 'owl',
      status: 'pulled',
      bytes: MODEL.length + TOK.length,
    });
    rmSync(path.join(modelDir, 'owl/tokenizer.json'));
    expect(await s.status('owl')).toMatchObject({ status: 'corrupt', detail: 'tokenizer.json is missing' });
    writeFileSync(path.join(modelDir, 'owl/model.json'), '{');
    expect((await s.status('owl')).status).toBe('corrupt');
  });

  it('reports files placed by hand as unverified, a bundled model as bundled or missing', async () => {
    placeByHand({ 'onnx/model.onnx': MODEL });
    expect((await store().status('owl')).status).toBe('unverified');
    expect((await store().status('tiny-centernet')).status).toBe('missing');
    writeBundled(bundledSpec(), { 'model.onnx': Buffer.from('onnx') });
    expect(await store().status('tiny-centernet')).toEqual({
      name: 'tiny-centernet',
      status: 'bundled',
      bytes: 4,
    });
  });
});

describe('verify', () => {
  it('passes a pulled model and catches a changed byte, a missing file and a partial download', async () => {
    const s = store();
    await s.pull('owl');
    expect((await s.verify('owl')).ok).toBe(true);

    const model = path.join(modelDir, 'owl/onnx/model.onnx');
    const bad = Buffer.from(MODEL);
    bad[123] ^= 1;
    writeFileSync(model, bad);
    let r = await s.verify('owl');
    expect(r.ok).toBe(false);
    expect(r.status).toBe('corrupt');
    expect(r.files[0]).toMatchObject({
      path: 'onnx/model.onnx',
      state: 'sha256-mismatch',
      expectedSha256: sha256Of(MODEL),
      actualSha256: sha256Of(bad),
    });
    expect(r.files[1].state).toBe('ok');

    rmSync(model);
    r = await s.verify('owl');
    expect(r.files[0]).toMatchObject({ state: 'missing', localPath: model });
    writeFileSync(partPathOf(model), MODEL.subarray(0, 10));
    r = await s.verify('owl');
    expect(r.files[0]).toMatchObject({ state: 'partial', partBytes: 10 });
  });

  it('reports a model that was never pulled', async () => {
    const r = await store().verify('owl');
    expect(r).toMatchObject({
      ok: false,
      status: 'not pulled',
      note: 'not pulled: run `scenegraph models pull owl`',
    });
  });

  it('adopts correct files placed by hand, using the hub metadata, and writes model.json', async () => {
    placeByHand({ 'onnx/model.onnx': MODEL, 'tokenizer.json': TOK });
    const r = await store().verify('owl');
    expect(r).toMatchObject({ ok: true, adopted: true, status: 'pulled' });
    const m = await readManifest(path.join(modelDir, 'owl'));
    expect(m.kind === 'ok' && m.manifest.pulled?.placedByHand).toBe(true);
    expect((await store(false).resolve('owl')).spec.files[0].sha256).toBe(sha256Of(MODEL));
    // The hub was asked for metadata only, no file was downloaded.
    expect(hub.requests.some((q) => q.server === 'cdn')).toBe(false);
  });

  it('refuses wrong files placed by hand, naming the mismatch', async () => {
    placeByHand({ 'onnx/model.onnx': bytes(50_000, 99), 'tokenizer.json': Buffer.from('{"other":1}') });
    const r = await store().verify('owl');
    expect(r.ok).toBe(false);
    expect(r.files[0]).toMatchObject({ state: 'sha256-mismatch', expectedSha256: sha256Of(MODEL) });
    expect(r.files[1]).toMatchObject({ state: 'size-mismatch', expectedSize: TOK.length });
    expect((await readManifest(path.join(modelDir, 'owl'))).kind).toBe('missing');
  });

  it('cannot check unpinned files offline, but can check pinned ones', async () => {
    placeByHand({ 'onnx/model.onnx': MODEL, 'tokenizer.json': TOK });
    const offline = storeFor(modelDir, registry, { endpoint: await closedEndpoint() }, bundledRoot);
    const r = await offline.verify('owl');
    expect(r.ok).toBe(false);
    expect(r.files[0].state).toBe('unverifiable');
    expect(r.files[0].reason).toMatch(/no checksum is pinned for it and the hub is unreachable/);

    const pinned = hubEntry('owl', repo, {
      'onnx/model.onnx': { sha256: sha256Of(MODEL) },
      'tokenizer.json': { sha256: sha256Of(TOK), size: TOK.length },
    });
    const r2 = await storeFor(modelDir, [pinned], undefined, bundledRoot).verify('owl');
    expect(r2).toMatchObject({ ok: true, adopted: true });
  });

  it('checks a bundled model against its committed checksums', async () => {
    writeBundled(bundledSpec(), { 'model.onnx': Buffer.from('onnx') });
    expect((await store(false).verify('tiny-centernet')).ok).toBe(true);
    writeBundled(bundledSpec(), { 'model.onnx': Buffer.from('ONNX') });
    const r = await store(false).verify('tiny-centernet');
    expect(r).toMatchObject({ ok: false, status: 'corrupt' });
    expect(r.files[0].state).toBe('sha256-mismatch');
  });
});

describe('pull lock', () => {
  it('refuses a second pull while a live process holds the lock, and takes over a stale one', async () => {
    const dir = path.join(modelDir, 'owl');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, '.pull.lock'), String(process.ppid));
    const err = await store()
      .pull('owl')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PullInProgressError);
    expect((err as Error).message).toContain(`process ${process.ppid}`);

    writeFileSync(path.join(dir, '.pull.lock'), '999999999');
    const r = await store().pull('owl');
    expect(r.outcome).toBe('pulled');
    expect(() => readFileSync(path.join(dir, '.pull.lock'))).toThrow(/ENOENT/);
  });

  it('has nothing to pull for a bundled model', async () => {
    expect((await store().pull('tiny-centernet')).outcome).toBe('bundled');
  });
});
