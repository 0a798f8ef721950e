import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * `serve` without NEO4J_URI stops on SIGTERM only a local Neo4j it started itself and nobody asked
 * for since: once `scenegraph db start` has claimed it, it stays up. Runs the built CLI with its own
 * data folder and Bolt port, so the suites' Neo4j is not involved.
 */

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/src/cli/main.js');

async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
  await new Promise((r) => server.close(r));
  return port;
}

describe('serve and the local Neo4j (built CLI)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sg-serve-'));
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const { NEO4J_URI: _uri, NEO4J_PASSWORD: _pw, ...rest } = process.env;
    env = {
      ...rest,
      DATA_DIR: dataDir,
      NEO4J_BOLT_PORT: String(await freePort()),
      PORT: '0',
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(() => {
    spawnSync(process.execPath, [cli, 'db', 'stop'], { cwd: root, env, encoding: 'utf8' });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const db = (cmd: string) =>
    spawnSync(process.execPath, [cli, 'db', cmd], { cwd: root, env, encoding: 'utf8' });

  async function serveUntilSigterm(between: () => void): Promise<number | null> {
    const child = spawn(process.execPath, [cli, 'serve'], {
      cwd: root,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (/GraphQL at http/.test(stderr)) resolve();
      });
      child.once('exit', (code) =>
        reject(new Error(`serve exited (${code}) before it was ready: ${stderr}`)),
      );
    });
    between();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    return exited;
  }

  it('leaves a Neo4j running that `db start` claimed, even one serve had started', async () => {
    // serve starts the database itself; `db start` then finds it running and claims it.
    const code = await serveUntilSigterm(() => {
      const start = db('start');
      expect(start.status).toBe(0);
      expect(start.stdout).toMatch(/already running/);
    });
    expect(code).toBe(0);
    expect(db('status').stdout).toMatch(/local Neo4j: running/);

    // Started by `db start` from the outset: serve reuses it and leaves it too.
    expect(await serveUntilSigterm(() => undefined)).toBe(0);
    expect(db('status').stdout).toMatch(/local Neo4j: running/);
    expect(db('stop').stdout).toMatch(/stopped/);
  }, 300_000);

  it('stops a Neo4j it started itself when nobody claimed it', async () => {
    expect(await serveUntilSigterm(() => undefined)).toBe(0);
    expect(db('status').stdout).toMatch(/local Neo4j: not running/);
  }, 300_000);
});
