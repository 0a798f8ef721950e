import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { UserInputError } from '../errors/errors';
import { DEFAULT_MAX_IMAGE_PIXELS, imageInfoFromBuffer, type ImageInfo } from './imageInfo';

/**
 * The decode stage (SPEC section 2.1): image bytes -> RGB pixels with EXIF orientation applied, the
 * pixel limit enforced before any pixel is decoded, alpha flattened onto white, palette and grey
 * images expanded, 16-bit images reduced to 8 bits. Corrupt or truncated files fail here with the
 * field named, never half-way through inference.
 */

export interface DecodedImage {
  info: ImageInfo;
  /** Row-major RGB, 3 bytes per pixel, `info.width x info.height` (after orientation). */
  rgb: Uint8Array;
}

export interface DecodeOptions {
  maxPixels?: number;
  field?: string;
}

export async function decodeImage(bytes: Buffer, options: DecodeOptions = {}): Promise<DecodedImage> {
  const field = options.field ?? 'image';
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  // Header, format, pixel limit and a full decode that fails on truncation.
  const info = await imageInfoFromBuffer(bytes, { maxPixels, field, verifyPixels: false });
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    raw = await sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels, animated: false })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new UserInputError(`corrupt or truncated image (${(e as Error).message})`, field);
  }
  if (raw.info.channels !== 3 || raw.info.width !== info.width || raw.info.height !== info.height) {
    throw new UserInputError(
      `decoded to ${raw.info.width}x${raw.info.height}x${raw.info.channels}, expected ${info.width}x${info.height}x3`,
      field,
    );
  }
  // A copy that owns its buffer: it is transferred to an inference worker.
  const rgb = new Uint8Array(raw.data.length);
  rgb.set(raw.data);
  return { info, rgb };
}

export function sha256Hex(bytes: Buffer | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
