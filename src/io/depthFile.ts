import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { UserInputError } from '../errors/errors';
import type { DepthInputUnit } from '../scenegraph/sceneGraph.types';
import { fileError, parseNpy, parseNpyHeader } from './npy';

/**
 * Reads a depth map supplied by the user (SPEC section 2.3): float32/float64/uint16 .npy, or a 16-bit
 * grayscale PNG. Values come back as stored, times `scale`; turning `inverse` or `relative` values
 * into depth is the depth stage's job, so `unit` is only passed through.
 *
 * Not supported on purpose: 8-bit PNGs and uint8 .npy (256 levels cannot resolve depth; the
 * LLaVA-SpaceSGG public code's 8-bit depth images are one of the things SPEC section 3 says not to
 * copy), colour or alpha PNGs (which channel would be depth?). EXIF/PNG orientation metadata is
 * ignored: depth maps are read in stored pixel order. Non-finite and zero values are passed through
 * unchanged; consumers treat them as "no depth".
 *
 * The scale is applied here, so hand the result to the spatial engine's depth conversion with scale 1.
 */

export interface DepthFileOptions {
  unit: DepthInputUnit;
  /** Multiplier applied to every raw value, e.g. 0.001 for millimetre PNGs. Default 1. */
  scale?: number;
  /** Largest accepted width x height. Default 100 megapixels, the same limit as images. */
  maxPixels?: number;
  /** The field name to report in errors (e.g. `--depth`); defaults to the file path. */
  field?: string;
}

export interface DepthFileData {
  width: number;
  height: number;
  /** Row-major, `width * height` values, already multiplied by `scale`. */
  data: Float32Array;
  unit: DepthInputUnit;
}

export const DEFAULT_MAX_DEPTH_PIXELS = 100_000_000;
const DEPTH_UNITS: readonly DepthInputUnit[] = ['meters', 'relative', 'inverse'];

export async function readDepthFile(file: string, options: DepthFileOptions): Promise<DepthFileData> {
  const field = options.field ?? file;
  const scale = options.scale ?? 1;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_DEPTH_PIXELS;
  if (!DEPTH_UNITS.includes(options.unit)) {
    throw new UserInputError(
      `unknown depth unit '${String(options.unit)}' (use ${DEPTH_UNITS.join(', ')})`,
      'unit',
    );
  }
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new UserInputError(`must be a finite number > 0, got ${scale}`, 'scale');
  }
  if (!Number.isSafeInteger(maxPixels) || maxPixels <= 0) {
    throw new UserInputError(`must be a positive integer, got ${maxPixels}`, 'maxPixels');
  }

  const ext = path.extname(file).toLowerCase();
  if (ext !== '.npy' && ext !== '.png') {
    throw new UserInputError(
      `unsupported depth file type '${ext || '(none)'}'; use .npy or a 16-bit .png`,
      field,
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw fileError(e, field);
  }

  const raw =
    ext === '.npy' ? depthFromNpy(bytes, field, maxPixels) : await depthFromPng(bytes, field, maxPixels);
  const data = new Float32Array(raw.values.length);
  for (let i = 0; i < data.length; i++) data[i] = raw.values[i] * scale;
  return { width: raw.width, height: raw.height, data, unit: options.unit };
}

interface RawDepth {
  width: number;
  height: number;
  values: ArrayLike<number>;
}

function depthFromNpy(bytes: Buffer, field: string, maxPixels: number): RawDepth {
  // Shape, type and size first: an over-limit or unusable array is rejected before its data is copied.
  const { shape, dtype } = parseNpyHeader(bytes, field);
  if (dtype === 'uint8') {
    throw new UserInputError('uint8 depth is too coarse; save float32 meters or uint16 with a scale', field);
  }
  let height: number;
  let width: number;
  if (shape.length === 2) [height, width] = shape;
  else if (shape.length === 3 && shape[0] === 1) [, height, width] = shape;
  else if (shape.length === 3 && shape[2] === 1) [height, width] = shape;
  else {
    throw new UserInputError(
      `depth array must be (H, W), (1, H, W) or (H, W, 1); got (${shape.join(', ')})`,
      field,
    );
  }
  if (width === 0 || height === 0)
    throw new UserInputError(`depth array is empty (${shape.join(', ')})`, field);
  checkPixels(width, height, maxPixels, field);
  return { width, height, values: parseNpy(bytes, field).data };
}

async function depthFromPng(bytes: Buffer, field: string, maxPixels: number): Promise<RawDepth> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new UserInputError(`not a readable PNG (${(e as Error).message})`, field);
  }
  if (meta.format !== 'png') throw new UserInputError(`file is ${meta.format ?? 'unknown'}, not PNG`, field);
  const { width, height } = meta;
  checkPixels(width, height, maxPixels, field);
  if (meta.depth !== 'ushort') {
    throw new UserInputError(
      `depth PNG must be 16-bit grayscale; this one has ${meta.bitsPerSample ?? '?'}-bit samples ` +
        '(8-bit depth is too coarse: save 16-bit PNG or float32 .npy)',
      field,
    );
  }
  if (meta.channels !== 1) {
    throw new UserInputError(
      `depth PNG must have one (grayscale) channel; this one has ${meta.channels}`,
      field,
    );
  }
  let decoded: Buffer;
  try {
    // toColourspace('grey16') keeps sharp from converting to 8-bit sRGB on the way out.
    decoded = await sharp(bytes, { failOn: 'truncated', limitInputPixels: false })
      .toColourspace('grey16')
      .raw({ depth: 'ushort' })
      .toBuffer();
  } catch (e) {
    throw new UserInputError(`corrupt or truncated PNG (${(e as Error).message})`, field);
  }
  if (decoded.length !== width * height * 2) {
    throw new UserInputError(`decoded ${decoded.length} bytes, expected ${width * height * 2}`, field);
  }
  // sharp writes 16-bit samples in host byte order; copy to an aligned buffer for the typed view.
  const values = new Uint16Array(
    decoded.buffer.slice(decoded.byteOffset, decoded.byteOffset + decoded.length),
  );
  return { width, height, values };
}

function checkPixels(width: number, height: number, maxPixels: number, field: string): void {
  if (width * height > maxPixels) {
    throw new UserInputError(`${width}x${height} depth map is over the ${maxPixels}-pixel limit`, field);
  }
}
