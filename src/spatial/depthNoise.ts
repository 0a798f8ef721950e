/**
 * Pixel noise of a depth map, and how it is taken out of an object's depth range.
 *
 * A depth sensor or a noisy model output can carry noise that is independent from pixel to pixel
 * (z' = z (1 + s g), g standard normal). It does not move an object's median depth (the median of a
 * thousand samples is stable to a fraction of s), but it widens every object's [p5, p95] to about
 * +-1.645 s of its depth, so that two flat faces a few per cent apart in depth overlap and no depth
 * order is found. Smooth errors (a monocular model's, which follow the image content) are not pixel
 * noise: they neither show up in the estimate below nor average out, and are left alone.
 *
 * Estimate (`estimatePixelNoise`): the relative difference r = 2 (z2 - z1) / (z1 + z2) of horizontally
 * adjacent valid pixels is, on a smooth surface, s (g2 - g1) ~ N(0, 2 s^2); depth edges and steep
 * surfaces add a minority of large |r|, which the median ignores. s = 1.4826 median |r| / sqrt(2).
 * The pairs come from evenly spaced rows, at most MAX_NOISE_PAIRS of them: bounded work, and the
 * same pairs for the same map.
 *
 * Correction (`denoiseHalfWidth`): each half of the range (p50 - p5, p95 - p50) of an object whose
 * median depth is m loses the noise's half-width in quadrature, h' = sqrt(h^2 - (1.645 s m)^2), and
 * gets back `margin` standard errors of its own estimate, 2.113 s m / sqrt(n) for n samples (the
 * standard error of a Gaussian 5th/95th percentile, sqrt(0.05 * 0.95 / n) / phi(1.645) in units of
 * its standard deviation), so that an object with few samples keeps a wider range and its depth
 * order stays unclaimed where the samples cannot settle it. h' never exceeds h.
 */

import type { DepthMap } from './depthMap';
import { quantilesInPlace } from './quantiles';

/** At most this many adjacent pairs are compared (16 rows of a 518-pixel map): the estimate is within about 2% of the noise level, at a small part of a build's time. */
export const MAX_NOISE_PAIRS = 8192;

/** Standard normal 95th percentile. */
const Z95 = 1.6448536269514722;
/** Standard error of a 5th / 95th percentile estimate, times sqrt(n), in standard deviations. */
export const PERCENTILE_SE_FACTOR =
  Math.sqrt(0.05 * 0.95) / (Math.exp((-Z95 * Z95) / 2) / Math.sqrt(2 * Math.PI));
/** MAD to standard deviation for a normal distribution. */
const MAD_TO_SD = 1.482602218505602;

let scratch = new Float64Array(0);

/**
 * Relative standard deviation s of pixel-independent multiplicative noise in `depth` (0 when fewer
 * than 64 adjacent valid pairs exist). A noise-free map gives a small value from its surfaces' slope,
 * which the caller compares with a floor.
 */
export function estimatePixelNoise(depth: DepthMap): number {
  const { width, height, data } = depth;
  if (width < 2 || height < 1) return 0;
  const perRow = width - 1;
  const rows = Math.max(1, Math.min(height, Math.floor(MAX_NOISE_PAIRS / perRow)));
  if (scratch.length < rows * perRow) scratch = new Float64Array(rows * perRow);
  let n = 0;
  for (let r = 0; r < rows; r++) {
    // Rows evenly spread over the map, centred in their stripes.
    const v = Math.min(height - 1, Math.floor(((r + 0.5) * height) / rows));
    const at = v * width;
    let z1 = data[at];
    for (let u = 1; u < width; u++) {
      const z2 = data[at + u];
      // NaN fails both comparisons: invalid pixels are skipped.
      if (z1 > 0 && z2 > 0) scratch[n++] = Math.abs(z2 - z1) / (z1 + z2);
      z1 = z2;
    }
  }
  if (n < 64) return 0;
  // |r| / 2 was stored: 2 (z2 - z1) / (z1 + z2) halved, so the median is doubled back here.
  const [medianHalf] = quantilesInPlace(scratch, n, [0.5]);
  return (MAD_TO_SD * 2 * medianHalf) / Math.SQRT2;
}

/**
 * One half of an object's depth range, `halfWidth` = p95 - p50 or p50 - p5, with pixel noise of relative
 * standard deviation `noise` taken out (see the module comment): median depth `median`, `samples`
 * samples, `margin` standard errors kept.
 */
export function denoiseHalfWidth(
  halfWidth: number,
  median: number,
  samples: number,
  noise: number,
  margin: number,
): number {
  if (!(noise > 0) || !(halfWidth > 0) || samples < 1) return halfWidth;
  const scale = noise * Math.abs(median);
  const noiseHalf = Z95 * scale;
  const own = Math.sqrt(Math.max(0, halfWidth * halfWidth - noiseHalf * noiseHalf));
  return Math.min(halfWidth, own + (margin * PERCENTILE_SE_FACTOR * scale) / Math.sqrt(samples));
}

/** The inverse of the quadrature step: a noise-free half-width as the noisy samples spread (no margin). */
export function noisyHalfWidth(halfWidth: number, median: number, noise: number): number {
  if (!(noise > 0)) return halfWidth;
  const noiseHalf = Z95 * noise * Math.abs(median);
  return Math.sqrt(halfWidth * halfWidth + noiseHalf * noiseHalf);
}

/**
 * One standard error (in depth units) of an object's noise-corrected p5 / p95, from its measurement
 * evidence (`depthNoise`, and `kept` or `samples`); 0 when no pixel noise was taken out.
 */
export function rangeStandardError(
  evidence: Readonly<Record<string, number | string | boolean>> | undefined,
  median: number,
): number {
  const noise = evidence?.depthNoise;
  const n = evidence?.kept ?? evidence?.samples;
  if (typeof noise !== 'number' || !(noise > 0) || typeof n !== 'number' || !(n >= 1)) return 0;
  return (PERCENTILE_SE_FACTOR * noise * Math.abs(median)) / Math.sqrt(n);
}

/**
 * The noise-free half-widths of an object's depth distribution below and above its median, for covers
 * under pixel noise: each side's semi-variance about the median (the mean squared distance of the samples
 * on that side) less the pixel noise's variance (s m)^2, as a standard deviation times 1.645 (a Gaussian's
 * p95 offset; a uniform side's is 1.56). A side's semi-variance uses every sample on it, so it is far
 * steadier than the quadrature step on one percentile (`denoiseHalfWidth`), whose bias depends on the
 * distribution's shape: on the synthetic scenes with 5% noise that step put p5 / p95 2% of depth too wide
 * on average, more than the 5 cm that separates most true covers (EVALUATION.md, engine 1.5.0).
 * `zs` holds n samples in any order; [0, 0] without noise.
 */
export function noiseFreeSpreads(
  zs: ArrayLike<number>,
  n: number,
  median: number,
  noise: number,
): [near: number, far: number] {
  if (!(noise > 0) || n < 1) return [0, 0];
  let below = 0;
  let belowN = 0;
  let above = 0;
  let aboveN = 0;
  for (let i = 0; i < n; i++) {
    const d = zs[i] - median;
    if (d < 0) {
      below += d * d;
      belowN++;
    } else {
      above += d * d;
      aboveN++;
    }
  }
  const noiseVar = (noise * median) ** 2;
  const side = (sum: number, count: number): number =>
    count > 0 ? Z95 * Math.sqrt(Math.max(0, sum / count - noiseVar)) : 0;
  return [side(below, belowN), side(above, aboveN)];
}
