/**
 * Tensors and images on disk for the GPU benchmark, shared with scripts/gpu/export_and_torch.py: a
 * folder with `meta.json` ({tensors: {name: {type, dims, file}}, ...}) and one raw little-endian file per
 * tensor; decoded images as raw RGB with `images.json` ([{file, width, height}]).
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RgbImage } from '../../inference/adapters/adapter';
import type { PlainTensor, TensorArray, TensorType } from '../../inference/backend/tensor';
import { fromFloat16 } from '../../inference/preprocess/float16';

interface TensorMeta {
  type: TensorType;
  dims: number[];
  file: string;
}

export interface TensorFolder {
  tensors: Record<string, PlainTensor>;
  meta: Record<string, unknown>;
}

function view(type: TensorType, bytes: Buffer): TensorArray {
  // A copy into a fresh, aligned buffer (Buffer pools are not 8-byte aligned).
  const buf = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buf).set(bytes);
  switch (type) {
    case 'float32':
      return new Float32Array(buf);
    case 'int64':
      return new BigInt64Array(buf);
    case 'int32':
      return new Int32Array(buf);
    case 'float16':
      return new Uint16Array(buf);
    default:
      return new Uint8Array(buf);
  }
}

export function readTensorFolder(dir: string): TensorFolder {
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as {
    tensors: Record<string, TensorMeta>;
  } & Record<string, unknown>;
  const tensors: Record<string, PlainTensor> = {};
  for (const [name, t] of Object.entries(meta.tensors)) {
    tensors[name] = { type: t.type, dims: t.dims, data: view(t.type, readFileSync(path.join(dir, t.file))) };
  }
  const { tensors: _t, ...rest } = meta;
  return { tensors, meta: rest };
}

export function writeTensorFolder(
  dir: string,
  tensors: Record<string, PlainTensor>,
  extra: Record<string, unknown>,
): void {
  mkdirSync(dir, { recursive: true });
  const metas: Record<string, TensorMeta> = {};
  for (const [name, t] of Object.entries(tensors)) {
    const file = `${name}.bin`;
    const a = t.data;
    writeFileSync(path.join(dir, file), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    metas[name] = { type: t.type, dims: t.dims, file };
  }
  writeFileSync(path.join(dir, 'meta.json'), `${JSON.stringify({ tensors: metas, ...extra }, null, 2)}\n`);
}

export function readImages(dir: string): RgbImage[] {
  const list = JSON.parse(readFileSync(path.join(dir, 'images.json'), 'utf8')) as {
    file: string;
    width: number;
    height: number;
  }[];
  return list.map((e) => {
    const bytes = readFileSync(path.join(dir, e.file));
    if (bytes.length !== e.width * e.height * 3) throw new Error(`${e.file}: not ${e.width}x${e.height} RGB`);
    return { width: e.width, height: e.height, data: new Uint8Array(bytes) };
  });
}

/** ‖got − ref‖ / ‖ref‖, the same over the centred reference, and the largest absolute difference. */
export function compare(
  got: PlainTensor,
  ref: PlainTensor,
): { relL2: number; relL2Centered: number; maxAbs: number; finite: boolean } {
  if (got.dims.join('x') !== ref.dims.join('x')) {
    throw new Error(`shape [${got.dims.join(', ')}] != reference [${ref.dims.join(', ')}]`);
  }
  const g = got.type === 'float16' ? fromFloat16(got.data as Uint16Array) : (got.data as Float32Array);
  const r = ref.data as Float32Array;
  let mean = 0;
  for (let i = 0; i < r.length; i++) mean += r[i];
  mean /= r.length || 1;
  let num = 0;
  let den = 0;
  let denC = 0;
  let maxAbs = 0;
  let finite = true;
  for (let i = 0; i < r.length; i++) {
    const d = g[i] - r[i];
    if (!Number.isFinite(g[i])) finite = false;
    num += d * d;
    den += r[i] * r[i];
    denC += (r[i] - mean) * (r[i] - mean);
    if (Math.abs(d) > maxAbs) maxAbs = Math.abs(d);
  }
  return {
    relL2: Math.sqrt(num / Math.max(den, 1e-30)),
    relL2Centered: Math.sqrt(num / Math.max(denC, 1e-30)),
    maxAbs,
    finite,
  };
}

export function pct(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
