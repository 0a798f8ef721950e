import { Command } from 'commander';
import { parseKeyId, parseNewApiKey } from '../../auth/apiKey.input';
import { createApiKey, listApiKeys, revokeApiKey } from '../../auth/apiKey.store';
import { ROLES } from '../../auth/roles';
import { loadConfig } from '../../config/config';
import { connect } from '../../db/connect';
import type { Database } from '../../db/database';
import { migrate } from '../../db/migrations';
import { textTable } from '../../eval/textTable';
import { createLogger } from '../../log/logger';

/** Runs `work` against the configured Neo4j with migrations applied (the ApiKey constraint among them). */
async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const conn = await connect(config, createLogger(config.logLevel));
  try {
    await migrate(conn.db);
    return await work(conn.db);
  } finally {
    await conn.db.close();
  }
}

export function registerKeysCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('Manage the API keys the service accepts with AUTH_MODE=keys (stored hashed in Neo4j)');

  keys
    .command('create')
    .description('Create an API key; prints the key on stdout, this once only')
    .requiredOption('--name <name>', 'who or what uses the key (shown by `keys list`)')
    .requiredOption(
      '--role <role>',
      `${ROLES.join(' | ')}: read runs queries, write also mutations, admin everything`,
    )
    .option('--rate <n>', 'requests per minute for this key (default: AUTH_RATE_LIMIT)')
    .action(async (opts: { name: string; role: string; rate?: string }) => {
      const input = parseNewApiKey(opts);
      const { record, token } = await withDatabase((db) => createApiKey(db, input));
      process.stdout.write(`${token}\n`);
      process.stderr.write(
        `scenegraph: created API key ${record.id} (${record.name}, ${record.role}` +
          `${record.ratePerMinute ? `, ${record.ratePerMinute}/min` : ''}). ` +
          'It is shown only now and cannot be recovered: store it. Clients send "Authorization: Bearer <key>".\n',
      );
    });

  keys
    .command('list')
    .description('List API keys (ids, names, roles; never the keys themselves)')
    .action(async () => {
      const records = await withDatabase((db) => listApiKeys(db));
      if (records.length === 0) {
        process.stdout.write('no API keys; create one with `scenegraph keys create`\n');
        return;
      }
      const rows = records.map((k) => [
        k.id,
        k.name,
        k.role,
        k.ratePerMinute ? String(k.ratePerMinute) : 'default',
        k.createdAt,
        k.revokedAt ? `revoked ${k.revokedAt}` : 'active',
      ]);
      process.stdout.write(`${textTable(['id', 'name', 'role', 'rate/min', 'created', 'status'], rows)}\n`);
    });

  keys
    .command('revoke')
    .description('Revoke an API key; the service refuses it within AUTH_KEY_CACHE_MS')
    .argument('<id>', 'the key id, as `keys list` shows it')
    .action(async (idText: string) => {
      const id = parseKeyId(idText, 'ID');
      const { record, already } = await withDatabase((db) => revokeApiKey(db, id));
      process.stdout.write(
        already
          ? `API key ${id} was already revoked (${record.revokedAt})\n`
          : `revoked API key ${id} (${record.name})\n`,
      );
    });
}
