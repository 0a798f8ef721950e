import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { LocalNeo4j, LocalNeo4jStarted } from '../../src/db/localNeo4j';
import { EnvironmentError } from '../../src/errors/errors';
import { PROJECT_ROOT } from '../../src/paths';

/**
 * Drives the real embedded Neo4j through LocalNeo4j, in its own temp data folder and on its own port,
 * so it neither needs nor disturbs the Neo4j that scripts/test.sh starts for the other suites.
 * The first run on a machine may build .neo4j/ (Maven download), hence the long timeouts.
 */

const FIRST_START_TIMEOUT_MS = 15 * 60_000;
const TIMEOUT_MS = 3 * 60_000;

async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    if (port !== 7687 && port !== 7688) return port;
  }
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The launcher is a child of this jest process, so right after it exits it lingers as a zombie until
 * Node reaps it; kill(pid, 0) still succeeds then, hence the /proc state check.
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/^\d+ \(.*\) Z/.test(stat);
}

const messages: string[] = [];
const logger = {
  info: (msg: string) => messages.push(`INFO ${msg}`),
  warn: (msg: string) => messages.push(`WARN ${msg}`),
};

describe('LocalNeo4j (real embedded Neo4j)', () => {
  let dataDir: string;
  let port: number;
  let local: LocalNeo4j;
  let started: LocalNeo4jStarted | undefined;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scenegraph-localneo4j-'));
    port = await freePort();
    local = new LocalNeo4j({ dataDir, port, projectRoot: PROJECT_ROOT, logger });
  });

  afterAll(async () => {
    // Never leave a JVM behind, even when an assertion above failed half-way.
    if (local) await local.stop().catch(() => undefined);
    if (started && isAlive(started.pid)) process.kill(started.pid, 'SIGKILL');
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, TIMEOUT_MS);

  it(
    'starts Neo4j and serves Bolt reads and writes with the generated password',
    async () => {
      const t0 = Date.now();
      started = await local.start();
      const startMs = Date.now() - t0;
      process.stderr.write(`LocalNeo4j first start took ${(startMs / 1000).toFixed(1)} s\n`);

      expect(started).toMatchObject({ uri: `bolt://127.0.0.1:${port}`, user: 'neo4j', startedNow: true });
      expect(started.pid).toBeGreaterThan(0);
      expect(started.password.length).toBeGreaterThanOrEqual(16);

      const credentialsFile = path.join(dataDir, 'neo4j', 'credentials.json');
      expect(fs.statSync(credentialsFile).mode & 0o777).toBe(0o600);
      expect(JSON.parse(fs.readFileSync(credentialsFile, 'utf8')).password).toBe(started.password);
      const run = JSON.parse(fs.readFileSync(path.join(dataDir, 'neo4j', 'run.json'), 'utf8'));
      expect(run).toMatchObject({ pid: started.pid, port, ready: true });
      // The password file only exists while the launcher starts.
      expect(fs.existsSync(path.join(dataDir, 'neo4j', '.password'))).toBe(false);

      const driver = neo4j.driver(started.uri, neo4j.auth.basic(started.user, started.password));
      try {
        await driver.executeQuery('CREATE (:LocalNeo4jProbe {id: $id, name: $name})', {
          id: 1,
          name: 'probe',
        });
        const { records } = await driver.executeQuery(
          'MATCH (n:LocalNeo4jProbe {id: $id}) RETURN n.name AS name',
          {
            id: 1,
          },
        );
        expect(records.map((r) => r.get('name'))).toEqual(['probe']);
        const info = await driver.getServerInfo();
        expect(info.agent).toMatch(/^Neo4j\/5\.26\./);
      } finally {
        await driver.close();
      }
    },
    FIRST_START_TIMEOUT_MS,
  );

  it(
    'reuses the running launcher instead of starting a second database',
    async () => {
      expect(started).toBeDefined();
      // A separate instance stands for another process (CLI, server) using the same data folder.
      const again = await new LocalNeo4j({ dataDir, port, projectRoot: PROJECT_ROOT, logger }).start();
      expect(again).toEqual({ ...started, startedNow: false });

      const driver = neo4j.driver(again.uri, neo4j.auth.basic(again.user, again.password));
      try {
        const { records } = await driver.executeQuery('MATCH (n:LocalNeo4jProbe) RETURN count(n) AS c');
        expect(records[0].get('c').toNumber()).toBe(1);
      } finally {
        await driver.close();
      }
    },
    TIMEOUT_MS,
  );

  it('reports status while running', async () => {
    await expect(local.status()).resolves.toEqual({
      running: true,
      pid: started!.pid,
      uri: `bolt://127.0.0.1:${port}`,
      dataDir: path.resolve(dataDir),
    });
  });

  it('rejects a wrong password over Bolt', async () => {
    const driver = neo4j.driver(started!.uri, neo4j.auth.basic('neo4j', `${started!.password}-wrong`));
    try {
      await expect(driver.executeQuery('RETURN 1')).rejects.toMatchObject({
        code: 'Neo.ClientError.Security.Unauthorized',
      });
    } finally {
      await driver.close();
    }
  });

  it(
    'stops the launcher and closes the port',
    async () => {
      const pid = started!.pid;
      await expect(local.stop()).resolves.toBe(true);
      expect(isAlive(pid)).toBe(false);
      await expect(local.status()).resolves.toEqual({ running: false, dataDir: path.resolve(dataDir) });
      await expect(portAccepts(port)).resolves.toBe(false);
      expect(fs.existsSync(path.join(dataDir, 'neo4j', 'run.json'))).toBe(false);
      // The launcher's shutdown hook ran, i.e. SIGTERM gave a clean shutdown rather than a kill.
      expect(fs.readFileSync(path.join(dataDir, 'neo4j', 'neo4j.log'), 'utf8')).toContain(
        'Neo4j stopped cleanly',
      );
      await expect(local.stop()).resolves.toBe(false);
    },
    TIMEOUT_MS,
  );

  it('treats a run.json whose process is gone as stale', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const runFile = path.join(dataDir, 'neo4j', 'run.json');
    fs.writeFileSync(
      runFile,
      JSON.stringify({
        pid: dead,
        port,
        uri: `bolt://127.0.0.1:${port}`,
        home: '',
        startedAt: '',
        ready: true,
      }),
    );
    await expect(local.status()).resolves.toMatchObject({ running: false });
    await expect(local.stop()).resolves.toBe(false);
    expect(fs.existsSync(runFile)).toBe(false);
  });

  describe('when the port is taken', () => {
    let blocker: net.Server;
    let takenPort: number;
    let otherDataDir: string;

    beforeAll(async () => {
      takenPort = await freePort();
      blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(takenPort, '127.0.0.1', resolve));
      otherDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scenegraph-localneo4j-busy-'));
    });

    afterAll(async () => {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
      fs.rmSync(otherDataDir, { recursive: true, force: true });
    });

    it('start() fails with a clear EnvironmentError naming the port', async () => {
      const busy = new LocalNeo4j({
        dataDir: otherDataDir,
        port: takenPort,
        projectRoot: PROJECT_ROOT,
        logger,
      });
      const error = await busy.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EnvironmentError);
      expect((error as Error).message).toContain(`Port ${takenPort}`);
      expect((error as Error).message).toContain('NEO4J_BOLT_PORT');
      await expect(busy.status()).resolves.toMatchObject({ running: false });
    });

    it(
      'the launcher itself exits with code 3 and a one-line message',
      () => {
        const passwordFile = path.join(otherDataDir, 'pw');
        fs.writeFileSync(passwordFile, 'not-used-123\n', { mode: 0o600 });
        const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
        const jar = path.join(PROJECT_ROOT, '.neo4j', 'launcher.jar');
        const r = spawnSync(
          java,
          [
            '-jar',
            jar,
            '--home',
            path.join(otherDataDir, 'home'),
            '--port',
            String(takenPort),
            '--password-file',
            passwordFile,
          ],
          { encoding: 'utf8', timeout: 60_000 },
        );
        expect(r.status).toBe(3);
        expect(r.stderr.trim().split('\n')).toEqual([
          expect.stringContaining(`port ${takenPort} on 127.0.0.1 is already in use`),
        ]);
        expect(r.stdout).not.toContain('READY');
      },
      TIMEOUT_MS,
    );
  });
});
