import type { Config } from '../config/config';
import type { Logger } from '../log/logger';
import { PROJECT_ROOT } from '../paths';
import { Database } from './database';
import { LocalNeo4j } from './localNeo4j';

export interface Connection {
  db: Database;
  /** Set when the project's own Neo4j is in use. */
  local?: LocalNeo4j;
  /** True when this call started the local Neo4j (and so its owner should stop it). */
  startedLocal: boolean;
  /** The launcher's pid when this call started it: only that launcher is stopped on exit. */
  localPid?: number;
}

/** Database options from the configuration (timeouts that make an unreachable database fail fast). */
function driverOptions(config: Config) {
  return {
    database: config.neo4j.database,
    connectionTimeoutMs: config.neo4j.connectionTimeoutMs,
    maxRetryTimeMs: config.neo4j.maxRetryTimeMs,
  };
}

export function localNeo4jFor(config: Config, logger?: Logger): LocalNeo4j {
  return new LocalNeo4j({
    dataDir: config.dataDir,
    port: config.neo4j.localBoltPort,
    projectRoot: PROJECT_ROOT,
    heap: config.neo4j.localHeap,
    pageCache: config.neo4j.localPageCache,
    // pino takes (object, message); the launcher manager speaks (message, object).
    logger: logger && {
      info: (msg, obj) => logger.info(obj ?? {}, msg),
      warn: (msg, obj) => logger.warn(obj ?? {}, msg),
    },
  });
}

/**
 * NEO4J_URI set: use that server. Unset: start (or reuse) the project's local Neo4j, so a newcomer
 * needs nothing but Java to run the service.
 */
export async function connect(
  config: Config,
  logger: Logger,
  /** The service adds a transaction timeout (its request time bound); the CLI has none. */
  extra: { transactionTimeoutMs?: number } = {},
): Promise<Connection> {
  if (config.neo4j.uri) {
    const db = Database.connect({
      uri: config.neo4j.uri,
      user: config.neo4j.user,
      password: config.neo4j.password!,
      ...driverOptions(config),
      ...extra,
    });
    await db.verify();
    return { db, startedLocal: false };
  }
  const local = localNeo4jFor(config, logger);
  const started = await local.start();
  logger.info({ uri: started.uri, pid: started.pid, startedNow: started.startedNow }, 'using local Neo4j');
  const db = Database.connect({
    uri: started.uri,
    user: started.user,
    password: started.password,
    ...driverOptions(config),
    ...extra,
  });
  await db.verify();
  return {
    db,
    local,
    startedLocal: started.startedNow,
    ...(started.startedNow ? { localPid: started.pid } : {}),
  };
}
