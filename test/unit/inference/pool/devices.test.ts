import path from 'node:path';
import { WorkerPool, type DeviceStatus, type PoolOptions } from '../../../../inference/pool/workerPool';
import type { ModelSpec } from '../../../../inference/models/modelSpec';

// Several GPUs on one host, played by fake workers that answer with the device they run on
// (fakeGpu.worker.js); one device can be made to fail to open sessions, crash or run slowly.
const script = path.resolve(__dirname, 'fakeGpu.worker.js');

interface Faults {
  failInit?: number[];
  crashRun?: number[];
  blockMs?: Record<number, number>;
}

function spec(faults: Faults = {}): ModelSpec {
  return {
    name: 'm',
    task: 'depth',
    architecture: 'depth-anything-v2',
    description: JSON.stringify(faults),
    license: 'MIT',
    inputSize: 8,
    files: [{ role: 'model', path: 'model.onnx' }],
  };
}

const image = () => ({ width: 4, height: 2, data: new Uint8Array(24) });

interface Answer {
  device: number;
  batch: number;
  bytes: number;
}

function start(faults: Faults, over: Partial<PoolOptions> = {}) {
  return WorkerPool.start({
    models: [{ spec: spec(faults), dir: '/x', file: '/x/model.onnx' }],
    workers: 2,
    deviceIds: [0, 1],
    provider: 'cuda',
    maxQueue: 64,
    maxBatch: 1,
    maxWaitMs: 0,
    timeoutMs: 10_000,
    maxDeviceFailures: 2,
    workerScript: script,
    ...over,
  });
}

const served = (pool: WorkerPool) => pool.devices().map((d) => d.served);

describe('WorkerPool across devices', () => {
  it('puts worker i on deviceIds[i % n] and reports every device', async () => {
    const { pool } = await start({}, { workers: 5, deviceIds: [0, 1, 2] });
    expect(pool.devices().map((d) => [d.id, d.workers, d.ready, d.state])).toEqual([
      [0, 2, 2, 'ok'],
      [1, 2, 2, 'ok'],
      [2, 1, 1, 'ok'],
    ]);
    await pool.close();
  });

  it('spreads a burst over equally loaded devices in turn', async () => {
    const { pool } = await start({}, { workers: 4, deviceIds: [0, 1, 2, 3] });
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => pool.run<Answer>('m', image(), { blockMs: 30 })),
    );
    expect(answers.map((a) => a.device)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    expect(served(pool)).toEqual([3, 3, 3, 3]);
    await pool.close();
  });

  it('sends work to the least-loaded device first', async () => {
    const { pool } = await start({});
    const long = pool.run<Answer>('m', image(), { blockMs: 400 }); // device 0, busy for a while
    const quick: number[] = [];
    for (let i = 0; i < 4; i++) quick.push((await pool.run<Answer>('m', image())).device);
    expect(quick).toEqual([1, 1, 1, 1]);
    expect((await long).device).toBe(0);
    await pool.close();
  });

  it('weighs load by workers: a device with two workers takes twice the share of a burst', async () => {
    const { pool } = await start({}, { workers: 3, deviceIds: [0, 0, 1] });
    await Promise.all(Array.from({ length: 12 }, () => pool.run<Answer>('m', image(), { blockMs: 30 })));
    expect(served(pool)).toEqual([8, 4]);
    await pool.close();
  });

  it('gives a slower device less of a steady stream', async () => {
    const { pool } = await start({ blockMs: { 1: 60 } }, { maxQueue: 2 });
    const answers: Promise<Answer>[] = [];
    for (let i = 0; i < 24; i++) {
      answers.push(pool.run<Answer>('m', image(), { blockMs: 5 }));
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(answers);
    const [fast, slow] = served(pool);
    expect(fast + slow).toBe(24);
    expect(fast).toBeGreaterThan(2 * slow);
    await pool.close();
  });

  it('bounds the queue of each device and answers BUSY when every device is full', async () => {
    const { pool } = await start({}, { maxQueue: 1 });
    const runningOnEach = [
      pool.run('m', image(), { blockMs: 300 }),
      pool.run('m', image(), { blockMs: 300 }),
    ];
    await new Promise((r) => setTimeout(r, 50));
    const queuedOnEach = [pool.run('m', image()), pool.run('m', image())];
    expect(pool.devices().map((d) => [d.running, d.waiting])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    await expect(pool.run('m', image())).rejects.toMatchObject({
      code: 'BUSY',
      details: { maxQueue: 1, devices: 2 },
    });
    await expect(Promise.all([...runningOnEach, ...queuedOnEach])).resolves.toHaveLength(4);
    await pool.close();
  });

  it('takes a device whose sessions cannot be created out of rotation at start, and reports it', async () => {
    const reported: DeviceStatus[] = [];
    const { pool } = await start(
      { failInit: [1] },
      { workers: 3, deviceIds: [0, 1, 2], onDeviceFailed: (d) => reported.push(d) },
    );
    expect(reported).toEqual([
      expect.objectContaining({
        id: 1,
        state: 'failed',
        failures: 2,
        lastError: expect.stringContaining('CUDA failure'),
      }),
    ]);
    expect(pool.devices().map((d) => d.state)).toEqual(['ok', 'failed', 'ok']);
    const answers = await Promise.all(Array.from({ length: 6 }, () => pool.run<Answer>('m', image())));
    expect(new Set(answers.map((a) => a.device))).toEqual(new Set([0, 2]));
    await pool.close();
  });

  it('starts on the second device when the first cannot open the model', async () => {
    const { pool, info } = await start({ failInit: [0] });
    expect(info.provider).toBe('cuda');
    expect(pool.devices().map((d) => d.state)).toEqual(['failed', 'ok']);
    await expect(pool.run<Answer>('m', image())).resolves.toMatchObject({ device: 1 });
    await pool.close();
  });

  it('fails to start, with the first error, when no device can open the model', async () => {
    await expect(start({ failInit: [0, 1] })).rejects.toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringContaining('device 0'),
    });
  });

  it('retries the requests of a crashed worker on another device, and takes a device that keeps crashing out', async () => {
    const reported: number[] = [];
    const { pool } = await start({ crashRun: [1] }, { onDeviceFailed: (d) => reported.push(d.id) });
    const answers = await Promise.all(Array.from({ length: 8 }, () => pool.run<Answer>('m', image())));
    // Every request was answered, by device 0, with its pixels intact after the retry.
    expect(answers.map((a) => a.device)).toEqual(Array(8).fill(0));
    expect(answers.every((a) => a.bytes === 24)).toBe(true);
    expect(reported).toEqual([1]);
    const [ok, failed] = pool.devices();
    expect(ok).toMatchObject({ state: 'ok', served: 8 });
    expect(failed).toMatchObject({
      state: 'failed',
      ready: 0,
      served: 0,
      lastError: expect.stringContaining('code 9'),
    });
    await pool.close();
  });

  it('moves the queue of a device taken out to the devices left', async () => {
    const { pool } = await start(
      { crashRun: [1] },
      { maxDeviceFailures: 1, workers: 3, deviceIds: [0, 1, 2] },
    );
    const answers = await Promise.all(
      Array.from({ length: 9 }, () => pool.run<Answer>('m', image(), { blockMs: 20 })),
    );
    expect(answers.every((a) => a.device === 0 || a.device === 2)).toBe(true);
    expect(pool.devices()[1].state).toBe('failed');
    expect(pool.waiting).toBe(0);
    await pool.close();
  });

  it('refuses work, naming each device and its error, once no device is left', async () => {
    const { pool } = await start({ crashRun: [0] }, { workers: 1, deviceIds: [0], maxDeviceFailures: 1 });
    await expect(pool.run('m', image())).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    await expect(pool.run('m', image())).rejects.toMatchObject({
      code: 'ENVIRONMENT',
      message: expect.stringMatching(/no inference device is in rotation \(device 0: .*code 9/),
    });
    await pool.close();
  });
});
