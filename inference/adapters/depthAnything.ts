/**
 * Depth Anything V2 (Small/Base/Large, relative or metric), as exported by Hugging Face transformers:
 * input `pixel_values` float32 [batch, 3, H, W], output `predicted_depth` [batch, H, W].
 *
 * Pre-processing follows `DPTImageProcessor` with the models' own settings: resize (bicubic, Pillow)
 * keeping the aspect ratio with the scale closer to 1 of the two that would reach inputSize x
 * inputSize, both sides a multiple of 14, rescale to 0..1, ImageNet mean/std. Post-processing follows
 * `post_process_depth_estimation`: bicubic interpolation back to the image size (torch convention).
 * Relative models give inverse depth (larger = nearer); metric ones give meters. Models with float16
 * input and output (fp16 end to end: half the bytes across PCIe) get `pixel_values` converted to float16
 * here, in the prepare step that runs in the workers, and their float16 depth converted back.
 */

import { ModelError } from '../../src/errors/errors';
import type { PlainTensor } from '../backend/tensor';
import { fromFloat16, toFloat16 } from '../preprocess/float16';
import { resample, resampleImage } from '../preprocess/resample';
import { IMAGENET_MEAN, IMAGENET_STD } from '../preprocess/tensorize';
import type { DepthPrediction } from '../results';
import type { AdapterContext, ExpectedTensor, ModelAdapter, RgbImage } from './adapter';

const MULTIPLE = 14;

interface DepthMeta {
  width: number;
  height: number;
}

/** Python's round(): halves to even, as the processor's constrain_to_multiple_of uses it. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function toMultiple(value: number, multiple: number): number {
  let x = roundHalfEven(value / multiple) * multiple;
  if (x < multiple) x = Math.ceil(value / multiple) * multiple;
  return Math.max(x, multiple);
}

/** The processor's output size for an image (keep_aspect_ratio, ensure_multiple_of 14). */
export function depthInputSize(
  width: number,
  height: number,
  target: number,
): { width: number; height: number } {
  let scaleH = target / height;
  let scaleW = target / width;
  if (Math.abs(1 - scaleW) < Math.abs(1 - scaleH)) scaleH = scaleW;
  else scaleW = scaleH;
  return { width: toMultiple(scaleW * width, MULTIPLE), height: toMultiple(scaleH * height, MULTIPLE) };
}

/** Image -> `pixel_values` data (CHW) at the processor's size. */
export function preprocessDepth(
  image: RgbImage,
  target: number,
): { data: Float32Array; width: number; height: number } {
  const size = depthInputSize(image.width, image.height, target);
  // Resize, uint8 rounding, rescale, normalisation and the planar layout in one pass.
  const data = resampleImage(image.data, image.width, image.height, 3, size.width, size.height, {
    filter: 'bicubic',
    convention: 'pil',
    uint8: true,
    toChw: { rescale: 1 / 255, mean: IMAGENET_MEAN, std: IMAGENET_STD },
  });
  return { data, ...size };
}

/** A [1, h, w] (or [h, w]) float32 or float16 model output -> values at the image size. */
export function postprocessDepth(
  output: PlainTensor,
  width: number,
  height: number,
  model: string,
): Float32Array {
  const dims = output.dims.length === 3 ? output.dims.slice(1) : output.dims;
  if (dims.length !== 2 || (output.type !== 'float32' && output.type !== 'float16')) {
    throw new ModelError(
      `must be float32 or float16 [batch, height, width]; got ${output.type} [${output.dims.join(', ')}]`,
      model,
      'predicted_depth',
    );
  }
  const [h, w] = dims;
  const data =
    output.type === 'float16' ? fromFloat16(output.data as Uint16Array) : (output.data as Float32Array);
  return resample(data, w, h, 1, width, height, {
    filter: 'bicubic',
    convention: 'torch',
  });
}

export class DepthAnythingAdapter implements ModelAdapter<Record<string, never>, DepthPrediction, DepthMeta> {
  readonly architecture = 'depth-anything-v2' as const;
  readonly task = 'depth' as const;
  readonly inputs: readonly ExpectedTensor[] = [
    { name: 'pixel_values', type: 'float32', rank: 4, fixed: [undefined, 3], float16: true },
  ];
  readonly outputs: readonly ExpectedTensor[] = [
    { name: 'predicted_depth', type: 'float32', rank: 3, float16: true },
  ];

  prepare(image: RgbImage, _options: Record<string, never>, ctx: AdapterContext) {
    const { data, width, height } = preprocessDepth(image, ctx.spec.inputSize);
    const dims = [1, 3, height, width];
    const pixelValues: PlainTensor =
      ctx.inputTypes?.pixel_values === 'float16'
        ? { type: 'float16', data: toFloat16(data), dims }
        : { type: 'float32', data, dims };
    return {
      feeds: { pixel_values: pixelValues },
      batchKey: `${width}x${height}`,
      meta: { width: image.width, height: image.height },
    };
  }

  finish(
    outputs: Record<string, PlainTensor>,
    meta: DepthMeta,
    _options: unknown,
    ctx: AdapterContext,
  ): DepthPrediction {
    const values = postprocessDepth(outputs.predicted_depth, meta.width, meta.height, ctx.spec.name);
    return { width: meta.width, height: meta.height, values, unit: ctx.spec.depthOutput ?? 'inverse' };
  }
}
