import { copyFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../src/db/database';
import { DEFAULT_MIGRATIONS_DIR, migrate } from '../../src/db/migrations';

/**
 * One project migration applied again on its own. The test store is migrated already, so each
 * `apply` copies the file under a new test-unique id (`<id>`, then `<id>_again`, `<id>_again2`...)
 * into a folder of its own and checks that `migrate` applies exactly that copy: the second call shows
 * that a re-run is safe. `cleanup` removes the copies' SchemaMigration records.
 */
export class MigrationCopy {
  private readonly dir: string;
  private readonly id: string;
  private runs = 0;

  /** `file`: the migration's file name in migrations/; `id`: a prefix unique to the test (e.g. `9911_box_<tag>`). */
  constructor(
    private readonly db: Database,
    private readonly file: string,
    id: string,
  ) {
    this.id = id.replace(/-/g, '_');
    this.dir = mkdtempSync(path.join(os.tmpdir(), `migrate-${file.slice(0, 4)}-`));
  }

  async apply(): Promise<void> {
    const id = this.runs === 0 ? this.id : `${this.id}_again${this.runs === 1 ? '' : this.runs}`;
    this.runs++;
    copyFileSync(path.join(DEFAULT_MIGRATIONS_DIR, this.file), path.join(this.dir, `${id}.cypher`));
    expect((await migrate(this.db, this.dir)).applied).toEqual([id]);
  }

  async cleanup(): Promise<void> {
    await this.db.write('test.cleanup.migrations', (tx) =>
      tx.run('MATCH (m:SchemaMigration) WHERE m.id STARTS WITH $id DELETE m', { id: this.id }),
    );
  }
}
