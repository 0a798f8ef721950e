/**
 * A stand-in for the Hugging Face hub on 127.0.0.1, for the model store's tests: the tree API
 * (`/api/models/{repo}/tree/{revision}/{dir}` with LFS metadata), `/{repo}/resolve/{revision}/{path}`
 * answering with a 302 to a CDN on ANOTHER origin (as the hub does), and a CDN that honours Range
 * requests. Files can misbehave: drop the connection after some bytes, stall, ignore ranges, answer a
 * status, or be listed with another checksum than the bytes served.
 */

import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeFile {
  path: string;
  content: Buffer;
  /** Listed as an LFS file (sha256 in `lfs.oid`); otherwise as a plain git blob (`oid` = git sha1). */
  lfs: boolean;
  /** List this sha256 instead of the content's (a hub whose metadata and bytes disagree). */
  listedSha256?: string;
  /** Close the socket after this many body bytes, for the first `dropTimes` CDN requests (default 1). */
  dropAfterBytes?: number;
  dropTimes?: number;
  /** Send headers, then nothing, for the first `stallTimes` CDN requests (default: always). */
  stall?: boolean;
  stallTimes?: number;
  /** Answer 200 with the whole file even to Range requests. */
  ignoreRange?: boolean;
  /** The resolve endpoint answers this status instead of redirecting. */
  status?: number;
}

export interface FakeRepo {
  repo: string;
  revision: string;
  commit?: string;
  files: FakeFile[];
  /** Resolve and tree requests need `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
}

export interface RecordedRequest {
  server: 'hub' | 'cdn';
  method: string;
  url: string;
  range?: string;
  authorization?: string;
}

export const sha256Of = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
export const gitSha1Of = (b: Buffer): string =>
  createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

/** Deterministic pseudo-random bytes, so a test can make files of any size without fixtures. */
export function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

export class FakeHub {
  readonly requests: RecordedRequest[] = [];
  private readonly served = new Map<string, number>();
  private readonly sockets = new Set<import('node:net').Socket>();
  url = '';
  cdnUrl = '';

  private constructor(
    readonly repos: FakeRepo[],
    private readonly hub: http.Server,
    private readonly cdn: http.Server,
  ) {}

  static async start(repos: FakeRepo[]): Promise<FakeHub> {
    const ref: { hub?: FakeHub } = {};
    const hub = http.createServer((req, res) => ref.hub!.onHub(req, res));
    const cdn = http.createServer((req, res) => ref.hub!.onCdn(req, res));
    const self = new FakeHub(repos, hub, cdn);
    ref.hub = self;
    for (const s of [hub, cdn]) s.on('connection', (sock) => self.track(sock));
    self.url = await listen(hub);
    self.cdnUrl = await listen(cdn);
    return self;
  }

  private track(sock: import('node:net').Socket): void {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all([this.hub, this.cdn].map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  cdnRequests(file?: string): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.server === 'cdn' && (!file || new URL(r.url, this.cdnUrl).pathname.endsWith(`/${file}`)),
    );
  }

  private record(server: 'hub' | 'cdn', req: http.IncomingMessage): void {
    this.requests.push({
      server,
      method: req.method ?? 'GET',
      url: req.url ?? '',
      range: req.headers.range,
      authorization: req.headers.authorization,
    });
  }

  /** `owner/name` + rest, for paths like /owner/name/resolve/rev/a/b. */
  private findRepo(parts: string[]): { repo: FakeRepo; rest: string[] } | undefined {
    for (const repo of this.repos) {
      const rp = repo.repo.split('/');
      if (rp.every((p, i) => parts[i] === p)) return { repo, rest: parts.slice(rp.length) };
    }
    return undefined;
  }

  private authorised(repo: FakeRepo, req: http.IncomingMessage): boolean {
    return !repo.token || req.headers.authorization === `Bearer ${repo.token}`;
  }

  private onHub(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.record('hub', req);
    const url = new URL(req.url ?? '/', this.url);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === 'api' && parts[1] === 'models') {
      const found = this.findRepo(parts.slice(2));
      if (!found || found.rest[0] !== 'tree' || found.rest[1] !== found.repo.revision) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Repository not found"}');
        return;
      }
      if (!this.authorised(found.repo, req)) {
        res.writeHead(401).end();
        return;
      }
      const dir = found.rest.slice(2).join('/');
      const prefix = dir ? `${dir}/` : '';
      const entries: unknown[] = [];
      const dirs = new Set<string>();
      for (const f of found.repo.files) {
        if (!f.path.startsWith(prefix)) continue;
        const rest = f.path.slice(prefix.length);
        if (rest.includes('/')) {
          dirs.add(prefix + rest.split('/')[0]);
          continue;
        }
        entries.push({
          type: 'file',
          oid: gitSha1Of(f.content),
          size: f.lfs ? 134 : f.content.length,
          path: f.path,
          ...(f.lfs
            ? {
                lfs: { oid: f.listedSha256 ?? sha256Of(f.content), size: f.content.length, pointerSize: 134 },
              }
            : {}),
        });
      }
      for (const d of dirs) entries.push({ type: 'directory', oid: 'x', size: 0, path: d });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(entries));
      return;
    }
    const found = this.findRepo(parts);
    if (found && found.rest[0] === 'resolve' && found.rest[1] === found.repo.revision) {
      const filePath = found.rest.slice(2).join('/');
      const file = found.repo.files.find((f) => f.path === filePath);
      if (!this.authorised(found.repo, req)) {
        res.writeHead(401).end();
        return;
      }
      if (!file) {
        res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('Entry not found');
        return;
      }
      if (file.status) {
        res.writeHead(file.status).end();
        return;
      }
      res
        .writeHead(302, {
          location: `${this.cdnUrl}/cdn/${found.repo.repo}/${filePath}?sig=abc`,
          'x-repo-commit': found.repo.commit ?? 'c0ffee',
          'x-linked-size': String(file.content.length),
        })
        .end();
      return;
    }
    res.writeHead(404).end('not found');
  }

  private onCdn(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.record('cdn', req);
    const url = new URL(req.url ?? '/', this.cdnUrl);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const found = parts[0] === 'cdn' ? this.findRepo(parts.slice(1)) : undefined;
    const file = found?.repo.files.find((f) => f.path === found.rest.join('/'));
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    const key = `${found!.repo.repo}/${file.path}`;
    const n = (this.served.get(key) ?? 0) + 1;
    this.served.set(key, n);
    const total = file.content.length;
    let start = 0;
    const m = !file.ignoreRange && req.headers.range ? /^bytes=(\d+)-$/.exec(req.headers.range) : null;
    if (m) {
      start = Number(m[1]);
      if (start >= total) {
        res.writeHead(416, { 'content-range': `bytes */${total}` }).end();
        return;
      }
    }
    const body = file.content.subarray(start);
    const headers: http.OutgoingHttpHeaders = { 'content-length': body.length, 'accept-ranges': 'bytes' };
    if (m) {
      headers['content-range'] = `bytes ${start}-${total - 1}/${total}`;
      res.writeHead(206, headers);
    } else {
      res.writeHead(200, headers);
    }
    if (file.stall && n <= (file.stallTimes ?? Infinity)) {
      res.flushHeaders();
      return; // never a byte: the client's idle limit must fire
    }
    if (file.dropAfterBytes !== undefined && n <= (file.dropTimes ?? 1)) {
      const cut = Math.min(file.dropAfterBytes, body.length);
      res.write(body.subarray(0, cut), () => setTimeout(() => req.socket.destroy(), 20));
      return;
    }
    res.end(body);
  }
}

/** An endpoint on 127.0.0.1 where nothing listens (connections are refused). */
export async function closedEndpoint(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}
