import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The golden tensors made by scripts/models/make_goldens.py (test/fixtures/golden/README.md). */
export const GOLDEN_DIR = path.resolve(__dirname, '../fixtures/golden');
export const TEST_MODELS = path.resolve(__dirname, '../fixtures/models');

export interface Golden {
  shape: number[];
  data: Float32Array | BigInt64Array;
}

/** A minimal .npy reader for the goldens' two dtypes (little-endian float32 and int64, C order). */
export function readGolden(file: string): Golden {
  const buf = readFileSync(path.join(GOLDEN_DIR, file));
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.subarray(start, start + headerLen).toString('latin1');
  const shape = (header.match(/'shape': \(([^)]*)\)/)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const body = buf.buffer.slice(buf.byteOffset + start + headerLen, buf.byteOffset + buf.length);
  if (header.includes("'<f4'")) return { shape, data: new Float32Array(body) };
  if (header.includes("'<i8'")) return { shape, data: new BigInt64Array(body) };
  throw new Error(`${file}: unsupported dtype in ${header}`);
}

export function goldenIndex(): Record<string, Record<string, unknown>> {
  return JSON.parse(readFileSync(path.join(GOLDEN_DIR, 'index.json'), 'utf8')) as never;
}

/** Largest absolute difference, and the largest difference relative to the reference's largest magnitude. */
export function compare(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
): { maxAbs: number; rel: number; meanAbs: number } {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let maxAbs = 0;
  let scale = 0;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    sum += d;
    if (d > maxAbs) maxAbs = d;
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return { maxAbs, rel: maxAbs / (scale || 1), meanAbs: sum / actual.length };
}
