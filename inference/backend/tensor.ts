/**
 * Plain tensors as they cross the worker boundary and the adapters' edges: a typed array, its element
 * type and its shape. Nothing here depends on onnxruntime, so pre- and post-processing can be tested
 * (and run) without a session.
 */

export type TensorType = 'float32' | 'int64' | 'int32' | 'uint8' | 'bool' | 'float16';

export type TensorArray = Float32Array | BigInt64Array | Int32Array | Uint8Array | Uint16Array;

export interface PlainTensor {
  type: TensorType;
  data: TensorArray;
  dims: number[];
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function float32(data: Float32Array, dims: number[]): PlainTensor {
  return { type: 'float32', data, dims };
}

export function int64(values: ArrayLike<number | bigint>, dims: number[]): PlainTensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return { type: 'int64', data, dims };
}

function allocate(type: TensorType, length: number): TensorArray {
  switch (type) {
    case 'float32':
      return new Float32Array(length);
    case 'int64':
      return new BigInt64Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'uint8':
    case 'bool':
      return new Uint8Array(length);
    case 'float16':
      return new Uint16Array(length);
  }
}

/**
 * Stacks tensors of identical type and trailing shape along dimension 0 (the batch dimension, or, for
 * OWLv2's text inputs, the batch-times-queries dimension).
 */
export function concatDim0(parts: readonly PlainTensor[]): PlainTensor {
  if (parts.length === 1) return parts[0];
  const [first] = parts;
  const tail = first.dims.slice(1);
  let rows = 0;
  for (const p of parts) {
    if (
      p.type !== first.type ||
      p.dims.length !== first.dims.length ||
      p.dims.slice(1).some((d, i) => d !== tail[i])
    ) {
      throw new Error(`cannot stack tensors of shape [${first.dims.join(', ')}] and [${p.dims.join(', ')}]`);
    }
    rows += p.dims[0];
  }
  const out = allocate(first.type, rows * elementCount(tail));
  let offset = 0;
  for (const p of parts) {
    (out as Float32Array).set(p.data as Float32Array, offset);
    offset += p.data.length;
  }
  return { type: first.type, data: out, dims: [rows, ...tail] };
}

/** Rows [start, start + count) of dimension 0, as a copy (the result may be transferred to another thread). */
export function sliceDim0(t: PlainTensor, start: number, count: number): PlainTensor {
  const rowSize = elementCount(t.dims.slice(1));
  const data = t.data.slice(start * rowSize, (start + count) * rowSize) as TensorArray;
  return { type: t.type, data, dims: [count, ...t.dims.slice(1)] };
}
