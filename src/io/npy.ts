import { readFile, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { UserInputError } from '../errors/errors';

/**
 * NumPy .npy reader and writer for the few dtypes depth maps and masks use.
 *
 * Format (numpy/lib/format.py): magic "\x93NUMPY", major and minor version bytes, header length
 * (uint16 LE in v1.0, uint32 LE in v2.0/v3.0), then an ASCII (v3: UTF-8) Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (480, 640), }` padded with spaces and a
 * newline, then the raw C-order data.
 *
 * Reading accepts little- and big-endian f4/f8/u2 and u1; writing always produces little-endian,
 * C order, v1.0 (v2.0 only when the header would not fit). Trailing bytes after the data are rejected:
 * numpy never writes them, so they mean the file is not what it claims to be.
 */

export type NpyData = Float32Array | Float64Array | Uint16Array | Uint8Array;

export interface NpyArray {
  shape: number[];
  data: NpyData;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
/** numpy's own `max_header_size` default is 10 000; headers beyond this are not arrays we can use. */
const MAX_HEADER_BYTES = 100_000;
const HOST_LITTLE_ENDIAN = endianness() === 'LE';

type Kind = 'f4' | 'f8' | 'u2' | 'u1';
const ITEM_SIZE: Record<Kind, number> = { f4: 4, f8: 8, u2: 2, u1: 1 };

export const NPY_READABLE_DTYPES = ['<f4', '>f4', '<f8', '>f8', '<u2', '>u2', '|u1'] as const;

export type NpyDtype = 'float32' | 'float64' | 'uint16' | 'uint8';

export interface NpyHeader {
  shape: number[];
  dtype: NpyDtype;
  /** Byte order and type, normalised: '<f4', '>f8', '<u2', '|u1', ... */
  descr: string;
  dataOffset: number;
  byteLength: number;
}

const DTYPE_OF_KIND: Record<Kind, NpyDtype> = { f4: 'float32', f8: 'float64', u2: 'uint16', u1: 'uint8' };

/** Parses .npy bytes. `source` names the file (or field) in error messages. */
export function parseNpy(bytes: Uint8Array, source = 'npy'): NpyArray {
  const header = parseNpyHeader(bytes, source);
  const kind = header.descr.slice(1) as Kind;
  const itemSize = ITEM_SIZE[kind];
  // Copy into a fresh buffer: the data offset is rarely aligned for the typed-array view.
  const raw = new Uint8Array(header.byteLength);
  raw.set(bytes.subarray(header.dataOffset, header.dataOffset + header.byteLength));
  const littleEndian = header.descr[0] !== '>';
  if (itemSize > 1 && littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(raw, itemSize);
  return { shape: header.shape, data: makeTyped(kind, raw.buffer) };
}

/**
 * Validates the header and the data length without touching the data, so callers can check shape
 * and size limits before anything is copied.
 */
export function parseNpyHeader(bytes: Uint8Array, source = 'npy'): NpyHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string): never => {
    throw new UserInputError(`not a usable .npy file: ${why}`, source);
  };

  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) fail('missing the \\x93NUMPY magic bytes');
  const major = buf[6];
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) fail('truncated header');
    headerLen = buf.readUInt32LE(8);
    headerStart = 12;
  } else {
    return fail(`unsupported format version ${major}.${buf[7]} (1.0, 2.0 and 3.0 are supported)`);
  }
  if (headerLen > MAX_HEADER_BYTES) fail(`header of ${headerLen} bytes is larger than ${MAX_HEADER_BYTES}`);
  const dataStart = headerStart + headerLen;
  if (buf.length < dataStart)
    fail(`truncated header (${headerLen} bytes announced, ${buf.length - headerStart} present)`);
  const headerText = buf.toString(major === 3 ? 'utf8' : 'latin1', headerStart, dataStart);

  let header: unknown;
  try {
    header = parsePythonLiteral(headerText);
  } catch (e) {
    return fail(`header is not a Python dict literal (${(e as Error).message})`);
  }
  if (!isDict(header)) return fail('header is not a dict');
  const descr = header.get('descr');
  const fortranOrder = header.get('fortran_order');
  const shapeValue = header.get('shape');
  if (typeof descr !== 'string') {
    return fail(`unsupported dtype ${describe(descr)} (structured dtypes are not supported)`);
  }
  if (typeof fortranOrder !== 'boolean') fail("header has no boolean 'fortran_order'");
  if (fortranOrder)
    fail('fortran_order=True is not supported; save the array in C order (np.ascontiguousarray)');
  if (!Array.isArray(shapeValue) || !shapeValue.every((d) => typeof d === 'number')) {
    return fail("header has no 'shape' tuple of integers");
  }
  const shape = shapeValue as number[];
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`invalid shape (${shape.join(', ')})`);

  const dtype = parseDescr(descr);
  if (!dtype) {
    return fail(`unsupported dtype '${descr}' (supported: ${NPY_READABLE_DTYPES.join(', ')})`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const itemSize = ITEM_SIZE[dtype.kind];
  const byteLength = count * itemSize;
  if (!Number.isSafeInteger(byteLength)) fail(`shape (${shape.join(', ')}) is too large`);
  const present = buf.length - dataStart;
  if (present < byteLength) {
    fail(
      `truncated data: shape (${shape.join(', ')}) of ${descr} needs ${byteLength} bytes, file has ${present}`,
    );
  }
  if (present > byteLength) fail(`${present - byteLength} unexpected bytes after the array data`);
  // Normalise the byte-order character so that parseNpy can read it back: u1 has none that matters.
  const order = dtype.kind === 'u1' ? '|' : dtype.littleEndian ? '<' : '>';
  return {
    shape: [...shape],
    dtype: DTYPE_OF_KIND[dtype.kind],
    descr: `${order}${dtype.kind}`,
    dataOffset: dataStart,
    byteLength,
  };
}

/** Encodes an array as .npy bytes (little-endian, C order). */
export function encodeNpy(array: NpyArray): Buffer {
  const { shape, data } = array;
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new UserInputError(`invalid shape [${shape.join(', ')}]`, 'shape');
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new UserInputError(
      `shape [${shape.join(', ')}] holds ${count} values but data has ${data.length}`,
      'shape',
    );
  }
  const descr = descrOf(data);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;

  // Byte-for-byte what np.save writes: spare spaces after the dict so the first axis can grow in
  // place (GROWTH_AXIS_MAX_DIGITS = 21), then 1..64 spaces and '\n' so that the data starts on a
  // 64-byte boundary (ARRAY_ALIGN). v2.0's length field is 4 bytes instead of 2.
  const growth = shape.length > 0 ? Math.max(0, 21 - String(shape[0]).length) : 0;
  const text = dict + ' '.repeat(growth);
  let major = 1;
  let prefixLen = 10;
  let padLen = 64 - ((prefixLen + text.length + 1) % 64);
  if (text.length + 1 + padLen > 0xffff) {
    major = 2;
    prefixLen = 12;
    padLen = 64 - ((prefixLen + text.length + 1) % 64);
  }
  const header = text + ' '.repeat(padLen) + '\n';
  const headerLen = header.length;
  const total = prefixLen + headerLen;

  const out = Buffer.alloc(total + data.byteLength);
  MAGIC.copy(out, 0);
  out[6] = major;
  out[7] = 0;
  if (major === 1) out.writeUInt16LE(headerLen, 8);
  else out.writeUInt32LE(headerLen, 8);
  out.write(header, prefixLen, 'latin1');
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  out.set(body, total);
  if (!HOST_LITTLE_ENDIAN && data.BYTES_PER_ELEMENT > 1) {
    swapBytes(out.subarray(total), data.BYTES_PER_ELEMENT);
  }
  return out;
}

export async function readNpy(path: string): Promise<NpyArray> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw fileError(e, path);
  }
  return parseNpy(bytes, path);
}

export async function writeNpy(path: string, array: NpyArray): Promise<void> {
  await writeFile(path, encodeNpy(array));
}

/** Maps fs errors on a user-given path to a UserInputError; anything else is rethrown unchanged. */
export function fileError(e: unknown, path: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new UserInputError('file not found', path);
  if (code === 'EISDIR') return new UserInputError('is a directory, not a file', path);
  if (code === 'EACCES' || code === 'EPERM') return new UserInputError('permission denied', path);
  return e;
}

function parseDescr(descr: string): { kind: Kind; littleEndian: boolean } | undefined {
  const m = /^([<>|=]?)([fu])(\d)$/.exec(descr);
  if (!m) return undefined;
  const kind = `${m[2]}${m[3]}`;
  if (kind !== 'f4' && kind !== 'f8' && kind !== 'u2' && kind !== 'u1') return undefined;
  const order = m[1];
  // '=' and '' mean the writer's native order, which numpy itself never writes; treat as unknown
  // except for single bytes, where order is meaningless.
  if (kind === 'u1') return { kind, littleEndian: true };
  if (order !== '<' && order !== '>') return undefined;
  return { kind, littleEndian: order === '<' };
}

function descrOf(data: NpyData): string {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Uint16Array) return '<u2';
  return '|u1';
}

function makeTyped(kind: Kind, buffer: ArrayBuffer): NpyData {
  switch (kind) {
    case 'f4':
      return new Float32Array(buffer);
    case 'f8':
      return new Float64Array(buffer);
    case 'u2':
      return new Uint16Array(buffer);
    case 'u1':
      return new Uint8Array(buffer);
  }
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

function describe(v: unknown): string {
  return Array.isArray(v) ? 'list' : v instanceof Map ? 'dict' : (JSON.stringify(v) ?? String(v));
}

// ---- A parser for the Python literal subset numpy writes: dicts, tuples, lists, strings, ints, bools.

type PyValue = string | number | boolean | null | PyValue[] | Map<string, PyValue>;

function isDict(v: unknown): v is Map<string, PyValue> {
  return v instanceof Map;
}

function parsePythonLiteral(text: string): PyValue {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const expect = (ch: string) => {
    ws();
    if (text[i] !== ch) throw new Error(`expected '${ch}' at offset ${i}`);
    i++;
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const map = new Map<string, PyValue>();
      for (;;) {
        ws();
        if (text[i] === '}') {
          i++;
          return map;
        }
        const key = value();
        if (typeof key !== 'string') throw new Error(`dict key at offset ${i} is not a string`);
        expect(':');
        map.set(key, value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') throw new Error(`expected ',' or '}' at offset ${i}`);
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          return items;
        }
        items.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) throw new Error(`expected ',' or '${close}' at offset ${i}`);
      }
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new Error('unterminated string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const m = /^(True|False|None|-?\d+L?)/.exec(text.slice(i, i + 32));
    if (!m) throw new Error(`unexpected '${text.slice(i, i + 10)}' at offset ${i}`);
    i += m[1].length;
    if (m[1] === 'True') return true;
    if (m[1] === 'False') return false;
    if (m[1] === 'None') return null;
    return Number(m[1].replace('L', '')); // Python 2 writers append L to longs
  };
  const v = value();
  ws();
  if (i !== text.length) throw new Error(`unexpected text after the literal at offset ${i}`);
  return v;
}
