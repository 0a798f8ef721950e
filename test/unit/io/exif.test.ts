import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { parseExifFocalLength, readExifFocalLength } from '../../../src/io/exif';

async function jpegWith(exif: Record<string, Record<string, string>>): Promise<Buffer> {
  return sharp({ create: { width: 32, height: 24, channels: 3, background: 'gray' } })
    .jpeg()
    .withExif(exif)
    .toBuffer();
}

describe('EXIF focal length', () => {
  it('reads FocalLength and FocalLengthIn35mmFilm from the Exif sub-IFD', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'exif-'));
    const file = path.join(dir, 'a.jpg');
    writeFileSync(
      file,
      await jpegWith({ IFD0: { Make: 'Test' }, IFD2: { FocalLength: '4.2', FocalLengthIn35mmFilm: '26' } }),
    );
    const r = await readExifFocalLength(file);
    expect(r.focalLengthMm).toBeCloseTo(4.2, 6);
    expect(r.focalLength35mm).toBe(26);
  });

  it('returns nothing for files without EXIF, missing files and garbage', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'exif-'));
    const plain = path.join(dir, 'b.png');
    writeFileSync(
      plain,
      await sharp({ create: { width: 4, height: 4, channels: 3, background: 'red' } })
        .png()
        .toBuffer(),
    );
    expect(await readExifFocalLength(plain)).toEqual({});
    expect(await readExifFocalLength(path.join(dir, 'missing.jpg'))).toEqual({});
    expect(parseExifFocalLength(Buffer.from('Exif\0\0MM\0*\0\0\0\x08\xff\xff'))).toEqual({});
    expect(parseExifFocalLength(Buffer.alloc(3))).toEqual({});
  });

  it('reads big-endian TIFF headers', () => {
    // Hand-built: MM, IFD0 at 8 with one entry (ExifIFD pointer -> 26), Exif IFD with FocalLengthIn35mmFilm = 35.
    const b = Buffer.alloc(26 + 2 + 12 + 4);
    b.write('MM', 0, 'latin1');
    b.writeUInt16BE(42, 2);
    b.writeUInt32BE(8, 4);
    b.writeUInt16BE(1, 8);
    b.writeUInt16BE(0x8769, 10);
    b.writeUInt16BE(4, 12);
    b.writeUInt32BE(1, 14);
    b.writeUInt32BE(26, 18);
    b.writeUInt16BE(1, 26);
    b.writeUInt16BE(0xa405, 28);
    b.writeUInt16BE(3, 30);
    b.writeUInt32BE(1, 32);
    b.writeUInt16BE(35, 36);
    expect(parseExifFocalLength(b)).toEqual({ focalLength35mm: 35 });
  });
});
