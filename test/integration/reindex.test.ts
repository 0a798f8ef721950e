import { Database } from '../../src/db/database';
import { createStatement, rebuildableIndexes, rebuildIndexes } from '../../src/db/indexes';
import { migrate } from '../../src/db/migrations';
import { AppError, ErrorCode } from '../../src/errors/errors';
import { testDatabase, uniquePrefix } from '../helpers/testDatabase';

/**
 * `scenegraph db reindex` against the real Neo4j. Each test rebuilds only indexes it made itself on
 * labels of its own, so suites running beside it keep theirs.
 */
describe('rebuildIndexes (real Neo4j)', () => {
  let db: Database;
  let label: string;
  let nodeIndex: string;
  let edgeIndex: string;

  const describeIndex = async (name: string) => {
    const res = await db.read('test.showIndex', (tx) =>
      tx.run(
        `SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, state WHERE name = $name
         RETURN type, entityType, labelsOrTypes, properties, state`,
        { name },
      ),
    );
    return res.records.map((r) => r.toObject());
  };

  beforeAll(async () => {
    db = testDatabase();
    await migrate(db);
    const tag = uniquePrefix('reindex').replace(/-/g, '_');
    label = `Reindex_${tag}`;
    nodeIndex = `reindex_node_${tag}`;
    edgeIndex = `reindex_edge_${tag}`;
    await db.autoCommit('test.create', `CREATE INDEX ${nodeIndex} FOR (n:${label}) ON (n.k, n.score)`);
    await db.autoCommit('test.create', `CREATE INDEX ${edgeIndex} FOR ()-[r:${label}_EDGE]-() ON (r.k)`);
    await db.autoCommit('test.await', 'CALL db.awaitIndexes(60)');
    await db.write('test.data', (tx) =>
      tx.run(
        `UNWIND range(1, 200) AS i
         CREATE (a:${label} {k: (i * 7919) % 200, score: i / 200.0})-[:${label}_EDGE {k: i % 13}]->(:${label} {k: -i})`,
      ),
    );
  });

  afterAll(async () => {
    await db.write('test.cleanup', (tx) => tx.run(`MATCH (n:${label}) DETACH DELETE n`));
    await db.autoCommit('test.drop', `DROP INDEX ${nodeIndex} IF EXISTS`);
    await db.autoCommit('test.drop', `DROP INDEX ${edgeIndex} IF EXISTS`);
    await db.close();
  });

  it('lists the unconstrained range indexes and leaves out those that back a constraint', async () => {
    const names = (await rebuildableIndexes(db)).map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining([nodeIndex, edgeIndex, 'object_label_id']));
    // object_id backs the uniqueness constraint on Object.id: dropping it would lift the constraint.
    expect(names).not.toContain('object_id');
    expect(names).not.toContain('image_id');
  });

  it('rebuilds the named indexes with the same definitions, online, answering as before', async () => {
    const before = [await describeIndex(nodeIndex), await describeIndex(edgeIndex)];
    const seek = () =>
      db.read('test.seek', (tx) =>
        tx.run(
          `MATCH (n:${label}) USING INDEX n:${label}(k, score) WHERE n.k >= 10 AND n.k < 20 AND n.score IS NOT NULL
           RETURN n.k AS k ORDER BY k`,
        ),
      );
    const answered = (await seek()).records.map((r) => r.get('k'));
    expect(answered).toHaveLength(10);

    const started: string[] = [];
    const rebuilt = await rebuildIndexes(db, {
      only: [nodeIndex, edgeIndex],
      onStart: (index, position, total) => started.push(`${index.name} ${position}/${total}`),
    });
    expect(rebuilt.map((r) => r.name)).toEqual([nodeIndex, edgeIndex]);
    expect(rebuilt.every((r) => r.seconds >= 0)).toBe(true);
    expect(started).toEqual([`${nodeIndex} 1/2`, `${edgeIndex} 2/2`]);
    expect([await describeIndex(nodeIndex), await describeIndex(edgeIndex)]).toEqual(before);
    expect(before[0]).toEqual([
      expect.objectContaining({
        type: 'RANGE',
        entityType: 'NODE',
        properties: ['k', 'score'],
        state: 'ONLINE',
      }),
    ]);
    expect((await seek()).records.map((r) => r.get('k'))).toEqual(answered);
  });

  it('refuses names that are not rebuildable indexes, naming the field, and drops nothing', async () => {
    const err = await rebuildIndexes(db, { only: [nodeIndex, 'no_such_index', 'object_id'] }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(ErrorCode.BAD_USER_INPUT);
    expect((err as AppError).message).toMatch(/^index: not a rebuildable index: no_such_index, object_id/);
    expect(await describeIndex(nodeIndex)).toEqual([expect.objectContaining({ state: 'ONLINE' })]);
  });

  it('writes CREATE statements with quoted identifiers', () => {
    expect(
      createStatement({
        name: 'odd`name',
        type: 'RANGE',
        entityType: 'RELATIONSHIP',
        labelOrType: 'IN_FRONT_OF',
        properties: ['k', 'score'],
      }),
    ).toBe('CREATE RANGE INDEX `odd``name` IF NOT EXISTS FOR ()-[r:`IN_FRONT_OF`]-() ON (r.`k`, r.`score`)');
    expect(
      createStatement({
        name: 'object_label',
        type: 'TEXT',
        entityType: 'NODE',
        labelOrType: 'Object',
        properties: ['label'],
      }),
    ).toBe('CREATE TEXT INDEX `object_label` IF NOT EXISTS FOR (n:`Object`) ON (n.`label`)');
  });
});
