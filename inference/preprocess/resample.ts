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

export interface ResampleOptions {
  filter: Filter;
  convention: Convention;
  /**
   * Round and clip to 0..255 after each pass, as Pillow does for 8-bit images (the processors resize
   * uint8 images, and the tensors they produce carry that rounding).
   */
  uint8?: boolean;
}

/**
 * Resizes an interleaved image (`channels` values per pixel, row-major) to outWidth x outHeight.
 * Horizontal pass first, then vertical, as Pillow does.
 */
export function resample(
  src: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
  opts: ResampleOptions,
): Float32Array {
  const round = opts.uint8 ? (v: number) => Math.min(255, Math.max(0, Math.round(v))) : (v: number) => v;
  const h = computeTaps(width, outWidth, opts.filter, opts.convention);
  const mid = new Float32Array(outWidth * height * channels);
  for (let y = 0; y < height; y++) {
    const row = y * width * channels;
    for (let x = 0; x < outWidth; x++) {
      const off = x * h.width;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < h.width; k++) {
          const w = h.weight[off + k];
          if (w !== 0) acc += w * src[row + h.index[off + k] * channels + c];
        }
        mid[(y * outWidth + x) * channels + c] = round(acc);
      }
    }
  }
  const v = computeTaps(height, outHeight, opts.filter, opts.convention);
  const out = new Float32Array(outWidth * outHeight * channels);
  const stride = outWidth * channels;
  for (let y = 0; y < outHeight; y++) {
    const off = y * v.width;
    for (let k = 0; k < v.width; k++) {
      const w = v.weight[off + k];
      if (w === 0) continue;
      const srcRow = v.index[off + k] * stride;
      const dstRow = y * stride;
      for (let i = 0; i < stride; i++) out[dstRow + i] += w * mid[srcRow + i];
    }
  }
  if (opts.uint8) for (let i = 0; i < out.length; i++) out[i] = round(out[i]);
  return out;
}

/**
 * Separable Gaussian blur with mirrored borders, truncated at 4 sigma (scipy.ndimage.gaussian_filter's
 * defaults, mode 'mirror'): the antialiasing step OWLv2's processor applies before shrinking.
 */
export function gaussianBlur(
  src: Float32Array,
  width: number,
  height: number,
  channels: number,
  sigmaX: number,
  sigmaY: number,
): Float32Array {
  const pass = (input: Float32Array, sigma: number, horizontal: boolean): Float32Array => {
    if (sigma <= 0) return input;
    const radius = Math.floor(4 * sigma + 0.5);
    const kernel = new Float32Array(2 * radius + 1);
    let sum = 0;
    for (let k = -radius; k <= radius; k++) {
      const w = Math.exp((-0.5 * k * k) / (sigma * sigma));
      kernel[k + radius] = w;
      sum += w;
    }
    for (let k = 0; k < kernel.length; k++) kernel[k] /= sum;
    const out = new Float32Array(input.length);
    const n = horizontal ? width : height;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const pos = horizontal ? x : y;
        for (let c = 0; c < channels; c++) {
          let acc = 0;
          for (let k = -radius; k <= radius; k++) {
            // scipy 'mirror' reflects about the edge pixel's centre (d c b | a b c d | c b a).
            const j = mirror(pos + k, n);
            const idx = horizontal ? (y * width + j) * channels + c : (j * width + x) * channels + c;
            acc += kernel[k + radius] * input[idx];
          }
          out[(y * width + x) * channels + c] = acc;
        }
      }
    }
    return out;
  };
  return pass(pass(src, sigmaX, true), sigmaY, false);
}
