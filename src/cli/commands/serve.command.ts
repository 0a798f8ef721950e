import { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { createLogger } from '../../log/logger';
import { startService } from '../../server/service';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'Start the GraphQL service. Without NEO4J_URI it starts (or reuses) the local Neo4j and stops it on exit if it started it.',
    )
    .option('--port <port>', 'HTTP port (overrides PORT)')
    .option('--host <host>', 'interface to bind (overrides HOST)')
    .action(async (opts: { port?: string; host?: string }) => {
      const config = loadConfig({
        ...process.env,
        ...(opts.port !== undefined ? { PORT: opts.port } : {}),
        ...(opts.host !== undefined ? { HOST: opts.host } : {}),
      });
      const logger = createLogger(config.logLevel);
      const service = await startService(config, logger);
      // The handlers go in before the ready line: whoever waits for that line may signal at once.
      const stopped = new Promise<void>((resolve) => {
        const shutdown = (signal: string) => {
          logger.info({ signal }, 'shutting down');
          service.stop().then(resolve, (err: unknown) => {
            logger.error({ err }, 'error during shutdown');
            process.exitCode = 1;
            resolve();
          });
        };
        process.once('SIGINT', () => shutdown('SIGINT'));
        process.once('SIGTERM', () => shutdown('SIGTERM'));
      });
      logger.info({ url: `${service.url}/graphql` }, 'service ready');
      process.stderr.write(`scenegraph: GraphQL at ${service.url}/graphql (Ctrl-C to stop)\n`);
      await stopped;
    });
}
