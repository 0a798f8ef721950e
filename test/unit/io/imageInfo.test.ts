import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { UserInputError } from '../../../src/errors/errors';
import { DEFAULT_MAX_IMAGE_PIXELS, imageInfoFromBuffer, readImageInfo } from '../../../src/io/imageInfo';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'imageinfo-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rgb(width: number, height: number): sharp.Sharp {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 31) % 251;
  return sharp(pixels, { raw: { width, height, channels: 3 } });
}

async function save(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

/** PNG's CRC-32 (zlib.crc32 only exists from Node 20.15). */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG whose IHDR claims another size (CRC fixed up, so only the pixel data disagrees). */
function withClaimedSize(png: Buffer, width: number, height: number): Buffer {
  const b = Buffer.from(png);
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
  return b;
}

async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserInputError);
  return e as Error;
}

describe('readImageInfo', () => {
  it('reports size, format and the SHA-256 of the bytes', async () => {
    const bytes = await rgb(40, 30).png().toBuffer();
    const file = await save('a.png', bytes);
    expect(await readImageInfo(file)).toEqual({
      width: 40,
      height: 30,
      format: 'png',
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it('applies EXIF orientation to width and height', async () => {
    const file = await save(
      'rotated.jpg',
      await rgb(40, 20).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
    );
    expect(await readImageInfo(file)).toMatchObject({
      width: 20,
      height: 40,
      format: 'jpeg',
      orientation: 6,
    });
  });

  it('rejects a truncated PNG', async () => {
    const bytes = await rgb(64, 64).png({ compressionLevel: 0 }).toBuffer();
    const file = await save('truncated.png', bytes.subarray(0, bytes.length - 3000));
    expect((await failure(readImageInfo(file))).message).toMatch(
      /truncated\.png: corrupt or truncated image/,
    );
  });

  it('rejects a truncated JPEG', async () => {
    const bytes = await rgb(64, 64).jpeg().toBuffer();
    const file = await save('truncated.jpg', bytes.subarray(0, bytes.length - 100));
    expect((await failure(readImageInfo(file))).message).toMatch(/corrupt or truncated image/);
  });

  it('rejects an image over the default 100-megapixel limit before decoding it', async () => {
    const file = await save('huge.png', withClaimedSize(await rgb(8, 8).png().toBuffer(), 20000, 6000));
    const e = await failure(readImageInfo(file));
    expect(e.message).toMatch(
      `20000x6000 = 120000000 pixels is over the limit of ${DEFAULT_MAX_IMAGE_PIXELS} pixels`,
    );
  });

  it('takes the pixel limit as a parameter', async () => {
    const file = await save('b.png', await rgb(40, 30).png().toBuffer());
    await expect(readImageInfo(file, { maxPixels: 1200 })).resolves.toMatchObject({ width: 40 });
    expect((await failure(readImageInfo(file, { maxPixels: 1199 }))).message).toMatch(
      /over the limit of 1199 pixels/,
    );
    await expect(readImageInfo(file, { maxPixels: 0 })).rejects.toThrow(
      /^maxPixels: must be a positive integer/,
    );
  });

  it('rejects bytes that are no image, an empty file and a missing file', async () => {
    await failure(readImageInfo(await save('text.png', Buffer.from('not an image at all'))));
    expect((await failure(readImageInfo(await save('empty.jpg', Buffer.alloc(0))))).message).toMatch(/empty/);
    expect((await failure(readImageInfo(path.join(dir, 'missing.png')))).message).toMatch(/file not found/);
  });

  it('rejects formats outside the raster list (SVG)', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>',
    );
    const e = await failure(imageInfoFromBuffer(svg, { field: 'upload' }));
    expect(e.message).toMatch(/^upload: unsupported image format 'svg'/);
  });
});
