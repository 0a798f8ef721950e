import neo4j, { Driver, ManagedTransaction, Neo4jError, RecordShape, QueryResult } from 'neo4j-driver';
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
}

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
    const driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password), {
      maxConnectionPoolSize: options.maxPoolSize ?? 50,
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
      throw toAppError(err, `Neo4j at ${this.options.uri} is not reachable`);
    }
  }

  read<T>(op: string, work: Work<T>): Promise<T> {
    return this.execute('READ', op, work);
  }

  write<T>(op: string, work: Work<T>): Promise<T> {
    return this.execute('WRITE', op, work);
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
      throw toAppError(err, `Neo4j ${op} failed`);
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
    const config = { metadata: { app: 'scenegraph', op } };
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
      throw toAppError(err, `Neo4j ${op} failed`);
    } finally {
      await session.close();
    }
  }
}

/** Driver errors become AppErrors by code, never by message text; anything else passes through. */
export function toAppError(err: unknown, context: string): unknown {
  if (err instanceof AppError || !(err instanceof Neo4jError)) return err;
  if (err.code === 'ServiceUnavailable' || err.code === 'SessionExpired') {
    return new AppError(
      ErrorCode.DATABASE_UNAVAILABLE,
      `${context}: database unavailable`,
      {},
      { cause: err },
    );
  }
  if (err.code === 'Neo.ClientError.Security.Unauthorized') {
    return new AppError(
      ErrorCode.DATABASE_UNAVAILABLE,
      `${context}: authentication failed (check NEO4J_USER / NEO4J_PASSWORD)`,
      {},
      { cause: err },
    );
  }
  if (err.code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
    return new AppError(ErrorCode.CONFLICT, `${context}: constraint violated`, {}, { cause: err });
  }
  return err;
}
