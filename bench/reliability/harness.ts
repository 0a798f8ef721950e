/**
 * What every reliability scenario shares: the CLI and `serve` as child processes, the local Neo4j
 * driven through `scenegraph db start|stop`, a timed GraphQL client, and a driver of its own for
 * checking what is stored. The harness treats the product as a black box: it talks to it only over
 * the CLI, HTTP and Bolt, so a defect shows up the way a user would see it.
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import neo4j, { type Driver } from 'neo4j-driver';

/** The repository root, from the sources (bench/reliability) or the build (dist/bench/reliability). */
function repositoryRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no package.json above ${from}`);
}

export const ROOT = repositoryRoot(__dirname);
export const CLI = path.join(ROOT, 'dist/src/cli/main.js');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Where the product finds its Neo4j: an existing server (NEO4J_URI) or the local one in DATA_DIR. */
export interface Neo4jTarget {
  uri: string;
  password: string;
  user: string;
  /** Set for a local Neo4j managed through `scenegraph db`: the env that names it. */
  local?: { DATA_DIR: string; NEO4J_BOLT_PORT: string };
}

/** The env a CLI child needs to reach `target` (a local target leaves NEO4J_URI unset on purpose). */
export function productEnv(target: Neo4jTarget, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: process.env.RELIABILITY_LOG_LEVEL ?? 'silent' };
  if (target.local) {
    delete env.NEO4J_URI;
    delete env.NEO4J_PASSWORD;
    Object.assign(env, target.local);
  } else {
    Object.assign(env, { NEO4J_URI: target.uri, NEO4J_PASSWORD: target.password, NEO4J_USER: target.user });
  }
  return { ...env, ...extra };
}

/** The Neo4j named by the environment (what the e2e tests and scripts/reliability.sh set). */
export function envTarget(): Neo4jTarget {
  const uri = process.env.NEO4J_URI;
  const password = process.env.NEO4J_PASSWORD;
  if (!uri || !password) throw new Error('NEO4J_URI and NEO4J_PASSWORD must be set');
  return { uri, password, user: process.env.NEO4J_USER ?? 'neo4j' };
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cliSync(args: string[], env: NodeJS.ProcessEnv): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A CLI child whose output is collected as it comes. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (b: Buffer) => (this.stdout += b.toString('utf8')));
    this.child.stderr!.on('data', (b: Buffer) => (this.stderr += b.toString('utf8')));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }
}

/** A local Neo4j controlled only through `scenegraph db start|stop`, as an operator would. */
export function localTarget(dataDir: string, boltPort: number): Neo4jTarget {
  return {
    uri: `bolt://127.0.0.1:${boltPort}`,
    user: 'neo4j',
    password: '',
    local: { DATA_DIR: dataDir, NEO4J_BOLT_PORT: String(boltPort) },
  };
}

/** Asynchronous, so that the load a scenario runs keeps going while the database stops and starts. */
export async function dbCommand(target: Neo4jTarget, action: 'start' | 'stop'): Promise<CliResult> {
  const p = new CliProcess(['db', action], productEnv(target));
  const { code } = await p.exited;
  const r: CliResult = { status: code, stdout: p.stdout, stderr: p.stderr };
  if (r.status !== 0) throw new Error(`scenegraph db ${action} exited ${r.status}: ${r.stderr}`);
  if (action === 'start') {
    const creds = JSON.parse(
      readFileSync(path.resolve(ROOT, target.local!.DATA_DIR, 'neo4j/credentials.json'), 'utf8'),
    ) as { password: string };
    target.password = creds.password;
  }
  return r;
}

export function connectDriver(target: Neo4jTarget): Driver {
  return neo4j.driver(target.uri, neo4j.auth.basic(target.user, target.password), {
    disableLosslessIntegers: true,
  });
}

export async function cypher<T = Record<string, unknown>>(
  driver: Driver,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const r = await driver.executeQuery(query, params, { routing: 'READ' });
  return r.records.map((x) => x.toObject() as T);
}

/** Deletes what an earlier run stored under a URI prefix (each scenario uses its own prefix). */
export async function deleteUnder(driver: Driver, prefix: string): Promise<void> {
  await driver.executeQuery(
    'MATCH (i:Image) WHERE i.uri STARTS WITH $prefix OPTIONAL MATCH (i)-[:HAS_OBJECT]->(n) DETACH DELETE n, i',
    { prefix },
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** `scenegraph serve` on its own port. */
export class Service extends CliProcess {
  constructor(
    readonly port: number,
    env: NodeJS.ProcessEnv,
  ) {
    super(['serve', '--port', String(port), '--host', '127.0.0.1'], env);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(target: Neo4jTarget, extra: Record<string, string> = {}): Promise<Service> {
    const s = new Service(await freePort(), productEnv(target, { NODE_ENV: 'test', ...extra }));
    await waitFor(
      'the service to answer /readyz',
      async () => {
        if (!s.running) throw new Error(`serve exited: ${s.stderr}`);
        return (await fetch(`${s.url}/readyz`)).status === 200;
      },
      90_000,
    ).catch((err: unknown) => {
      s.kill('SIGKILL');
      throw err;
    });
    return s;
  }

  async healthy(): Promise<boolean> {
    try {
      return (await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(5000) })).status === 200;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    this.kill('SIGTERM');
    const t = setTimeout(() => this.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(t);
  }
}

export interface GqlError {
  message: string;
  extensions?: { code?: string };
}

export interface GqlResponse {
  /** HTTP status, or 0 when no response came (the error is in `network`). */
  status: number;
  ms: number;
  data?: Record<string, unknown> | null;
  errors?: GqlError[];
  network?: string;
}

/** One POST to /graphql, timed; network failures are results, not exceptions. */
export async function gql(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  timeoutMs = 30_000,
): Promise<GqlResponse> {
  const t0 = performance.now();
  try {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    const ms = performance.now() - t0;
    let body: { data?: Record<string, unknown> | null; errors?: GqlError[] } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = { errors: [{ message: text.slice(0, 200), extensions: { code: 'NON_JSON_BODY' } }] };
    }
    return { status: res.status, ms, data: body.data, errors: body.errors };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return {
      status: 0,
      ms: performance.now() - t0,
      network: cause?.code ?? (err instanceof Error ? err.name : String(err)),
    };
  }
}

/** How a response is counted: the first error code, `HTTP <status>`, or the network error. */
export function outcomeOf(r: GqlResponse): string {
  if (r.status === 0) return `network ${r.network}`;
  if (r.errors?.length) return r.errors[0].extensions?.code ?? `HTTP ${r.status} (no code)`;
  return r.status === 200 ? 'ok' : `HTTP ${r.status}`;
}

export function tally(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const round1 = (x: number): number => Math.round(x * 10) / 10;
