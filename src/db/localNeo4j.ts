import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import neo4j from 'neo4j-driver';
import { EnvironmentError } from '../errors/errors';
import { DEFAULT_HEAP, DEFAULT_PAGE_CACHE, MEMORY_SIZE } from './neo4jMemory';

/**
 * Runs the project's own Neo4j: the real Neo4j Community engine embedded in a small Java launcher
 * (neo4j/launcher, built into `<projectRoot>/.neo4j` by scripts/neo4j-setup.sh), Bolt on 127.0.0.1.
 *
 * The launcher is a detached process that outlives the Node process that started it, so the CLI's
 * `db start` can return and a later `serve` or `db stop` finds it again through `run.json`. Layout of
 * `<dataDir>/neo4j/`: the Neo4j home (data/, logs/), `credentials.json` (generated password, 0600),
 * `run.json` (pid and port of the running launcher), `neo4j.log` (the launcher's stdout/stderr).
 *
 * Editing the launcher sources needs `scripts/neo4j-setup.sh` to be run by hand; start() only builds
 * when `.neo4j/` is missing or was built for another Neo4j version than the pom pins.
 */

export interface LocalNeo4jLogger {
  info(msg: string, obj?: object): void;
  warn(msg: string, obj?: object): void;
}

export interface LocalNeo4jOptions {
  /** Project state folder (`.data` by default elsewhere); the database lives in `<dataDir>/neo4j/`. */
  dataDir: string;
  /** Bolt port on 127.0.0.1. */
  port: number;
  /** Folder holding scripts/neo4j-setup.sh and (after setup) .neo4j/. */
  projectRoot: string;
  logger?: LocalNeo4jLogger;
  /** How long a starting Neo4j may take to accept Bolt logins (not counting the one-off build). */
  startTimeoutMs?: number;
  /** JVM heap (`-Xmx`, e.g. `1g`); default DEFAULT_HEAP. */
  heap?: string;
  /** Page cache (e.g. `256m`, `8g`); default DEFAULT_PAGE_CACHE. */
  pageCache?: string;
}

export interface LocalNeo4jStarted {
  uri: string;
  user: string;
  password: string;
  /** False when a launcher for this data folder was already running and was reused. */
  startedNow: boolean;
  pid: number;
}

export interface LocalNeo4jStatus {
  running: boolean;
  pid?: number;
  uri?: string;
  dataDir: string;
}

interface RunInfo {
  pid: number;
  port: number;
  uri: string;
  home: string;
  startedAt: string;
  /** False between spawn and the first verified Bolt login. */
  ready: boolean;
  /**
   * Started or claimed by `scenegraph db start`: a service that started this launcher leaves it
   * running on exit (stopIfStartedBy), since the user asked for it explicitly.
   */
  keep?: boolean;
}

interface Credentials {
  user: string;
  password: string;
}

const USER = 'neo4j';
const HOST = '127.0.0.1';
const MIN_JAVA = 17;
/** Neo4j 5.26 is tested on these; newer JVMs usually work but are not supported by Neo4j. */
const SUPPORTED_JAVA = [17, 21];
/** JVM flags besides the heap (NEO4J_HEAP, whose default is small enough to sit next to jest workers on a 2-core machine). */
const JVM_FLAGS = [
  '-XX:+UseG1GC',
  '-XX:-OmitStackTraceInFastThrow',
  '-XX:+DisableExplicitGC',
  '-Djdk.nio.maxCachedBufferSize=1024',
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dlog4j2.disable.jmx=true',
  '-Dfile.encoding=UTF-8',
];
const DEFAULT_START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;
const KILL_TIMEOUT_MS = 10_000;
/** Maven may download ~125 MB on the first run; a hung download must still end. */
const SETUP_TIMEOUT_MS = 15 * 60_000;
const LOG_ROTATE_BYTES = 20 * 1024 * 1024;
const INSTALL_HINT =
  'install OpenJDK 17 or 21 (e.g. apt-get install openjdk-17-jdk-headless) and set JAVA_HOME or put java on PATH, ' +
  'or run Neo4j with `docker compose up` and set NEO4J_URI';

/** Exit codes of org.scenegraph.neo4j.Launcher. */
const EXIT_PORT_IN_USE = 3;
const EXIT_PASSWORD_FILE = 4;
const EXIT_STORE_LOCKED = 5;

/** Bytes of the files under a folder (0 when it does not exist). */
function treeBytes(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += treeBytes(p);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

const noopLogger: LocalNeo4jLogger = { info: () => undefined, warn: () => undefined };

export class LocalNeo4j {
  private readonly dataDir: string;
  private readonly port: number;
  private readonly projectRoot: string;
  private readonly logger: LocalNeo4jLogger;
  private readonly startTimeoutMs: number;
  private readonly home: string;
  private readonly heap: string;
  private readonly pageCache: string;

  constructor(opts: LocalNeo4jOptions) {
    this.dataDir = path.resolve(opts.dataDir);
    this.port = opts.port;
    this.projectRoot = path.resolve(opts.projectRoot);
    this.logger = opts.logger ?? noopLogger;
    this.startTimeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    this.home = path.join(this.dataDir, 'neo4j');
    this.heap = opts.heap ?? DEFAULT_HEAP;
    this.pageCache = opts.pageCache ?? DEFAULT_PAGE_CACHE;
    for (const [name, v] of [
      ['heap', this.heap],
      ['pageCache', this.pageCache],
    ]) {
      if (!MEMORY_SIZE.test(v))
        throw new Error(`LocalNeo4j ${name} must be a size such as 512m or 4g, got ${v}`);
    }
  }

  private get runFile(): string {
    return path.join(this.home, 'run.json');
  }
  private get credentialsFile(): string {
    return path.join(this.home, 'credentials.json');
  }
  private get logFile(): string {
    return path.join(this.home, 'neo4j.log');
  }
  private get passwordFile(): string {
    return path.join(this.home, '.password');
  }
  private get installDir(): string {
    return path.join(this.projectRoot, '.neo4j');
  }

  /**
   * Starts Neo4j for this data folder, or returns the one already running for it. `keep` (the
   * `db start` command) marks the launcher as wanted by the user, so that a service which happened to
   * start it does not stop it on exit.
   */
  async start(opts: { keep?: boolean } = {}): Promise<LocalNeo4jStarted> {
    fs.mkdirSync(this.home, { recursive: true });
    return this.withStartLock(async () => {
      const running = this.findRunning();
      if (running) {
        const reused = await this.reuse(running);
        if (reused) {
          const current = this.readRunInfo();
          if (opts.keep && current && current.pid === reused.pid && !current.keep) {
            this.writeRunInfo({ ...current, keep: true });
          }
          return reused;
        }
      }

      await this.runSetupIfNeeded();
      const java = this.resolveJava();
      const credentials = this.loadOrCreateCredentials();
      await assertPortFree(this.port);
      return this.spawnLauncher(java, credentials, opts.keep === true);
    });
  }

  /**
   * Stops the launcher `pid` if it is still the one running for this data folder and nobody claimed
   * it with `db start` since; a launcher restarted by someone else in between is left alone.
   */
  async stopIfStartedBy(pid: number): Promise<boolean> {
    const info = this.readRunInfo();
    if (!info || info.pid !== pid) {
      this.logger.info(`Local Neo4j (pid ${pid}) is no longer the one running; nothing to stop`, { pid });
      return false;
    }
    if (info.keep) {
      this.logger.info(`Leaving local Neo4j running (pid ${pid}): \`db start\` asked for it`, { pid });
      return false;
    }
    return this.stop();
  }

  /** Stops the launcher for this data folder; false when none was running. */
  async stop(): Promise<boolean> {
    const info = this.readRunInfo();
    if (!info) return false;
    if (!this.isOurProcess(info.pid)) {
      this.logger.warn(`Removing stale ${this.runFile} (pid ${info.pid} is not running)`);
      removeFile(this.runFile);
      return false;
    }
    this.logger.info(`Stopping local Neo4j (pid ${info.pid}, ${info.uri})`, { pid: info.pid, uri: info.uri });
    await this.terminate(info.pid);
    removeFile(this.runFile);
    removeFile(this.passwordFile);
    this.logger.info(`Local Neo4j stopped (pid ${info.pid})`, { pid: info.pid });
    return true;
  }

  /** Bytes of the default database's index files (0 before its first start). */
  indexBytes(): number {
    return treeBytes(path.join(this.home, 'data', 'databases', 'neo4j', 'schema'));
  }

  async status(): Promise<LocalNeo4jStatus> {
    const info = this.readRunInfo();
    if (info && this.isOurProcess(info.pid)) {
      return { running: true, pid: info.pid, uri: info.uri, dataDir: this.dataDir };
    }
    return { running: false, dataDir: this.dataDir };
  }

  // --- reuse -----------------------------------------------------------------------------------

  private findRunning(): RunInfo | undefined {
    const info = this.readRunInfo();
    if (!info) return undefined;
    if (this.isOurProcess(info.pid)) return info;
    this.logger.warn(`Removing stale ${this.runFile} (pid ${info.pid} is not running)`);
    removeFile(this.runFile);
    return undefined;
  }

  /** Undefined when the launcher exited while we waited for it (a fresh one is started then). */
  private async reuse(info: RunInfo): Promise<LocalNeo4jStarted | undefined> {
    if (info.port !== this.port) {
      this.logger.warn(
        `Local Neo4j for ${this.dataDir} already runs on port ${info.port}, not the configured ${this.port}; using it`,
      );
    }
    const credentials = this.readCredentials();
    if (!credentials) {
      throw new EnvironmentError(
        `Neo4j (pid ${info.pid}) runs for ${this.dataDir} but ${this.credentialsFile} is missing; ` +
          'stop it (scenegraph db stop) and start again to generate a new password',
        { pid: info.pid, credentialsFile: this.credentialsFile },
      );
    }
    // Another process may have spawned it a moment ago, so give it the whole start window.
    const deadline = Date.now() + (info.ready ? 15_000 : this.startTimeoutMs);
    if (
      !(await this.waitForBolt(info.uri, credentials, deadline, () => this.isOurProcess(info.pid), info.pid))
    ) {
      this.logger.warn(
        `Local Neo4j (pid ${info.pid}) exited while starting; see ${this.logFile}. Starting it again`,
      );
      removeFile(this.runFile);
      return undefined;
    }
    this.logger.info(`Local Neo4j already running (pid ${info.pid}, ${info.uri})`, {
      pid: info.pid,
      uri: info.uri,
    });
    return { uri: info.uri, ...credentials, startedNow: false, pid: info.pid };
  }

  // --- installation ----------------------------------------------------------------------------

  /** The pom is the single place the version is pinned; a stamp for another version means rebuild. */
  private installIsCurrent(): boolean {
    const jar = path.join(this.installDir, 'launcher.jar');
    const stampFile = path.join(this.installDir, 'stamp');
    if (!fs.existsSync(jar) || !fs.existsSync(stampFile)) return false;
    const pom = readIfExists(path.join(this.projectRoot, 'neo4j', 'launcher', 'pom.xml')) ?? '';
    const version = /<neo4j\.version>([^<]+)<\/neo4j\.version>/.exec(pom)?.[1];
    const stamp = readIfExists(stampFile) ?? '';
    return version === undefined || stamp.includes(`neo4j=${version} `);
  }

  private async runSetupIfNeeded(): Promise<void> {
    if (this.installIsCurrent()) return;
    const script = path.join(this.projectRoot, 'scripts', 'neo4j-setup.sh');
    if (!fs.existsSync(script)) {
      throw new EnvironmentError(
        `${script} not found; is projectRoot (${this.projectRoot}) the project folder?`,
      );
    }
    this.logger.info(
      `Building the local Neo4j into ${this.installDir} (one-off; first run downloads ~125 MB)`,
    );
    const started = Date.now();
    const tail: string[] = [];
    const child = spawn('bash', [script], { cwd: this.projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const relay = (stream: NodeJS.ReadableStream, level: 'info' | 'warn') => {
      readline.createInterface({ input: stream }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        this.logger[level](line);
      });
    };
    relay(child.stdout, 'info');
    relay(child.stderr, 'warn');
    const timer = setTimeout(() => child.kill('SIGTERM'), SETUP_TIMEOUT_MS);
    const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code, signal) => resolve({ code, signal }));
      },
    )
      .catch((err: NodeJS.ErrnoException) => {
        throw new EnvironmentError(
          err.code === 'ENOENT'
            ? `bash is needed to run ${script}; ${INSTALL_HINT}`
            : `cannot run ${script}: ${err.message}`,
          {},
          { cause: err },
        );
      })
      .finally(() => clearTimeout(timer));
    if (result.code !== 0) {
      throw new EnvironmentError(
        `Building the local Neo4j failed (${script} exited with ${result.code ?? result.signal}):\n${tail.join('\n')}`,
        { script, exitCode: result.code },
      );
    }
    if (!this.installIsCurrent()) {
      throw new EnvironmentError(`${script} succeeded but ${this.installDir} is still incomplete`);
    }
    this.logger.info(`Local Neo4j built in ${Math.round((Date.now() - started) / 1000)} s`);
  }

  private resolveJava(): string {
    const javaHome = process.env.JAVA_HOME;
    const exe = process.platform === 'win32' ? 'java.exe' : 'java';
    let java = exe;
    if (javaHome) {
      java = path.join(javaHome, 'bin', exe);
      if (!fs.existsSync(java)) {
        throw new EnvironmentError(
          `JAVA_HOME is ${javaHome} but ${java} does not exist; fix JAVA_HOME or ${INSTALL_HINT}`,
        );
      }
    }
    const probe = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 30_000 });
    if (probe.error) {
      const missing = (probe.error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new EnvironmentError(
        missing
          ? `Java not found (no JAVA_HOME and no java on PATH); the local Neo4j needs Java ${MIN_JAVA}+: ${INSTALL_HINT}`
          : `Cannot run ${java} -version: ${probe.error.message}`,
        { java },
        { cause: probe.error },
      );
    }
    const text = `${probe.stderr}${probe.stdout}`;
    const m = /version "(\d+)(?:\.(\d+))?/.exec(text);
    const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : NaN;
    if (!Number.isFinite(major)) {
      throw new EnvironmentError(`Cannot tell the Java version from \`${java} -version\`: ${text.trim()}`);
    }
    if (major < MIN_JAVA) {
      throw new EnvironmentError(
        `Neo4j 5.26 needs Java ${MIN_JAVA} or newer but ${java} is Java ${major}: ${INSTALL_HINT}`,
        {
          java,
          javaVersion: major,
        },
      );
    }
    if (!SUPPORTED_JAVA.includes(major)) {
      this.logger.warn(`Java ${major} (${java}) is not one Neo4j 5.26 supports (17, 21); trying anyway`);
    }
    return java;
  }

  // --- credentials -----------------------------------------------------------------------------

  private readCredentials(): Credentials | undefined {
    const text = readIfExists(this.credentialsFile);
    if (text === undefined) return undefined;
    try {
      const parsed = JSON.parse(text) as Partial<Credentials>;
      if (typeof parsed.password === 'string' && parsed.password.length >= 8) {
        return { user: typeof parsed.user === 'string' ? parsed.user : USER, password: parsed.password };
      }
    } catch {
      // Fall through: treated like a missing file by the caller.
    }
    return undefined;
  }

  /**
   * The launcher (re)applies this password at every start, so a lost or broken file only costs a new
   * password, never access to the data.
   */
  private loadOrCreateCredentials(): Credentials {
    const existing = this.readCredentials();
    if (existing) {
      fs.chmodSync(this.credentialsFile, 0o600);
      return existing;
    }
    if (fs.existsSync(this.credentialsFile)) {
      this.logger.warn(`${this.credentialsFile} is unreadable; generating a new password`);
      removeFile(this.credentialsFile);
    }
    const credentials: Credentials = { user: USER, password: randomBytes(24).toString('base64url') };
    fs.writeFileSync(
      this.credentialsFile,
      `${JSON.stringify({ ...credentials, createdAt: new Date().toISOString() }, null, 2)}\n`,
      { mode: 0o600, flag: 'wx' },
    );
    this.logger.info(`Generated a password for the local Neo4j in ${this.credentialsFile}`);
    return credentials;
  }

  // --- launching -------------------------------------------------------------------------------

  private async spawnLauncher(
    java: string,
    credentials: Credentials,
    keep: boolean,
  ): Promise<LocalNeo4jStarted> {
    const uri = `bolt://${HOST}:${this.port}`;
    fs.writeFileSync(this.passwordFile, credentials.password, { mode: 0o600 });
    fs.chmodSync(this.passwordFile, 0o600);
    rotateLog(this.logFile);
    const logOffset = fileSize(this.logFile);
    const logFd = fs.openSync(this.logFile, 'a');
    fs.writeSync(logFd, `\n=== ${new Date().toISOString()} starting Neo4j on ${uri} (java: ${java})\n`);
    const args = [
      `-Xmx${this.heap}`,
      ...JVM_FLAGS,
      '-jar',
      path.join(this.installDir, 'launcher.jar'),
      '--home',
      this.home,
      '--port',
      String(this.port),
      '--password-file',
      this.passwordFile,
      '--page-cache',
      this.pageCache,
    ];
    this.logger.info(`Starting local Neo4j on ${uri} (data in ${this.home}, log ${this.logFile})`, { uri });
    const started = Date.now();
    // detached: own process group, so Ctrl-C in the terminal that ran `db start` does not stop it.
    const child = spawn(java, args, { cwd: this.home, detached: true, stdio: ['ignore', logFd, logFd] });
    fs.closeSync(logFd);
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let spawnError: Error | undefined;
    child.once('exit', (code, signal) => (exited = { code, signal }));
    child.once('error', (err) => (spawnError = err));
    child.unref();

    const pid = child.pid;
    if (pid === undefined) {
      await sleep(50);
      throw new EnvironmentError(
        `Cannot start ${java}: ${spawnError?.message ?? 'unknown error'}; ${INSTALL_HINT}`,
      );
    }
    const info: RunInfo = {
      pid,
      port: this.port,
      uri,
      home: this.home,
      startedAt: new Date().toISOString(),
      ready: false,
      ...(keep ? { keep: true } : {}),
    };
    // Written before Neo4j is up so that a concurrent start() or stop() can already find it.
    this.writeRunInfo(info);

    const deadline = started + this.startTimeoutMs;
    try {
      await this.waitForReadyLine(logOffset, deadline, () => exited);
      if (!(await this.waitForBolt(uri, credentials, deadline, () => exited === undefined, pid))) {
        throw this.exitError(exited ?? { code: null, signal: null }, logOffset);
      }
    } catch (err) {
      if (exited === undefined) {
        await this.terminate(pid).catch(() => undefined);
      }
      removeFile(this.runFile);
      removeFile(this.passwordFile);
      if (exited !== undefined && !(err instanceof EnvironmentError && err.details.kind === 'timeout')) {
        throw this.exitError(exited, logOffset);
      }
      throw err;
    }
    removeFile(this.passwordFile);
    // A `db start` may have claimed it (keep) while it started: kept in the rewrite.
    this.writeRunInfo({ ...info, ...(this.readRunInfo()?.keep ? { keep: true } : {}), ready: true });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    this.logger.info(`Local Neo4j ready on ${uri} (pid ${pid}, ${seconds} s)`, { uri, pid });
    return { uri, ...credentials, startedNow: true, pid };
  }

  private async waitForReadyLine(
    logOffset: number,
    deadline: number,
    exited: () => { code: number | null; signal: NodeJS.Signals | null } | undefined,
  ): Promise<void> {
    for (;;) {
      if (/^READY bolt:\/\//m.test(readFrom(this.logFile, logOffset))) return;
      const e = exited();
      if (e) throw this.exitError(e, logOffset);
      if (Date.now() > deadline) {
        throw new EnvironmentError(
          `Local Neo4j did not become ready within ${Math.round(this.startTimeoutMs / 1000)} s; ` +
            `last lines of ${this.logFile}:\n${lastLines(readFrom(this.logFile, logOffset), 15)}`,
          { kind: 'timeout', logFile: this.logFile },
        );
      }
      await sleep(250);
    }
  }

  private exitError(
    e: { code: number | null; signal: NodeJS.Signals | null },
    logOffset: number,
  ): EnvironmentError {
    const output = readFrom(this.logFile, logOffset);
    const errorLine = /^ERROR: (.*)$/m.exec(output)?.[1];
    const details = { exitCode: e.code, signal: e.signal, logFile: this.logFile, port: this.port };
    if (e.code === EXIT_PORT_IN_USE) {
      return new EnvironmentError(portInUseMessage(this.port), details);
    }
    if (e.code === EXIT_STORE_LOCKED) {
      return new EnvironmentError(
        `The database in ${this.home} is in use by another Neo4j process (not started through this data folder's run.json); stop it first`,
        details,
      );
    }
    if (e.code === EXIT_PASSWORD_FILE && errorLine) {
      return new EnvironmentError(`Local Neo4j rejected its password file: ${errorLine}`, details);
    }
    return new EnvironmentError(
      `Local Neo4j exited during startup (${e.code !== null ? `exit code ${e.code}` : `signal ${e.signal}`}); ` +
        `last lines of ${this.logFile}:\n${lastLines(output, 15)}`,
      details,
    );
  }

  /**
   * A READY line proves the port is open; only a real login proves the password and the database.
   * False when the process went away meanwhile (the caller knows how to report that).
   */
  private async waitForBolt(
    uri: string,
    credentials: Credentials,
    deadline: number,
    alive: () => boolean,
    pid: number,
  ): Promise<boolean> {
    let lastError: unknown;
    for (;;) {
      const driver = neo4j.driver(uri, neo4j.auth.basic(credentials.user, credentials.password), {
        connectionTimeout: 5_000,
        maxConnectionPoolSize: 1,
        userAgent: 'scenegraph-local-neo4j',
      });
      try {
        const session = driver.session();
        try {
          await session.run('RETURN 1');
          return true;
        } finally {
          await session.close();
        }
      } catch (err) {
        lastError = err;
        const code = (err as { code?: string }).code ?? '';
        if (code.startsWith('Neo.ClientError.Security.')) {
          throw new EnvironmentError(
            `Local Neo4j (pid ${pid}, ${uri}) refused the credentials in ${this.credentialsFile} (${code}); ` +
              'stop it and start again so the launcher re-applies the password',
            { pid, uri, code },
            { cause: err },
          );
        }
      } finally {
        await driver.close();
      }
      if (!alive()) return false;
      if (Date.now() > deadline) {
        throw new EnvironmentError(
          `Local Neo4j (pid ${pid}) does not answer on ${uri}: ${(lastError as Error)?.message ?? 'no response'}; ` +
            `see ${this.logFile}, or stop it and start again`,
          { kind: 'timeout', pid, uri, logFile: this.logFile },
          { cause: lastError },
        );
      }
      await sleep(500);
    }
  }

  // --- stopping --------------------------------------------------------------------------------

  private async terminate(pid: number): Promise<void> {
    // The launcher's shutdown hook checkpoints on SIGTERM, so the next start needs no recovery.
    signal(pid, 'SIGTERM');
    if (await waitForExit(pid, STOP_TIMEOUT_MS)) return;
    this.logger.warn(
      `Local Neo4j (pid ${pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; sending SIGKILL ` +
        '(the next start will run recovery)',
    );
    signal(pid, 'SIGKILL');
    if (!(await waitForExit(pid, KILL_TIMEOUT_MS))) {
      throw new EnvironmentError(`Local Neo4j (pid ${pid}) survived SIGKILL`, { pid });
    }
  }

  // --- bookkeeping -----------------------------------------------------------------------------

  private readRunInfo(): RunInfo | undefined {
    const text = readIfExists(this.runFile);
    if (text === undefined) return undefined;
    try {
      const info = JSON.parse(text) as RunInfo;
      if (
        Number.isInteger(info.pid) &&
        info.pid > 0 &&
        Number.isInteger(info.port) &&
        typeof info.uri === 'string'
      ) {
        return info;
      }
    } catch {
      // A torn or hand-edited file: treated as no launcher.
    }
    this.logger.warn(`Ignoring unreadable ${this.runFile}`);
    removeFile(this.runFile);
    return undefined;
  }

  private writeRunInfo(info: RunInfo): void {
    // Rename makes the update atomic for concurrent readers.
    const tmp = `${this.runFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`);
    fs.renameSync(tmp, this.runFile);
  }

  /**
   * Alive, not a zombie and, where /proc exists, really our launcher for this home: after a reboot the
   * pid in a stale run.json may belong to an unrelated process that must not be signalled.
   */
  private isOurProcess(pid: number): boolean {
    if (!isAlive(pid)) return false;
    const stat = readIfExists(`/proc/${pid}/stat`);
    if (stat !== undefined && /^\d+ \(.*\) Z/.test(stat)) return false;
    const cmdline = readIfExists(`/proc/${pid}/cmdline`);
    if (cmdline === undefined) return fs.existsSync('/proc/self') ? false : true;
    const args = cmdline.split('\0');
    const homeIndex = args.indexOf('--home');
    const homeArg = homeIndex >= 0 ? args[homeIndex + 1] : undefined;
    return (
      args.some((a) => a.endsWith('launcher.jar')) && homeArg !== undefined && sameDir(homeArg, this.home)
    );
  }

  /**
   * Serialises start() per data folder across processes (CLI and server started together), so only
   * one of them builds and spawns; the others then find the running launcher.
   */
  private async withStartLock<T>(fn: () => Promise<T>): Promise<T> {
    const lockFile = path.join(this.home, 'start.lock');
    const deadline = Date.now() + SETUP_TIMEOUT_MS + this.startTimeoutMs;
    let announced = false;
    for (;;) {
      try {
        fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = Number(readIfExists(lockFile)?.trim());
      const age = Date.now() - (fileMtime(lockFile) ?? 0);
      // An empty file younger than a few seconds is a holder that has created but not yet written it.
      const held = Number.isInteger(holder) && holder > 0 ? isAlive(holder) : age < 5_000;
      if (!held) {
        removeFile(lockFile);
        continue;
      }
      if (Date.now() > deadline) {
        throw new EnvironmentError(
          `Another process (pid ${holder}) has been starting Neo4j for ${this.dataDir} for too long`,
          {
            lockFile,
          },
        );
      }
      if (!announced) {
        this.logger.info(`Waiting for pid ${holder}, which is starting Neo4j for ${this.dataDir}`);
        announced = true;
      }
      await sleep(250);
    }
    try {
      return await fn();
    } finally {
      removeFile(lockFile);
    }
  }
}

function portInUseMessage(port: number): string {
  return (
    `Port ${port} on ${HOST} is already in use, so the local Neo4j cannot listen there; ` +
    `set NEO4J_BOLT_PORT to a free port or stop whatever uses port ${port}`
  );
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(new EnvironmentError(portInUseMessage(port), { port }));
      } else {
        reject(
          new EnvironmentError(`Cannot listen on ${HOST}:${port}: ${err.message}`, { port }, { cause: err }),
        );
      }
    });
    server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolve()));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stat = readIfExists(`/proc/${pid}/stat`);
    const zombie = stat !== undefined && /^\d+ \(.*\) Z/.test(stat);
    if (!isAlive(pid) || zombie) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

function sameDir(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return real(a) === real(b);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function removeFile(file: string): void {
  fs.rmSync(file, { force: true });
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function fileMtime(file: string): number | undefined {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function readFrom(file: string, offset: number): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    if (size <= offset) return '';
    const buf = Buffer.alloc(size - offset);
    fs.readSync(fd, buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

/** neo4j.log collects every start's output; keep one previous generation instead of growing forever. */
function rotateLog(file: string): void {
  if (fileSize(file) > LOG_ROTATE_BYTES) fs.renameSync(file, `${file}.1`);
}
