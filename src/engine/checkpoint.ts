// Checkpoints as safetensors files (https://github.com/huggingface/safetensors, format described in its
// README): an 8-byte little-endian header length, a JSON header mapping tensor names to
// { dtype, shape, data_offsets } plus a `__metadata__` string map, then the raw little-endian data.
//
// Tensor names are PyTorch's state_dict names under `layers.{i}.` with i = LayerInfo.index, in PyTorch
// layouts: `weight`/`bias` (conv [K,C,FH,FW], dense [U,I] with I in C×H×W flatten order, bias [n]; dtype
// F32) and batch norm's buffers `running_mean`, `running_var` (F32) and `num_batches_tracked` (I64). A torch
// nn.Sequential whose indices mirror the layer statements loads it with load_state_dict (see
// scripts/make-engine-fixtures.py). Metadata: `source` (the model text) and `metrics` (JSON text).

import { escapeInvisible } from '../language/printable';
import { isAtomicTemp } from '../platform/atomicTemp';
import { host } from '../platform/host';
import type { ModelSpec } from '../language/model';
import type { Network } from './network';
import { buildPlan, stateShapes } from './plan';
import type { NamedTensor } from './tensors';

export interface CheckpointMetadata {
  /** The model source text. */
  source?: string;
  /** Metrics as JSON text. */
  metrics?: string;
  [key: string]: string | undefined;
}

export interface Checkpoint {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Largest header we accept (the format's own reference limit is 100 MB). */
const MAX_HEADER = 100_000_000;

/** The safetensors bytes for these tensors and metadata (header padded with spaces to 8 bytes). */
export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string | undefined> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) if (typeof v === 'string') meta[k] = v;
  if (Object.keys(meta).length > 0) header['__metadata__'] = meta;
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`${t.name}: shape [${t.shape.join(',')}] holds ${count} values but the data has ${t.data.length}`);
    if (t.name === '__metadata__' || t.name in header) throw new Error(`duplicate or reserved tensor name ${t.name}`);
    const size = DTYPE_BYTES[t.dtype ?? 'F32'];
    header[t.name] = { dtype: t.dtype ?? 'F32', shape: t.shape, data_offsets: [offset, offset + count * size] };
    offset += count * size;
  }
  const text = new TextEncoder().encode(JSON.stringify(header));
  // The header padded with spaces to a multiple of 8 bytes.
  const json = new Uint8Array(Math.ceil(text.length / 8) * 8).fill(0x20);
  json.set(text);
  const out = new Uint8Array(8 + json.length + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const t of tensors) {
    if (t.dtype === 'I64') {
      for (let i = 0; i < t.data.length; i++) dv.setBigInt64(p + i * 8, BigInt(Math.round(t.data[i]!)), true);
      p += t.data.length * 8;
    } else {
      if (LITTLE_ENDIAN) out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length * 4), p);
      else for (let i = 0; i < t.data.length; i++) dv.setFloat32(p + i * 4, t.data[i]!, true);
      p += t.data.length * 4;
    }
  }
  return out;
}

/** Bytes per value of the dtypes a checkpoint may hold. */
const DTYPE_BYTES = { F32: 4, I64: 8 } as const;

/**
 * A name or dtype from a file's header as a message may show it: control, line-separator and bidi-override
 * characters escaped as \uXXXX (src/language/printable.ts), at most 120 characters.
 */
function visible(text: string): string {
  const clean = escapeInvisible(text);
  return clean.length > 120 ? `${clean.slice(0, 120)}…` : clean;
}

/**
 * Parses and validates safetensors bytes; `where` names the file in errors. F32 and I64 tensors are accepted
 * (I64 values, whole counts such as num_batches_tracked, come back as floats with dtype 'I64').
 */
export function decodeSafetensors(bytes: Uint8Array, where = 'checkpoint'): Checkpoint {
  if (bytes.length < 8) throw new Error(`${where} is not a safetensors file: it is only ${bytes.length} bytes long`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) {
    throw new Error(`${where} is not a safetensors file: its header length ${n64} does not fit the ${bytes.length}-byte file`);
  }
  const n = Number(n64);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    // JSON.parse quotes the text around the error, which here is arbitrary bytes: say where, not what.
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new Error(`${where} is not a safetensors file: its header is not JSON${at ? ` (a syntax error at character ${at} of its ${n}-byte header)` : ''}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error(`${where}: the safetensors header is not a JSON object`);
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: NamedTensor[] = [];
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${where}: __metadata__ is not a string map`);
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new Error(`${where}: __metadata__.${visible(k)} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) throw new Error(`${where}: ${visible(name)} is not a tensor entry`);
    if (e.dtype !== 'F32' && e.dtype !== 'I64') {
      throw new Error(`${where}: ${visible(name)} ${e.dtype === undefined ? 'has no dtype' : `has dtype ${typeof e.dtype === 'string' ? visible(e.dtype) : JSON.stringify(e.dtype)}`}; only F32 and I64 are supported`);
    }
    const dtype: 'F32' | 'I64' = e.dtype;
    const size = DTYPE_BYTES[dtype];
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`${where}: ${visible(name)} has an invalid shape`);
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`${where}: ${visible(name)} has invalid data_offsets`);
    const [begin, end] = off as [number, number];
    const count = shape.reduce((a, b) => a * b, 1);
    if (end < begin || end > dataLen) throw new Error(`${where}: ${visible(name)}'s data [${begin}, ${end}) lies outside the ${dataLen} data bytes`);
    if (end - begin !== count * size) throw new Error(`${where}: ${visible(name)} has shape [${shape.join(',')}] (${count * size} bytes) but ${end - begin} data bytes`);
    const data = new Float32Array(count);
    if (dtype === 'I64') {
      for (let i = 0; i < count; i++) data[i] = Number(dv.getBigInt64(dataStart + begin + i * 8, true));
    } else if (LITTLE_ENDIAN) {
      new Uint8Array(data.buffer).set(bytes.subarray(dataStart + begin, dataStart + end));
    } else {
      for (let i = 0; i < count; i++) data[i] = dv.getFloat32(dataStart + begin + i * 4, true);
    }
    tensors.push(dtype === 'I64' ? { name, shape, data, dtype } : { name, shape, data });
    spans.push([begin, end, name]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [b, e, name] of spans) {
    if (b !== at) throw new Error(`${where}: ${visible(name)}'s data ${b < at ? 'overlaps the tensor before it' : 'leaves a gap'}`);
    at = e;
  }
  if (at !== dataLen) throw new Error(`${where}: ${dataLen - at} data bytes belong to no tensor`);
  return { tensors, metadata };
}

/** Names and PyTorch shapes of the tensors a model's checkpoint holds (parameters and buffers), in layer order. */
export function modelTensorShapes(spec: ModelSpec): { name: string; shape: number[] }[] {
  return stateShapes(buildPlan(spec)).map(({ name, shape }) => ({ name, shape }));
}

/** Checks tensors against the model: every needed one present with its shape, no strangers. */
export function checkTensors(tensors: readonly NamedTensor[], spec: ModelSpec, where = 'checkpoint'): void {
  const need = modelTensorShapes(spec);
  const have = new Map(tensors.map((t) => [t.name, t]));
  for (const { name, shape } of need) {
    const t = have.get(name);
    if (!t) throw new Error(`${where}: ${name} is missing (the model needs shape [${shape.join(',')}])`);
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      throw new Error(`${where}: ${name} has shape [${t.shape.join(',')}] but the model needs [${shape.join(',')}]`);
    }
  }
  const known = new Set(need.map((t) => t.name));
  for (const t of tensors) if (!known.has(t.name)) throw new Error(`${where}: ${visible(t.name)} is not a tensor of this model`);
}

/**
 * True for a file name that saveCheckpoint's temporary files have: what a write cut short (SIGKILL, power loss)
 * leaves behind. Only the owner of the folder may remove them (a live writer's file has this name too).
 */
export function isCheckpointTemp(fileName: string): boolean {
  return isAtomicTemp(fileName);
}

/**
 * Writes a checkpoint atomically (Files.writeFileAtomic: a temporary file in the same folder, flushed, renamed
 * over `path`). `from` is a network (its params()) or tensors.
 */
export function saveCheckpoint(path: string, from: Network | readonly NamedTensor[], metadata: CheckpointMetadata = {}): void {
  const tensors = Array.isArray(from) ? (from as readonly NamedTensor[]) : (from as Network).params();
  host().files.writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/** Reads and validates a checkpoint; with `spec`, also checks names and shapes against the model. */
export function loadCheckpoint(path: string, spec?: ModelSpec): Checkpoint {
  const cp = decodeSafetensors(host().files.readFile(path), path);
  if (spec) checkTensors(cp.tensors, spec, path);
  return cp;
}
