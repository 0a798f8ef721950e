/**
 * OWLv2 (open-vocabulary detection: an image and text queries in, boxes labelled by the queries out),
 * as exported by Hugging Face transformers. Inputs: `input_ids` / `attention_mask` int64
 * [batch x queries, L] (every image of a batch carries the same number of queries), `pixel_values`
 * float32 [batch, 3, S, S]. Outputs: `logits` [batch, boxes, queries], `pred_boxes` [batch, boxes, 4]
 * as (cx, cy, w, h) relative to the padded square.
 *
 * Pre-processing follows `Owlv2ImageProcessor` (transformers 5): rescale to 0..1, pad right and bottom
 * to a square with black (transformers 4 padded with 0.5 gray; the golden tensors pin the current one), Gaussian antialiasing when shrinking (sigma = (factor - 1) / 2), linear resize to S x S
 * (scipy.ndimage conventions), CLIP mean/std. Post-processing follows `post_process_object_detection`
 * (best query per box, sigmoid, threshold; boxes scaled by the padded side, so they land in original
 * pixels) followed by per-label non-maximum suppression.
 */

import path from 'node:path';
import { UserInputError } from '../../src/errors/errors';
import { int64, type PlainTensor } from '../backend/tensor';
import { clampBox, nonMaxSuppression } from '../postprocess/nms';
import { gaussianBlur, resampleImage } from '../preprocess/resample';
import { CLIP_MEAN, CLIP_STD } from '../preprocess/tensorize';
import type { Detection, DetectOptions } from '../results';
import { QueryTokenizer } from '../tokenizer/textQueries';
import type { AdapterContext, ExpectedTensor, ModelAdapter, RgbImage } from './adapter';

/** Most text queries in one request: each query is a row of the text tower's batch. */
export const MAX_QUERIES = 64;
export const OWLV2_DEFAULT_THRESHOLD = 0.1;
const TEXT_LENGTH = 16;
/** Fill of the padding, on the 0..255 scale. */
const OWLV2_PAD_VALUE = 0;

interface OwlMeta {
  width: number;
  height: number;
  side: number;
  queries: string[];
}

export function preprocessOwl(image: RgbImage, size: number): { data: Float32Array; side: number } {
  // Padding and the rescale to 0..1 in one copy (the blur needs the padded square).
  const side = Math.max(image.width, image.height);
  const scaled = new Float32Array(side * side * 3).fill(OWLV2_PAD_VALUE / 255);
  const rowLength = image.width * 3;
  for (let y = 0; y < image.height; y++) {
    const from = y * rowLength;
    const to = y * side * 3;
    for (let i = 0; i < rowLength; i++) scaled[to + i] = image.data[from + i] / 255;
  }
  const factor = side / size;
  const sigma = Math.max(0, (factor - 1) / 2);
  const blurred = sigma > 0 ? gaussianBlur(scaled, side, side, 3, sigma, sigma) : scaled;
  const data = resampleImage(blurred, side, side, 3, size, size, {
    filter: 'bilinear',
    convention: 'ndimage',
    toChw: { rescale: 1, mean: CLIP_MEAN, std: CLIP_STD },
  });
  return { data, side };
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function decodeOwl(
  logits: PlainTensor,
  boxes: PlainTensor,
  meta: OwlMeta,
  options: DetectOptions,
): Detection[] {
  const [, numBoxes, numQueries] = logits.dims;
  const l = logits.data as Float32Array;
  const b = boxes.data as Float32Array;
  const threshold = options.scoreThreshold ?? OWLV2_DEFAULT_THRESHOLD;
  const found: Detection[] = [];
  for (let i = 0; i < numBoxes; i++) {
    let best = 0;
    for (let q = 1; q < numQueries; q++) if (l[i * numQueries + q] > l[i * numQueries + best]) best = q;
    const score = sigmoid(l[i * numQueries + best]);
    if (!(score > threshold)) continue;
    const [cx, cy, w, h] = [b[i * 4], b[i * 4 + 1], b[i * 4 + 2], b[i * 4 + 3]];
    const box = clampBox(
      [
        (cx - w / 2) * meta.side,
        (cy - h / 2) * meta.side,
        (cx + w / 2) * meta.side,
        (cy + h / 2) * meta.side,
      ],
      meta.width,
      meta.height,
    );
    if (box) found.push({ label: meta.queries[best], score, box });
  }
  return nonMaxSuppression(found, options.iouThreshold ?? 0.3, options.maxDetections ?? 100);
}

export class Owlv2Adapter implements ModelAdapter<DetectOptions, Detection[], OwlMeta> {
  readonly architecture = 'owlv2' as const;
  readonly task = 'detect' as const;
  readonly inputs: readonly ExpectedTensor[] = [
    { name: 'input_ids', type: 'int64', rank: 2 },
    { name: 'attention_mask', type: 'int64', rank: 2 },
    { name: 'pixel_values', type: 'float32', rank: 4, fixed: [undefined, 3] },
  ];
  readonly outputs: readonly ExpectedTensor[] = [
    { name: 'logits', type: 'float32', rank: 3 },
    { name: 'pred_boxes', type: 'float32', rank: 3 },
  ];
  private tokenizer?: QueryTokenizer;

  async load(ctx: AdapterContext): Promise<void> {
    const file = (role: string) => {
      const f = ctx.spec.files.find((x) => x.role === role);
      return path.join(ctx.dir, f?.path ?? `${role}.json`);
    };
    this.tokenizer = await QueryTokenizer.load(
      ctx.spec.name,
      file('tokenizer'),
      file('tokenizer_config'),
      TEXT_LENGTH,
    );
  }

  prepare(image: RgbImage, options: DetectOptions, ctx: AdapterContext) {
    const queries = options.queries ?? [];
    if (queries.length === 0)
      throw new UserInputError('an open-vocabulary detector needs at least one text query', 'queries');
    if (queries.length > MAX_QUERIES)
      throw new UserInputError(`at most ${MAX_QUERIES} queries; got ${queries.length}`, 'queries');
    const encoded = this.tokenizer!.encode(queries);
    const { data, side } = preprocessOwl(image, ctx.spec.inputSize);
    const s = ctx.spec.inputSize;
    return {
      feeds: {
        input_ids: int64(encoded.ids.flat(), [queries.length, TEXT_LENGTH]),
        attention_mask: int64(encoded.mask.flat(), [queries.length, TEXT_LENGTH]),
        pixel_values: { type: 'float32' as const, data, dims: [1, 3, s, s] },
      },
      batchKey: `q${queries.length}`,
      meta: { width: image.width, height: image.height, side, queries: [...queries] },
    };
  }

  finish(outputs: Record<string, PlainTensor>, meta: OwlMeta, options: DetectOptions): Detection[] {
    return decodeOwl(outputs.logits, outputs.pred_boxes, meta, options);
  }
}
