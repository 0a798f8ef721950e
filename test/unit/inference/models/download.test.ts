/**
 * Pulls against a fake hub on 127.0.0.1 (fakeHub.ts): metadata from the tree API, the resolve endpoint's
 * 302 to a CDN on another origin, Range resumes, dropped connections, stalls, wrong checksums, 401/404,
 * and a hub that is not there at all.
 */

import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ChecksumMismatchError,
  HubRefusedError,
  HubUnreachableError,
} from '../../../../inference/models/errors';
import { downloadFile, partPathOf } from '../../../../inference/models/download';
import { readManifest } from '../../../../inference/models/manifest';
import { exitCodeFor, EXIT } from '../../../../src/cli/main';
import { bytes, closedEndpoint, FakeFile, FakeHub, FakeRepo, gitSha1Of, sha256Of } from './fakeHub';
import { hubEntry, storeFor, tempDir } from './helpers';

const MODEL = bytes(300_000, 7);
const TOKENIZER = Buffer.from(JSON.stringify({ model: { vocab: { a: 1, b: 2 } } }));

function repo(name: string, model: Partial<FakeFile> = {}, extra: Partial<FakeRepo> = {}): FakeRepo {
  return {
    repo: `test-org/${name}`,
    revision: 'abc123',
    commit: 'abc123deadbeef',
    files: [
      { path: 'onnx/model.onnx', content: MODEL, lfs: true, ...model },
      { path: 'tokenizer.json', content: TOKENIZER, lfs: false },
    ],
    ...extra,
  };
}

let hub: FakeHub;
let tmp: { dir: string; cleanup: () => void };
const repos = {
  ok: repo('ok'),
  drop: repo('drop', { dropAfterBytes: 120_000 }),
  dropTwice: repo('drop-twice', { dropAfterBytes: 100_000, dropTimes: 1 }),
  noRange: repo('no-range', { dropAfterBytes: 50_000, ignoreRange: true }),
  wrong: repo('wrong', { listedSha256: 'f'.repeat(64) }),
  missing: repo('missing', { status: 404 }),
  gated: repo('gated', {}, { token: 'hf_secret' }),
  stall: repo('stall', { stall: true, stallTimes: 1 }),
  stallForever: repo('stall-forever', { stall: true }),
};

beforeAll(async () => {
  hub = await FakeHub.start(Object.values(repos));
});
afterAll(async () => {
  await hub.close();
});
beforeEach(() => {
  tmp = tempDir('scenegraph-pull-');
  hub.requests.length = 0;
});
afterEach(() => tmp.cleanup());

const registry = Object.entries(repos).map(([k, r]) => hubEntry(`m-${k}`, r));

describe('pull', () => {
  it('downloads through a redirect to another origin, checks LFS sha256 and git blob ids, writes model.json', async () => {
    const store = storeFor(tmp.dir, registry, { endpoint: hub.url, token: 'hf_tok' });
    const events: string[] = [];
    const r = await store.pull('m-ok', { onEvent: (e) => events.push(e.kind) });
    const dir = path.join(tmp.dir, 'm-ok');
    expect(readFileSync(path.join(dir, 'onnx/model.onnx')).equals(MODEL)).toBe(true);
    expect(readFileSync(path.join(dir, 'tokenizer.json')).equals(TOKENIZER)).toBe(true);
    expect(r.files.map((f) => [f.path, f.sha256, f.size])).toEqual([
      ['onnx/model.onnx', sha256Of(MODEL), MODEL.length],
      ['tokenizer.json', sha256Of(TOKENIZER), TOKENIZER.length],
    ]);
    const m = await readManifest(dir);
    if (m.kind !== 'ok') throw new Error(`manifest ${m.kind}`);
    expect(m.manifest.files.find((f) => f.path === 'onnx/model.onnx')?.sha256).toBe(sha256Of(MODEL));
    expect(m.manifest.pulled).toMatchObject({
      endpoint: hub.url,
      revision: 'abc123',
      commit: 'abc123deadbeef',
    });
    expect(existsSync(partPathOf(path.join(dir, 'onnx/model.onnx')))).toBe(false);
    expect(events).toContain('progress');
    // The token goes to the hub, never to the CDN the hub redirects to.
    const hubReqs = hub.requests.filter((q) => q.server === 'hub');
    expect(hubReqs.length).toBeGreaterThanOrEqual(3);
    expect(hubReqs.every((q) => q.authorization === 'Bearer hf_tok')).toBe(true);
    expect(hub.cdnRequests().length).toBe(2);
    expect(hub.cdnRequests().every((q) => q.authorization === undefined)).toBe(true);
    // Metadata: one listing per folder.
    expect(hubReqs.filter((q) => q.url.startsWith('/api/models/')).map((q) => q.url)).toEqual([
      '/api/models/test-org/ok/tree/abc123/onnx',
      '/api/models/test-org/ok/tree/abc123',
    ]);
  });

  it('resumes with a Range request after the connection drops mid-file', async () => {
    const store = storeFor(tmp.dir, registry, { endpoint: hub.url });
    const r = await store.pull('m-drop');
    expect(readFileSync(path.join(tmp.dir, 'm-drop/onnx/model.onnx')).equals(MODEL)).toBe(true);
    expect(r.files[0].sha256).toBe(sha256Of(MODEL));
    const cdn = hub.cdnRequests('onnx/model.onnx');
    expect(cdn.map((q) => q.range)).toEqual([undefined, 'bytes=120000-']);
  });

  it('keeps the part of a failed pull and resumes it on the next run', async () => {
    const store0 = storeFor(tmp.dir, [hubEntry('m-drop', repos.dropTwice)], {
      endpoint: hub.url,
      retries: 0,
    });
    const err = await store0.pull('m-drop').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubUnreachableError);
    expect(exitCodeFor(err)).toBe(EXIT.ENVIRONMENT);
    const part = partPathOf(path.join(tmp.dir, 'm-drop/onnx/model.onnx'));
    expect((err as Error).message).toContain(`100000 bytes are kept in ${part}`);
    expect(statSync(part).size).toBe(100_000);
    expect(existsSync(path.join(tmp.dir, 'm-drop/model.json'))).toBe(false);
    expect((await store0.status('m-drop')).status).toBe('partial');

    hub.requests.length = 0;
    const r = await storeFor(tmp.dir, [hubEntry('m-drop', repos.dropTwice)], { endpoint: hub.url }).pull(
      'm-drop',
    );
    expect(hub.cdnRequests('onnx/model.onnx').map((q) => q.range)).toEqual(['bytes=100000-']);
    expect(r.files[0].sha256).toBe(sha256Of(MODEL));
    expect(existsSync(part)).toBe(false);
  });

  it('starts over when the server answers a Range request with 200', async () => {
    const store = storeFor(tmp.dir, registry, { endpoint: hub.url });
    const r = await store.pull('m-noRange');
    expect(hub.cdnRequests('onnx/model.onnx').map((q) => q.range)).toEqual([undefined, 'bytes=50000-']);
    expect(r.files[0].sha256).toBe(sha256Of(MODEL));
    expect(readFileSync(path.join(tmp.dir, 'm-noRange/onnx/model.onnx')).equals(MODEL)).toBe(true);
  });

  it('deletes the download and names both hashes when the checksum does not match', async () => {
    const store = storeFor(tmp.dir, registry, { endpoint: hub.url });
    const err = await store.pull('m-wrong').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    const msg = (err as Error).message;
    expect(msg).toContain('onnx/model.onnx');
    expect(msg).toContain(`expected ${'f'.repeat(64)}, got ${sha256Of(MODEL)}`);
    const local = path.join(tmp.dir, 'm-wrong/onnx/model.onnx');
    expect(existsSync(local)).toBe(false);
    expect(existsSync(partPathOf(local))).toBe(false);
    expect(existsSync(path.join(tmp.dir, 'm-wrong/model.json'))).toBe(false);
  });

  it('checks a pinned sha256 even when the hub lists another', async () => {
    const pinned = hubEntry('m-pinned', repos.ok, { 'onnx/model.onnx': { sha256: '0'.repeat(64) } });
    const err = await storeFor(tmp.dir, [pinned], { endpoint: hub.url })
      .pull('m-pinned')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect((err as Error).message).toContain(`expected ${'0'.repeat(64)}, got ${sha256Of(MODEL)}`);
  });

  it('turns a 404 into an error naming the file, its URL, the local path and the verify command', async () => {
    const store = storeFor(tmp.dir, registry, { endpoint: hub.url });
    const err = await store.pull('m-missing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubRefusedError);
    expect(exitCodeFor(err)).toBe(EXIT.ENVIRONMENT);
    const msg = (err as Error).message;
    expect(msg).toContain('HTTP 404');
    expect(msg).toContain(`${hub.url}/test-org/missing/resolve/abc123/onnx/model.onnx`);
    expect(msg).toContain(path.join(tmp.dir, 'm-missing', 'onnx', 'model.onnx'));
    expect(msg).toContain('scenegraph models verify m-missing');
    // No retries for a 404.
    expect(hub.requests.filter((q) => q.url.includes('/resolve/')).length).toBe(1);
  });

  it('needs HF_TOKEN for a gated repository and says so on 401', async () => {
    const err = await storeFor(tmp.dir, registry, { endpoint: hub.url })
      .pull('m-gated')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubRefusedError);
    expect((err as Error).message).toMatch(/HTTP 401.*HF_TOKEN/);
    const r = await storeFor(tmp.dir, registry, { endpoint: hub.url, token: 'hf_secret' }).pull('m-gated');
    expect(r.outcome).toBe('pulled');
  });

  it('fails fast with the URL and the local path when the hub is unreachable', async () => {
    const endpoint = await closedEndpoint();
    const store = storeFor(tmp.dir, registry, { endpoint, retries: 3, retryDelayMs: 5_000 });
    const started = Date.now();
    const err = await store.pull('m-ok').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000); // refused connections are not retried
    expect(err).toBeInstanceOf(HubUnreachableError);
    const msg = (err as Error).message;
    expect(msg).toContain('connection refused');
    expect(msg).toContain(`${endpoint}/test-org/ok/resolve/abc123/onnx/model.onnx`);
    expect(msg).toContain(`-> ${path.join(tmp.dir, 'm-ok', 'onnx', 'model.onnx')}`);
    expect(msg).toContain(`${endpoint}/test-org/ok/resolve/abc123/tokenizer.json`);
    expect(msg).toContain('scenegraph models verify m-ok');
  });

  it('gives up on a stalled transfer after the idle limit, and retries it', async () => {
    const stalled = await storeFor(tmp.dir, registry, { endpoint: hub.url, timeoutMs: 300, retries: 1 })
      .pull('m-stallForever')
      .catch((e: unknown) => e);
    expect(stalled).toBeInstanceOf(HubUnreachableError);
    expect((stalled as Error).message).toMatch(/no data for 300 ms.*gave up after 2 attempts/s);

    const r = await storeFor(tmp.dir, registry, { endpoint: hub.url, timeoutMs: 300, retries: 1 }).pull(
      'm-stall',
    );
    expect(r.files[0].sha256).toBe(sha256Of(MODEL));
  });

  it('keeps files already in place and does not download them again', async () => {
    const store = storeFor(tmp.dir, registry, { endpoint: hub.url });
    await store.pull('m-ok');
    hub.requests.length = 0;
    const again = await store.pull('m-ok');
    expect(again.files.every((f) => f.reused)).toBe(true);
    expect(hub.cdnRequests()).toEqual([]);
  });

  it('replaces a file in place whose bytes are wrong', async () => {
    const store = storeFor(tmp.dir, registry, { endpoint: hub.url });
    await store.pull('m-ok');
    const local = path.join(tmp.dir, 'm-ok/onnx/model.onnx');
    const bad = Buffer.from(MODEL);
    bad[10] ^= 0xff;
    writeFileSync(local, bad);
    const again = await store.pull('m-ok');
    expect(again.files.find((f) => f.path === 'onnx/model.onnx')?.reused).toBe(false);
    expect(readFileSync(local).equals(MODEL)).toBe(true);
  });
});

describe('downloadFile', () => {
  const ref = (localPath: string, file = 'onnx/model.onnx') => ({
    model: 'm',
    file,
    url: `${hub.url}/test-org/ok/resolve/abc123/${file}`,
    localPath,
  });

  it('uses a complete part without a request', async () => {
    const local = path.join(tmp.dir, 'model.onnx');
    writeFileSync(partPathOf(local), MODEL);
    const r = await downloadFile(
      ref(local),
      { size: MODEL.length, sha256: sha256Of(MODEL) },
      { endpoint: hub.url, retryDelayMs: 1 },
    );
    expect(r.sha256).toBe(sha256Of(MODEL));
    expect(hub.requests).toEqual([]);
    expect(readFileSync(local).equals(MODEL)).toBe(true);
  });

  it('drops a part longer than the file and starts again', async () => {
    const local = path.join(tmp.dir, 'model.onnx');
    writeFileSync(partPathOf(local), Buffer.concat([MODEL, Buffer.from('junk')]));
    const r = await downloadFile(
      ref(local),
      { size: MODEL.length, sha256: sha256Of(MODEL) },
      { endpoint: hub.url, retryDelayMs: 1 },
    );
    expect(r.resumedFrom).toBe(0);
    expect(hub.cdnRequests().map((q) => q.range)).toEqual([undefined]);
    expect(readFileSync(local).equals(MODEL)).toBe(true);
  });

  it('checks a plain git file by its blob id', async () => {
    const local = path.join(tmp.dir, 'tokenizer.json');
    await expect(
      downloadFile(
        ref(local, 'tokenizer.json'),
        { size: TOKENIZER.length, gitOid: '1'.repeat(40) },
        { endpoint: hub.url, retryDelayMs: 1 },
      ),
    ).rejects.toThrow(`git-sha1 mismatch: expected ${'1'.repeat(40)}, got ${gitSha1Of(TOKENIZER)}`);
    const ok = await downloadFile(
      ref(local, 'tokenizer.json'),
      { size: TOKENIZER.length, gitOid: gitSha1Of(TOKENIZER) },
      { endpoint: hub.url, retryDelayMs: 1 },
    );
    expect(ok.sha256).toBe(sha256Of(TOKENIZER));
  });

  it('refuses a body longer than the expected size', async () => {
    const local = path.join(tmp.dir, 'model.onnx');
    await expect(
      downloadFile(ref(local), { size: 1000 }, { endpoint: hub.url, retryDelayMs: 1 }),
    ).rejects.toThrow(/size mismatch: expected 1000/);
    expect(existsSync(partPathOf(local))).toBe(false);
  });
});
