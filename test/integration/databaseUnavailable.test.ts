import net from 'node:net';
import { Database } from '../../src/db/database';
import { AppError, ErrorCode } from '../../src/errors/errors';

/** A Bolt URI where nothing listens: the database is "down" for as long as the test wants. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
  await new Promise((r) => server.close(r));
  return port;
}

describe('Neo4j unreachable', () => {
  it('fails a transaction with DATABASE_UNAVAILABLE within the retry time, not the driver default of a minute', async () => {
    const db = Database.connect({
      uri: `bolt://127.0.0.1:${await closedPort()}`,
      user: 'neo4j',
      password: 'x',
      database: 'neo4j',
      connectionTimeoutMs: 2000,
      maxRetryTimeMs: 1000,
    });
    try {
      const start = performance.now();
      const err = await db.read('probe', (tx) => tx.run('RETURN 1')).catch((e: unknown) => e);
      const ms = performance.now() - start;
      process.stdout.write(`[figures] closed port: DATABASE_UNAVAILABLE after ${ms.toFixed(0)} ms\n`);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe(ErrorCode.DATABASE_UNAVAILABLE);
      expect((err as AppError).details).toEqual({ op: 'probe' });
      expect(ms).toBeLessThan(5000);
    } finally {
      await db.close();
    }
  });
});
