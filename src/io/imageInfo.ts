import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { UserInputError } from '../errors/errors';
import { SCENE_LIMITS } from '../scenegraph/sceneLimits';
import { fileError } from './npy';

/**
 * Size, format and content hash of an image file, checked the way the decode stage will read it
 * (SPEC section 2.1): width and height are after EXIF orientation, the pixel limit is enforced before
 * any pixel is decoded, and the whole image is decoded once (streamed, through libvips' tile cache) so
 * that a truncated or corrupt file fails here rather than half-way through a pipeline.
 */

export interface ImageInfo {
  /** Pixels after EXIF orientation is applied. */
  width: number;
  height: number;
  /** sharp's format name: jpeg, png, webp, tiff, gif, heif (AVIF). */
  format: string;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
  /** The EXIF orientation tag (1..8) when present. */
  orientation?: number;
}

export interface ImageInfoOptions {
  /** Largest accepted width x height. Default 100 megapixels. */
  maxPixels?: number;
  /** The field name to report in errors; defaults to the file path. */
  field?: string;
  /**
   * Decode every pixel to catch truncated or corrupt files (default true). The decode stage turns it
   * off because its own full decode fails the same way.
   */
  verifyPixels?: boolean;
}

export const DEFAULT_MAX_IMAGE_PIXELS = SCENE_LIMITS.maxImagePixels;
/** Raster formats the pipeline accepts; SVG/PDF (rasterised, can reference external files) are not. */
export const SUPPORTED_IMAGE_FORMATS: readonly string[] = ['jpeg', 'png', 'webp', 'tiff', 'gif', 'heif'];

export async function readImageInfo(file: string, options: ImageInfoOptions = {}): Promise<ImageInfo> {
  const field = options.field ?? file;
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw fileError(e, field);
  }
  return imageInfoFromBuffer(bytes, { ...options, field });
}

export async function imageInfoFromBuffer(bytes: Buffer, options: ImageInfoOptions = {}): Promise<ImageInfo> {
  const field = options.field ?? 'image';
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  if (!Number.isSafeInteger(maxPixels) || maxPixels <= 0) {
    throw new UserInputError(`must be a positive integer, got ${maxPixels}`, 'maxPixels');
  }
  if (bytes.length === 0) throw new UserInputError('file is empty', field);

  let meta: sharp.Metadata;
  try {
    // The header alone: no limit here, so that an over-limit image gets the limit's message below.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new UserInputError(`not a readable image (${(e as Error).message})`, field);
  }
  const format = meta.format ?? 'unknown';
  if (!SUPPORTED_IMAGE_FORMATS.includes(format)) {
    throw new UserInputError(
      `unsupported image format '${format}' (use ${SUPPORTED_IMAGE_FORMATS.join(', ')})`,
      field,
    );
  }
  const { width, height } = meta.autoOrient;
  if (!(width > 0 && height > 0)) throw new UserInputError(`image has no size (${width}x${height})`, field);
  if (width * height > maxPixels) {
    throw new UserInputError(
      `${width}x${height} = ${width * height} pixels is over the limit of ${maxPixels} pixels`,
      field,
      { width, height, maxPixels },
    );
  }
  if (options.verifyPixels !== false)
    try {
      // 'error' fails on truncation and decoder errors but tolerates the benign warnings many cameras' JPEGs raise.
      await sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels }).stats();
    } catch (e) {
      throw new UserInputError(`corrupt or truncated image (${(e as Error).message})`, field);
    }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const info: ImageInfo = { width, height, format, sha256 };
  if (meta.orientation !== undefined) info.orientation = meta.orientation;
  return info;
}
