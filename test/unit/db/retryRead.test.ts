import { Neo4jError } from 'neo4j-driver';
import { retryRead } from '../../../src/db/database';

const transient = () =>
  new Neo4jError('deadlock', 'Neo.TransientError.Transaction.DeadlockDetected', 'N/A', 'N/A');
const client = () => new Neo4jError('bad', 'Neo.ClientError.Statement.SyntaxError', 'N/A', 'N/A');

function clock() {
  let t = 0;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

describe('retryRead', () => {
  it('retries transient failures with growing waits and returns the first success', async () => {
    const c = clock();
    let calls = 0;
    const got = await retryRead(
      async () => {
        calls++;
        if (calls < 4) throw transient();
        return 'ok';
      },
      10_000,
      c.sleep,
      c.now,
    );
    expect(got).toBe('ok');
    expect(calls).toBe(4);
    expect(c.slept).toHaveLength(3);
    expect(c.slept[2]).toBeGreaterThan(c.slept[0]);
  });

  it('does not retry an error the driver calls permanent', async () => {
    const c = clock();
    let calls = 0;
    await expect(
      retryRead(
        async () => {
          calls++;
          throw client();
        },
        10_000,
        c.sleep,
        c.now,
      ),
    ).rejects.toThrow('bad');
    expect(calls).toBe(1);
  });

  it('gives up with the last error once the retry time is spent', async () => {
    const c = clock();
    let calls = 0;
    await expect(
      retryRead(
        async () => {
          calls++;
          throw transient();
        },
        500,
        c.sleep,
        c.now,
      ),
    ).rejects.toThrow('deadlock');
    expect(c.now()).toBeLessThanOrEqual(500);
    expect(calls).toBeGreaterThan(1);
  });
});
