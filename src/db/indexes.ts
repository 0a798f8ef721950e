import neo4j from 'neo4j-driver';
import { UserInputError } from '../errors/errors';
import { Database } from './database';

/**
 * Rebuilding indexes (`scenegraph db reindex`).
 *
 * Neo4j's range indexes are B-trees. Entries that arrive in key order, as when an index is built
 * from the existing data, fill their pages; entries that arrive in random key order, as the edges'
 * pair keys do during ingest, leave pages about half to two thirds full after splits, and the files
 * never shrink by themselves. On a 100,000-image store one rebuilt relationship index took 220 MB
 * where ingest had left 409 MB (BENCHMARKS.md). Rebuilding after a bulk load gives that space back.
 *
 * An index is dropped and created again with the same name and definition, one at a time, waiting
 * until it is online before the next. Meanwhile the store keeps answering, but the queries that seek
 * through the index being rebuilt fall back to scans and are slow, so run it while the store is quiet
 * (after a bulk import). Indexes that back a constraint (the id uniqueness constraints) are not
 * touched: dropping them would lift the constraint. Only RANGE, TEXT and POINT indexes are rebuilt
 * (the kinds whose definition is a label or type and properties alone).
 */

export type RebuildableIndexType = 'RANGE' | 'TEXT' | 'POINT';

export interface IndexDefinition {
  name: string;
  type: RebuildableIndexType;
  entityType: 'NODE' | 'RELATIONSHIP';
  labelOrType: string;
  properties: string[];
}

export interface RebuiltIndex {
  name: string;
  seconds: number;
}

export interface ReindexOptions {
  /** Only these indexes (by name); every rebuildable index when absent. */
  only?: readonly string[];
  /** How long to wait for one index to come online (s). */
  awaitSeconds?: number;
  /** Called before each index is rebuilt (position counts from 1). */
  onStart?: (index: IndexDefinition, position: number, total: number) => void;
  onDone?: (rebuilt: RebuiltIndex, position: number, total: number) => void;
}

/** Upper bound on one index's population; a 100k-image store's largest took about 25 s. */
export const DEFAULT_INDEX_AWAIT_SECONDS = 3600;

const REBUILDABLE: ReadonlySet<string> = new Set(['RANGE', 'TEXT', 'POINT']);

/** The indexes `rebuildIndexes` may rebuild: online, not backing a constraint, of a rebuildable kind. */
export async function rebuildableIndexes(db: Database): Promise<IndexDefinition[]> {
  const res = await db.read('indexes.list', (tx) =>
    tx.run(
      `SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, owningConstraint, state
       WHERE owningConstraint IS NULL AND type IN $types AND state = 'ONLINE'
       RETURN name, type, entityType, labelsOrTypes, properties ORDER BY name`,
      { types: [...REBUILDABLE] },
    ),
  );
  return res.records
    .map((r) => ({
      name: r.get('name') as string,
      type: r.get('type') as RebuildableIndexType,
      entityType: r.get('entityType') as 'NODE' | 'RELATIONSHIP',
      labelsOrTypes: (r.get('labelsOrTypes') as string[] | null) ?? [],
      properties: (r.get('properties') as string[] | null) ?? [],
    }))
    .filter((i) => i.labelsOrTypes.length === 1 && i.properties.length > 0)
    .map(({ labelsOrTypes, ...rest }) => ({ ...rest, labelOrType: labelsOrTypes[0] }));
}

/** A Cypher identifier in backquotes (names come from the database, but may hold any character). */
function quoted(identifier: string): string {
  return `\`${identifier.replace(/`/g, '``')}\``;
}

/** The CREATE statement that makes the index again as SHOW INDEXES describes it. */
export function createStatement(index: IndexDefinition): string {
  const v = index.entityType === 'NODE' ? 'n' : 'r';
  const pattern =
    index.entityType === 'NODE'
      ? `(n:${quoted(index.labelOrType)})`
      : `()-[r:${quoted(index.labelOrType)}]-()`;
  const props = index.properties.map((p) => `${v}.${quoted(p)}`).join(', ');
  return `CREATE ${index.type} INDEX ${quoted(index.name)} IF NOT EXISTS FOR ${pattern} ON (${props})`;
}

/**
 * Drops and creates again each chosen index (see the module comment), in name order. Names in `only`
 * that are not rebuildable indexes are refused before anything is dropped.
 */
export async function rebuildIndexes(db: Database, options: ReindexOptions = {}): Promise<RebuiltIndex[]> {
  const available = await rebuildableIndexes(db);
  let chosen = available;
  if (options.only !== undefined) {
    const byName = new Map(available.map((i) => [i.name, i]));
    const unknown = options.only.filter((n) => !byName.has(n));
    if (unknown.length > 0) {
      throw new UserInputError(
        `not a rebuildable index: ${unknown.join(', ')} (rebuildable: ${available.map((i) => i.name).join(', ') || 'none'}; ` +
          'indexes that back a constraint are not rebuilt)',
        'index',
        { unknown },
      );
    }
    chosen = [...new Set(options.only)].map((n) => byName.get(n)!);
  }
  const awaitSeconds = options.awaitSeconds ?? DEFAULT_INDEX_AWAIT_SECONDS;
  const done: RebuiltIndex[] = [];
  for (const [i, index] of chosen.entries()) {
    options.onStart?.(index, i + 1, chosen.length);
    const started = process.hrtime.bigint();
    await db.autoCommit('indexes.drop', `DROP INDEX ${quoted(index.name)} IF EXISTS`);
    await db.autoCommit('indexes.create', createStatement(index));
    await db.autoCommit('indexes.await', 'CALL db.awaitIndex($name, $seconds)', {
      name: index.name,
      seconds: neo4j.int(awaitSeconds),
    });
    const rebuilt = { name: index.name, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
    done.push(rebuilt);
    options.onDone?.(rebuilt, i + 1, chosen.length);
  }
  return done;
}
