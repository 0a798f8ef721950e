/**
 * The real worker thread (the compiled inference/pool/inference.worker.js: `npm run build` first, as
 * `npm test` does) with the project's test models: sessions open on the CPU provider, adapters
 * prepare and finish, concurrent requests share a batch, and a model whose tensors do not match its
 * adapter is refused with the model and the tensor named.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { decodeOwl } from '../../../inference/adapters/owlv2';
import type { RgbImage } from '../../../inference/adapters/adapter';
import { readManifest } from '../../../inference/models/manifest';
import type { ModelSpec } from '../../../inference/models/modelSpec';
import { defaultWorkerScript, WorkerPool } from '../../../inference/pool/workerPool';
import type { DepthPrediction, Detection } from '../../../inference/results';
import { compare, GOLDEN_DIR, readGolden, TEST_MODELS } from '../../helpers/goldens';

async function model(name: string) {
  const dir = path.join(TEST_MODELS, name);
  const read = await readManifest(dir);
  if (read.kind !== 'ok') throw new Error(`${name}: ${read.kind}`);
  return { spec: read.manifest as ModelSpec, dir, file: path.join(dir, 'model.onnx') };
}

async function image(mirror = false): Promise<RgbImage> {
  let s = sharp(path.join(GOLDEN_DIR, 'input.png')).removeAlpha();
  if (mirror) s = s.flop();
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

const settings = {
  workers: 1,
  provider: 'cpu' as const,
  maxQueue: 8,
  maxBatch: 4,
  maxWaitMs: 50,
  timeoutMs: 30_000,
};

describe('inference worker with the test models', () => {
  beforeAll(() => {
    if (!existsSync(defaultWorkerScript()))
      throw new Error(`${defaultWorkerScript()} is missing: run npm run build`);
  });

  it('estimates depth at the image size, in the model unit', async () => {
    const { pool, info } = await WorkerPool.start({
      ...settings,
      models: [await model('depth-anything-v2-tiny')],
    });
    try {
      expect(info.provider).toBe('cpu');
      const p = await pool.run<DepthPrediction>('depth-anything-v2-tiny', await image());
      expect([p.width, p.height, p.unit, p.values.length]).toEqual([80, 60, 'inverse', 80 * 60]);
      // The golden depth comes from the processor's tensor; ours from our own pre-processing of the same image.
      expect(compare(p.values, readGolden('depth-anything.depth.npy').data as Float32Array).rel).toBeLessThan(
        2e-2,
      );
    } finally {
      await pool.close();
    }
  });

  it('batches two concurrent images with their own queries, as transformers batches them', async () => {
    const { pool } = await WorkerPool.start({ ...settings, models: [await model('owlv2-tiny')] });
    try {
      const opts = (queries: string[]) => ({
        queries,
        scoreThreshold: 0,
        iouThreshold: 1,
        maxDetections: 1000,
      });
      const [a, b] = await Promise.all([
        pool.run<Detection[]>('owlv2-tiny', await image(), opts(['a photo of a cat', 'dog'])),
        pool.run<Detection[]>('owlv2-tiny', await image(true), opts(['person', 'cup'])),
      ]);
      expect(pool.stats.batches).toBe(1);
      const logits = readGolden('owlv2.batch2.logits.npy');
      const boxes = readGolden('owlv2.batch2.pred_boxes.npy');
      const per = 16 * 2;
      [a, b].forEach((found, i) => {
        const queries = i === 0 ? ['a photo of a cat', 'dog'] : ['person', 'cup'];
        const expected = decodeOwl(
          {
            type: 'float32',
            data: (logits.data as Float32Array).slice(i * per, (i + 1) * per),
            dims: [1, 16, 2],
          },
          {
            type: 'float32',
            data: (boxes.data as Float32Array).slice(i * 64, (i + 1) * 64),
            dims: [1, 16, 4],
          },
          { width: 80, height: 60, side: 80, queries },
          opts(queries),
        );
        expect(found.length).toBe(expected.length);
        const byBox = (d: Detection) => d.box.map((v) => v.toFixed(0)).join(',');
        expect(
          compare(found.map((d) => d.score).sort(), expected.map((d) => d.score).sort()).maxAbs,
        ).toBeLessThan(2e-2);
        expect(found.map(byBox).sort().length).toBe(expected.map(byBox).sort().length);
      });
    } finally {
      await pool.close();
    }
  });

  it('refuses a model whose tensors do not match its adapter, naming the model and the tensor', async () => {
    const depth = await model('depth-anything-v2-tiny');
    const wrong = {
      ...depth,
      spec: { ...depth.spec, name: 'not-owl', task: 'detect' as const, architecture: 'owlv2' as const },
    };
    await expect(WorkerPool.start({ ...settings, models: [wrong] })).rejects.toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringMatching(
        /model not-owl, tensor input_ids: the owlv2 adapter needs input 'input_ids'/,
      ),
    });
  });

  it('refuses a file that is not an ONNX model', async () => {
    const depth = await model('depth-anything-v2-tiny');
    const bogus = { ...depth, file: path.join(GOLDEN_DIR, 'input.png') };
    await expect(WorkerPool.start({ ...settings, models: [bogus] })).rejects.toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringMatching(/depth-anything-v2-tiny: cannot be loaded/),
    });
  });
});
