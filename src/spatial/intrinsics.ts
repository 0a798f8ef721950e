/**
 * Pinhole intrinsics for back-projection, and which way they were obtained. Order of preference:
 * supplied numbers (GIVEN), EXIF focal length (EXIF), then a field-of-view prior (FOV_PRIOR).
 *
 * Principal point: the image centre (width / 2, height / 2) in continuous pixel coordinates, where
 * pixel (u, v) covers [u, u + 1) x [v, v + 1); back-projection uses pixel centres u + 0.5 to match.
 */

import { UserInputError } from '../errors/errors';
import type { Intrinsics, IntrinsicsSource } from '../scenegraph/sceneGraph.types';

/**
 * Default field of view across the image's longer side, in degrees. Phone main cameras (~26 mm
 * equivalent) see about 65-70 degrees across the long side, consumer depth cameras and indoor datasets
 * (NYU Kinect ~63, ScanNet ~58) somewhat less; 60 sits in that band. Measured on the longer side because
 * that is the lens's wide axis whether the photo is portrait or landscape. The often-seen
 * fx = 1.5 * width would mean a 37 degree telephoto view, wrong for most photos.
 */
export const DEFAULT_FOV_DEGREES = 60;

/** Diagonal of a 36 x 24 mm frame: "35 mm equivalent" focal lengths are defined by the diagonal (CIPA DC-008). */
const FULL_FRAME_DIAGONAL_MM = Math.hypot(36, 24);

export type ResolvedIntrinsics = Intrinsics & { source: IntrinsicsSource };

export interface IntrinsicsInput {
  given?: Intrinsics;
  /** EXIF FocalLength (mm). Usable only with `sensorWidthMm`: mm alone does not fix the field of view. */
  exifFocalLengthMm?: number;
  /** EXIF FocalLengthIn35mmFilm. */
  exifFocalLength35mm?: number;
  /** Physical width of the sensor's long side in mm, when known (e.g. from a camera database). */
  sensorWidthMm?: number;
  width: number;
  height: number;
  /** Field of view across the longer image side for the prior; DEFAULT_FOV_DEGREES when omitted. */
  fovDegrees?: number;
}

/** EXIF writers use 0 (and sometimes junk) for "unknown", so a non-positive EXIF value means absent, not bad input. */
function usableExif(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function checkGiven(given: Intrinsics): void {
  for (const name of ['fx', 'fy'] as const) {
    const v = given[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new UserInputError(
        `must be a finite number of pixels > 0; got ${String(v)}`,
        `intrinsics.${name}`,
      );
    }
  }
  for (const name of ['cx', 'cy'] as const) {
    const v = given[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new UserInputError(`must be a finite number of pixels; got ${String(v)}`, `intrinsics.${name}`);
    }
  }
}

export function resolveIntrinsics(input: IntrinsicsInput): ResolvedIntrinsics {
  const { width, height } = input;
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    throw new UserInputError(`width and height must be positive integers; got ${width}x${height}`, 'image');
  }
  const cx = width / 2;
  const cy = height / 2;

  if (input.given) {
    checkGiven(input.given);
    const { fx, fy } = input.given;
    return { fx, fy, cx: input.given.cx, cy: input.given.cy, source: 'GIVEN' };
  }

  if (usableExif(input.exifFocalLength35mm)) {
    const f = (input.exifFocalLength35mm * Math.hypot(width, height)) / FULL_FRAME_DIAGONAL_MM;
    return { fx: f, fy: f, cx, cy, source: 'EXIF' };
  }
  if (usableExif(input.exifFocalLengthMm) && usableExif(input.sensorWidthMm)) {
    const f = (input.exifFocalLengthMm * Math.max(width, height)) / input.sensorWidthMm;
    return { fx: f, fy: f, cx, cy, source: 'EXIF' };
  }

  const fov = input.fovDegrees ?? DEFAULT_FOV_DEGREES;
  if (typeof fov !== 'number' || !Number.isFinite(fov) || fov <= 0 || fov >= 180) {
    throw new UserInputError(
      `must be a number of degrees strictly between 0 and 180; got ${String(fov)}`,
      'fovDegrees',
    );
  }
  const f = Math.max(width, height) / 2 / Math.tan((fov * Math.PI) / 360);
  return { fx: f, fy: f, cx, cy, source: 'FOV_PRIOR' };
}
