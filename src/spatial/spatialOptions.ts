/**
 * Options of a spatial build and their defaults, resolved and validated in one place. The resolved
 * values (not the caller's partial input) go into the graph's provenance.
 */

import { UserInputError } from '../errors/errors';
import type { Intrinsics } from '../scenegraph/sceneGraph.types';
import type { Interpolation, SizePolicy } from './depthMap';
import { DEFAULT_BOX_MARGIN } from './mask';
import { DEFAULT_MAX_PIXELS_PER_OBJECT, type RangeMode } from './object3d';
import { resolveThresholds, type Thresholds } from './thresholds';

export interface ExifFocal {
  /** EXIF FocalLength in mm; used only together with `sensorWidthMm`. */
  focalLengthMm?: number;
  /** EXIF FocalLengthIn35mmFilm. */
  focalLength35mm?: number;
  sensorWidthMm?: number;
}

export interface BuildOptions {
  /** Overrides of the threshold table (thresholds.ts); unknown names are refused. */
  thresholds?: Readonly<Record<string, unknown>>;
  /** Supplied intrinsics; win over the scene's own and over EXIF. */
  intrinsics?: Intrinsics;
  exif?: ExifFocal;
  /** Field of view across the longer side for the prior, when nothing better is known. Default 60. */
  fovDegrees?: number;
  /** Depth range [p5, p95] ('percentile', default) or [min, max] ('minmax'). */
  rangeMode?: RangeMode;
  /** Pixel budget per object for the depth statistics. Default 2048. */
  maxPixelsPerObject?: number;
  /** Margin removed from each side of a box when an object has no mask. Default 0 (mask.ts). */
  boxMargin?: number;
  /** What to do with a depth map of another size than the image. Default 'resample'. */
  depthSizePolicy?: SizePolicy;
  /** How to resample. Default 'bilinear'. */
  depthInterpolation?: Interpolation;
}

export interface ResolvedBuildOptions {
  readonly thresholds: Thresholds;
  readonly intrinsics?: Intrinsics;
  readonly exif: ExifFocal;
  readonly fovDegrees?: number;
  readonly rangeMode: RangeMode;
  readonly maxPixelsPerObject: number;
  readonly boxMargin: number;
  readonly depthSizePolicy: SizePolicy;
  readonly depthInterpolation: Interpolation;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, path: string): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UserInputError(`must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`, path);
}

export function resolveBuildOptions(options: BuildOptions = {}): ResolvedBuildOptions {
  const maxPixels = options.maxPixelsPerObject ?? DEFAULT_MAX_PIXELS_PER_OBJECT;
  if (!Number.isInteger(maxPixels) || maxPixels < 1) {
    throw new UserInputError(`must be a positive integer; got ${String(maxPixels)}`, 'maxPixelsPerObject');
  }
  const boxMargin = options.boxMargin ?? DEFAULT_BOX_MARGIN;
  // Below 0.5: a margin of half the box from each side leaves nothing.
  if (typeof boxMargin !== 'number' || !Number.isFinite(boxMargin) || boxMargin < 0 || boxMargin >= 0.5) {
    throw new UserInputError(`must be a number in [0, 0.5); got ${String(boxMargin)}`, 'boxMargin');
  }
  return {
    thresholds: resolveThresholds(options.thresholds),
    intrinsics: options.intrinsics,
    exif: options.exif ?? {},
    fovDegrees: options.fovDegrees,
    rangeMode: oneOf(options.rangeMode, ['percentile', 'minmax'], 'percentile', 'rangeMode'),
    maxPixelsPerObject: maxPixels,
    boxMargin,
    depthSizePolicy: oneOf(options.depthSizePolicy, ['resample', 'reject'], 'resample', 'depthSizePolicy'),
    depthInterpolation: oneOf(
      options.depthInterpolation,
      ['bilinear', 'nearest'],
      'bilinear',
      'depthInterpolation',
    ),
  };
}
