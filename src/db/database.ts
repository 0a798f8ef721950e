import neo4j, {
  Driver,
  isRetryableError,
  ManagedTransaction,
  Neo4jError,
  RecordShape,
  QueryResult,
} from 'neo4j-driver';
import { AppError, ErrorCode } from '../errors/errors';

/**
 * The one module that talks to the Neo4j driver. Everything else goes through `read`/`write`, which
 * use managed transactions (the driver retries transient failures such as deadlocks and leader
 * switches), always close their session, and tag each transaction with metadata so a slow query in
 * `SHOW TRANSACTIONS` or the query log says which operation issued it.
 */

export interface DatabaseOptions {
  uri: string;
  user: string;
  password: string;
  database: string;
  /** Max connection pool size; the default suits a single service process. */
  maxPoolSize?: number;
  /**
   * Connecting, and waiting for a free pooled connection, give up after this long (ms). The driver's
   * own defaults (30 s and 60 s) make a request hang for a minute while the database is down.
   */
  connectionTimeoutMs?: number;
  /** How long a transaction failing transiently is retried (ms); the driver's default is 30 s. */
  maxRetryTimeMs?: number;
  /** Server-side time limit per transaction (ms); none when unset. */
  transactionTimeoutMs?: number;
}

/** Timeouts for a service that should answer DATABASE_UNAVAILABLE promptly rather than queue requests. */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_RETRY_TIME_MS = 3000;

export type Work<T> = (tx: QueryRunner) => Promise<T>;

/** A transaction with a counter, so tests can assert how many queries a request needed. */
export interface QueryRunner {
  run<R extends RecordShape = RecordShape>(
    cypher: string,
    params?: Record<string, unknown>,
  ): Promise<QueryResult<R>>;
}

export class Database {
  private queryCount = 0;

  private constructor(
    readonly driver: Driver,
    readonly options: DatabaseOptions,
  ) {}

  static connect(options: DatabaseOptions): Database {
    const connectionTimeout = options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
    const driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password), {
      maxConnectionPoolSize: options.maxPoolSize ?? 50,
      connectionTimeout,
      connectionAcquisitionTimeout: connectionTimeout,
      maxTransactionRetryTime: options.maxRetryTimeMs ?? DEFAULT_MAX_RETRY_TIME_MS,
      // Integers come back as JS numbers when they fit; ids and counts in this project always do.
      disableLosslessIntegers: true,
      userAgent: 'scenegraph',
    });
    return new Database(driver, options);
  }

  /** Number of queries run through this instance since it was created. */
  get queries(): number {
    return this.queryCount;
  }

  async verify(): Promise<void> {
    try {
      await this.driver.verifyConnectivity({ database: this.options.database });
    } catch (err) {
      throw toAppError(err, `Neo4j at ${this.options.uri} is not reachable`, 'verify');
    }
  }

  read<T>(op: string, work: Work<T>): Promise<T> {
    return this.execute('READ', op, work);
  }

  write<T>(op: string, work: Work<T>): Promise<T> {
    return this.execute('WRITE', op, work);
  }

  /**
   * One read statement in an auto-commit transaction: one round trip to the server, where a managed
   * read transaction (`read`) needs a second one for its COMMIT (about 1.5 ms on a loaded 2-core VM,
   * bench/storeNotes.md). For the single-statement reads of the request path. A read commits nothing, so
   * a transient failure is retried as `read` would be, within the same retry time.
   */
  async query<R extends RecordShape = RecordShape>(
    op: string,
    cypher: string,
    params?: Record<string, unknown>,
  ): Promise<QueryResult<R>> {
    const config = {
      metadata: { app: 'scenegraph', op },
      ...(this.options.transactionTimeoutMs ? { timeout: this.options.transactionTimeoutMs } : {}),
    };
    try {
      return await retryRead(async () => {
        const session = this.driver.session({
          database: this.options.database,
          defaultAccessMode: neo4j.session.READ,
        });
        try {
          this.queryCount++;
          return await session.run<R>(cypher, params, config);
        } finally {
          await session.close();
        }
      }, this.options.maxRetryTimeMs ?? DEFAULT_MAX_RETRY_TIME_MS);
    } catch (err) {
      throw toAppError(err, `Neo4j ${op} failed`, op);
    }
  }

  /**
   * One statement in an auto-commit transaction: the only kind that may hold `CALL { ... } IN
   * TRANSACTIONS` (batched data migrations). Not retried: such statements commit as they go, so they
   * must be written to be safe to run again.
   */
  async autoCommit(op: string, cypher: string, params?: Record<string, unknown>): Promise<QueryResult> {
    const session = this.driver.session({
      database: this.options.database,
      defaultAccessMode: neo4j.session.WRITE,
    });
    try {
      this.queryCount++;
      return await session.run(cypher, params, { metadata: { app: 'scenegraph', op } });
    } catch (err) {
      throw toAppError(err, `Neo4j ${op} failed`, op);
    } finally {
      await session.close();
    }
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  private async execute<T>(mode: 'READ' | 'WRITE', op: string, work: Work<T>): Promise<T> {
    const session = this.driver.session({
      database: this.options.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    });
    const config = {
      metadata: { app: 'scenegraph', op },
      ...(this.options.transactionTimeoutMs ? { timeout: this.options.transactionTimeoutMs } : {}),
    };
    const wrap = (tx: ManagedTransaction): QueryRunner => ({
      run: <R extends RecordShape = RecordShape>(cypher: string, params?: Record<string, unknown>) => {
        this.queryCount++;
        return tx.run<R>(cypher, params);
      },
    });
    try {
      return mode === 'READ'
        ? await session.executeRead((tx) => work(wrap(tx)), config)
        : await session.executeWrite((tx) => work(wrap(tx)), config);
    } catch (err) {
      throw toAppError(err, `Neo4j ${op} failed`, op);
    } finally {
      await session.close();
    }
  }
}

/**
 * Runs `attempt` again after a transient failure (the driver's own test: leader switch, deadlock,
 * connection lost), with exponential backoff and jitter, until `maxRetryMs` have passed; the last error
 * otherwise. For reads only: a write retried this way could commit twice.
 */
export async function retryRead<T>(
  attempt: () => Promise<T>,
  maxRetryMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => number = Date.now,
): Promise<T> {
  const start = now();
  let delay = 50;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      const left = maxRetryMs - (now() - start);
      if (!isRetryableError(err) || left <= 0) throw err;
      await sleep(Math.min(left, delay * (0.8 + 0.4 * Math.random())));
      delay = Math.min(delay * 2, 1000);
    }
  }
}

/** Codes of the driver that mean "the database cannot be reached now" (connection refused, timed out). */
const UNAVAILABLE = new Set([
  'ServiceUnavailable',
  'SessionExpired',
  'Neo.TransientError.General.DatabaseUnavailable',
]);

/**
 * Driver errors become AppErrors by code, never by message text; anything else passes through.
 * `context` (which may name the server and the operation) is for operators: the CLI prints it and the
 * service logs it; the GraphQL layer shows clients only the code and a generic reason
 * (resolvers/runtime/formatError.ts). `op` travels in the details.
 */
export function toAppError(err: unknown, context: string, op?: string): unknown {
  if (err instanceof AppError || !(err instanceof Neo4jError)) return err;
  const details = op ? { op } : {};
  if (UNAVAILABLE.has(err.code) || isAcquisitionTimeout(err)) {
    return new AppError(ErrorCode.DATABASE_UNAVAILABLE, `${context}: database unavailable`, details, {
      cause: err,
    });
  }
  if (err.code === 'Neo.ClientError.Security.Unauthorized') {
    return new AppError(
      ErrorCode.DATABASE_UNAVAILABLE,
      `${context}: authentication failed (check NEO4J_USER / NEO4J_PASSWORD)`,
      details,
      { cause: err },
    );
  }
  if (err.code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
    return new AppError(ErrorCode.CONFLICT, `${context}: constraint violated`, details, { cause: err });
  }
  if (err.code.startsWith('Neo.ClientError.Transaction.TransactionTimedOut')) {
    return new AppError(ErrorCode.TIMEOUT, `${context}: transaction timed out`, details, { cause: err });
  }
  return err;
}

/** The pool's "connection acquisition timed out" carries no code of its own in every driver version. */
function isAcquisitionTimeout(err: Neo4jError): boolean {
  return err.code === 'N/A' && /acquisition/i.test(err.message);
}
