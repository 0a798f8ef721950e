/**
 * From resized pixels to model input: rescale, per-channel normalisation, and the layout the model
 * reads (planar NCHW for the PyTorch-exported models, interleaved NHWC for the TensorFlow one).
 */

export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

export interface Normalization {
  /** Multiplier applied first (1/255 for 0..1 models; 1 for 0..255 models). */
  rescale: number;
  mean?: readonly number[];
  std?: readonly number[];
}

/** Interleaved RGB (HWC) -> planar CHW, `(v * rescale - mean[c]) / std[c]`. */
export function toChw(
  hwc: ArrayLike<number>,
  width: number,
  height: number,
  norm: Normalization,
): Float32Array {
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const mean = norm.mean?.[c] ?? 0;
    const inv = 1 / (norm.std?.[c] ?? 1);
    const base = c * plane;
    for (let i = 0; i < plane; i++) out[base + i] = (hwc[i * 3 + c] * norm.rescale - mean) * inv;
  }
  return out;
}

/** Interleaved RGB stays interleaved (HWC), `(v * rescale - mean[c]) / std[c]`. */
export function toHwc(
  hwc: ArrayLike<number>,
  width: number,
  height: number,
  norm: Normalization,
): Float32Array {
  const out = new Float32Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) {
      out[i * 3 + c] = (hwc[i * 3 + c] * norm.rescale - (norm.mean?.[c] ?? 0)) / (norm.std?.[c] ?? 1);
    }
  }
  return out;
}

/**
 * Pads an interleaved image on the right and bottom to a square of side max(width, height), filling
 * with `value` (OWLv2 pads with black).
 */
export function padToSquare(
  hwc: ArrayLike<number>,
  width: number,
  height: number,
  value: number,
): { data: Float32Array; side: number } {
  const side = Math.max(width, height);
  const out = new Float32Array(side * side * 3).fill(value);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width * 3; x++) out[y * side * 3 + x] = hwc[y * width * 3 + x];
  }
  return { data: out, side };
}
