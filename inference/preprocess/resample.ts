/**
 * Separable image resampling with the conventions of the reference implementations the models were
 * trained and exported with, so that our tensors match theirs within rounding:
 *
 * - `pil`: Pillow's `Image.resize` (what Hugging Face image processors call for uint8 images):
 *   support widened by the scale when shrinking (antialiasing), taps cut at the border and weights
 *   renormalised; bicubic with a = -0.5.
 * - `torch`: `torch.nn.functional.interpolate(..., align_corners=False)` without antialias: fixed
 *   support, out-of-range taps clamped to the border; bicubic with a = -0.75.
 * - `ndimage`: `scipy.ndimage.zoom(order=1, grid_mode=True, mode='mirror')` (OWLv2's processor):
 *   linear taps, mirrored at the border. Its Gaussian antialiasing pre-filter is `gaussianBlur` below.
 * - `tf`: TensorFlow's `resize_bilinear` with its defaults (align_corners and half_pixel_centers
 *   false), which the TFJS CenterNet was used with: x_in = x_out * scale, taps floor and ceil.
 *
 * Pixel centres map as x_in = (x_out + 0.5) * scale - 0.5 in the first three.
 */

import type { Normalization } from './tensorize';

export type Filter = 'bilinear' | 'bicubic';
export type Convention = 'pil' | 'torch' | 'ndimage' | 'tf';

interface Taps {
  /** Per output index: `count` source indices and weights, from `offset = i * width`. */
  index: Int32Array;
  weight: Float32Array;
  width: number;
}

function cubic(a: number): (x: number) => number {
  return (x) => {
    const t = Math.abs(x);
    if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
    if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
    return 0;
  };
}

function linear(x: number): number {
  const t = Math.abs(x);
  return t < 1 ? 1 - t : 0;
}

function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let k = Math.abs(i) % period;
  if (k >= n) k = period - k;
  return k;
}

function computeTaps(inSize: number, outSize: number, filter: Filter, convention: Convention): Taps {
  const scale = inSize / outSize;
  const kernel = filter === 'bilinear' ? linear : cubic(convention === 'torch' ? -0.75 : -0.5);
  const baseSupport = filter === 'bilinear' ? 1 : 2;
  const filterScale = convention === 'pil' ? Math.max(scale, 1) : 1;
  const support = baseSupport * filterScale;
  const width = Math.ceil(support) * 2 + 1;
  const index = new Int32Array(outSize * width);
  const weight = new Float32Array(outSize * width);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const offset = i * width;
    if (convention === 'pil') {
      const lo = Math.max(Math.floor(center - support + 0.5), 0);
      const hi = Math.min(Math.floor(center + support + 0.5), inSize);
      let sum = 0;
      for (let x = lo, k = 0; x < hi && k < width; x++, k++) {
        const w = kernel((x - center + 0.5) / filterScale);
        index[offset + k] = x;
        weight[offset + k] = w;
        sum += w;
      }
      if (sum !== 0) for (let k = 0; k < width; k++) weight[offset + k] /= sum;
    } else if (convention === 'tf') {
      const src = i * scale;
      const x0 = Math.floor(src);
      const t = src - x0;
      index[offset] = Math.min(x0, inSize - 1);
      weight[offset] = 1 - t;
      index[offset + 1] = Math.min(Math.ceil(src), inSize - 1);
      weight[offset + 1] = t;
    } else {
      const src = center - 0.5;
      const first = Math.floor(src) - baseSupport + 1;
      for (let k = 0; k < 2 * baseSupport; k++) {
        const x = first + k;
        const w = kernel(src - x);
        index[offset + k] = convention === 'torch' ? Math.min(Math.max(x, 0), inSize - 1) : mirror(x, inSize);
        weight[offset + k] = w;
      }
    }
  }
  return { index, weight, width };
}

/**
 * Per output index, its taps with non-zero weight in source order: source index `index[t]` (and
 * `offset[t]` = index x the channel count) with `weight[t]`, for t from `start[i]` to `start[i + 1]`.
 */
interface CompactTaps {
  start: Int32Array;
  index: Int32Array;
  offset: Int32Array;
  weight: Float64Array;
}

/**
 * The taps of `computeTaps` without the zero-weight ones, in the same order (so every sum adds the
 * same products in the same order as the plain loops did, and gives the same bits). Indices at or
 * above `limit` are folded to `limit`: the padding beyond the source, read as one constant row or
 * column.
 */
function compactTaps(
  inSize: number,
  outSize: number,
  filter: Filter,
  convention: Convention,
  limit: number,
  channels: number,
): CompactTaps {
  const t = computeTaps(inSize, outSize, filter, convention);
  const start = new Int32Array(outSize + 1);
  let n = 0;
  for (let i = 0; i < t.weight.length; i++) if (t.weight[i] !== 0) n++;
  const index = new Int32Array(n);
  const offset = new Int32Array(n);
  const weight = new Float64Array(n);
  n = 0;
  for (let i = 0; i < outSize; i++) {
    start[i] = n;
    for (let k = 0; k < t.width; k++) {
      const w = t.weight[i * t.width + k];
      if (w === 0) continue;
      index[n] = Math.min(t.index[i * t.width + k], limit);
      offset[n] = index[n] * channels;
      weight[n++] = w;
    }
  }
  start[outSize] = n;
  return { start, index, offset, weight };
}

export interface ResampleOptions {
  filter: Filter;
  convention: Convention;
  /**
   * Round and clip to 0..255 after each pass, as Pillow does for 8-bit images (the processors resize
   * uint8 images, and the tensors they produce carry that rounding).
   */
  uint8?: boolean;
}

/** What `resampleImage` does around the resize, without separate passes over the data. */
export interface ResampleImageOptions extends ResampleOptions {
  /**
   * Pad on the right and bottom to a square of side max(width, height) with this value first: the
   * same result as resizing `padToSquare`'s output, without building the padded copy. Uint8 RGB only.
   */
  padSquare?: number;
  /**
   * Planar output, each value `(v * rescale - mean[c]) / std[c]` after the uint8 rounding: the same
   * as `toChw` on the interleaved result. RGB only.
   */
  toChw?: Normalization;
}

/**
 * Resizes an interleaved image (`channels` values per pixel, row-major) to outWidth x outHeight.
 * Horizontal pass first, then vertical, as Pillow does.
 */
export function resample(
  src: Uint8Array | Float32Array,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
  opts: ResampleOptions,
): Float32Array {
  return resampleImage(src, width, height, channels, outWidth, outHeight, opts);
}

/**
 * `resample`, optionally after `padToSquare` and followed by `toChw`, with the same values bit for
 * bit as those steps one after the other, and several times faster: the taps are compacted once per
 * axis (zero weights dropped, offsets premultiplied), the inner loops are monomorphic per source type
 * and channel count, the padding is never materialised (one constant row stands for all padded rows),
 * and the vertical pass accumulates each value in a register with float32 rounding per tap (what the
 * plain loop's float32 output array did) and writes it, rounded and normalised, to its final place.
 */
export function resampleImage(
  src: Uint8Array | Float32Array,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
  opts: ResampleImageOptions,
): Float32Array {
  if (src.length !== width * height * channels) {
    throw new Error(`resample: ${src.length} values for ${width}x${height}x${channels}`);
  }
  const padded = opts.padSquare !== undefined;
  if ((padded || opts.toChw) && channels !== 3) throw new Error('resample: padding and toChw need RGB');
  const inW = padded ? Math.max(width, height) : width;
  const inH = padded ? inW : height;
  const round = opts.uint8 === true;

  // Horizontal pass over the source rows; with padding below, one more row of the pad value.
  const h = compactTaps(inW, outWidth, opts.filter, opts.convention, width, channels);
  const stride = outWidth * channels;
  const extraRow = padded && inH > height;
  const mid = new Float32Array((extraRow ? height + 1 : height) * stride);
  if (padded) {
    if (!(src instanceof Uint8Array)) throw new Error('resample: padding needs a uint8 image');
    horizontalPadded3u8(src, width, height, h, outWidth, opts.padSquare!, round, mid);
  } else if (channels === 3 && src instanceof Uint8Array)
    horizontal3u8(src, width, height, h, outWidth, round, mid);
  else if (channels === 3) horizontal3f32(src as Float32Array, width, height, h, outWidth, round, mid);
  else if (channels === 1 && src instanceof Float32Array)
    horizontal1f32(src, width, height, h, outWidth, round, mid);
  else {
    const f = src instanceof Float32Array ? src : Float32Array.from(src);
    horizontalAny(f, width, height, channels, h, outWidth, round, mid);
  }
  if (extraRow) {
    const one = Uint8Array.from([opts.padSquare!, opts.padSquare!, opts.padSquare!]);
    const row = mid.subarray(height * stride);
    horizontalPadded3u8(
      one,
      1,
      1,
      compactTaps(inW, outWidth, opts.filter, opts.convention, 1, 3),
      outWidth,
      opts.padSquare!,
      round,
      row,
    );
  }

  // Vertical pass (tap offsets in rows of `stride` values).
  const v = compactTaps(inH, outHeight, opts.filter, opts.convention, height, stride);
  const out = new Float32Array(outWidth * outHeight * channels);
  if (opts.toChw) verticalChw(mid, v, outWidth, outHeight, round, opts.toChw, out);
  else verticalHwc(mid, v, stride, outHeight, round, out);
  return out;
}

const clip = (v: number): number => Math.min(255, Math.max(0, Math.round(v)));
const f32 = Math.fround;

function verticalHwc(
  mid: Float32Array,
  taps: CompactTaps,
  stride: number,
  outHeight: number,
  round: boolean,
  out: Float32Array,
): void {
  const { start, offset, weight } = taps;
  for (let y = 0; y < outHeight; y++) {
    const t0 = start[y];
    const t1 = start[y + 1];
    const row = y * stride;
    for (let i = 0; i < stride; i++) {
      let a = 0;
      for (let t = t0; t < t1; t++) a = f32(a + weight[t] * mid[offset[t] + i]);
      out[row + i] = round ? clip(a) : a;
    }
  }
}

function verticalChw(
  mid: Float32Array,
  taps: CompactTaps,
  outWidth: number,
  outHeight: number,
  round: boolean,
  norm: Normalization,
  out: Float32Array,
): void {
  const { start, offset, weight } = taps;
  const rescale = norm.rescale;
  const m0 = norm.mean?.[0] ?? 0;
  const m1 = norm.mean?.[1] ?? 0;
  const m2 = norm.mean?.[2] ?? 0;
  const i0 = 1 / (norm.std?.[0] ?? 1);
  const i1 = 1 / (norm.std?.[1] ?? 1);
  const i2 = 1 / (norm.std?.[2] ?? 1);
  const plane = outWidth * outHeight;
  for (let y = 0; y < outHeight; y++) {
    const t0 = start[y];
    const t1 = start[y + 1];
    const row = y * outWidth;
    for (let x = 0, p = 0; x < outWidth; x++, p += 3) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      for (let t = t0; t < t1; t++) {
        const w = weight[t];
        const q = offset[t] + p;
        a0 = f32(a0 + w * mid[q]);
        a1 = f32(a1 + w * mid[q + 1]);
        a2 = f32(a2 + w * mid[q + 2]);
      }
      if (round) {
        a0 = clip(a0);
        a1 = clip(a1);
        a2 = clip(a2);
      }
      out[row + x] = (a0 * rescale - m0) * i0;
      out[plane + row + x] = (a1 * rescale - m1) * i1;
      out[2 * plane + row + x] = (a2 * rescale - m2) * i2;
    }
  }
}

// The horizontal kernels below are one loop written out per source type and channel count, so that
// each stays monomorphic (one element kind per load), which is what makes them fast in V8.

function horizontal3u8(
  src: Uint8Array,
  width: number,
  height: number,
  taps: CompactTaps,
  outWidth: number,
  round: boolean,
  mid: Float32Array,
): void {
  const { start, offset, weight } = taps;
  for (let y = 0, o = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < outWidth; x++, o += 3) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      for (let t = start[x], e = start[x + 1]; t < e; t++) {
        const p = row + offset[t];
        const w = weight[t];
        a0 += w * src[p];
        a1 += w * src[p + 1];
        a2 += w * src[p + 2];
      }
      mid[o] = round ? clip(a0) : a0;
      mid[o + 1] = round ? clip(a1) : a1;
      mid[o + 2] = round ? clip(a2) : a2;
    }
  }
}

function horizontal3f32(
  src: Float32Array,
  width: number,
  height: number,
  taps: CompactTaps,
  outWidth: number,
  round: boolean,
  mid: Float32Array,
): void {
  const { start, offset, weight } = taps;
  for (let y = 0, o = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < outWidth; x++, o += 3) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      for (let t = start[x], e = start[x + 1]; t < e; t++) {
        const p = row + offset[t];
        const w = weight[t];
        a0 += w * src[p];
        a1 += w * src[p + 1];
        a2 += w * src[p + 2];
      }
      mid[o] = round ? clip(a0) : a0;
      mid[o + 1] = round ? clip(a1) : a1;
      mid[o + 2] = round ? clip(a2) : a2;
    }
  }
}

function horizontal1f32(
  src: Float32Array,
  width: number,
  height: number,
  taps: CompactTaps,
  outWidth: number,
  round: boolean,
  mid: Float32Array,
): void {
  const { start, offset, weight } = taps;
  for (let y = 0, o = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < outWidth; x++, o++) {
      let a = 0;
      for (let t = start[x], e = start[x + 1]; t < e; t++) a += weight[t] * src[row + offset[t]];
      mid[o] = round ? clip(a) : a;
    }
  }
}

function horizontalAny(
  src: Float32Array,
  width: number,
  height: number,
  channels: number,
  taps: CompactTaps,
  outWidth: number,
  round: boolean,
  mid: Float32Array,
): void {
  const { start, offset, weight } = taps;
  for (let y = 0, o = 0; y < height; y++) {
    const row = y * width * channels;
    for (let x = 0; x < outWidth; x++) {
      for (let c = 0; c < channels; c++, o++) {
        let a = 0;
        for (let t = start[x], e = start[x + 1]; t < e; t++) a += weight[t] * src[row + offset[t] + c];
        mid[o] = round ? clip(a) : a;
      }
    }
  }
}

/** `horizontal3u8` where a tap index equal to `width` reads the pad value (the padded columns). */
function horizontalPadded3u8(
  src: Uint8Array,
  width: number,
  height: number,
  taps: CompactTaps,
  outWidth: number,
  pad: number,
  round: boolean,
  mid: Float32Array,
): void {
  const { start, index, offset, weight } = taps;
  for (let y = 0, o = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < outWidth; x++, o += 3) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      for (let t = start[x], e = start[x + 1]; t < e; t++) {
        const w = weight[t];
        if (index[t] < width) {
          const p = row + offset[t];
          a0 += w * src[p];
          a1 += w * src[p + 1];
          a2 += w * src[p + 2];
        } else {
          a0 += w * pad;
          a1 += w * pad;
          a2 += w * pad;
        }
      }
      mid[o] = round ? clip(a0) : a0;
      mid[o + 1] = round ? clip(a1) : a1;
      mid[o + 2] = round ? clip(a2) : a2;
    }
  }
}

/**
 * Separable Gaussian blur with mirrored borders, truncated at 4 sigma (scipy.ndimage.gaussian_filter's
 * defaults, mode 'mirror'): the antialiasing step OWLv2's processor applies before shrinking. Each
 * value is the kernel's sum in double precision, taps in order, stored as float32.
 */
export function gaussianBlur(
  src: Float32Array,
  width: number,
  height: number,
  channels: number,
  sigmaX: number,
  sigmaY: number,
): Float32Array {
  const horizontal = blurPass(src, width, height, channels, sigmaX, true);
  return blurPass(horizontal, width, height, channels, sigmaY, false);
}

function blurPass(
  input: Float32Array,
  width: number,
  height: number,
  channels: number,
  sigma: number,
  horizontal: boolean,
): Float32Array {
  if (sigma <= 0) return input;
  const radius = Math.floor(4 * sigma + 0.5);
  const taps = 2 * radius + 1;
  const kernel = new Float32Array(taps);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    const w = Math.exp((-0.5 * k * k) / (sigma * sigma));
    kernel[k + radius] = w;
    sum += w;
  }
  for (let k = 0; k < taps; k++) kernel[k] /= sum;
  // scipy 'mirror' reflects about the edge pixel's centre (d c b | a b c d | c b a).
  const n = horizontal ? width : height;
  const index = new Int32Array(n * taps);
  for (let pos = 0; pos < n; pos++) {
    for (let k = 0; k < taps; k++) index[pos * taps + k] = mirror(pos + k - radius, n);
  }
  const out = new Float32Array(input.length);
  const stride = width * channels;
  if (horizontal) {
    for (let y = 0; y < height; y++) blurRow(input, out, y * stride, width, channels, kernel, index);
  } else {
    const acc = new Float64Array(stride);
    for (let y = 0; y < height; y++) {
      acc.fill(0);
      for (let k = 0; k < taps; k++) accumulate64(acc, input, index[y * taps + k] * stride, kernel[k]);
      out.set(acc, y * stride);
    }
  }
  return out;
}

function blurRow(
  input: Float32Array,
  out: Float32Array,
  row: number,
  width: number,
  channels: number,
  kernel: Float32Array,
  index: Int32Array,
): void {
  const taps = kernel.length;
  for (let x = 0; x < width; x++) {
    const o = row + x * channels;
    for (let c = 0; c < channels; c++) {
      let a = 0;
      for (let k = 0, t = x * taps; k < taps; k++, t++) a += kernel[k] * input[row + index[t] * channels + c];
      out[o + c] = a;
    }
  }
}

function accumulate64(row: Float64Array, src: Float32Array, from: number, w: number): void {
  for (let i = 0; i < row.length; i++) row[i] += w * src[from + i];
}
