import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { UserInputError } from '../../../src/errors/errors';
import { readDepthFile } from '../../../src/io/depthFile';
import { encodeNpy, type NpyData } from '../../../src/io/npy';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'depth-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function npyFile(name: string, shape: number[], data: NpyData): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, encodeNpy({ shape, data }));
  return file;
}

/** A 16-bit grayscale PNG; sharp infers 16-bit samples from the Uint16Array. */
async function png16(name: string, width: number, height: number, values: Uint16Array): Promise<string> {
  const file = path.join(dir, name);
  await sharp(values, { raw: { width, height, channels: 1 } })
    .toColourspace('grey16')
    .png()
    .toFile(file);
  return file;
}

describe('readDepthFile: .npy', () => {
  it('reads float32 (H, W), applying the scale and passing the unit through', async () => {
    const file = await npyFile('f4.npy', [2, 3], Float32Array.from([1, 2, 3, 4, 5, 6]));
    const d = await readDepthFile(file, { unit: 'relative', scale: 0.5 });
    expect(d).toEqual({
      width: 3,
      height: 2,
      unit: 'relative',
      data: Float32Array.from([0.5, 1, 1.5, 2, 2.5, 3]),
    });
  });

  it.each([
    ['(1, H, W) float64', [1, 2, 3], Float64Array.from([1, 2, 3, 4, 5, 6])],
    ['(H, W, 1) uint16', [2, 3, 1], Uint16Array.from([1, 2, 3, 4, 5, 6])],
  ])('reads %s', async (_name, shape, data) => {
    const file = await npyFile(`s${shape.join('x')}.npy`, shape, data);
    const d = await readDepthFile(file, { unit: 'inverse' });
    expect([d.width, d.height, d.unit]).toEqual([3, 2, 'inverse']);
    expect(Array.from(d.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('keeps NaN and zero as they are (consumers treat them as no depth)', async () => {
    const file = await npyFile('nan.npy', [1, 3], Float32Array.from([NaN, 0, 2]));
    expect(Array.from((await readDepthFile(file, { unit: 'meters', scale: 2 })).data)).toEqual([NaN, 0, 4]);
  });

  it.each([
    ['a 1-D array', [6], new Float32Array(6), /must be \(H, W\), \(1, H, W\) or \(H, W, 1\); got \(6\)/],
    ['a (2, H, W) stack', [2, 2, 2], new Float32Array(8), /got \(2, 2, 2\)/],
    ['an empty array', [0, 4], new Float32Array(0), /empty/],
    ['uint8', [2, 2], new Uint8Array(4), /uint8 depth is too coarse/],
  ])('rejects %s', async (name, shape, data, why) => {
    const file = await npyFile(`bad-${name.replace(/\W+/g, '_')}.npy`, shape, data);
    await expect(readDepthFile(file, { unit: 'meters' })).rejects.toThrow(why);
  });

  it('rejects a corrupt .npy, naming the field', async () => {
    const file = path.join(dir, 'corrupt.npy');
    await writeFile(file, encodeNpy({ shape: [4, 4], data: new Float32Array(16) }).subarray(0, 150));
    const err = await readDepthFile(file, { unit: 'meters', field: '--depth' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserInputError);
    expect((err as Error).message).toMatch(/^--depth: not a usable \.npy file: truncated data/);
  });
});

describe('readDepthFile: PNG', () => {
  it('reads a 16-bit grayscale PNG exactly, times the scale', async () => {
    const values = Uint16Array.from([0, 1, 1000, 4095, 32768, 65535]);
    const file = await png16('d16.png', 3, 2, values);
    const d = await readDepthFile(file, { unit: 'meters', scale: 0.001 });
    expect([d.width, d.height, d.unit]).toEqual([3, 2, 'meters']);
    expect(Array.from(d.data)).toEqual(Array.from(values, (v) => Math.fround(v * 0.001)));
  });

  it('reads a larger 16-bit PNG without mixing up rows and columns', async () => {
    const width = 37;
    const height = 11;
    const values = Uint16Array.from(
      { length: width * height },
      (_, i) => (i % width) * 1000 + Math.floor(i / width),
    );
    const d = await readDepthFile(await png16('grid.png', width, height, values), { unit: 'relative' });
    expect(d.data[5 * width + 7]).toBe(7005);
    expect(Array.from(d.data)).toEqual(Array.from(values));
  });

  it('rejects an 8-bit PNG, saying what to use instead', async () => {
    const file = path.join(dir, 'd8.png');
    await sharp(Buffer.alloc(12, 100), { raw: { width: 4, height: 3, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toFile(file);
    await expect(readDepthFile(file, { unit: 'meters' })).rejects.toThrow(
      /must be 16-bit grayscale; this one has 8-bit samples/,
    );
  });

  it('rejects a 16-bit colour PNG', async () => {
    const file = path.join(dir, 'rgb16.png');
    await sharp(new Uint16Array(4 * 3 * 3).fill(500), { raw: { width: 4, height: 3, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toFile(file);
    await expect(readDepthFile(file, { unit: 'meters' })).rejects.toThrow(
      /one \(grayscale\) channel; this one has 3/,
    );
  });

  it('rejects a truncated PNG', async () => {
    const good = await png16(
      'whole.png',
      64,
      64,
      Uint16Array.from({ length: 64 * 64 }, (_, i) => i * 13),
    );
    const file = path.join(dir, 'truncated.png');
    const bytes = await sharp(good).toColourspace('grey16').png({ compressionLevel: 0 }).toBuffer();
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(readDepthFile(file, { unit: 'meters' })).rejects.toThrow(
      /corrupt or truncated PNG|not a readable PNG/,
    );
  });

  it('rejects a file that is not a PNG despite its name', async () => {
    const file = path.join(dir, 'fake.png');
    await writeFile(file, 'depth values, honest');
    await expect(readDepthFile(file, { unit: 'meters' })).rejects.toThrow(/not a readable PNG/);
  });

  it('rejects a depth map over the pixel limit before decoding it', async () => {
    const file = await png16('big.png', 20, 10, new Uint16Array(200));
    await expect(readDepthFile(file, { unit: 'meters', maxPixels: 199 })).rejects.toThrow(
      /20x10 depth map is over the 199-pixel limit/,
    );
  });
});

describe('readDepthFile: arguments and files', () => {
  it('rejects a missing file', async () => {
    await expect(readDepthFile(path.join(dir, 'nope.npy'), { unit: 'meters' })).rejects.toThrow(
      /nope\.npy: file not found/,
    );
  });

  it.each(['depth.tiff', 'depth', 'depth.exr'])('rejects the unknown file type of %s', async (name) => {
    await expect(readDepthFile(path.join(dir, name), { unit: 'meters' })).rejects.toThrow(
      /unsupported depth file type/,
    );
  });

  it.each([0, -1, NaN, Infinity])('rejects scale %p', async (scale) => {
    await expect(readDepthFile('x.npy', { unit: 'meters', scale })).rejects.toThrow(
      /^scale: must be a finite number > 0/,
    );
  });

  it('rejects an unknown unit', async () => {
    // @ts-expect-error: callers from JavaScript or parsed options can pass anything
    await expect(readDepthFile('x.npy', { unit: 'feet' })).rejects.toThrow(
      /^unit: unknown depth unit 'feet'/,
    );
  });
});

describe('readDepthFile: limits', () => {
  it('rejects an over-limit .npy from its header', async () => {
    const file = await npyFile('wide.npy', [10, 30], new Float32Array(300));
    await expect(readDepthFile(file, { unit: 'meters', maxPixels: 299 })).rejects.toThrow(
      /30x10 depth map is over the 299-pixel limit/,
    );
    await expect(readDepthFile(file, { unit: 'meters', maxPixels: 0 })).rejects.toThrow(/^maxPixels: /);
  });
});
