import { DepthAnythingAdapter } from '../../../../inference/adapters/depthAnything';
import type { ModelAdapter, RgbImage } from '../../../../inference/adapters/adapter';
import type { PlainTensor } from '../../../../inference/backend/tensor';
import {
  planRuns,
  resolveBatchSizes,
  runItems,
  warmUp,
  warmupEnabled,
  type LoadedModel,
  type RunnableSession,
} from '../../../../inference/pool/batching';
import type { ModelSpec } from '../../../../inference/models/modelSpec';
import type { DepthPrediction } from '../../../../inference/results';

const spec: ModelSpec = {
  name: 'depth-test',
  task: 'depth',
  architecture: 'depth-anything-v2',
  description: '',
  license: 'MIT',
  inputSize: 28,
  files: [{ role: 'model', path: 'model.onnx' }],
};

/**
 * A stand-in for a depth session: records the batch size and input shape of every run and answers
 * each row with a value of that row alone (channel mean times the row's first value), so a padded
 * row cannot leak into a real one's result unnoticed.
 */
class FakeDepthSession implements RunnableSession {
  readonly seen: number[][] = [];
  failAt?: number;
  run(feeds: Record<string, PlainTensor>): Promise<Record<string, PlainTensor>> {
    const x = feeds.pixel_values;
    this.seen.push([...x.dims]);
    if (this.failAt === x.dims[0]) return Promise.reject(new Error('CUDA failure 2: out of memory'));
    const [n, c, h, w] = x.dims;
    const data = x.data as Float32Array;
    const out = new Float32Array(n * h * w);
    for (let b = 0; b < n; b++) {
      const first = data[b * c * h * w];
      for (let i = 0; i < h * w; i++) {
        let sum = 0;
        for (let k = 0; k < c; k++) sum += data[(b * c + k) * h * w + i];
        out[b * h * w + i] = (sum / c) * first;
      }
    }
    return Promise.resolve({ predicted_depth: { type: 'float32', data: out, dims: [n, h, w] } });
  }
}

function image(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 97) % 256;
  return { width, height, data };
}

function model(session: RunnableSession, sizes?: number[]): LoadedModel {
  return {
    session,
    adapter: new DepthAnythingAdapter() as ModelAdapter<unknown, unknown>,
    ctx: { spec, dir: '/x' },
    sizes,
    maxRun: Number.MAX_SAFE_INTEGER,
  };
}

describe('resolveBatchSizes', () => {
  it('pads to powers of two up to the maximum batch on GPU providers, not on the CPU', () => {
    expect(resolveBatchSizes('auto', 'cuda', 8)).toEqual([1, 2, 4, 8]);
    expect(resolveBatchSizes('auto', 'webgpu', 6)).toEqual([1, 2, 4, 6]);
    expect(resolveBatchSizes('auto', 'cuda', 32)).toEqual([1, 2, 4, 8, 16, 32]);
    expect(resolveBatchSizes('auto', 'cpu', 8)).toBeUndefined();
    expect(resolveBatchSizes('exact', 'cuda', 8)).toBeUndefined();
  });

  it('caps a given list at the maximum batch, and a fixed-batch graph takes only its size', () => {
    expect(resolveBatchSizes([8, 1, 4, 16], 'cpu', 8)).toEqual([1, 4, 8]);
    expect(resolveBatchSizes([2, 4], 'cuda', 3)).toEqual([2, 3]);
    expect(resolveBatchSizes('exact', 'cuda', 8, 1)).toEqual([1]);
    expect(resolveBatchSizes('auto', 'cpu', 8, 4)).toEqual([4]);
  });

  it('warms up on GPU providers by default, on the CPU only when asked', () => {
    expect(warmupEnabled('auto', 'cuda')).toBe(true);
    expect(warmupEnabled('auto', 'cpu')).toBe(false);
    expect(warmupEnabled('on', 'cpu')).toBe(true);
    expect(warmupEnabled('off', 'cuda')).toBe(false);
  });
});

describe('planRuns', () => {
  it('pads the rest to the smallest size that holds it and splits above the largest', () => {
    expect(planRuns([[0, 1, 2, 3, 4]], [1, 2, 4, 8], 99)).toEqual([{ indices: [0, 1, 2, 3, 4], size: 8 }]);
    const eleven = Array.from({ length: 11 }, (_, i) => i);
    expect(planRuns([eleven], [1, 2, 4], 99).map((r) => [r.indices.length, r.size])).toEqual([
      [4, 4],
      [4, 4],
      [3, 4],
    ]);
    expect(planRuns([[0], [1, 2]], [1, 2, 4], 99).map((r) => r.size)).toEqual([1, 2]);
  });

  it('keeps sizes without a list, in runs of at most maxRun', () => {
    expect(planRuns([[0, 1, 2, 3, 4]], undefined, 2).map((r) => [r.indices.length, r.size])).toEqual([
      [2, 2],
      [2, 2],
      [1, 1],
    ]);
  });
});

describe('runItems', () => {
  const items = [
    image(28, 28, 1),
    image(28, 28, 2),
    image(28, 28, 3),
    image(40, 28, 4),
    image(28, 28, 5),
  ].map((img) => ({ image: img, options: {} }));

  it('shows the session only the fixed sizes, and gives every item the result of the unpadded run', async () => {
    const padded = new FakeDepthSession();
    const exact = new FakeDepthSession();
    const a = await runItems(model(padded, [1, 2, 4, 8]), items);
    const b = await runItems(model(exact), items);
    // Four square images share one run padded to 4; the wide one runs alone at 1.
    expect(padded.seen).toEqual([
      [4, 3, 28, 28],
      [1, 3, 28, 42],
    ]);
    expect(exact.seen).toEqual([
      [4, 3, 28, 28],
      [1, 3, 28, 42],
    ]);
    expect(a.timings.padded).toBe(0);
    expect(a.results).toEqual(b.results);

    const three = items.slice(0, 3);
    const p3 = new FakeDepthSession();
    const e3 = new FakeDepthSession();
    const c = await runItems(model(p3, [1, 2, 4, 8]), three);
    const d = await runItems(model(e3), three);
    expect(p3.seen.map((s) => s[0])).toEqual([4]);
    expect(e3.seen.map((s) => s[0])).toEqual([3]);
    expect(c.timings.padded).toBe(1);
    expect(c.timings.batches).toBe(1);
    expect(c.results).toHaveLength(3);
    expect(c.results).toEqual(d.results);
    // Each result is its own image's: different inputs, different depth maps.
    const values = c.results.map((r) => (r.ok ? (r.value as DepthPrediction).values[0] : NaN));
    expect(new Set(values).size).toBe(3);
  });

  it('fails only the items of a run that fails, and items that cannot be prepared', async () => {
    const session = new FakeDepthSession();
    session.failAt = 4;
    const bad = { image: { width: 0, height: 0, data: new Uint8Array(0) }, options: {} };
    const { results } = await runItems(model(session, [1, 2, 4]), [...items, bad]);
    expect(results.map((r) => r.ok)).toEqual([false, false, false, true, false, false]);
    expect(results[0]).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/out of memory/) },
    });
  });
});

describe('warmUp', () => {
  it('runs every size once on an image of the input size', async () => {
    const session = new FakeDepthSession();
    expect(await warmUp(model(session, [1, 2, 4, 8]), 'depth-test')).toEqual([1, 2, 4, 8]);
    expect(session.seen).toEqual([
      [1, 3, 28, 28],
      [2, 3, 28, 28],
      [4, 3, 28, 28],
      [8, 3, 28, 28],
    ]);
    expect(await warmUp(model(new FakeDepthSession()), 'depth-test')).toEqual([]);
  });

  it('skips a model that needs request options, and names the size a failing run had', async () => {
    const needsQueries = {
      ...model(new FakeDepthSession(), [1, 2]),
      adapter: {
        ...new DepthAnythingAdapter(),
        prepare: () => {
          throw new Error('needs queries');
        },
      } as unknown as ModelAdapter<unknown, unknown>,
    };
    expect(await warmUp(needsQueries, 'owl')).toEqual([]);
    const session = new FakeDepthSession();
    session.failAt = 8;
    await expect(warmUp(model(session, [1, 8]), 'depth-test')).rejects.toThrow(
      /warm-up run at batch size 8 failed.*out of memory/,
    );
  });
});
