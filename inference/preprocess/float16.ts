/**
 * IEEE 754 binary16 (half precision) conversions for float16 model inputs and outputs. onnxruntime-node
 * takes and returns float16 tensors as Uint16Array bit patterns (Node 20 has no Float16Array).
 *
 * float32 -> float16 rounds to nearest, ties to even (as numpy, PyTorch and the hardware do): values
 * beyond the largest half (65504) that round past it become +-Infinity, values under half the smallest
 * subnormal (2^-25) become +-0, NaN stays a (quiet) NaN, the sign of zero is kept.
 */

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The binary16 bit pattern of a float32 bit pattern. */
function halfOfBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112; // rebias 127 -> 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // a half subnormal (or zero): value = (mant | implicit 1) * 2^(e - 14) in units of 2^-24
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let r = m >>> shift;
    if (rest > half || (rest === half && r & 1)) r++; // r = 0x400 is the smallest normal: still right
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && r & 1)) r++; // a carry into the exponent is right, up to Infinity
  return sign | r;
}

export function float32ToFloat16Bits(value: number): number {
  F32[0] = value;
  return halfOfBits(U32[0]);
}

export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** float32 values -> float16 bit patterns. */
export function toFloat16(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = halfOfBits(bits[i]);
  return out;
}

let TABLE: Float32Array | undefined;

/** float16 bit patterns -> float32 values (exact: every half is a float32). */
export function fromFloat16(src: Uint16Array): Float32Array {
  if (!TABLE) {
    TABLE = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) TABLE[h] = float16BitsToFloat32(h);
  }
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = TABLE[src[i]];
  return out;
}
