/**
 * CORS as a browser sees it: the service runs with CORS_ORIGINS naming one origin, a page served from
 * that origin (another port of 127.0.0.1) and the same page from an origin not named call /graphql from
 * headless Chromium, and report what their fetches got to the server that served them.
 *
 * (a) an allowed origin gets data by POST with content-type application/json (a non-simple request:
 *     the browser sends a preflight first, and the service must answer it);
 * (b) a GET query with the README's header (`apollo-require-preflight: true`) works, and without it
 *     Apollo's CSRF prevention refuses it (400, readable because the origin is allowed);
 * (c) a disallowed origin gets nothing: every fetch fails in the browser.
 *
 * Needs a Chromium binary (CHROMIUM_BIN, or chromium / chromium-browser / google-chrome on PATH; .ci/run
 * installs Debian's). Without one the suite is skipped, saying so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RunningService } from '../../src/server/service';
import { startTestService } from '../helpers/testService';

function findChromium(): string | undefined {
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
  const candidates = [
    ...(process.env.CHROMIUM_BIN ? [process.env.CHROMIUM_BIN] : []),
    ...(process.env.PATH ?? '')
      .split(path.delimiter)
      .filter(Boolean)
      .flatMap((dir) => names.map((n) => path.join(dir, n))),
  ];
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const chromium = findChromium();
if (!chromium) {
  process.stdout.write(
    'SKIPPED test/browser/cors.test.ts: no Chromium binary found (set CHROMIUM_BIN, or install one: ' +
      '`apt-get install -y chromium`; .ci/run does)\n',
  );
}
const describeWithBrowser = chromium ? describe : describe.skip;

const QUERY = '{ images(first: 1) { totalCount } }';

/** The page: three fetches to the service, whose outcomes it posts back to its own server. */
function page(api: string): string {
  return `<!doctype html><html><body><pre id="out">running</pre><script>
const api = ${JSON.stringify(api)};
const query = ${JSON.stringify(QUERY)};
const getUrl = api + '?query=' + encodeURIComponent(query);
async function attempt(make) {
  try {
    const r = await make();
    return { status: r.status, body: await r.text() };
  } catch (e) {
    return { error: String(e) };
  }
}
(async () => {
  const results = {
    post: await attempt(() => fetch(api, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }),
    })),
    get: await attempt(() => fetch(getUrl, { headers: { 'apollo-require-preflight': 'true' } })),
    getWithoutHeader: await attempt(() => fetch(getUrl)),
  };
  document.getElementById('out').textContent = JSON.stringify(results);
  await fetch('/report', { method: 'POST', body: JSON.stringify(results) });
})();
</script></body></html>`;
}

/** A fetch's outcome in the page: a readable answer (the CORS check passed) or the browser's error. */
type Outcome = { status?: number; body?: string; error?: string };
type Report = { post: Outcome; get: Outcome; getWithoutHeader: Outcome };

/** A server for the page on its own port; resolves `reports` with what the page posted back. */
async function pageServer(api: () => string) {
  let deliver: (r: Report) => void = () => {};
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/report') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        res.writeHead(204).end();
        deliver(JSON.parse(body) as Report);
      });
      return;
    }
    if (req.url === '/page.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(api()));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    server,
    next: () => new Promise<Report>((resolve) => (deliver = resolve)),
  };
}

describeWithBrowser('CORS from another origin in headless Chromium', () => {
  let service: RunningService;
  let allowed: Awaited<ReturnType<typeof pageServer>>;
  let denied: Awaited<ReturnType<typeof pageServer>>;
  const profiles: string[] = [];

  beforeAll(async () => {
    allowed = await pageServer(() => `${service.url}/graphql`);
    denied = await pageServer(() => `${service.url}/graphql`);
    service = await startTestService({ CORS_ORIGINS: allowed.origin });
  });
  afterAll(async () => {
    await service?.stop();
    for (const s of [allowed?.server, denied?.server]) {
      s?.closeAllConnections();
      s?.close();
    }
    for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens the page of `origin` in headless Chromium and returns what its fetches got. */
  async function visit(server: Awaited<ReturnType<typeof pageServer>>): Promise<Report> {
    const report = server.next();
    const profile = mkdtempSync(path.join(os.tmpdir(), 'cors-chromium-'));
    profiles.push(profile);
    const browser: ChildProcess = spawn(
      chromium!,
      [
        '--headless',
        '--no-sandbox', // the test may run as root (CI containers)
        '--disable-gpu',
        '--no-first-run',
        '--disable-extensions',
        `--user-data-dir=${profile}`,
        `${server.origin}/page.html`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    let stderr = '';
    browser.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
    const exited = new Promise<never>((_, reject) =>
      browser.once('exit', (code) =>
        reject(new Error(`chromium exited (${code}) before the page reported:\n${stderr}`)),
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no report from the page within 45 s:\n${stderr}`)), 45_000);
    });
    try {
      return await Promise.race([report, exited, timeout]);
    } finally {
      clearTimeout(timer);
      browser.removeAllListeners('exit');
      // The browser and its renderer/zygote children: the process group this spawn started.
      if (browser.exitCode === null && browser.pid !== undefined) {
        let wait: NodeJS.Timeout | undefined;
        const gone = new Promise((resolve) => browser.once('exit', resolve));
        process.kill(-browser.pid, 'SIGTERM');
        await Promise.race([gone, new Promise((resolve) => (wait = setTimeout(resolve, 5000)))]);
        clearTimeout(wait);
      }
    }
  }

  it('lets the allowed origin POST JSON (preflight answered) and GET with the documented header', async () => {
    const r = await visit(allowed);
    // A status and body readable by the page: the answer carried the origin in Access-Control-Allow-Origin.
    expect(r.post).toMatchObject({ status: 200 });
    expect(JSON.parse(r.post.body!)).toEqual({ data: { images: { totalCount: expect.any(Number) } } });
    expect(r.get).toMatchObject({ status: 200 });
    expect(JSON.parse(r.get.body!)).toEqual({ data: { images: { totalCount: expect.any(Number) } } });
    // CSRF prevention stays on: a GET without a preflight-forcing header is refused, readably.
    expect(r.getWithoutHeader).toMatchObject({ status: 400 });
    expect(r.getWithoutHeader.body).toMatch(/apollo-require-preflight/);
  });

  it('blocks an origin not in CORS_ORIGINS', async () => {
    const r = await visit(denied);
    for (const outcome of [r.post, r.get, r.getWithoutHeader]) {
      expect(outcome.status).toBeUndefined();
      expect(outcome.error).toMatch(/TypeError/);
    }
  });
});
