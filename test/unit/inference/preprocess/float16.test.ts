import {
  float16BitsToFloat32,
  float32ToFloat16Bits,
  fromFloat16,
  toFloat16,
} from '../../../../inference/preprocess/float16';

const f32 = (v: number) => Math.fround(v);

/** Every finite non-negative half, by bit pattern, and its value: the reference for nearest-even. */
const HALVES = Array.from({ length: 0x7c00 }, (_, h) => float16BitsToFloat32(h));

/** Nearest half by search (ties to the even bit pattern), independent of the bit arithmetic. */
function reference(v: number): number {
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  let lo = 0;
  let hi = HALVES.length - 1;
  if (a >= 65520) return sign | 0x7c00; // half-way to 2^16 and beyond rounds to Infinity
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (HALVES[mid] <= a) lo = mid;
    else hi = mid;
  }
  const dl = a - HALVES[lo];
  const dh = HALVES[hi] - a;
  const h = dl < dh ? lo : dh < dl ? hi : lo % 2 === 0 ? lo : hi;
  return sign | h;
}

describe('float32 -> float16', () => {
  it('converts the edge cases', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff], // the largest half
      [65519.99, 0x7bff],
      [65520, 0x7c00], // the tie above the largest half rounds to even: Infinity
      [1e6, 0x7c00],
      [-1e6, 0xfc00],
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
      [2 ** -14, 0x0400], // the smallest normal
      [1023 * 2 ** -24, 0x03ff], // the largest subnormal
      [2 ** -24, 0x0001], // the smallest subnormal
      [2 ** -25, 0x0000], // a tie between 0 and the smallest subnormal: even (0)
      [-(2 ** -25), 0x8000],
      [f32(2 ** -25 * 1.000001), 0x0001],
      [3 * 2 ** -25, 0x0002], // a tie between subnormals 1 and 2: even
      [5 * 2 ** -25, 0x0002], // between 2 and 3: even
      [2 ** -30, 0x0000],
      [1 + 2 ** -11, 0x3c00], // a tie between 1 and 1 + 2^-10: even
      [1 + 3 * 2 ** -11, 0x3c02],
      [f32(1 + 2 ** -11 + 2 ** -20), 0x3c01], // just above the tie: up
      [2049, 0x6800], // a tie between 2048 and 2050
      [2051, 0x6802], // a tie between 2050 and 2052
      [f32(2 ** -14 - 2 ** -25), 0x0400], // the tie between the largest subnormal and the smallest normal
    ];
    for (const [v, bits] of cases) {
      expect([v, float32ToFloat16Bits(v).toString(16)]).toEqual([v, bits.toString(16)]);
    }
    const nan = float32ToFloat16Bits(NaN);
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x3ff).not.toBe(0);
  });

  it('rounds to the nearest half, ties to even, over many magnitudes', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) as number;
    const values = new Float32Array(20000);
    for (let i = 0; i < values.length; i++) {
      const exp = Math.floor(rand() * 46) - 28; // 2^-28 .. 2^17: zero, subnormals, normals, overflow
      values[i] = (rand() < 0.5 ? -1 : 1) * (1 + rand()) * 2 ** exp;
    }
    // exact ties too: the midpoints between neighbouring halves
    for (let h = 0; h < 0x7bff; h += 97) values[h % values.length] = f32((HALVES[h] + HALVES[h + 1]) / 2);
    const got = toFloat16(values);
    for (let i = 0; i < values.length; i++) {
      if (got[i] !== reference(values[i])) {
        throw new Error(
          `${values[i]}: got ${got[i].toString(16)}, expected ${reference(values[i]).toString(16)}`,
        );
      }
    }
  });

  it('converts a subarray view at an offset', () => {
    const buf = new Float32Array([9, 1, -2, 0.5]);
    expect(Array.from(toFloat16(buf.subarray(1)))).toEqual([0x3c00, 0xc000, 0x3800]);
  });
});

describe('float16 -> float32', () => {
  it('gives the exact values and round-trips every half', () => {
    expect(float16BitsToFloat32(0x3555)).toBe(0.333251953125);
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24);
    expect(float16BitsToFloat32(0x7bff)).toBe(65504);
    expect(float16BitsToFloat32(0xfc00)).toBe(-Infinity);
    expect(Object.is(float16BitsToFloat32(0x8000), -0)).toBe(true);
    expect(float16BitsToFloat32(0x7e00)).toBeNaN();
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const values = fromFloat16(all);
    const back = toFloat16(values);
    for (let h = 0; h < 65536; h++) {
      const nan = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (nan) expect(Number.isNaN(values[h])).toBe(true);
      else if (back[h] !== h) throw new Error(`half ${h.toString(16)} came back as ${back[h].toString(16)}`);
    }
  });
});
