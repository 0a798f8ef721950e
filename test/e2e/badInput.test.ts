/**
 * The bad-input corpus (test/fixtures/bad-input/manifest.json) against the real service, CLI and
 * Neo4j: every case must fail with the expected typed error naming the expected field, the service
 * must keep answering, and no Image, Object or Layer node may be written. Images are generated here
 * (a few hundred bytes each) rather than committed.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { RunningService } from '../../src/server/service';
import { testDatabase } from '../helpers/testDatabase';
import { startTestService } from '../helpers/testService';

const ROOT = path.resolve(__dirname, '../..');
const CORPUS = path.join(ROOT, 'test/fixtures/bad-input');
const CLI = path.join(ROOT, 'dist/src/cli/main.js');
/** The service's body limit here: above the largest case that must reach the resolvers (6 MB). */
const MAX_BODY = 8 * 1024 * 1024;

interface Case {
  name: string;
  category: string;
  via: 'ingestSceneGraph' | 'ingestImage' | 'cli-ingest' | 'cli-build' | 'http';
  input?: string;
  generate?: { kind: string; [k: string]: unknown };
  code: string;
  /** The field the error names; null for errors of the HTTP and GraphQL layers, before any resolver. */
  field: string | null;
  /** extensions.reason, for GraphQL validation limits. */
  reason?: string;
}

const manifest = JSON.parse(readFileSync(path.join(CORPUS, 'manifest.json'), 'utf8')) as { cases: Case[] };

const SCENE_MUTATION =
  'mutation($input: JSONObject!) { ingestSceneGraph(input: $input) { status image { id } } }';
const IMAGE_MUTATION =
  'mutation($input: IngestImageInput!) { ingestImage(input: $input) { status image { id } } }';

function baseScene(name: string) {
  return {
    version: 1,
    image: { uri: `bad-input/${name}.png`, width: 64, height: 48 },
    objects: [
      { key: 'a', label: 'cup', box: [1, 1, 20, 20] } as Record<string, unknown>,
      { key: 'b', label: 'table', box: [10, 10, 60, 40] } as Record<string, unknown>,
    ],
  } as Record<string, unknown> & { objects: Record<string, unknown>[] };
}

/** A closed polygon of `n` points on an ellipse inside a 64x48 image. */
function polygon(n: number): number[] {
  const out = new Array<number>(2 * n);
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    out[2 * i] = Math.round((32 + 30 * Math.cos(a)) * 100) / 100;
    out[2 * i + 1] = Math.round((24 + 22 * Math.sin(a)) * 100) / 100;
  }
  return out;
}

/** PNG's CRC-32 (zlib.crc32 only exists from Node 20.15). */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

async function tinyPng(): Promise<Buffer> {
  const px = Buffer.alloc(16 * 12 * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37) % 251;
  return sharp(px, { raw: { width: 16, height: 12, channels: 3 } })
    .png()
    .toBuffer();
}

const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48"><rect width="64" height="48"/></svg>';

async function imageBytes(kind: string): Promise<Buffer> {
  const png = await tinyPng();
  switch (kind) {
    case 'truncatedJpeg': {
      const jpeg = await sharp(png).resize(64, 48).jpeg().toBuffer();
      return jpeg.subarray(0, Math.floor(jpeg.length / 2));
    }
    case 'truncatedPng':
      return png.subarray(0, png.length - 30);
    case 'corruptPng': {
      const b = Buffer.from(png);
      const idat = b.indexOf('IDAT');
      for (let i = idat + 8; i < idat + 24; i++) b[i] ^= 0x5a;
      return b;
    }
    case 'pixelBombPng': {
      const b = Buffer.from(png);
      b.writeUInt32BE(100_000, 16);
      b.writeUInt32BE(100_000, 20);
      b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
      return b;
    }
    case 'pixelBombGif': {
      const b = Buffer.from(await sharp(png).gif().toBuffer());
      b.writeUInt16LE(65_535, 6); // logical screen
      b.writeUInt16LE(65_535, 8);
      // The first image descriptor: after the global colour table and any extension blocks.
      let p = 13 + (b[10] & 0x80 ? 3 * (1 << ((b[10] & 7) + 1)) : 0);
      while (b[p] === 0x21) {
        p += 2;
        while (b[p] !== 0) p += b[p] + 1;
        p++;
      }
      b.writeUInt16LE(65_535, p + 5);
      b.writeUInt16LE(65_535, p + 7);
      return b;
    }
    case 'svg':
      return Buffer.from(SVG);
    case 'html':
      return Buffer.from('<!doctype html><html><body>not an image</body></html>');
    case 'pdf':
      return Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    default:
      throw new Error(`unknown image kind ${kind}`);
  }
}

describe('bad-input corpus (real service, CLI and Neo4j)', () => {
  const db = testDatabase();
  const roots = mkdtempSync(path.join(os.tmpdir(), 'bad-input-roots-'));
  const work = mkdtempSync(path.join(os.tmpdir(), 'bad-input-work-'));
  let service: RunningService;
  let server: http.Server;
  let port = 0;

  async function counts(): Promise<Record<string, number>> {
    const res = await db.read('test.count', (tx) =>
      tx.run<{ i: number; o: number; l: number }>(
        'CALL { MATCH (i:Image) RETURN count(i) AS i } CALL { MATCH (o:Object) RETURN count(o) AS o } ' +
          'CALL { MATCH (l:Layer) RETURN count(l) AS l } RETURN i, o, l',
      ),
    );
    const r = res.records[0];
    return { images: r.get('i'), objects: r.get('o'), layers: r.get('l') };
  }

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      void tinyPng().then((png) => {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(png);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    service = await startTestService({
      INGEST_ROOTS: roots,
      DEPTH_MODEL: 'none',
      MAX_IMAGE_PIXELS: '4000000',
      MAX_UPLOAD_BYTES: String(MAX_BODY),
    });
  });

  afterAll(async () => {
    await service?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.close();
    rmSync(roots, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  /** The request body as text: some inputs (10,000-deep nesting) cannot go through JSON.stringify. */
  async function post(query: string, inputText: string) {
    const body = `{"query":${JSON.stringify(query)},"variables":{"input":${inputText}}}`;
    const res = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const json = (await res.json()) as {
      data?: unknown;
      errors?: { message: string; extensions?: { code?: string; field?: string } }[];
    };
    return { status: res.status, json };
  }

  async function sceneText(c: Case): Promise<string> {
    if (c.input) return readFileSync(path.join(CORPUS, c.input), 'utf8');
    const g = c.generate!;
    const s = baseScene(c.name);
    switch (g.kind) {
      case 'polygonPoints':
        s.objects[0].mask = [polygon(g.points as number)];
        break;
      case 'objectPoints':
        s.objects[0].mask = Array.from({ length: g.polygons as number }, () => polygon(g.points as number));
        break;
      case 'imagePoints':
        s.objects = Array.from({ length: g.objects as number }, (_, i) => ({
          key: `o${i}`,
          label: 'blob',
          box: [2, 2, 62, 46],
          mask: [polygon(g.points as number)],
        }));
        break;
      case 'objects':
        s.objects = Array.from({ length: g.count as number }, (_, i) => ({
          key: `o${i}`,
          label: 'dot',
          box: [i % 60, 1, (i % 60) + 2, 3],
        }));
        break;
      case 'relations':
        s.relations = Array.from({ length: g.count as number }, () => ({
          subject: 'a',
          predicate: 'holding',
          object: 'b',
          source: 'MODEL',
        }));
        break;
      case 'depthWrongSize': {
        const file = path.join(roots, 'wrong-size.depth.png');
        const px = Buffer.alloc(10 * 30 * 2, 7);
        await sharp(px, { raw: { width: 10, height: 30, channels: 1 } })
          .toColourspace('grey16')
          .png()
          .toFile(file);
        s.depth = { uri: file, unit: 'meters', scale: 0.001 };
        break;
      }
      default:
        throw new Error(`unknown generator ${g.kind}`);
    }
    return JSON.stringify(s);
  }

  async function imageInput(c: Case): Promise<Record<string, unknown>> {
    const kind = c.generate!.kind;
    const file = (name: string, bytes: Buffer | string) => {
      const p = path.join(roots, name);
      writeFileSync(p, bytes);
      return p;
    };
    switch (kind) {
      case 'empty':
        return { data: '' };
      case 'notBase64':
        return { data: 'data:image/png;base64,AAAA' };
      case 'svgNamedPng':
        return { path: file('picture.png', SVG) };
      case 'textNamedJpg':
        return { path: file('photo.jpg', 'just some text\n') };
      case 'pathTraversal':
        return { path: path.join(roots, '../../../../etc/hostname') };
      case 'pathAbsolute':
        return { path: '/etc/hostname' };
      case 'pathSymlink': {
        const link = path.join(roots, 'escape.png');
        if (!existsSync(link)) symlinkSync('/etc/hostname', link);
        return { path: link };
      }
      case 'pathFileUri':
        return { path: 'file:///etc/hostname' };
      case 'pathMissing':
        return { path: path.join(roots, 'missing.png') };
      case 'pathFolder': {
        const d = path.join(roots, 'folder.png');
        mkdirSync(d, { recursive: true });
        return { path: d };
      }
      case 'url':
        return { url: String(c.generate!.url).replace('{port}', String(port)) };
      case 'twoSources':
        return { data: (await tinyPng()).toString('base64'), url: `http://127.0.0.1:${port}/a.png` };
      default:
        return { data: (await imageBytes(kind)).toString('base64') };
    }
  }

  function runCli(args: string[]) {
    return spawnSync(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
  }

  it('holds at least 60 cases, each with a code and (past the HTTP layer) a field', () => {
    expect(manifest.cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(manifest.cases.map((c) => c.name)).size).toBe(manifest.cases.length);
    for (const c of manifest.cases) {
      if (c.via !== 'http') {
        expect(c.code).toBe('BAD_USER_INPUT');
        expect(c.field?.length).toBeGreaterThan(0);
      }
      expect(Boolean(c.input) !== Boolean(c.generate)).toBe(true);
    }
  });

  const service_cases = manifest.cases.filter((c) => c.via === 'ingestSceneGraph' || c.via === 'ingestImage');
  it.each(service_cases.map((c) => [c.name, c] as const))(
    '%s: typed error naming the field, nothing written',
    async (_name, c) => {
      const before = await counts();
      const started = performance.now();
      const r =
        c.via === 'ingestSceneGraph'
          ? await post(SCENE_MUTATION, await sceneText(c))
          : await post(IMAGE_MUTATION, JSON.stringify(await imageInput(c)));
      const ms = performance.now() - started;
      expect(r.status).toBeLessThan(500);
      expect(r.json.data ?? null).toBeNull();
      const error = r.json.errors?.[0];
      expect({ code: error?.extensions?.code, message: error?.message }).toEqual({
        code: c.code,
        message: expect.any(String) as string,
      });
      const field = error?.extensions?.field;
      expect(field?.startsWith(c.field!) ? c.field : field).toBe(c.field);
      // Bounded work: every case is refused in well under the client's patience.
      expect(ms).toBeLessThan(15_000);
      expect(await counts()).toEqual(before);
    },
  );

  /** Request bodies the HTTP and GraphQL layers refuse before any resolver runs. */
  function httpBody(kind: string): string {
    const select = (depth: number) => {
      let s = 'label';
      for (let i = 0; i < depth; i++) s = `relations { subject { ${s} } }`;
      return s;
    };
    switch (kind) {
      case 'malformedBody':
        return '{"query": "{ labels { label } }", ';
      case 'oversizedBody':
        return `{"query":"{ labels { label } }","pad":"${'x'.repeat(MAX_BODY + 1)}"}`;
      case 'deepQuery':
        return JSON.stringify({ query: `{ images { edges { node { objects { ${select(5)} } } } } }` });
      case 'costlyQuery':
        return JSON.stringify({
          // Within the page-size and depth limits, over the cost limit (about 2.2M against 250,000).
          query:
            '{ images(first: 100) { edges { node { objects { relations { subject { relations { object { relations { subject { label } } } } } } } } } } }',
        });
      case 'aliases':
        return JSON.stringify({
          query: `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: labels { label }`).join(' ')} }`,
        });
      case 'inputArray':
        return JSON.stringify({ query: SCENE_MUTATION, variables: { input: [1, 2] } });
      case 'inputMissing':
        return JSON.stringify({ query: SCENE_MUTATION, variables: {} });
      case 'deepLiteral':
        return JSON.stringify({
          query: `mutation { ingestSceneGraph(input: {version: 1, p: ${'['.repeat(10_000)}1${']'.repeat(10_000)}}) { status } }`,
        });
      default:
        throw new Error(`unknown body ${kind}`);
    }
  }

  const http_cases = manifest.cases.filter((c) => c.via === 'http');
  it.each(http_cases.map((c) => [c.name, c] as const))(
    '%s: 4xx with the code, nothing written',
    async (_name, c) => {
      const before = await counts();
      const res = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: httpBody(c.generate!.kind),
      });
      const json = (await res.json()) as { errors?: { extensions?: { code?: string; reason?: string } }[] };
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(json.errors?.[0]?.extensions?.code).toBe(c.code);
      if (c.reason) expect(json.errors?.[0]?.extensions?.reason).toBe(c.reason);
      expect(await counts()).toEqual(before);
    },
  );

  it('the service still answers after the corpus', async () => {
    const res = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ labels { label } }' }),
    });
    expect(res.status).toBe(200);
  });

  const cli_cases = manifest.cases.filter((c) => c.via === 'cli-ingest' || c.via === 'cli-build');
  it.each(cli_cases.map((c) => [c.name, c] as const))(
    '%s (CLI): exit code 2, the field named, nothing written',
    async (_name, c) => {
      const before = await counts();
      const input = path.join(work, path.basename(c.input!));
      writeFileSync(input, readFileSync(path.join(CORPUS, c.input!)));
      const out = path.join(work, `${c.name}.out.json`);
      const r =
        c.via === 'cli-ingest'
          ? runCli(['ingest', '--scenes', input])
          : runCli(['build', '--input', input, '--out', out]);
      expect({ status: r.status, named: r.stderr.includes(c.field!) }).toEqual({ status: 2, named: true });
      expect(r.stderr).not.toMatch(/RangeError|TypeError|at .*\.js:\d+/);
      expect(existsSync(out)).toBe(false);
      expect(await counts()).toEqual(before);
    },
  );
});
