import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { AppError, ErrorCode } from '../errors/errors';
import { LABEL_KEY_SPAN, labelKey } from '../labels/labelKey';
import { PROJECT_ROOT } from '../paths';
import { Database } from './database';

/**
 * Ordered Cypher migrations from migrations/NNNN_name.cypher. Each applied file is recorded as a
 * (:SchemaMigration {id, checksum, appliedAt}) node. Re-running is a no-op; an applied file whose
 * content changed stops the run, because the database no longer matches what the file says and
 * silently continuing would hide that drift. Add a new file instead of editing an applied one.
 *
 * Neo4j refuses schema changes and data writes in one transaction, so each statement runs in its own
 * transaction and the record is written after all of a file's statements succeeded. Statements use
 * IF NOT EXISTS, so a file interrupted half-way is safe to run again. A statement with `CALL { ... } IN
 * TRANSACTIONS` (a batched data migration) runs in an auto-commit transaction and must be written so
 * that running it again after an interruption is harmless.
 *
 * A statement may use the parameters in MIGRATION_PARAMETERS (values Cypher cannot compute itself,
 * such as a hash): the runner computes the ones a statement names, from the database as it is then.
 */

export interface MigrationFile {
  id: string;
  file: string;
  checksum: string;
  statements: string[];
}

export interface MigrationStatus {
  id: string;
  state: 'applied' | 'pending' | 'changed' | 'unknown';
  appliedAt?: string;
}

export const DEFAULT_MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');

export class MigrationMismatchError extends AppError {
  constructor(ids: string[]) {
    super(
      ErrorCode.MIGRATION_MISMATCH,
      `Applied migration(s) changed on disk: ${ids.join(', ')}. ` +
        'Restore the original file(s) and put the change in a new migration.',
      { ids },
    );
  }
}

export async function loadMigrations(dir = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await fs.readdir(dir)).filter((n) => /^\d{4}_[\w-]+\.cypher$/.test(n)).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = (await fs.readFile(path.join(dir, name), 'utf8')).replace(/\r\n/g, '\n');
      return {
        id: name.replace(/\.cypher$/, ''),
        file: path.join(dir, name),
        checksum: createHash('sha256').update(text).digest('hex'),
        statements: splitStatements(text),
      };
    }),
  );
}

/** Splits on semicolons that end a line; `//` comment lines are dropped. */
export function splitStatements(text: string): string[] {
  const body = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n');
  return body
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

async function appliedMigrations(
  db: Database,
): Promise<Map<string, { checksum: string; appliedAt: string }>> {
  const res = await db.read('migrations.list', (tx) =>
    tx.run<{ id: string; checksum: string; appliedAt: string }>(
      'MATCH (m:SchemaMigration) RETURN m.id AS id, m.checksum AS checksum, toString(m.appliedAt) AS appliedAt',
    ),
  );
  return new Map(
    res.records.map((r) => [r.get('id'), { checksum: r.get('checksum'), appliedAt: r.get('appliedAt') }]),
  );
}

export async function migrationStatus(
  db: Database,
  dir = DEFAULT_MIGRATIONS_DIR,
): Promise<MigrationStatus[]> {
  const [files, applied] = await Promise.all([loadMigrations(dir), appliedMigrations(db)]);
  const out: MigrationStatus[] = files.map((f) => {
    const a = applied.get(f.id);
    if (!a) return { id: f.id, state: 'pending' };
    return { id: f.id, state: a.checksum === f.checksum ? 'applied' : 'changed', appliedAt: a.appliedAt };
  });
  for (const [id, a] of applied) {
    if (!files.some((f) => f.id === id)) out.push({ id, state: 'unknown', appliedAt: a.appliedAt });
  }
  return out;
}

/** Parameters a migration statement may name, each computed from the store when a statement needs it. */
export const MIGRATION_PARAMETERS: Record<string, (db: Database) => Promise<unknown>> = {
  /** Every stored object label -> its key (src/labels/labelKey.ts). Labels are few (a vocabulary). */
  labelKeys: async (db) => {
    const res = await db.read('migrations.labelKeys', (tx) =>
      tx.run<{ label: string }>(
        'MATCH (o:Object) WITH DISTINCT o.label AS label WHERE label IS NOT NULL RETURN label',
      ),
    );
    return Object.fromEntries(res.records.map((r) => [r.get('label'), neo4j.int(labelKey(r.get('label')))]));
  },
  labelKeySpan: () => Promise.resolve(neo4j.int(LABEL_KEY_SPAN)),
};

async function parametersFor(db: Database, statement: string): Promise<Record<string, unknown> | undefined> {
  const names = [...new Set([...statement.matchAll(/\$(\w+)/g)].map((m) => m[1]))].filter((n) =>
    Object.prototype.hasOwnProperty.call(MIGRATION_PARAMETERS, n),
  );
  if (names.length === 0) return undefined;
  return Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await MIGRATION_PARAMETERS[n](db)])),
  );
}

export interface MigrateResult {
  applied: string[];
  skipped: string[];
}

export async function migrate(
  db: Database,
  dir = DEFAULT_MIGRATIONS_DIR,
  onApply: (id: string) => void = () => {},
): Promise<MigrateResult> {
  await db.write('migrations.bootstrap', (tx) =>
    tx.run(
      'CREATE CONSTRAINT schema_migration_id IF NOT EXISTS FOR (m:SchemaMigration) REQUIRE m.id IS UNIQUE',
    ),
  );
  const [files, applied] = await Promise.all([loadMigrations(dir), appliedMigrations(db)]);
  const changed = files.filter((f) => applied.has(f.id) && applied.get(f.id)!.checksum !== f.checksum);
  if (changed.length > 0) throw new MigrationMismatchError(changed.map((f) => f.id));

  const result: MigrateResult = { applied: [], skipped: [] };
  for (const f of files) {
    if (applied.has(f.id)) {
      result.skipped.push(f.id);
      continue;
    }
    onApply(f.id);
    for (const [i, statement] of f.statements.entries()) {
      // Batched data changes (CALL ... IN TRANSACTIONS) need an auto-commit transaction.
      const params = await parametersFor(db, statement);
      if (/\bIN\s+TRANSACTIONS\b/i.test(statement))
        await db.autoCommit(`migrations.${f.id}.${i}`, statement, params);
      else await db.write(`migrations.${f.id}.${i}`, (tx) => tx.run(statement, params));
    }
    await db.write(`migrations.${f.id}.record`, (tx) =>
      tx.run('MERGE (m:SchemaMigration {id: $id}) SET m.checksum = $checksum, m.appliedAt = datetime()', {
        id: f.id,
        checksum: f.checksum,
      }),
    );
    result.applied.push(f.id);
  }
  // Indexes are built in the background; queries right after start-up should already use them.
  if (result.applied.length > 0)
    await db.read('migrations.awaitIndexes', (tx) => tx.run('CALL db.awaitIndexes(300)'));
  return result;
}

/** True when every migration on disk is applied with its current checksum. */
export async function isMigrated(db: Database, dir = DEFAULT_MIGRATIONS_DIR): Promise<boolean> {
  // 'unknown' (recorded but not on disk) means the database is ahead of this code, which can still serve it.
  return (await migrationStatus(db, dir)).every((s) => s.state === 'applied' || s.state === 'unknown');
}
