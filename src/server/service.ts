import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  buildGraphQLSchema,
  createRequestContext,
  makeFormatError,
  queryCostPlugin,
  queryLimitRules,
  hintsPlugin,
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
import { attachRoutes } from './httpServer';

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
  const connection = options.connection ?? (await connect(config, logger));
  const { db } = connection;
  const result = await migrate(db, undefined, (id) => logger.info({ migration: id }, 'applying migration'));
  logger.info({ applied: result.applied.length, alreadyApplied: result.skipped.length }, 'migrations done');

  const given = options.inference;
  const lazy = new LazyInference(() => startInference(config, logger));
  const inference = given ? () => Promise.resolve(given) : () => lazy.get();

  const authenticator = new Authenticator(db, authMode, config.auth);
  logAuthMode(logger, config, authMode);

  const httpServer = http.createServer();
  const apollo = new ApolloServer<RequestContext>({
    schema: buildGraphQLSchema(),
    introspection: !config.isProduction,
    csrfPrevention: true,
    // We own shutdown order (drain, close the driver, stop a Neo4j we started); Apollo would re-raise the signal.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    formatError: makeFormatError(logger),
    validationRules: queryLimitRules(config.limits),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      queryCostPlugin(config.limits.maxQueryCost),
      hintsPlugin(),
    ],
  });
  await apollo.start();

  attachRoutes(httpServer, {
    apollo,
    context: async (principal) => createRequestContext(db, logger, config, inference, principal),
    authenticate: (req, res) => authenticateRequest(authenticator, req, res, logger),
    ready: async () => {
      const checks: Record<string, string> = {};
      try {
        await db.verify();
        checks.neo4j = 'ok';
        checks.migrations = (await isMigrated(db)) ? 'ok' : 'pending';
      } catch (err) {
        checks.neo4j = err instanceof Error ? err.message : String(err);
      }
      // Inference starts with the first image; once started, it is ready while any device serves.
      const health = lazy.current?.health();
      if (health) checks.inference = inferenceCheck(health);
      return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
    },
    maxBodyBytes: config.limits.maxUploadBytes,
    logger,
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
      await apollo.stop();
      await lazy.close();
      await db.close();
      if (connection.startedLocal && connection.local && !options.keepDatabase) {
        logger.info('stopping the local Neo4j this service started');
        await connection.local.stop();
      }
    })());
  return { url, connection, stop };
}
