// MNIST's IDX format: big-endian header (magic 0x0000TTDD: type TT, DD dimensions; then DD uint32 sizes) and raw
// uint8 data. Images are magic 2051 (N×H×W), labels 2049 (N). Files may be gzipped (`.gz`): those are inflated
// into memory; plain files above the stream threshold are read from disk sample by sample.

import { host } from '../platform/host';
import { ArrayDataset, labelCount } from './arrays';
import { FileSource, MemorySource, MAX_INFLATED_BYTES, OpenFile, gunzipTolerant, inflatePrefix, u32le, type ByteSource } from './bytes';
import { DataError, fmt, fmtBytes, printable } from './dataset';

export const IDX_IMAGES_MAGIC = 2051;
export const IDX_LABELS_MAGIC = 2049;

const TYPE_NAMES: Record<number, string> = { 0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

/** The four standard file names (without `.gz`). */
export const IDX_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export type IdxRole = keyof typeof IDX_NAMES;

/** Paths of the IDX files found in a folder (null where absent). Plain files win over `.gz` ones. */
export type IdxFiles = Record<IdxRole, string | null>;

export function findIdxFiles(dir: string): IdxFiles {
  const { files: fs, path } = host();
  let entries: string[];
  try {
    const st = fs.stat(dir);
    if (!st) throw new Error('missing');
    if (st.kind !== 'dir') throw new DataError(`'${dir}' is a file, but 'data idx' needs a folder holding the MNIST IDX files.`);
    entries = fs.readDir(dir).map((e) => e.name);
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`The folder '${dir}' does not exist or cannot be read (paths are relative to the .cnn file).`);
  }
  const have = new Set(entries);
  const pick = (base: string): string | null => {
    // Also accept the common variant with a dot (train-images.idx3-ubyte).
    const dotted = base.replace(/-(idx\d)/, '.$1');
    for (const name of [base, `${base}.gz`, dotted, `${dotted}.gz`]) if (have.has(name)) return path.join(dir, name);
    return null;
  };
  const files: IdxFiles = {
    trainImages: pick(IDX_NAMES.trainImages),
    trainLabels: pick(IDX_NAMES.trainLabels),
    testImages: pick(IDX_NAMES.testImages),
    testLabels: pick(IDX_NAMES.testLabels),
  };
  const pairs: [IdxRole, IdxRole][] = [
    ['trainImages', 'trainLabels'],
    ['testImages', 'testLabels'],
  ];
  for (const [img, lab] of pairs) {
    if (files[img] && !files[lab]) throw new DataError(`'${dir}' has ${path.basename(files[img])} but no ${IDX_NAMES[lab]} (or ${IDX_NAMES[lab]}.gz) to go with it.`);
    if (!files[img] && files[lab]) throw new DataError(`'${dir}' has ${path.basename(files[lab])} but no ${IDX_NAMES[img]} (or ${IDX_NAMES[img]}.gz) to go with it.`);
  }
  if (!files.trainImages && !files.testImages) {
    const shown = printable(entries.slice(0, 8).join(', '), 300) + (entries.length > 8 ? ', …' : '');
    throw new DataError(
      `'${dir}' holds no MNIST IDX files: expected ${IDX_NAMES.trainImages} and ${IDX_NAMES.trainLabels} (or the t10k-… pair), each possibly ending in .gz. ${entries.length ? `Found: ${shown}.` : 'The folder is empty.'}`,
    );
  }
  return files;
}

export interface IdxHeader {
  filePath: string;
  name: string;
  gz: boolean;
  dims: number[];
  /** Header length in bytes (4 + 4·dims). */
  headerBytes: number;
  /** Data bytes the header promises (product of dims). */
  dataBytes: number;
}

function parseHeader(bytes: Uint8Array, name: string, kind: 'images' | 'labels'): Omit<IdxHeader, 'filePath' | 'gz'> {
  const want = kind === 'images' ? IDX_IMAGES_MAGIC : IDX_LABELS_MAGIC;
  if (bytes.length < 8) throw new DataError(`${name} is truncated: it has ${fmt(bytes.length)} bytes, not even an IDX header.`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0, false);
  const wantDims = want & 0xff;
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[3] === wantDims && bytes[2] !== 0x08 && TYPE_NAMES[bytes[2]]) {
    throw new DataError(`${name} holds ${TYPE_NAMES[bytes[2]]} values (magic ${magic}); only unsigned bytes (magic ${want}) are supported.`);
  }
  if (magic !== want) {
    const swapped = magic === (kind === 'images' ? IDX_LABELS_MAGIC : IDX_IMAGES_MAGIC);
    throw new DataError(
      `${name} does not start with the IDX ${kind} magic number ${want}: found ${magic}${swapped ? ` (the ${kind === 'images' ? 'labels' : 'images'} magic — are the files swapped?)` : (bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (the file is gzipped: name it with .gz)' : ' — is this an IDX file?')}.`,
    );
  }
  const ndims = bytes[3];
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) throw new DataError(`${name} is truncated: its header needs ${headerBytes} bytes, found ${fmt(bytes.length)}.`);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(dv.getUint32(4 + 4 * i, false));
  let dataBytes = 1;
  for (const d of dims) dataBytes *= d;
  return { name, dims, headerBytes, dataBytes };
}

function describe(h: Pick<IdxHeader, 'dims' | 'dataBytes'>): string {
  return `${h.dims.map(fmt).join('×')} = ${fmt(h.dataBytes)} bytes`;
}

/** Reads just the header (cheap: a few KB even for a gzipped file). */
export function readIdxHeader(filePath: string, kind: 'images' | 'labels'): IdxHeader {
  const name = host().path.basename(filePath);
  const gz = name.endsWith('.gz');
  const file = new OpenFile(filePath).retain();
  try {
    const raw = gz ? inflatePrefix('gzip', (k) => file.readAt(0, k), file.size, 64, name) : file.readAt(0, 64);
    const h = parseHeader(raw, name, kind);
    if (kind === 'images' && h.dims.length !== 3) throw new DataError(`${name} has ${h.dims.length} dimensions (${h.dims.join('×')}); images must be N×H×W (3 dimensions).`);
    if (kind === 'labels' && h.dims.length !== 1) throw new DataError(`${name} has ${h.dims.length} dimensions (${h.dims.join('×')}); labels must be a list of N numbers (1 dimension).`);
    if (kind === 'images' && (h.dims[1] === 0 || h.dims[2] === 0)) throw new DataError(`${name} has images of size ${h.dims[1]}×${h.dims[2]}.`);
    if (gz && h.headerBytes + h.dataBytes > MAX_INFLATED_BYTES) {
      throw new DataError(`${name} would inflate to ${fmtBytes(h.headerBytes + h.dataBytes)}, more than the ${fmtBytes(MAX_INFLATED_BYTES)} a gzipped file may hold here; gunzip it so it streams from disk.`);
    }
    if (!gz && file.size < h.headerBytes + h.dataBytes) {
      throw new DataError(`${name} is truncated: header says ${describe(h)}, found ${fmt(file.size - h.headerBytes)}.`);
    }
    if (gz && file.size >= 18) {
      // The gzip trailer's ISIZE is the uncompressed length mod 2^32: a cheap truncation check.
      const isize = u32le(file.readAt(file.size - 4, 4), 0);
      if (isize !== (h.headerBytes + h.dataBytes) % 4294967296) {
        const all = gunzipTolerant(file.readAt(0, file.size), name);
        if (all.length < h.headerBytes + h.dataBytes) throw new DataError(`${name} is truncated: header says ${describe(h)}, found ${fmt(Math.max(0, all.length - h.headerBytes))}.`);
      }
    }
    return { filePath, gz, ...h };
  } finally {
    file.close();
  }
}

/** Loads the whole file (inflating `.gz`) and checks it against its header. */
function loadBytes(h: IdxHeader): Uint8Array {
  const file = new OpenFile(h.filePath).retain();
  try {
    const raw = file.readAt(0, file.size);
    const all = h.gz ? gunzipTolerant(raw, h.name) : raw;
    if (all.length < h.headerBytes + h.dataBytes) throw new DataError(`${h.name} is truncated: header says ${describe(h)}, found ${fmt(Math.max(0, all.length - h.headerBytes))}.`);
    return all;
  } finally {
    file.close();
  }
}

export function readIdxLabels(h: IdxHeader): Int32Array {
  const all = loadBytes(h);
  const out = new Int32Array(h.dims[0]);
  for (let i = 0; i < out.length; i++) out[i] = all[h.headerBytes + i];
  return out;
}

/** One images+labels pair, checked against each other. */
export interface IdxPair {
  images: IdxHeader;
  labels: IdxHeader;
  n: number;
  h: number;
  w: number;
}

export function readIdxPair(imagesPath: string, labelsPath: string): IdxPair {
  const images = readIdxHeader(imagesPath, 'images');
  const labels = readIdxHeader(labelsPath, 'labels');
  if (images.dims[0] !== labels.dims[0]) {
    throw new DataError(`${images.name} holds ${fmt(images.dims[0])} images but ${labels.name} holds ${fmt(labels.dims[0])} labels; they must match.`);
  }
  return { images, labels, n: images.dims[0], h: images.dims[1], w: images.dims[2] };
}

/**
 * Opens one split as a dataset. Plain files larger than `streamThreshold` are read from disk per sample;
 * gzipped files and small plain files are loaded into memory.
 */
export function openIdxPair(pair: IdxPair, labels: Int32Array, classNames: readonly string[], streamThreshold: number): ArrayDataset {
  const { images } = pair;
  let source: ByteSource;
  if (!images.gz && images.headerBytes + images.dataBytes > streamThreshold) {
    const file = new OpenFile(images.filePath).retain();
    source = new FileSource(file, 0, images.headerBytes + images.dataBytes);
  } else {
    source = new MemorySource(loadBytes(images));
  }
  return new ArrayDataset(source, images.headerBytes, pair.n, pair.h, pair.w, 1, 'u1', labels, classNames);
}

/** Both splits of an IDX folder, headers checked and labels loaded (the images are not read). */
export interface IdxProbe {
  train: IdxPair;
  test: IdxPair | null;
  trainLabels: Int32Array;
  testLabels: Int32Array | null;
  /** True when the folder has only the t10k pair, which then serves as the training pool. */
  trainIsTest: boolean;
  numClasses: number;
}

export function probeIdx(dir: string): IdxProbe {
  const files = findIdxFiles(dir);
  const trainIsTest = !files.trainImages;
  const train = trainIsTest ? readIdxPair(files.testImages!, files.testLabels!) : readIdxPair(files.trainImages!, files.trainLabels!);
  const test = !trainIsTest && files.testImages ? readIdxPair(files.testImages, files.testLabels!) : null;
  if (test && (test.h !== train.h || test.w !== train.w)) {
    throw new DataError(`${train.images.name} has ${train.h}×${train.w} images but ${test.images.name} has ${test.h}×${test.w}; both splits must have the same size.`);
  }
  const trainLabels = readIdxLabels(train.labels);
  const testLabels = test ? readIdxLabels(test.labels) : null;
  let numClasses = labelCount(trainLabels);
  if (testLabels) numClasses = Math.max(numClasses, labelCount(testLabels));
  return { train, test, trainLabels, testLabels, trainIsTest, numClasses };
}
