import { Command } from 'commander';
import { Config, loadConfig } from '../../config/config';
import { connect } from '../../db/connect';
import { localNeo4jFor } from '../../db/connect';
import { rebuildIndexes } from '../../db/indexes';
import { migrate, migrationStatus } from '../../db/migrations';
import { UserInputError } from '../../errors/errors';
import { createLogger } from '../../log/logger';

function requireLocal(config: Config, action: string): void {
  if (config.neo4j.uri) {
    throw new UserInputError(
      `NEO4J_URI is set (${config.neo4j.uri}); "db ${action}" manages only the local Neo4j. Unset NEO4J_URI to use it.`,
    );
  }
}

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('Manage the local Neo4j and the database schema');

  db.command('start')
    .description('Start the local Neo4j (no-op when it is already running); prints its Bolt URI')
    .action(async () => {
      const config = loadConfig();
      requireLocal(config, 'start');
      const local = localNeo4jFor(config, createLogger(config.logLevel));
      const r = await local.start({ keep: true });
      process.stdout.write(
        `${r.startedNow ? 'started' : 'already running'}: ${r.uri} (pid ${r.pid}, data in ${config.dataDir})\n`,
      );
    });

  db.command('stop')
    .description('Stop the local Neo4j')
    .action(async () => {
      const config = loadConfig();
      requireLocal(config, 'stop');
      const stopped = await localNeo4jFor(config, createLogger(config.logLevel)).stop();
      process.stdout.write(stopped ? 'stopped\n' : 'not running\n');
    });

  db.command('status')
    .description('Show whether the local Neo4j runs and which migrations are applied')
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      if (!config.neo4j.uri) {
        const s = await localNeo4jFor(config, logger).status();
        process.stdout.write(
          s.running
            ? `local Neo4j: running at ${s.uri} (pid ${s.pid})\n`
            : `local Neo4j: not running (data in ${s.dataDir})\n`,
        );
        if (!s.running) return;
      }
      const conn = await connect(config, logger);
      try {
        for (const m of await migrationStatus(conn.db)) {
          process.stdout.write(`migration ${m.id}: ${m.state}${m.appliedAt ? ` (${m.appliedAt})` : ''}\n`);
        }
      } finally {
        await conn.db.close();
      }
    });

  db.command('migrate')
    .description(
      'Apply pending migrations (starts the local Neo4j when NEO4J_URI is unset and leaves it running)',
    )
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      const conn = await connect(config, logger);
      try {
        const r = await migrate(conn.db, undefined, (id) => process.stdout.write(`applying ${id}\n`));
        process.stdout.write(`${r.applied.length} applied, ${r.skipped.length} already applied\n`);
      } finally {
        await conn.db.close();
      }
    });

  db.command('reindex')
    .description(
      'Rebuild the indexes, which ingest leaves up to half empty; run it while the store is quiet, e.g. after a bulk import',
    )
    .option('--index <name...>', 'only these indexes (names as in SHOW INDEXES)')
    .action(async (opts: { index?: string[] }) => {
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      const local = config.neo4j.uri ? undefined : localNeo4jFor(config, logger);
      const conn = await connect(config, logger);
      try {
        const before = local?.indexBytes();
        const rebuilt = await rebuildIndexes(conn.db, {
          only: opts.index,
          onStart: (index, i, n) => process.stdout.write(`rebuilding ${index.name} (${i}/${n}) ... `),
          onDone: (r) => process.stdout.write(`${r.seconds.toFixed(1)} s\n`),
        });
        const seconds = rebuilt.reduce((a, r) => a + r.seconds, 0);
        const mb = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
        const size =
          local && before !== undefined ? `; index files ${mb(before)} -> ${mb(local.indexBytes())}` : '';
        process.stdout.write(
          `${rebuilt.length} ${rebuilt.length === 1 ? 'index' : 'indexes'} rebuilt in ${seconds.toFixed(1)} s${size}\n`,
        );
      } finally {
        await conn.db.close();
      }
    });
}
