/**
 * Golden tensors: the adapters' pre-processing, the ONNX models run through our backend, and the
 * post-processing, each against what transformers/PyTorch computed for the same input
 * (scripts/models/make_goldens.py). Tolerances: resized pixels within 1 grey level (Pillow works in
 * fixed point), normalised tensors within 2e-2, model outputs within 1e-4 relative, decoded outputs
 * within 1e-3 relative.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { checkSignature, inputTypesOf } from '../../../inference/adapters/adapter';
import {
  DepthAnythingAdapter,
  postprocessDepth,
  preprocessDepth,
} from '../../../inference/adapters/depthAnything';
import { readManifest } from '../../../inference/models/manifest';
import { decodeOwl, preprocessOwl } from '../../../inference/adapters/owlv2';
import { openSession } from '../../../inference/backend/onnxBackend';
import { QueryTokenizer } from '../../../inference/tokenizer/textQueries';
import { compare, GOLDEN_DIR, goldenIndex, readGolden, TEST_MODELS } from '../../helpers/goldens';

async function inputImage() {
  const { data, info } = await sharp(path.join(GOLDEN_DIR, 'input.png'))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

const f32 = (g: { data: Float32Array | BigInt64Array }) => g.data as Float32Array;
const ints = (g: { data: Float32Array | BigInt64Array }) => Array.from(g.data as BigInt64Array, Number);

describe('Depth Anything V2 adapter (golden tensors)', () => {
  const dir = path.join(TEST_MODELS, 'depth-anything-v2-tiny');

  it('pre-processes like DPTImageProcessor', async () => {
    const image = await inputImage();
    const { data, width, height } = preprocessDepth(image, 56);
    const golden = readGolden('depth-anything.pixel_values.npy');
    expect([1, 3, height, width]).toEqual(golden.shape);
    const c = compare(data, f32(golden));
    expect(c.maxAbs).toBeLessThanOrEqual(2e-2);
    expect(c.meanAbs).toBeLessThan(2e-3);
  });

  it('runs the exported model through the backend as PyTorch does', async () => {
    const input = readGolden('depth-anything.pixel_values.npy');
    const { session, provider } = await openSession(
      path.join(dir, 'model.onnx'),
      'depth-anything-v2-tiny',
      'cpu',
    );
    const out = await session.run({ pixel_values: { type: 'float32', data: f32(input), dims: input.shape } });
    await session.release();
    expect(provider).toBe('cpu');
    const golden = readGolden('depth-anything.predicted_depth.npy');
    expect(out.predicted_depth.dims).toEqual(golden.shape);
    expect(compare(out.predicted_depth.data as Float32Array, f32(golden)).rel).toBeLessThan(1e-4);
  });

  it('resizes the output back like post_process_depth_estimation', () => {
    const raw = readGolden('depth-anything.predicted_depth.npy');
    const values = postprocessDepth({ type: 'float32', data: f32(raw), dims: raw.shape }, 80, 60, 'm');
    expect(compare(values, f32(readGolden('depth-anything.depth.npy'))).rel).toBeLessThan(1e-3);
  });
});

describe('Depth Anything V2 optimized for CUDA (float16, fused attention and residual steps, float16 I/O; CPU golden)', () => {
  // scripts/models/optimize_for_cuda.py applied to depth-anything-v2-tiny: the rewrite the GPU path runs,
  // checked here on the CPU against PyTorch fp32 through the worker's own steps (signature check, the
  // session's declared input types, the adapter's prepare and finish).
  const dir = path.join(TEST_MODELS, 'depth-anything-v2-tiny-cuda-fp16');

  it('declares float16 pixel_values and gives PyTorch fp32 depth within 1e-2 (relative L2)', async () => {
    const read = await readManifest(dir);
    if (read.kind !== 'ok') throw new Error(`model.json: ${read.kind}`);
    const spec = read.manifest;
    expect(spec.architecture).toBe('depth-anything-v2');
    const { session } = await openSession(path.join(dir, 'model.onnx'), spec.name, 'cpu');
    try {
      const adapter = new DepthAnythingAdapter();
      checkSignature(spec.name, session.signature, adapter);
      const ctx = { spec, dir, inputTypes: inputTypesOf(session.signature) };
      expect(ctx.inputTypes.pixel_values).toBe('float16');
      const prepared = adapter.prepare(await inputImage(), {}, ctx);
      expect(prepared.feeds.pixel_values.type).toBe('float16');
      const out = await session.run(prepared.feeds);
      expect(out.predicted_depth.type).toBe('float16');
      const golden = readGolden('depth-anything.predicted_depth.npy');
      expect(out.predicted_depth.dims).toEqual(golden.shape);
      const depth = adapter.finish(out, prepared.meta, {}, ctx);
      const want = f32(readGolden('depth-anything.depth.npy'));
      const rel = compare(depth.values, want).rel;
      expect(rel).toBeLessThan(1e-2);
      expect(rel).toBeGreaterThan(0); // float16 arithmetic: not the float32 file by mistake
    } finally {
      await session.release();
    }
  });
});

describe('OWLv2 adapter (golden tensors)', () => {
  const dir = path.join(TEST_MODELS, 'owlv2-tiny');
  const index = goldenIndex()['owlv2-tiny'] as {
    tokenizer: { queries: string[] };
    model_queries: string[];
    postprocess: { threshold: number; boxes: number[][]; scores: number[]; labels: number[] };
  };

  async function tokenizer() {
    return QueryTokenizer.load(
      'owlv2-tiny',
      path.join(dir, 'tokenizer.json'),
      path.join(dir, 'tokenizer_config.json'),
      16,
    );
  }

  it('tokenizes queries exactly as Owlv2Processor (the npm tokenizer reading the model files)', async () => {
    const tok = await tokenizer();
    const ids = ints(readGolden('owlv2.tokenizer.input_ids.npy'));
    const mask = ints(readGolden('owlv2.tokenizer.attention_mask.npy'));
    index.tokenizer.queries.forEach((q, i) => {
      if (q.trim() === '') return; // refused on purpose: an empty query names nothing
      const e = tok.encode([q]);
      expect({ q, ids: e.ids[0] }).toEqual({ q, ids: ids.slice(i * 16, i * 16 + 16) });
      expect(e.mask[0]).toEqual(mask.slice(i * 16, i * 16 + 16));
    });
    expect(() => tok.encode(['dog', ' '])).toThrow(/queries\[1\]: must be a non-empty string/);
  });

  it('pre-processes like Owlv2ImageProcessor', async () => {
    const { data } = preprocessOwl(await inputImage(), 64);
    const c = compare(data, f32(readGolden('owlv2.pixel_values.npy')));
    expect(c.maxAbs).toBeLessThanOrEqual(2e-2);
    expect(c.meanAbs).toBeLessThan(2e-3);
  });

  it('runs the exported model through the backend as PyTorch does', async () => {
    const { session } = await openSession(path.join(dir, 'model.onnx'), 'owlv2-tiny', 'cpu');
    const ids = readGolden('owlv2.input_ids.npy');
    const mask = readGolden('owlv2.attention_mask.npy');
    const pixels = readGolden('owlv2.pixel_values.npy');
    const out = await session.run({
      input_ids: { type: 'int64', data: ids.data, dims: ids.shape },
      attention_mask: { type: 'int64', data: mask.data, dims: mask.shape },
      pixel_values: { type: 'float32', data: f32(pixels), dims: pixels.shape },
    });
    await session.release();
    expect(compare(out.logits.data as Float32Array, f32(readGolden('owlv2.logits.npy'))).rel).toBeLessThan(
      1e-4,
    );
    expect(
      compare(out.pred_boxes.data as Float32Array, f32(readGolden('owlv2.pred_boxes.npy'))).rel,
    ).toBeLessThan(1e-4);
  });

  it('decodes like post_process_object_detection (before NMS; boxes clamped to the image)', () => {
    const logits = readGolden('owlv2.logits.npy');
    const boxes = readGolden('owlv2.pred_boxes.npy');
    const queries = index.model_queries;
    const found = decodeOwl(
      { type: 'float32', data: f32(logits), dims: logits.shape },
      { type: 'float32', data: f32(boxes), dims: boxes.shape },
      { width: 80, height: 60, side: 80, queries },
      { scoreThreshold: index.postprocess.threshold, iouThreshold: 1, maxDetections: 1000 },
    );
    const expected = index.postprocess.scores
      .map((score, i) => {
        const [x1, y1, x2, y2] = index.postprocess.boxes[i];
        const box = [Math.max(0, x1), Math.max(0, y1), Math.min(80, x2), Math.min(60, y2)];
        return { label: queries[index.postprocess.labels[i]], score, box };
      })
      .filter((d) => d.box[2] - d.box[0] >= 1 && d.box[3] - d.box[1] >= 1)
      .sort((a, b) => b.score - a.score);
    expect(found.map((d) => d.label)).toEqual(expected.map((d) => d.label));
    found.forEach((d, i) => {
      expect(d.score).toBeCloseTo(expected[i].score, 4);
      d.box.forEach((v, k) => expect(v).toBeCloseTo(expected[i].box[k], 2));
    });
  });
});

describe('golden fixtures', () => {
  it('are the files the index describes', () => {
    const index = goldenIndex();
    expect(readFileSync(path.join(GOLDEN_DIR, 'input.png')).length).toBeGreaterThan(0);
    expect(Object.keys(index)).toEqual(expect.arrayContaining(['depth-anything-v2-tiny', 'owlv2-tiny']));
  });
});
