import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Database } from '../../src/db/database';
import { isMigrated, migrate, MigrationMismatchError, migrationStatus } from '../../src/db/migrations';
import { testDatabase, uniquePrefix } from '../helpers/testDatabase';

describe('migrations (real Neo4j)', () => {
  let db: Database;
  beforeAll(() => {
    db = testDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('applies the project migrations: constraints and indexes exist, and a re-run is a no-op', async () => {
    await migrate(db);
    const second = await migrate(db);
    expect(second.applied).toEqual([]);
    expect(second.skipped.length).toBeGreaterThanOrEqual(2);
    expect(await isMigrated(db)).toBe(true);

    const constraints = await db.read('test.constraints', (tx) =>
      tx.run<{ name: string }>('SHOW CONSTRAINTS YIELD name RETURN name'),
    );
    const names = constraints.records.map((r) => r.get('name'));
    expect(names).toEqual(expect.arrayContaining(['image_id', 'object_id', 'schema_migration_id']));
    // Created by 0001, dropped by 0010 with the Layer nodes (layers live on their image).
    expect(names).not.toContain('layer_id');
    const indexes = await db.read('test.indexes', (tx) =>
      tx.run<{ name: string }>('SHOW INDEXES YIELD name RETURN name'),
    );
    const indexNames = indexes.records.map((r) => r.get('name'));
    expect(indexNames).toEqual(expect.arrayContaining(['object_label']));
    // Created by 0002 on a property nothing writes, dropped by 0012.
    expect(indexNames).not.toContain('image_content_hash');
  });

  it('records a new migration once and refuses to continue when an applied file changed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    const tag = uniquePrefix('m').replace(/-/g, '_');
    const id = `9900_test_${tag}`;
    const file = path.join(dir, `${id}.cypher`);
    const label = `TestMig_${tag}`;
    writeFileSync(file, `CREATE INDEX idx_${tag} IF NOT EXISTS FOR (n:${label}) ON (n.x);\n`);
    try {
      const applied: string[] = [];
      expect((await migrate(db, dir, (m) => applied.push(m))).applied).toEqual([id]);
      expect(applied).toEqual([id]);
      expect((await migrate(db, dir)).applied).toEqual([]);
      expect((await migrationStatus(db, dir)).find((s) => s.id === id)?.state).toBe('applied');

      writeFileSync(file, `CREATE INDEX idx_${tag} IF NOT EXISTS FOR (n:${label}) ON (n.y);\n`);
      await expect(migrate(db, dir)).rejects.toThrow(MigrationMismatchError);
      await expect(migrate(db, dir)).rejects.toThrow(/changed on disk: 9900_test_/);
      expect((await migrationStatus(db, dir)).find((s) => s.id === id)?.state).toBe('changed');
      expect(await isMigrated(db, dir)).toBe(false);
    } finally {
      await db.write('test.cleanup', (tx) => tx.run('MATCH (m:SchemaMigration {id: $id}) DELETE m', { id }));
      await db.write('test.cleanup.index', (tx) => tx.run(`DROP INDEX idx_${tag} IF EXISTS`));
    }
  });
});
