import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import {
  buildGraphQLSchema,
  createRequestContext,
  errorStatusPlugin,
  GuardedDocumentStore,
  makeFormatError,
  queryLimitRules,
  hintsPlugin,
  queryLimitsPlugin,
  type RequestContext,
} from '../../resolvers';
import { Authenticator } from '../auth/authenticator';
import { logAuthMode, resolveAuthMode } from '../auth/authMode';
import { authenticateRequest } from '../auth/httpAuth';
import type { Config } from '../config/config';
import { connect, Connection } from '../db/connect';
import { isMigrated, migrate } from '../db/migrations';
import type { Logger } from '../log/logger';
import { inferenceCheck, LazyInference, startInference } from '../pipeline/startInference';
import type { SceneInference } from '../pipeline/sceneInference';
import { EngineThreads } from '../pipeline/engineThreads';
import { HttpDrain } from './drain';
import { attachRoutes } from './httpServer';
import { serveImage } from './imageRoute';

export interface RunningService {
  url: string;
  connection: Connection;
  /** Drains HTTP requests, closes the driver, and stops a local Neo4j this service started. */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** Use this connection instead of connecting from config (tests, benchmarks). */
  connection?: Connection;
  /** Keep a local Neo4j running on stop even if this service started it. */
  keepDatabase?: boolean;
  /** Use this inference stage instead of starting one from config on the first image (tests). */
  inference?: SceneInference;
}

export async function startService(
  config: Config,
  logger: Logger,
  options: ServiceOptions = {},
): Promise<RunningService> {
  // Before connecting: a service that must not start should not touch the database either.
  const authMode = resolveAuthMode(config);
  const connection =
    options.connection ??
    (await connect(config, logger, { transactionTimeoutMs: config.limits.requestTimeoutMs }));
  const { db } = connection;
  const result = await migrate(db, undefined, (id) => logger.info({ migration: id }, 'applying migration'));
  logger.info({ applied: result.applied.length, alreadyApplied: result.skipped.length }, 'migrations done');

  const given = options.inference;
  const lazy = new LazyInference(() => startInference(config, logger));
  const inference = given ? () => Promise.resolve(given) : () => lazy.get();
  // The spatial engine is CPU-bound for seconds on big scenes: off the event loop in the service.
  const engine = config.engineWorkers > 0 ? new EngineThreads(config.engineWorkers) : undefined;

  const authenticator = new Authenticator(db, authMode, config.auth);
  logAuthMode(logger, config, authMode);

  const httpServer = http.createServer();
  const drain = new HttpDrain(httpServer);
  const documentStore = new GuardedDocumentStore();
  const apollo = new ApolloServer<RequestContext>({
    schema: buildGraphQLSchema(),
    introspection: !config.isProduction,
    csrfPrevention: true,
    // We own shutdown order (drain, close the driver, stop a Neo4j we started); Apollo would re-raise the signal.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    formatError: makeFormatError(logger),
    // Compact JSON: Apollo's default indents every response, which costs serialising time, bytes and
    // the client's parsing on every page (bench/storeNotes.md, item 15). Clients pretty-print.
    stringifyResult: (result) => JSON.stringify(result),
    validationRules: queryLimitRules(config.limits),
    documentStore,
    plugins: [
      queryLimitsPlugin(config.limits, documentStore),
      errorStatusPlugin(),
      hintsPlugin(),
      // No field has cache hints, and the plugin's hook runs on every resolved field (about 0.3 ms of a
      // 20-image search page); answers are marked `no-store` by the HTTP front instead.
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();

  attachRoutes(httpServer, {
    apollo,
    drain,
    context: async (principal) => createRequestContext(db, logger, config, inference, principal, engine?.run),
    authenticate: (req, res) => authenticateRequest(authenticator, req, res, logger),
    ready: async () => {
      const checks: Record<string, string> = {};
      try {
        await db.verify();
        checks.neo4j = 'ok';
        checks.migrations = (await isMigrated(db)) ? 'ok' : 'pending';
      } catch (err) {
        // The reason (and the server's address) goes to the log, not to whoever probes.
        logger.warn({ err }, 'readiness: Neo4j not reachable');
        checks.neo4j = 'unavailable';
      }
      // Inference starts with the first image; once started, it is ready while any device serves.
      const health = lazy.current?.health();
      if (health) checks.inference = inferenceCheck(health);
      return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
    },
    maxBodyBytes: config.limits.maxUploadBytes,
    logger,
    corsOrigins: config.http.corsOrigins,
    requestTimeoutMs: config.limits.requestTimeoutMs,
    images: (req, res, imageId, search) =>
      serveImage(req, res, imageId, search, {
        db,
        roots: config.ingestRoots,
        maxPixels: config.images.maxPixels,
        logger,
      }),
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.http.port, config.http.host, () => resolve());
  });
  const addr = httpServer.address() as AddressInfo;
  const url = `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await drain.drain();
      await apollo.stop();
      await lazy.close();
      await engine?.close();
      await db.close();
      if (connection.startedLocal && connection.local && connection.localPid && !options.keepDatabase) {
        // Only the launcher this service started, and only if nobody claimed it with `db start` since.
        if (await connection.local.stopIfStartedBy(connection.localPid)) {
          logger.info('stopped the local Neo4j this service started');
        }
      }
    })());
  return { url, connection, stop };
}
