// src/data: the examples a network learns from.
//
// Sources (the `data` statement of a .cnn file; paths are relative to the .cnn file's folder):
//   data shapes [samples=N]   built in: door / stair / sign drawings, generated per index from the seed at the
//                             model's input size (any H×W, 1 or 3 channels). N (default 3000) is the total,
//                             split into train and val by the val fraction.
//   data idx DIR              MNIST IDX files (train-/t10k- images-idx3-ubyte + labels-idx1-ubyte, each may end
//                             in .gz). t10k is the validation split when both pairs exist; a folder with only the
//                             t10k pair trains on it and carves the validation split off by fraction.
//   data npz FILE             MedMNIST keys train_/val_/test_ images and labels; val_ is the validation split
//                             (else test_, else a fraction of train). uint8 → [0,1]; float32/64 as they are.
//   data folder DIR           DIR/<class>/<image>.png|.jpg; sorted sub-folder names are the classes; images are
//                             converted to the model's channels and resized (area when shrinking, bilinear when
//                             enlarging). Odd files are skipped with a warning in `warnings`; openData decodes
//                             every image first and skips the undecodable ones with one warning that counts them.
//
// Memory: uncompressed IDX files and stored .npz entries larger than STREAM_THRESHOLD_BYTES (256 MB) are read
// from disk per sample (fs.readSync at offsets). Gzipped IDX files and deflated .npz entries are inflated into
// memory as uint8/float (never expanded to float32 up front) and refused above MAX_INFLATED_BYTES (4 GB).
// Image folders decode every image once when opened (filling the cache), and shapes are drawn lazily, each with
// an LRU cache of converted samples (64 MB by default, `cacheBytes`).
//
// Validation split, in order: `valFraction` 0 → no validation; the source's own split when it has one
// (idx t10k, npz val_/test_); else a seeded random fraction (valFraction ?? spec.val ?? 0.1) of train.
// `samples=` on idx/npz/folder keeps a seeded random subset of that many training samples.
//
// Class order: if the model's class names are a permutation of the data's own names (shapes, folder), labels are
// renumbered to the model's order; otherwise the data's order stands and the model's names label it.
//
// API
//   interface Dataset { size, height, width, channels, numClasses, classNames,
//                       read(i, out: Float32Array, offset): void  /* H·W·C floats, NHWC */, label(i): number }
//   openData(spec: DataSpec, opts: OpenDataOptions): OpenedData
//       → { train, val | null, test | null, testNote, classNames, warnings, probe, close() }; throws DataError (E040).
//       With `withTest`, `test` is the source's own test split (npz test_, idx t10k beside train- files; the same
//       view as `val` when that split is also the validation split) and `testNote` says why there is none, or
//       that it doubles as validation.
//   probeData(spec, baseDir, opts?: { valFraction?, input? }): DataProbe   (headers and labels only; throws DataError)
//   checkDataAgainstModel(probe: DataProbe, model: ModelFacts): DataIssue[]   (E040 size / class-count mismatches)
//   checkModelData(model: ModelSpec, baseDir): DataIssue[]   (probe + check; never throws)
//   new Batcher(dataset, { batchSize, seed, shuffle?, dropLast? }) — .x (batch×H×W×C), .y, .batchesPerEpoch,
//       .fill(epoch, b): n, .epoch(e): Generator<Batch>, .order(e): Uint32Array
//   npyPixels(array, name): Float32Array   (the pixel rule: uint8 → [0,1], float32/64 as they are; else DataError)
//   readNpy(buffer, name?): NpyArray; writeNpy(array, shape, dtype?): Buffer; parseNpyHeader(bytes)
//   renderShapePng({ seed, index, h, w, c, scale? }): Buffer; samplePng(dataset, i, scale?): Buffer
//   SHAPES_CLASSES, STREAM_THRESHOLD_BYTES, MAX_INFLATED_BYTES, DataError

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_VAL_FRACTION, type DataSpec, type ModelSpec } from '../language/model';
import { firstBadLabel, strayLabelMessage, type ArrayDataset, type LabelSet } from './arrays';
import { STREAM_THRESHOLD_BYTES } from './bytes';
import { DataError, RelabelledDataset, SubsetDataset, fmt, fmtShape, type Dataset } from './dataset';
import { decodeFolder, listFolder, type FolderListing } from './folder';
import { openIdxPair, probeIdx, type IdxProbe } from './idx';
import { tensorToPng } from './image';
import { openNpzSplit, probeNpz, type NpzProbe } from './npz';
import { permutation } from './rng';
import { SHAPES_CLASSES, ShapesDataset } from './shapes';

export { Batcher, type Batch, type BatcherOptions } from './batcher';
export { DataError, type Dataset } from './dataset';
export { MAX_INFLATED_BYTES, STREAM_THRESHOLD_BYTES } from './bytes';
export { npyPixels, PIXEL_RULE } from './arrays';
export { readNpy, writeNpy, parseNpyHeader, type NpyArray, type NpyData, type NpyDtype, type NpyHeader } from './npy';
export { SHAPES_CACHE_BYTES, SHAPES_CLASSES, SHAPES_DEFAULT_SAMPLES, drawShape, renderShapePng } from './shapes';
export { FOLDER_CACHE_BYTES } from './folder';

export interface OpenDataOptions {
  /** The .cnn file's folder: data paths are relative to it. */
  baseDir: string;
  /** The model's input volume; samples are delivered at exactly this size. */
  input: { h: number; w: number; c: number };
  /** The model's class count (the last dense layer's units). */
  numClasses: number;
  /** The model's class names (from `classes`), if any. */
  classNames?: string[];
  /** Seeds the validation split, the `samples=` subset and the generated shapes. */
  seed: number;
  /** Validation fraction (from `train val=`); null/undefined: the data's own split, else spec.val, else 0.1. */
  valFraction?: number | null;
  /** Uncompressed sources above this many bytes stream from disk (default STREAM_THRESHOLD_BYTES). */
  streamThresholdBytes?: number;
  /** Memory for decoded folder images / drawn shapes kept between epochs (default 64 MB; 0 turns caching off). */
  cacheBytes?: number;
  /** Also open the source's test split (`test`); training leaves it closed. */
  withTest?: boolean;
}

export interface OpenedData {
  train: Dataset;
  val: Dataset | null;
  /** The source's own test split (npz test_, idx t10k beside train- files) when `withTest` asked for it; else null. */
  test: Dataset | null;
  /** With `withTest`: why there is no test split, or that the test split is also the validation split; else null. */
  testNote: string | null;
  /** The class names in label order (the model's names when it gives them). */
  classNames: string[];
  /** Things skipped or suspicious (odd files in a folder, images that cannot be decoded), known before training starts. */
  warnings: string[];
  probe: DataProbe;
  /** Releases open file descriptors of streamed sources. */
  close(): void;
}

/** What a data source holds, read cheaply (headers and labels). */
export interface DataProbe {
  kind: DataSpec['kind'];
  /** Image size: exact for idx/npz; the first image's for a folder; the requested input (or 32×32×3) for shapes. */
  h: number;
  w: number;
  c: number;
  /** True when images must match the model's input exactly (idx, npz); folders are resized, shapes drawn to fit. */
  fixedSize: boolean;
  numClasses: number;
  /** The data's own class names (shapes, folder), or '0'…'n-1' for idx/npz. */
  classNames: string[];
  /** True when classNames are just label numbers. */
  numericNames: boolean;
  trainSize: number;
  valSize: number;
  /** Where the validation samples come from. */
  valFrom: 'split' | 'fraction' | 'none';
  /** One line for people: "MNIST IDX, 10,000 images 28×28×1 …". */
  description: string;
  warnings: string[];
  /** The labels of every split (idx, npz), so a stray label can be named; empty for shapes and folders. */
  labelSets: LabelSet[];
}

/** A mismatch between the data and the model; `target` says which statement to change. */
export interface DataIssue {
  code: 'E040';
  severity: 'error';
  message: string;
  target: 'data' | 'input' | 'units' | 'classes';
  /** Replacement text for a quick fix, e.g. `input 28x28x1` or `units=10`. */
  suggestion?: string;
}

/** The facts about a model that the data is checked against. */
export interface ModelFacts {
  input: { h: number; w: number; c: number };
  numClasses: number;
  classNames?: string[];
  /** True when the file has a `classes` line (the fix then also mentions it). */
  hasClassesLine?: boolean;
}

function resolvePath(spec: Exclude<DataSpec, { kind: 'shapes' }>, baseDir: string): string {
  const p = path.resolve(baseDir, spec.path);
  if (!fs.existsSync(p)) {
    throw new DataError(`The ${spec.kind === 'npz' ? 'file' : 'folder'} '${spec.path}' does not exist (looked for ${p}; paths are relative to the .cnn file).`);
  }
  return p;
}

function checkFraction(f: number, what: string): void {
  if (!(f >= 0 && f < 1)) throw new DataError(`The validation fraction ${what} must be at least 0 and below 1, got ${f}.`);
}

/** The fraction to carve off when the source has no split of its own (0: none). */
function carveFraction(spec: DataSpec, valFraction: number | null | undefined): number {
  if (valFraction != null) {
    checkFraction(valFraction, '(val=)');
    return valFraction;
  }
  if (spec.val != null) {
    checkFraction(spec.val, '(data … val=)');
    return spec.val;
  }
  return DEFAULT_VAL_FRACTION;
}

function valCount(n: number, f: number): number {
  if (f <= 0 || n < 2) return 0;
  return Math.min(n - 1, Math.max(1, Math.round(n * f)));
}

function numericNames(n: number): string[] {
  return Array.from({ length: n }, (_, k) => String(k));
}

function sortedSlice(perm: Uint32Array, from: number, to: number): Uint32Array {
  return perm.slice(from, to).sort();
}

interface Plan {
  /** Indices into the source's training pool kept by `samples=`; null = all. */
  subset: number | null;
  carve: number;
  ownVal: boolean;
}

function planSplit(spec: DataSpec, poolSize: number, hasOwnVal: boolean, valFraction: number | null | undefined): Plan {
  const subset = spec.kind === 'shapes' ? null : spec.samples != null ? Math.min(spec.samples, poolSize) : null;
  if (subset != null && subset < 1) throw new DataError(`samples=${spec.samples} keeps no training data; use a positive number.`);
  if (valFraction === 0) return { subset, carve: 0, ownVal: false };
  if (hasOwnVal) return { subset, carve: 0, ownVal: true };
  return { subset, carve: carveFraction(spec, valFraction), ownVal: false };
}

function sizesOf(plan: Plan, poolSize: number, ownValSize: number): { trainSize: number; valSize: number; valFrom: DataProbe['valFrom'] } {
  const pool = plan.subset ?? poolSize;
  if (plan.ownVal) return { trainSize: pool, valSize: ownValSize, valFrom: 'split' };
  const v = valCount(pool, plan.carve);
  return { trainSize: pool - v, valSize: v, valFrom: v > 0 ? 'fraction' : 'none' };
}

/**
 * Reads what a data source holds without loading its images: sizes, class count, split sizes.
 * Throws DataError (E040) for missing paths and unreadable or inconsistent files.
 */
export function probeData(spec: DataSpec, baseDir: string, opts: { valFraction?: number | null; input?: { h: number; w: number; c: number } } = {}): DataProbe {
  switch (spec.kind) {
    case 'shapes': {
      const n = spec.samples;
      if (!(Number.isInteger(n) && n >= 2)) throw new DataError(`data shapes needs samples= of at least 2, got ${n}.`);
      const plan = planSplit(spec, n, false, opts.valFraction);
      const inp = opts.input ?? { h: 32, w: 32, c: 3 };
      return {
        kind: 'shapes',
        ...inp,
        fixedSize: false,
        numClasses: 3,
        classNames: [...SHAPES_CLASSES],
        numericNames: false,
        ...sizesOf(plan, n, 0),
        description: `built-in shapes (door, stair, sign), ${fmt(n)} generated samples`,
        warnings: [],
        labelSets: [],
      };
    }
    case 'idx':
      return idxProbe(spec, probeIdx(resolvePath(spec, baseDir)), opts.valFraction);
    case 'npz': {
      const p = probeNpz(resolvePath(spec, baseDir));
      p.reader.close();
      return npzProbe(spec, p, opts.valFraction);
    }
    case 'folder': {
      const l = listFolder(resolvePath(spec, baseDir));
      return folderProbe(spec, l, opts.valFraction);
    }
  }
}

function idxProbe(spec: DataSpec, p: IdxProbe, valFraction: number | null | undefined): DataProbe {
  const plan = planSplit(spec, p.train.n, p.test !== null, valFraction);
  return {
    kind: 'idx',
    h: p.train.h,
    w: p.train.w,
    c: 1,
    fixedSize: true,
    numClasses: p.numClasses,
    classNames: numericNames(p.numClasses),
    numericNames: true,
    ...sizesOf(plan, p.train.n, p.test?.n ?? 0),
    description:
      `MNIST IDX: ${fmt(p.train.n)} images ${fmtShape(p.train.h, p.train.w, 1)} in ${p.train.images.name}` +
      (p.test ? ` (validation: ${fmt(p.test.n)} in ${p.test.images.name})` : p.trainIsTest ? ' (no train- files: the t10k split is used for training)' : ''),
    warnings: [],
    labelSets: [{ where: p.train.labels.name, labels: p.trainLabels }, ...(p.test && p.testLabels ? [{ where: p.test.labels.name, labels: p.testLabels }] : [])],
  };
}

function npzProbe(spec: DataSpec, p: NpzProbe, valFraction: number | null | undefined): DataProbe {
  const own = p.val ?? p.test;
  const plan = planSplit(spec, p.train.n, own !== null, valFraction);
  const t = p.train;
  return {
    kind: 'npz',
    h: t.h,
    w: t.w,
    c: t.c,
    fixedSize: true,
    numClasses: p.numClasses,
    classNames: numericNames(p.numClasses),
    numericNames: true,
    ...sizesOf(plan, t.n, own?.n ?? 0),
    description: `NPZ ${p.reader.name}: ${fmt(t.n)} train images ${fmtShape(t.h, t.w, t.c)} (${t.pixelType === 'u1' ? 'uint8' : t.pixelType === 'f4' ? 'float32' : 'float64'})${own ? `, ${fmt(own.n)} ${own.split} images for validation` : ''}`,
    warnings: [],
    labelSets: [p.train, p.val, p.test].filter((x) => x !== null).map((x) => ({ where: `${x.split}_labels in ${p.reader.name}`, labels: x.labels })),
  };
}

function folderProbe(spec: DataSpec, l: FolderListing, valFraction: number | null | undefined): DataProbe {
  const plan = planSplit(spec, l.files.length, false, valFraction);
  const first = l.files[0];
  const color = l.files.some((f) => f.color);
  return {
    kind: 'folder',
    h: first.height,
    w: first.width,
    c: color ? 3 : 1,
    fixedSize: false,
    numClasses: l.classNames.length,
    classNames: [...l.classNames],
    numericNames: false,
    ...sizesOf(plan, l.files.length, 0),
    description: `image folder: ${fmt(l.files.length)} images in ${l.classNames.length} classes (${l.classNames.map((c, k) => `${c} ${fmt(l.perClass[k])}`).join(', ')})`,
    warnings: [...l.warnings],
    labelSets: [],
  };
}

function inputLine(h: number, w: number, c: number): string {
  return `input ${h}x${w}x${c}`;
}

/** Size and class-count mismatches between what the data holds and what the model expects (E040). */
export function checkDataAgainstModel(probe: DataProbe, model: ModelFacts): DataIssue[] {
  const issues: DataIssue[] = [];
  const { h, w, c } = model.input;
  if (probe.fixedSize && (probe.h !== h || probe.w !== w || probe.c !== c)) {
    const suggestion = inputLine(probe.h, probe.w, probe.c);
    issues.push({
      code: 'E040',
      severity: 'error',
      target: 'input',
      suggestion,
      message: `the images are ${fmtShape(probe.h, probe.w, probe.c)} but the model's input is ${fmtShape(h, w, c)}: change the input line to "${suggestion}"${probe.kind === 'idx' || probe.kind === 'npz' ? ` (${probe.kind} data is not resized)` : ''}.`,
    });
  }
  if (probe.kind === 'folder' && !(c >= 1 && c <= 4)) {
    issues.push({ code: 'E040', severity: 'error', target: 'input', message: `image folders give 1 (grey) or 3 (colour) channels, but the model's input has ${c}: use "input ${h}x${w}x3" or "input ${h}x${w}x1".`, suggestion: inputLine(h, w, 3) });
  }
  const stray = model.numClasses > 0 && probe.numClasses > model.numClasses ? strayLabelMessage(probe.labelSets, model.numClasses) : null;
  if (model.numClasses === 0) {
    // No dense layer at the end: "set units=" would name a layer that is not there.
    const n = probe.numClasses;
    issues.push({
      code: 'E040',
      severity: 'error',
      target: 'units',
      message: `the network gives no class scores: end it with "dense units=${n}" and "softmax" (the data has ${n} classes${probe.numericNames ? '' : ` (${probe.classNames.join(', ')})`}).`,
    });
  } else if (stray) {
    issues.push({ code: 'E040', severity: 'error', target: 'data', message: stray });
  } else if (probe.numClasses !== model.numClasses) {
    const n = probe.numClasses;
    const names = probe.numericNames ? '' : ` (${probe.classNames.join(', ')})`;
    issues.push({
      code: 'E040',
      severity: 'error',
      target: 'units',
      suggestion: `units=${n}`,
      message:
        `the data has ${n} classes${names} but the last dense layer has ${model.numClasses} units: set units=${n}` +
        (model.hasClassesLine ? ` and list ${n} names on the classes line${probe.numericNames ? '' : ` (classes ${probe.classNames.join(' ')})`}` : '') +
        '.',
    });
  }
  return issues;
}

/** Probes the model's data source and checks it against the model; never throws (errors become issues). */
export function checkModelData(model: ModelSpec, baseDir: string): DataIssue[] {
  if (!model.data) return [];
  const hasClassesLine = !model.classes.every((n, k) => n === String(k));
  try {
    const probe = probeData(model.data, baseDir, { valFraction: model.train.val, input: model.input });
    return checkDataAgainstModel(probe, { input: model.input, numClasses: model.classes.length, classNames: model.classes, hasClassesLine });
  } catch (e) {
    if (e instanceof DataError) return [{ code: 'E040', severity: 'error', target: 'data', message: e.message }];
    return [{ code: 'E040', severity: 'error', target: 'data', message: `the data cannot be read: ${(e as Error).message}` }];
  }
}

/** Every split's labels against the model's class count: stray labels named, or "set units=" when the data has more classes. */
function checkLabels(sets: readonly LabelSet[], numClasses: number): void {
  const stray = strayLabelMessage(sets, numClasses);
  if (stray) throw new DataError(stray);
  for (const { labels, where } of sets) checkLabelRange(labels, numClasses, where);
}

function checkLabelRange(labels: Int32Array, numClasses: number, where: string): void {
  const bad = firstBadLabel(labels, numClasses);
  if (bad) {
    throw new DataError(
      `label ${bad.value} at index ${fmt(bad.index)} of ${where} is outside 0…${numClasses - 1}: the model has ${numClasses} classes${bad.value >= numClasses ? ` (set units=${labelMax(labels) + 1} on the last dense layer if the data really has that many)` : ''}.`,
    );
  }
}

function labelMax(labels: Int32Array): number {
  let m = 0;
  for (const v of labels) if (v > m) m = v;
  return m;
}

/** Splits a training pool into (train, val) views by the plan. */
function applyPlan(pool: Dataset, plan: Plan, seed: number, ownVal: Dataset | null): { train: Dataset; val: Dataset | null } {
  let base: Dataset = pool;
  if (plan.subset != null && plan.subset < pool.size) {
    base = new SubsetDataset(pool, sortedSlice(permutation(pool.size, seed, 0x53554253), 0, plan.subset));
  }
  if (plan.ownVal) return { train: base, val: ownVal };
  const v = valCount(base.size, plan.carve);
  if (v === 0) return { train: base, val: null };
  const perm = permutation(base.size, seed, 0x56414c);
  return { val: new SubsetDataset(base, sortedSlice(perm, 0, v)), train: new SubsetDataset(base, sortedSlice(perm, v, base.size)) };
}

/** Renumbers labels to the model's class order when its names are a permutation of the data's own names. */
function classOrder(dataNames: readonly string[], numeric: boolean, model: string[] | undefined, numClasses: number): { names: string[]; map: Int32Array | null } {
  if (model && model.length === dataNames.length && !numeric) {
    const pos = new Map(model.map((n, k) => [n, k] as const));
    if (dataNames.every((n) => pos.has(n)) && new Set(model).size === model.length) {
      const map = Int32Array.from(dataNames, (n) => pos.get(n)!);
      return { names: [...model], map: map.every((v, k) => v === k) ? null : map };
    }
  }
  if (model && model.length === numClasses) return { names: [...model], map: null };
  return { names: [...dataNames], map: null };
}

/**
 * Opens a data source for training: checks it against the model (E040 on any mismatch), splits it and
 * returns datasets that deliver samples at the model's input size. Throws DataError with a message to act on.
 */
export function openData(spec: DataSpec, opts: OpenDataOptions): OpenedData {
  const threshold = opts.streamThresholdBytes ?? STREAM_THRESHOLD_BYTES;
  const { h, w, c } = opts.input;
  const closers: (() => void)[] = [];
  const close = (): void => {
    for (const f of closers.splice(0)) f();
  };
  const fail = (probe: DataProbe): void => {
    const issues = checkDataAgainstModel(probe, { input: opts.input, numClasses: opts.numClasses, classNames: opts.classNames, hasClassesLine: opts.classNames !== undefined });
    if (issues.length) throw new DataError(issues.map((i) => i.message).join(' Also: '));
  };
  try {
    let train: Dataset;
    let val: Dataset | null;
    let test: Dataset | null = null;
    let testNote: string | null = null;
    let probe: DataProbe;
    let warnings: string[] = [];
    switch (spec.kind) {
      case 'shapes': {
        probe = probeData(spec, opts.baseDir, { valFraction: opts.valFraction, input: opts.input });
        fail(probe);
        const plan = planSplit(spec, spec.samples, false, opts.valFraction);
        ({ train, val } = applyPlan(new ShapesDataset(spec.samples, h, w, c, opts.seed, opts.cacheBytes), plan, opts.seed, null));
        testNote = 'the built-in shapes have no test split';
        break;
      }
      case 'idx': {
        const p = probeIdx(resolvePath(spec, opts.baseDir));
        const names = numericNames(opts.numClasses);
        const { trainLabels, testLabels } = p;
        probe = idxProbe(spec, p, opts.valFraction);
        checkLabels(probe.labelSets, opts.numClasses);
        fail(probe);
        const plan = planSplit(spec, p.train.n, p.test !== null, opts.valFraction);
        const pool = openIdxPair(p.train, trainLabels, names, threshold);
        closers.push(() => pool.close());
        let own: ArrayDataset | null = null;
        if (plan.ownVal && p.test && testLabels) {
          own = openIdxPair(p.test, testLabels, names, threshold);
          const o = own;
          closers.push(() => o.close());
        }
        ({ train, val } = applyPlan(pool, plan, opts.seed, own));
        if (opts.withTest && p.test && testLabels) {
          if (own) testNote = `the test split (${p.test.images.name}) is also the validation split that training reported`;
          else {
            const t = openIdxPair(p.test, testLabels, names, threshold);
            closers.push(() => t.close());
            own = t;
          }
          test = own;
        } else if (!p.test) {
          testNote = p.trainIsTest ? `the t10k files in ${spec.path} are the training data here, so there is no test split` : `${spec.path} has no t10k files, so there is no test split`;
        }
        break;
      }
      case 'npz': {
        const p = probeNpz(resolvePath(spec, opts.baseDir));
        closers.push(() => p.reader.close());
        const names = numericNames(opts.numClasses);
        probe = npzProbe(spec, p, opts.valFraction);
        checkLabels(probe.labelSets, opts.numClasses);
        fail(probe);
        const ownSplit = p.val ?? p.test;
        const plan = planSplit(spec, p.train.n, ownSplit !== null, opts.valFraction);
        const pool = openNpzSplit(p.reader, p.train, p.train.labels, names, threshold);
        closers.push(() => pool.close());
        let own: ArrayDataset | null = null;
        if (plan.ownVal && ownSplit) {
          own = openNpzSplit(p.reader, ownSplit, ownSplit.labels, names, threshold);
          const o = own;
          closers.push(() => o.close());
        }
        ({ train, val } = applyPlan(pool, plan, opts.seed, own));
        if (opts.withTest && p.test) {
          if (own && ownSplit === p.test) {
            test = own;
            testNote = `${spec.path} has no val_images, so test_images is also the validation split that training reported`;
          } else {
            const t = openNpzSplit(p.reader, p.test, p.test.labels, names, threshold);
            closers.push(() => t.close());
            test = t;
          }
        } else if (!p.test) {
          testNote = `${spec.path} has no test_images and test_labels, so there is no test split`;
        }
        break;
      }
      case 'folder': {
        const listing = listFolder(resolvePath(spec, opts.baseDir));
        probe = folderProbe(spec, listing, opts.valFraction);
        fail(probe);
        // Every image is decoded now, before training: the undecodable ones are dropped with a warning.
        const decoded = decodeFolder(listing, h, w, c, opts.cacheBytes);
        warnings = [...listing.warnings, ...decoded.warnings];
        const plan = planSplit(spec, decoded.dataset.size, false, opts.valFraction);
        ({ train, val } = applyPlan(decoded.dataset, plan, opts.seed, null));
        testNote = 'an image folder has no test split (its validation split is carved from the same images)';
        break;
      }
    }
    const order = classOrder(probe.classNames, probe.numericNames, opts.classNames, opts.numClasses);
    const relabel = (d: Dataset): Dataset => new RelabelledDataset(d, order.map ?? Int32Array.from({ length: d.numClasses }, (_, k) => k), order.names);
    const needsView = order.map !== null || order.names.some((n, k) => n !== train.classNames[k]);
    if (needsView) {
      const testIsVal = test !== null && test === val;
      train = relabel(train);
      if (val) val = relabel(val);
      if (test) test = testIsVal ? val : relabel(test);
    }
    if (!opts.withTest) testNote = null;
    return { train, val, test, testNote, classNames: order.names, warnings, probe, close };
  } catch (e) {
    close();
    throw e;
  }
}

/** Renders sample `i` of any dataset as a PNG (grey for 1 channel, RGB for 3), enlarged `scale` times. */
export function samplePng(ds: Dataset, i: number, scale = 1): Buffer {
  const buf = new Float32Array(ds.height * ds.width * ds.channels);
  ds.read(i, buf, 0);
  return tensorToPng(buf, 0, ds.height, ds.width, ds.channels, scale);
}
