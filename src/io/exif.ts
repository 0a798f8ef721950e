import sharp from 'sharp';

/**
 * The two EXIF fields that fix a camera's focal length in pixels: FocalLength (mm, tag 0x920A) and
 * FocalLengthIn35mmFilm (tag 0xA405), read from the Exif sub-IFD of a JPEG/TIFF/WebP/HEIF file. A
 * minimal TIFF reader rather than a dependency: two tags, both byte orders, bounds checked everywhere,
 * and anything malformed means "no EXIF focal length" rather than an error, since the intrinsics then
 * fall back to the documented field-of-view prior.
 */
export interface ExifFocalLength {
  focalLengthMm?: number;
  focalLength35mm?: number;
}

const EXIF_IFD_POINTER = 0x8769;
const FOCAL_LENGTH = 0x920a;
const FOCAL_LENGTH_35MM = 0xa405;
const RATIONAL = 5;
const SHORT = 3;
const LONG = 4;

export function parseExifFocalLength(exif: Buffer): ExifFocalLength {
  // sharp hands over the APP1 payload, which starts with "Exif\0\0" before the TIFF header.
  const base = exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0;
  const tiff = exif.subarray(base);
  if (tiff.length < 8) return {};
  const order = tiff.subarray(0, 2).toString('latin1');
  if (order !== 'II' && order !== 'MM') return {};
  const le = order === 'II';
  const u16 = (o: number) =>
    o + 2 <= tiff.length ? (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o)) : undefined;
  const u32 = (o: number) =>
    o + 4 <= tiff.length ? (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o)) : undefined;

  const entries = (ifd: number): Map<number, { type: number; count: number; at: number }> => {
    const out = new Map<number, { type: number; count: number; at: number }>();
    const n = u16(ifd);
    if (n === undefined || n > 1000) return out;
    for (let i = 0; i < n; i++) {
      const at = ifd + 2 + i * 12;
      const tag = u16(at);
      const type = u16(at + 2);
      const count = u32(at + 4);
      if (tag === undefined || type === undefined || count === undefined) break;
      out.set(tag, { type, count, at: at + 8 });
    }
    return out;
  };

  const ifd0 = u32(4);
  if (ifd0 === undefined) return {};
  const pointer = entries(ifd0).get(EXIF_IFD_POINTER);
  const exifIfd = pointer ? u32(pointer.at) : undefined;
  if (exifIfd === undefined) return {};
  const tags = entries(exifIfd);
  const result: ExifFocalLength = {};

  const fl = tags.get(FOCAL_LENGTH);
  if (fl && fl.type === RATIONAL) {
    const offset = u32(fl.at);
    const num = offset === undefined ? undefined : u32(offset);
    const den = offset === undefined ? undefined : u32(offset + 4);
    if (num !== undefined && den) {
      const mm = num / den;
      if (Number.isFinite(mm) && mm > 0) result.focalLengthMm = mm;
    }
  }
  const fl35 = tags.get(FOCAL_LENGTH_35MM);
  if (fl35 && (fl35.type === SHORT || fl35.type === LONG)) {
    const v = fl35.type === SHORT ? u16(fl35.at) : u32(fl35.at);
    if (v !== undefined && v > 0) result.focalLength35mm = v;
  }
  return result;
}

/** The focal length recorded in an image file, or {} when it has none (or cannot be read). */
export async function readExifFocalLength(file: string | Buffer): Promise<ExifFocalLength> {
  try {
    const { exif } = await sharp(file).metadata();
    return exif ? parseExifFocalLength(exif) : {};
  } catch {
    return {};
  }
}
