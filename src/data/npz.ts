// MedMNIST-style .npz archives: train_images/train_labels (required), val_… and test_… (optional).
// Images are N×H×W or N×H×W×C of uint8 (scaled to [0,1]) or float32/float64 (used as they are), at any size
// (MedMNIST+'s pathmnist_64.npz is N×64×64×3). Labels are N or N×1 class indices of any integer dtype
// (single-label), or N×L with L > 1 of 0/1 (multi-label, ChestMNIST's N×14 uint8; bool and float 0.0/1.0 too).
// Headers are read cheaply for probing; images load (or stream) on open.

import type { Task } from '../language/model';
import { ArrayDataset, firstNonFinite, nonFiniteMessage, PIXEL_BYTES, labelCount, pixelType, type MultiLabels, type PixelType } from './arrays';
import { DataError, fmt, printable } from './dataset';
import { DTYPE_BYTES, decodeNpyData, parseNpyHeader, toInt32, type NpyHeader } from './npy';
import { ZipReader, type ZipEntry } from './zip';

export type NpzSplitName = 'train' | 'val' | 'test';

export interface NpzSplit {
  split: NpzSplitName;
  entry: ZipEntry;
  header: NpyHeader;
  n: number;
  h: number;
  w: number;
  c: number;
  pixelType: PixelType;
  /** Class indices (single-label) or N×L rows of 0/1 (multi-label). */
  labels: Int32Array | MultiLabels;
  /** The label array's shape as its header gives it (N, N×1 or N×L). */
  labelShape: number[];
}

export interface NpzProbe {
  reader: ZipReader;
  train: NpzSplit;
  val: NpzSplit | null;
  test: NpzSplit | null;
  /** 'multilabel' when the labels are N×L with L > 1. */
  task: Task;
  /** Classes (single-label: the largest label + 1), or labels per sample (multi-label). */
  numClasses: number;
}

export function findKey(reader: ZipReader, key: string): ZipEntry | undefined {
  return reader.entry(`${key}.npy`) ?? reader.entry(key);
}

function keysOf(reader: ZipReader): string {
  const keys = reader.entries.map((e) => e.name.replace(/\.npy$/, ''));
  return keys.length ? printable(keys.join(', '), 300) : 'none';
}

export function readHeader(reader: ZipReader, e: ZipEntry, label: string): NpyHeader {
  const first = reader.readPrefix(e, 12);
  if (first.length < 12) throw new DataError(`${label} is truncated: ${first.length} bytes is less than a .npy header.`);
  const len = first[6] === 1 ? 10 + (first[8] | (first[9] << 8)) : 12 + new DataView(first.buffer, first.byteOffset, 12).getUint32(8, true);
  const h = parseNpyHeader(first[6] === 1 || first[6] === 2 || first[6] === 3 ? reader.readPrefix(e, len) : first, label);
  if (h.fortranOrder) throw new DataError(`${label} is stored in Fortran order; save it in C order (np.ascontiguousarray) and try again.`);
  if (e.uncompressedSize < h.dataOffset + h.dataBytes) {
    throw new DataError(
      `${label} is truncated: header says ${h.shape.map(fmt).join('×')} of ${h.dtype} = ${fmt(h.dataBytes)} bytes, found ${fmt(Math.max(0, e.uncompressedSize - h.dataOffset))}.`,
    );
  }
  return h;
}

function readSplit(reader: ZipReader, split: NpzSplitName, required: boolean): NpzSplit | null {
  const imgKey = `${split}_images`;
  const labKey = `${split}_labels`;
  const imgE = findKey(reader, imgKey);
  const labE = findKey(reader, labKey);
  if (!imgE || !labE) {
    if (!required && !imgE && !labE) return null;
    const missing = !imgE ? imgKey : labKey;
    throw new DataError(`${reader.name} has no '${missing}' array (MedMNIST keys: train_images, train_labels, val_images, val_labels, test_images, test_labels). It holds: ${keysOf(reader)}.`);
  }
  const imgName = `${imgKey} in ${reader.name}`;
  const labName = `${labKey} in ${reader.name}`;
  const ih = readHeader(reader, imgE, imgName);
  const lh = readHeader(reader, labE, labName);
  const s = ih.shape;
  if (s.length !== 3 && s.length !== 4) throw new DataError(`${imgName} has shape (${s.join(', ')}); images must be N×H×W or N×H×W×C.`);
  const [n, h, w] = s;
  const c = s.length === 4 ? s[3] : 1;
  if (h === 0 || w === 0 || c === 0) throw new DataError(`${imgName} has shape (${s.join(', ')}), which holds no pixels.`);
  const pixels = pixelType(ih.dtype, imgName);
  const ls = lh.shape;
  const task = labelShapeTask(ls, labName);
  if (ls[0] !== n) throw new DataError(`${imgName} holds ${fmt(n)} images but ${labKey} holds ${fmt(ls[0])} labels; they must match.`);
  const labels = task === 'multilabel' ? readMultiLabels(reader, labE, lh, labName) : readClassLabels(reader, labE, lh, labName);
  return { split, entry: imgE, header: ih, n, h, w, c, pixelType: pixels, labels, labelShape: [...ls] };
}

/**
 * The task a label array's shape stands for: N or N×1 → 'single'; N×L with L > 1 → 'multilabel'.
 * Throws DataError (naming `name`) for any other shape.
 */
export function labelShapeTask(shape: readonly number[], name?: string): Task {
  if (shape.length === 1 || (shape.length === 2 && shape[1] === 1)) return 'single';
  if (shape.length === 2 && shape[1]! > 1) return 'multilabel';
  throw new DataError(
    `${name ?? 'the labels'} ha${name ? 's' : 've'} shape (${shape.join(', ')}); labels must be N or N×1 class indices, or N×L of 0/1 for multi-label data (ChestMNIST's N×14).`,
  );
}

function readClassLabels(reader: ZipReader, e: ZipEntry, lh: NpyHeader, labName: string): Int32Array {
  if (lh.dtype === 'f2' || lh.dtype === 'f4' || lh.dtype === 'f8' || lh.dtype === 'b1') {
    throw new DataError(`${labName} has dtype ${lh.dtype}; labels must be integers (e.g. labels.astype('int64')).`);
  }
  const bytes = reader.read(e);
  const labels = toInt32(decodeNpyData(bytes.subarray(lh.dataOffset), lh.dtype, lh.dataBytes / DTYPE_BYTES[lh.dtype]), lh.dtype, labName);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0) throw new DataError(`${labName}: label ${labels[i]} at index ${i} is negative; labels are class indices 0, 1, 2…`);
  }
  return labels;
}

/** N×L labels of 0/1 (any integer, bool or float dtype); any other value is refused, naming the sample. */
function readMultiLabels(reader: ZipReader, e: ZipEntry, lh: NpyHeader, labName: string): MultiLabels {
  const [rows, count] = lh.shape as [number, number];
  const bytes = reader.read(e);
  const data = decodeNpyData(bytes.subarray(lh.dataOffset), lh.dtype, rows * count);
  const out = new Uint8Array(rows * count);
  for (let j = 0; j < out.length; j++) {
    const v = data[j]!;
    if (v === 1 || v === 1n) out[j] = 1;
    else if (!(v === 0 || v === 0n)) {
      const i = Math.floor(j / count);
      throw new DataError(
        `${labName}: sample ${fmt(i)} has the value ${String(v)} for label ${j % count}; multi-label labels must be 0 or 1 (N×${count} of 0/1, one column per label). Fix that sample, or end the network in softmax if these are class indices.`,
      );
    }
  }
  return { rows, count, data: out };
}

/** Opens the archive and reads every split's headers and labels (not the images). Caller closes `reader`. */
export function probeNpz(filePath: string): NpzProbe {
  const reader = ZipReader.open(filePath);
  try {
    const train = readSplit(reader, 'train', true)!;
    const val = readSplit(reader, 'val', false);
    const test = readSplit(reader, 'test', false);
    for (const other of [val, test]) {
      if (other && (other.h !== train.h || other.w !== train.w || other.c !== train.c)) {
        throw new DataError(`${reader.name}: train_images are ${train.h}×${train.w}×${train.c} but ${other.split}_images are ${other.h}×${other.w}×${other.c}; all splits must have the same size.`);
      }
    }
    const task: Task = train.labels instanceof Int32Array ? 'single' : 'multilabel';
    let numClasses = 0;
    for (const sp of [train, val, test]) {
      if (!sp) continue;
      const l = sp.labels;
      if (l instanceof Int32Array !== (task === 'single') || (!(l instanceof Int32Array) && l.count !== (train.labels as MultiLabels).count)) {
        const shape = (x: NpzSplit): string => (x.labels instanceof Int32Array ? 'one class per sample' : `${x.labels.count} labels per sample`);
        throw new DataError(`${reader.name}: train_labels hold ${shape(train)} but ${sp.split}_labels hold ${shape(sp)}; every split must have the same labels.`);
      }
      numClasses = Math.max(numClasses, l instanceof Int32Array ? labelCount(l) : l.count);
    }
    return { reader, train, val, test, task, numClasses };
  } catch (e) {
    reader.close();
    throw e;
  }
}

export function openNpzSplit(reader: ZipReader, s: NpzSplit, labels: Int32Array | MultiLabels, classNames: readonly string[], streamThreshold: number): ArrayDataset {
  const source = reader.source(s.entry, streamThreshold);
  const bytes = s.n * s.h * s.w * s.c * PIXEL_BYTES[s.pixelType];
  if (source.length < s.header.dataOffset + bytes) throw new DataError(`${s.split}_images in ${reader.name} is truncated.`);
  const ds = new ArrayDataset(source, s.header.dataOffset, s.n, s.h, s.w, s.c, s.pixelType, labels, classNames);
  // Float pixels can be NaN or infinite (uint8 ones cannot): refused here, naming the sample.
  const bad = s.pixelType === 'u1' ? null : firstNonFinite(ds);
  if (bad) {
    ds.close();
    throw new DataError(nonFiniteMessage(`${s.split}_images in ${reader.name}`, bad));
  }
  return ds;
}
