import { Database } from '../../src/db/database';
import { testDatabase, uniquePrefix } from '../helpers/testDatabase';

describe('Database (real Neo4j)', () => {
  let db: Database;
  beforeAll(() => {
    db = testDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('talks to a real Neo4j server over Bolt', async () => {
    await db.verify();
    const res = await db.read('test.components', (tx) =>
      tx.run<{ name: string; version: string }>(
        'CALL dbms.components() YIELD name, versions RETURN name, versions[0] AS version',
      ),
    );
    const kernel = res.records.find((r) => r.get('name') === 'Neo4j Kernel');
    expect(kernel?.get('version')).toMatch(/^5\.26\./);
  });

  it('reads back what a write transaction committed', async () => {
    const id = uniquePrefix('probe');
    await db.write('test.write', (tx) => tx.run('CREATE (:TestProbe {id: $id, n: 42})', { id }));
    try {
      const res = await db.read('test.read', (tx) =>
        tx.run<{ n: number }>('MATCH (p:TestProbe {id: $id}) RETURN p.n AS n', { id }),
      );
      expect(res.records.map((r) => r.get('n'))).toEqual([42]);
    } finally {
      await db.write('test.cleanup', (tx) => tx.run('MATCH (p:TestProbe {id: $id}) DETACH DELETE p', { id }));
    }
  });

  it('rolls back a failed write entirely', async () => {
    const id = uniquePrefix('rollback');
    await expect(
      db.write('test.fail', async (tx) => {
        await tx.run('CREATE (:TestProbe {id: $id})', { id });
        await tx.run('RETURN 1 / 0');
      }),
    ).rejects.toThrow();
    const res = await db.read('test.count', (tx) =>
      tx.run<{ c: number }>('MATCH (p:TestProbe {id: $id}) RETURN count(p) AS c', { id }),
    );
    expect(res.records[0].get('c')).toBe(0);
  });

  it('counts the queries it runs', async () => {
    const before = db.queries;
    await db.read('test.twice', async (tx) => {
      await tx.run('RETURN 1');
      await tx.run('RETURN 2');
    });
    expect(db.queries - before).toBe(2);
  });

  it('query runs one read statement with its parameters, counted, in a read-only transaction', async () => {
    const id = uniquePrefix('query');
    await db.write('test.write', (tx) => tx.run('CREATE (:TestProbe {id: $id, n: 7})', { id }));
    try {
      const before = db.queries;
      const res = await db.query<{ n: number }>(
        'test.query',
        'MATCH (p:TestProbe {id: $id}) RETURN p.n AS n',
        {
          id,
        },
      );
      expect(res.records.map((r) => r.get('n'))).toEqual([7]);
      expect(db.queries - before).toBe(1);
      // a read session refuses writes
      await expect(db.query('test.query.write', 'CREATE (:TestProbe {id: $id})', { id })).rejects.toThrow();
      const left = await db.query<{ c: number }>(
        'test.query.count',
        'MATCH (p:TestProbe {id: $id}) RETURN count(p) AS c',
        { id },
      );
      expect(left.records[0].get('c')).toBe(1);
    } finally {
      await db.write('test.cleanup', (tx) => tx.run('MATCH (p:TestProbe {id: $id}) DETACH DELETE p', { id }));
    }
  });
});
