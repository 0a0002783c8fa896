// NumPy's .npy format: "\x93NUMPY", version (1, 2 or 3), header length (uint16 for v1, uint32 after), a Python
// dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (N, H, W), } padded with spaces to a multiple
// of 64 (16 for old files), then the raw data in C order. Little-endian ('<'), byte ('|') and native ('=')
// dtypes are read; big-endian and Fortran order are refused with a message.

import { DataError, fmt, printable } from './dataset';

export type NpyDtype = 'b1' | 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8' | 'f2' | 'f4' | 'f8';

export type NpyData =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

export interface NpyHeader {
  dtype: NpyDtype;
  shape: number[];
  fortranOrder: boolean;
  /** Bytes before the data (magic, version, length, dict, padding). */
  dataOffset: number;
  /** Bytes of data the header promises. */
  dataBytes: number;
}

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  /** Element type follows the dtype; 'b1' reads as Uint8Array (0/1) and 'f2' as Float32Array. */
  data: NpyData;
}

export const DTYPE_BYTES: Record<NpyDtype, number> = { b1: 1, i1: 1, u1: 1, i2: 2, u2: 2, i4: 4, u4: 4, i8: 8, u8: 8, f2: 2, f4: 4, f8: 8 };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parses the header of a .npy held in `bytes` (only the first few hundred bytes are needed). */
export function parseNpyHeader(bytes: Uint8Array, name = 'the .npy data'): NpyHeader {
  if (bytes.length < 10) throw new DataError(`${name} is truncated: ${bytes.length} bytes is less than a .npy header.`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new DataError(`${name} is not a .npy array (it does not start with \\x93NUMPY).`);
  }
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new DataError(`${name} is truncated inside its header.`);
    headerLen = dv.getUint32(8, true);
    start = 12;
  } else {
    throw new DataError(`${name} uses .npy format version ${major}.${bytes[7]}; versions 1, 2 and 3 are supported.`);
  }
  if (bytes.length < start + headerLen) throw new DataError(`${name} is truncated inside its header (needs ${start + headerLen} bytes, found ${bytes.length}).`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const dict = parsePyDict(text, name);
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string') throw new DataError(`${name} has a header without a simple 'descr' (structured arrays are not supported): ${printable(text)}`);
  if (typeof fortran !== 'boolean') throw new DataError(`${name} has a header without 'fortran_order': ${printable(text)}`);
  if (!Array.isArray(shape)) throw new DataError(`${name} has a header without a 'shape' tuple: ${printable(text)}`);
  const dtype = parseDescr(descr, name);
  let count = 1;
  for (const d of shape) count *= d;
  return { dtype, shape, fortranOrder: fortran, dataOffset: start + headerLen, dataBytes: count * DTYPE_BYTES[dtype] };
}

function parseDescr(descr: string, name: string): NpyDtype {
  const m = /^([<>|=])([biuf])(\d+)$/.exec(descr);
  if (!m) throw new DataError(`${name} has dtype '${printable(descr)}', which is not a plain number type (expected e.g. '|u1', '<f4', '<i8').`);
  const [, order, kind, size] = m;
  const dtype = `${kind}${size}` as NpyDtype;
  if (!(dtype in DTYPE_BYTES)) throw new DataError(`${name} has dtype '${printable(descr)}', which is not supported (use uint8, int8…int64, float16, float32 or float64).`);
  if (order === '>' && DTYPE_BYTES[dtype] > 1) throw new DataError(`${name} is big-endian ('${printable(descr)}'); save it little-endian, e.g. array.astype('<${dtype}').`);
  return dtype;
}

type PyValue = string | number | boolean | null | number[];

/** A tiny parser for the header dict: string keys; values are strings, ints, True/False/None and int tuples. */
function parsePyDict(text: string, name: string): Map<string, PyValue> {
  let i = 0;
  const fail = (what: string): never => {
    throw new DataError(`${name} has an unreadable header (${what} at character ${i}): ${printable(text)}`);
  };
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const str = (): string => {
    const q = text[i];
    if (q !== "'" && q !== '"') fail('expected a string');
    const end = text.indexOf(q, i + 1);
    if (end < 0) fail('unterminated string');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const value = (): PyValue => {
    ws();
    const ch = text[i];
    if (ch === "'" || ch === '"') return str();
    if (ch === '(' || ch === '[') {
      const close = ch === '(' ? ')' : ']';
      i++;
      const items: number[] = [];
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          return items;
        }
        const v = value();
        if (typeof v !== 'number') fail('expected a number in the shape');
        items.push(v as number);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    const m = /^(True|False|None|-?\d+L?)/.exec(text.slice(i));
    if (!m) return fail('unexpected value');
    i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return parseInt(m[0], 10);
  };
  const out = new Map<string, PyValue>();
  ws();
  if (text[i] !== '{') fail("expected '{'");
  i++;
  for (;;) {
    ws();
    if (text[i] === '}') break;
    const key = str();
    ws();
    if (text[i] !== ':') fail("expected ':'");
    i++;
    out.set(key, value());
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail("expected ',' or '}'");
  }
  return out;
}

/** Converts raw little-endian bytes of a dtype into a typed array (copying, so alignment never matters). */
export function decodeNpyData(bytes: Uint8Array, dtype: NpyDtype, count: number): NpyData {
  const nbytes = count * DTYPE_BYTES[dtype];
  const copy = new Uint8Array(nbytes);
  copy.set(bytes.subarray(0, nbytes));
  const b = copy.buffer;
  switch (dtype) {
    case 'b1':
    case 'u1':
      return copy;
    case 'i1':
      return new Int8Array(b);
    case 'i2':
      return new Int16Array(b);
    case 'u2':
      return new Uint16Array(b);
    case 'i4':
      return new Int32Array(b);
    case 'u4':
      return new Uint32Array(b);
    case 'i8':
      return new BigInt64Array(b);
    case 'u8':
      return new BigUint64Array(b);
    case 'f2': {
      const half = new Uint16Array(b);
      const out = new Float32Array(count);
      for (let k = 0; k < count; k++) out[k] = halfToFloat(half[k]);
      return out;
    }
    case 'f4':
      return new Float32Array(b);
    case 'f8':
      return new Float64Array(b);
  }
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Reads a whole .npy file held in memory. */
export function readNpy(buffer: Uint8Array, name = 'the .npy data'): NpyArray {
  const h = parseNpyHeader(buffer, name);
  if (h.fortranOrder) throw new DataError(`${name} is stored in Fortran order; save it in C order (np.ascontiguousarray) and try again.`);
  const found = buffer.length - h.dataOffset;
  if (found < h.dataBytes) {
    throw new DataError(`${name} is truncated: header says ${h.shape.map(fmt).join('×') || 'a scalar'} of ${h.dtype} = ${fmt(h.dataBytes)} bytes, found ${fmt(Math.max(0, found))}.`);
  }
  const count = h.dataBytes / DTYPE_BYTES[h.dtype];
  return { dtype: h.dtype, shape: h.shape, data: decodeNpyData(buffer.subarray(h.dataOffset), h.dtype, count) };
}

function dtypeOf(array: NpyData | ArrayLike<number>): NpyDtype {
  if (array instanceof Float32Array) return 'f4';
  if (array instanceof Float64Array) return 'f8';
  if (array instanceof Int8Array) return 'i1';
  if (array instanceof Uint8Array || array instanceof Uint8ClampedArray) return 'u1';
  if (array instanceof Int16Array) return 'i2';
  if (array instanceof Uint16Array) return 'u2';
  if (array instanceof Int32Array) return 'i4';
  if (array instanceof Uint32Array) return 'u4';
  if (array instanceof BigInt64Array) return 'i8';
  if (array instanceof BigUint64Array) return 'u8';
  return 'f8';
}

/**
 * Writes a C-order .npy (version 1.0, or 2.0 when the header would not fit). `dtype` defaults to the typed
 * array's own type (plain number arrays become float64); a different dtype converts the values.
 */
export function writeNpy(array: NpyData | ArrayLike<number>, shape: readonly number[], dtype?: NpyDtype): Uint8Array {
  const dt = dtype ?? dtypeOf(array);
  if (dt === 'f2') throw new DataError('writing float16 .npy files is not supported; use f4.');
  let count = 1;
  for (const d of shape) count *= d;
  if (count !== array.length) throw new DataError(`writeNpy: shape ${shape.join('×')} holds ${count} values but the array has ${array.length}.`);
  const prefix = dt === 'u1' || dt === 'i1' || dt === 'b1' ? '|' : '<';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${prefix}${dt}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let major = 1;
  let pre = 10;
  if (dict.length + pre + 1 > 65535) {
    major = 2;
    pre = 12;
  }
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  dict = dict + ' '.repeat(total - pre - dict.length - 1) + '\n';
  const nbytes = count * DTYPE_BYTES[dt];
  const out = new Uint8Array(total + nbytes);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const head = new DataView(out.buffer);
  if (major === 1) head.setUint16(8, dict.length, true);
  else head.setUint32(8, dict.length, true);
  // The dict is ASCII (Python's repr of a dtype and a shape): one byte per character.
  for (let i = 0; i < dict.length; i++) out[pre + i] = dict.charCodeAt(i) & 0xff;
  const body = out.subarray(total);
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const big = array instanceof BigInt64Array || array instanceof BigUint64Array;
  for (let k = 0; k < count; k++) {
    const v = (array as ArrayLike<number | bigint>)[k];
    const num = typeof v === 'bigint' ? Number(v) : v;
    switch (dt) {
      case 'b1':
        dv.setUint8(k, num ? 1 : 0);
        break;
      case 'u1':
        dv.setUint8(k, num);
        break;
      case 'i1':
        dv.setInt8(k, num);
        break;
      case 'i2':
        dv.setInt16(2 * k, num, true);
        break;
      case 'u2':
        dv.setUint16(2 * k, num, true);
        break;
      case 'i4':
        dv.setInt32(4 * k, num, true);
        break;
      case 'u4':
        dv.setUint32(4 * k, num, true);
        break;
      case 'i8':
        dv.setBigInt64(8 * k, big ? BigInt.asIntN(64, v as bigint) : BigInt(Math.trunc(num)), true);
        break;
      case 'u8':
        dv.setBigUint64(8 * k, big ? BigInt.asUintN(64, v as bigint) : BigInt(Math.trunc(num)), true);
        break;
      case 'f4':
        dv.setFloat32(4 * k, num, true);
        break;
      case 'f8':
        dv.setFloat64(8 * k, num, true);
        break;
    }
  }
  return out;
}

/** Converts integer (or whole-valued) label data to Int32Array; refuses floats with fractions. */
export function toInt32(data: NpyData, dtype: NpyDtype, name: string): Int32Array {
  if (dtype === 'f4' || dtype === 'f8' || dtype === 'f2' || dtype === 'b1') {
    throw new DataError(`${name} holds ${dtype === 'b1' ? 'booleans' : 'floating-point numbers'} (dtype ${dtype}); labels must be integers (e.g. labels.astype('int64')).`);
  }
  const out = new Int32Array(data.length);
  for (let k = 0; k < data.length; k++) {
    const v = data[k];
    const num = typeof v === 'bigint' ? Number(v) : v;
    if (num > 2147483647 || num < -2147483648) throw new DataError(`${name}: label ${num} at index ${k} is not a class index.`);
    out[k] = num;
  }
  return out;
}
