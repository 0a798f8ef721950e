import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { UserInputError } from '../../../src/errors/errors';
import { encodeNpy, parseNpy, parseNpyHeader, readNpy, writeNpy, type NpyData } from '../../../src/io/npy';

/** Builds .npy bytes by hand: magic, version, length field, header padded to 64 bytes, body. */
function handMade(header: string, body: Uint8Array, major = 1): Buffer {
  const prefix = major === 1 ? 10 : 12;
  const pad = 64 - ((prefix + header.length + 1) % 64);
  const text = `${header}${' '.repeat(pad)}\n`;
  const head = Buffer.alloc(prefix);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(head);
  if (major === 1) head.writeUInt16LE(text.length, 8);
  else head.writeUInt32LE(text.length, 8);
  return Buffer.concat([head, Buffer.from(text, 'latin1'), Buffer.from(body)]);
}

function bigEndian(values: number[], size: 2 | 4 | 8, float: boolean): Buffer {
  const b = Buffer.alloc(values.length * size);
  values.forEach((v, i) => {
    if (size === 2) b.writeUInt16BE(v, i * 2);
    else if (size === 4) b.writeFloatBE(v, i * 4);
    else if (float) b.writeDoubleBE(v, i * 8);
  });
  return b;
}

function rejects(bytes: Uint8Array, why: RegExp): void {
  let error: unknown;
  try {
    parseNpy(bytes, 'depth.npy');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UserInputError);
  expect((error as Error).message).toMatch(why);
  expect((error as Error).message).toMatch(/^depth\.npy: /);
}

describe('encodeNpy', () => {
  it('writes the same bytes as np.save for a (2, 3) float32 array', () => {
    const out = encodeNpy({ shape: [2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) });
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    // np.save pads 21 - len('2') spaces of growth room, then to 64 bytes, ending in '\n'.
    const header = dict + ' '.repeat(20);
    expect(out.length).toBe(128 + 24);
    expect(out.subarray(0, 8)).toEqual(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]));
    expect(out.readUInt16LE(8)).toBe(118);
    expect(out.toString('latin1', 10, 128)).toBe(header.padEnd(117, ' ') + '\n');
    expect(out.readFloatLE(128 + 4 * 5)).toBe(5);
  });

  it('writes 1-D shapes as one-element tuples and scalars as ()', () => {
    expect(encodeNpy({ shape: [3], data: new Uint8Array(3) }).toString('latin1')).toContain(
      "'shape': (3,), }",
    );
    expect(encodeNpy({ shape: [], data: new Float64Array(1) }).toString('latin1')).toContain(
      "'shape': (), }",
    );
  });

  it('puts the data on a 64-byte boundary for every header length', () => {
    for (let n = 1; n < 200; n += 7) {
      const out = encodeNpy({ shape: [n, 1, n], data: new Uint16Array(n * n) });
      expect((out.length - n * n * 2) % 64).toBe(0);
    }
  });

  it('refuses a shape that does not match the data', () => {
    expect(() => encodeNpy({ shape: [2, 2], data: new Float32Array(3) })).toThrow(
      /holds 4 values but data has 3/,
    );
    expect(() => encodeNpy({ shape: [-1], data: new Float32Array(0) })).toThrow(UserInputError);
  });
});

describe('parseNpy round trip', () => {
  const cases: [string, (n: number) => NpyData][] = [
    ['float32', (n) => Float32Array.from({ length: n }, (_, i) => i * 0.25 - 3)],
    ['float64', (n) => Float64Array.from({ length: n }, (_, i) => Math.PI * i)],
    ['uint16', (n) => Uint16Array.from({ length: n }, (_, i) => (i * 977) % 65536)],
    ['uint8', (n) => Uint8Array.from({ length: n }, (_, i) => i % 256)],
  ];
  it.each(cases)('%s keeps shape, type and values', (_name, make) => {
    for (const shape of [[], [0], [5], [3, 4], [2, 3, 4], [0, 7]]) {
      const data = make(shape.reduce((a, b) => a * b, 1));
      const back = parseNpy(encodeNpy({ shape, data }));
      expect(back.shape).toEqual(shape);
      expect(back.data.constructor).toBe(data.constructor);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });

  it('holds for any float32 array (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 4 }),
        fc.float({ noNaN: true }),
        (shape, seed) => {
          const n = shape.reduce((a, b) => a * b, 1);
          const data = Float32Array.from({ length: n }, (_, i) => seed * (i + 1));
          const back = parseNpy(encodeNpy({ shape, data }));
          expect(back.shape).toEqual(shape);
          expect(back.data).toEqual(data);
        },
      ),
    );
  });

  it('reads and writes files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'npy-'));
    try {
      const file = path.join(dir, 'a.npy');
      await writeNpy(file, { shape: [2, 2], data: Float64Array.from([1, 2, 3, 4]) });
      expect(await readNpy(file)).toEqual({ shape: [2, 2], data: Float64Array.from([1, 2, 3, 4]) });
      await expect(readNpy(path.join(dir, 'missing.npy'))).rejects.toThrow(/file not found/);
      await expect(readNpy(dir)).rejects.toThrow(UserInputError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseNpy with hand-made headers', () => {
  it('reads big-endian float32, float64 and uint16', () => {
    const f4 = parseNpy(
      handMade("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", bigEndian([1.5, -2], 4, true)),
    );
    expect(f4.data).toEqual(Float32Array.from([1.5, -2]));
    const f8 = parseNpy(
      handMade("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", bigEndian([Math.E], 8, true)),
    );
    expect(f8.data).toEqual(Float64Array.from([Math.E]));
    const u2 = parseNpy(
      handMade(
        "{'descr': '>u2', 'fortran_order': False, 'shape': (1, 2), }",
        bigEndian([258, 65535], 2, false),
      ),
    );
    expect(u2).toEqual({ shape: [1, 2], data: Uint16Array.from([258, 65535]) });
  });

  it('reads |u1, version 2.0, reordered keys, double quotes and Python 2 longs', () => {
    const u1 = parseNpy(
      handMade('{"shape": (2L, 1L), "fortran_order": False, "descr": "|u1"}', Uint8Array.from([7, 9]), 2),
    );
    expect(u1).toEqual({ shape: [2, 1], data: Uint8Array.from([7, 9]) });
  });

  it('reads data at an unaligned offset', () => {
    const body = Buffer.alloc(8);
    body.writeFloatLE(3.25, 0);
    body.writeFloatLE(-1, 4);
    // A header of odd length, as a careless writer might produce; the data starts at an odd offset.
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}\n";
    const head = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
    const bytes = Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
    expect(parseNpy(bytes).data).toEqual(Float32Array.from([3.25, -1]));
  });

  it.each([
    ['not npy at all', Buffer.from('PK\x03\x04 zip file'), /magic/],
    ['an unknown version', Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 4, 0, 0, 0]), /version 4\.0/],
    [
      'fortran_order=True',
      handMade("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new Uint8Array(16)),
      /fortran_order=True is not supported/,
    ],
    [
      'int32',
      handMade("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)),
      /unsupported dtype '<i4'/,
    ],
    [
      'float16',
      handMade("{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(2)),
      /unsupported dtype '<f2'/,
    ],
    [
      'native-order float32',
      handMade("{'descr': '=f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)),
      /unsupported dtype '=f4'/,
    ],
    [
      'a structured dtype',
      handMade("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)),
      /structured dtypes/,
    ],
    [
      'truncated data',
      handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", new Uint8Array(20)),
      /needs 24 bytes, file has 20/,
    ],
    [
      'trailing bytes',
      handMade("{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(6)),
      /2 unexpected bytes/,
    ],
    [
      'a truncated header',
      handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(0)).subarray(
        0,
        40,
      ),
      /truncated header/,
    ],
    ['a header that is not a dict', handMade('[1, 2]', new Uint8Array(0)), /not a dict/],
    [
      'a header that does not parse',
      handMade("{'descr': '<f4', 'shape': (2,", new Uint8Array(8)),
      /not a Python dict literal/,
    ],
    [
      'a missing shape',
      handMade("{'descr': '<f4', 'fortran_order': False, }", new Uint8Array(4)),
      /no 'shape'/,
    ],
    [
      'a negative dimension',
      handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", new Uint8Array(0)),
      /invalid shape/,
    ],
    ['no fortran_order', handMade("{'descr': '<f4', 'shape': (1,), }", new Uint8Array(4)), /fortran_order/],
  ])('rejects %s', (_name, bytes, why) => {
    rejects(bytes, why);
  });

  it('rejects an absurd header length before reading it', () => {
    const bytes = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0, 0, 0, 1]);
    rejects(bytes, /header of 16777216 bytes/);
  });

  it('names the file in errors from readNpy', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'npy-'));
    try {
      const file = path.join(dir, 'bad.npy');
      await writeFile(
        file,
        handMade("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", new Uint8Array(4)),
      );
      await expect(readNpy(file)).rejects.toThrow(`${file}: not a usable .npy file: fortran_order=True`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseNpyHeader', () => {
  it('describes the array without copying it, with a normalised descr', () => {
    const bytes = handMade("{'descr': '>u2', 'fortran_order': False, 'shape': (3, 1), }", new Uint8Array(6));
    expect(parseNpyHeader(bytes)).toEqual({
      shape: [3, 1],
      dtype: 'uint16',
      descr: '>u2',
      dataOffset: 128,
      byteLength: 6,
    });
    const u1 = handMade("{'descr': '<u1', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(2));
    expect(parseNpyHeader(u1).descr).toBe('|u1');
  });
});
