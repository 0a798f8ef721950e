import path from 'node:path';
import { WorkerPool, type PoolOptions } from '../../../../inference/pool/workerPool';
import type { ModelSpec } from '../../../../inference/models/modelSpec';

const script = path.resolve(__dirname, '../../../fixtures/workers/fakeInference.worker.js');

function spec(name: string): ModelSpec {
  return {
    name,
    task: 'detect',
    architecture: 'centernet',
    description: '',
    license: 'MIT',
    inputSize: 8,
    files: [{ role: 'model', path: 'model.onnx' }],
  };
}

function image(width = 4) {
  return { width, height: 2, data: new Uint8Array(width * 2 * 3) };
}

async function start(over: Partial<PoolOptions> = {}) {
  return WorkerPool.start({
    models: [
      { spec: spec('m'), dir: '/x', file: '/x/model.onnx' },
      { spec: spec('n'), dir: '/y', file: '/y/model.onnx' },
    ],
    workers: 1,
    provider: 'auto',
    maxQueue: 16,
    maxBatch: 4,
    maxWaitMs: 20,
    timeoutMs: 5000,
    workerScript: script,
    ...over,
  });
}

interface Echo {
  batch: number;
  index: number;
  run: number;
  width: number;
  bytes: number;
}

describe('WorkerPool', () => {
  it('reports the provider the first worker settled on and the providers it declined', async () => {
    const { pool, info } = await start({ workers: 2 });
    expect(info).toEqual({
      provider: 'cpu',
      declined: [{ provider: 'cuda', reason: 'not here' }],
      workers: 2,
    });
    await pool.close();
  });

  it('gathers concurrent requests for one model into batches of at most maxBatch, in order', async () => {
    const { pool } = await start();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.run<Echo>('m', image(i + 1))));
    expect(results.map((r) => r.batch)).toEqual([4, 4, 4, 4, 2, 2]);
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 0, 1]);
    // Each caller gets the result of its own image back.
    expect(results.map((r) => r.width)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(pool.stats.items).toBe(6);
    expect(pool.stats.batches).toBe(2);
    await pool.close();
  });

  it('never mixes models in one batch', async () => {
    const { pool } = await start();
    const [a, b] = await Promise.all([pool.run<Echo>('m', image()), pool.run<Echo>('n', image())]);
    expect(a.batch).toBe(1);
    expect(b.batch).toBe(1);
    expect(a.run).not.toBe(b.run);
    await pool.close();
  });

  it('answers BUSY at once when the queue is full, and serves the queued requests', async () => {
    const { pool } = await start({ maxQueue: 2, maxBatch: 1, maxWaitMs: 0 });
    const first = pool.run<Echo>('m', image(), { blockMs: 200 }); // running: not counted as waiting
    await new Promise((r) => setTimeout(r, 50));
    const queued = [pool.run<Echo>('m', image()), pool.run<Echo>('m', image())];
    await expect(pool.run('m', image())).rejects.toMatchObject({ code: 'BUSY' });
    await expect(Promise.all([first, ...queued])).resolves.toHaveLength(3);
    await pool.close();
  });

  it('fails a request that overruns its time limit and replaces the worker stuck with it', async () => {
    const { pool } = await start({ timeoutMs: 300, maxWaitMs: 0 });
    await expect(pool.run('m', image(), { blockMs: 1500 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    // The replacement worker serves the next request without waiting for the stuck run.
    const started = Date.now();
    await expect(pool.run<Echo>('m', image())).resolves.toMatchObject({ batch: 1 });
    expect(Date.now() - started).toBeLessThan(1200);
    await pool.close();
  });

  it('passes a per-item typed error to its caller only', async () => {
    const { pool } = await start();
    const [bad, good] = await Promise.allSettled([
      pool.run('m', image(), { fail: true }),
      pool.run<Echo>('m', image()),
    ]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'BAD_USER_INPUT', path: 'queries' } });
    expect(good).toMatchObject({ status: 'fulfilled', value: { batch: 2 } });
    await pool.close();
  });

  it('fails the batch of a worker that dies and keeps serving with a new one', async () => {
    const { pool } = await start({ maxWaitMs: 0 });
    await expect(pool.run('m', image(), { crash: true })).rejects.toMatchObject({
      code: 'INTERNAL_SERVER_ERROR',
    });
    await expect(pool.run<Echo>('m', image())).resolves.toMatchObject({ batch: 1 });
    await pool.close();
  });

  it('reports a model that cannot be loaded as a model error naming it', async () => {
    await expect(
      WorkerPool.start({
        models: [{ spec: spec('broken'), dir: '/x', file: '/x/model.onnx' }],
        workers: 1,
        provider: 'cpu',
        maxQueue: 1,
        maxBatch: 1,
        maxWaitMs: 0,
        timeoutMs: 1000,
        workerScript: script,
      }),
    ).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringContaining('broken') });
  });

  it('refuses unknown models and work after close; close fails what is still queued', async () => {
    const { pool } = await start({ maxBatch: 1, maxWaitMs: 0 });
    await expect(pool.run('nope', image())).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    const running = expect(pool.run('m', image(), { blockMs: 300 })).rejects.toThrow(/closed/);
    const waiting = expect(pool.run('m', image())).rejects.toThrow(/closed/);
    await new Promise((r) => setTimeout(r, 50));
    await pool.close();
    await waiting;
    await running;
    await expect(pool.run('m', image())).rejects.toThrow(/closed/);
  });
});
