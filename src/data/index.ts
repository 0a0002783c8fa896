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
//                             Labels N or N×1 (one class each) or N×L of 0/1 (multi-label: ChestMNIST's N×14).
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
//   interface Dataset { size, height, width, channels, numClasses, classNames, task?: 'single' | 'multilabel',
//                       read(i, out: Float32Array, offset): void  /* H·W·C floats, NHWC */, label(i): number,
//                       labelRow?(i, out, offset)  /* multi-label: numClasses 0/1 floats */ }
//   openData(spec: DataSpec, opts: OpenDataOptions): OpenedData
//       → { train, val | null, test | null, testNote, classNames, warnings, probe, close() }; throws DataError (E040).
//       With `withTest`, `test` is the source's own test split (npz test_, idx t10k beside train- files; the same
//       view as `val` when that split is also the validation split) and `testNote` says why there is none, or
//       that it doubles as validation.
//   probeData(spec, baseDir, opts?: { valFraction?, input? }): DataProbe   (headers and labels only; throws DataError)
//   checkDataAgainstModel(probe: DataProbe, model: ModelFacts): DataIssue[]   (E040 size / class-count mismatches)
//   checkModelData(model: ModelSpec, baseDir): DataIssue[]   (E055 from the label headers, then probe + check; never throws)
//   dataTaskIssue(data: DataSpec, net: { task, units }, baseDir): string | null   (E055 alone, headers only: the editor's)
//   classCounts(ds), resolveClassWeights(setting, counts, n, task), imbalanceWarning(counts, names, task, weighted, n?)
//   new Batcher(dataset, { batchSize, seed, shuffle?, dropLast?, augment? }) — .x (batch×H×W×C), .y, .t (multi-label targets), .batchesPerEpoch,
//       .fill(epoch, b): n, .epoch(e): Generator<Batch>, .order(e): Uint32Array
//   npyPixels(array, name): Float32Array   (the pixel rule: uint8 → [0,1], float32/64 as they are; else DataError)
//   readNpy(buffer, name?): NpyArray; writeNpy(array, shape, dtype?): Uint8Array; parseNpyHeader(bytes)
//   renderShapePng({ seed, index, h, w, c, scale? }): Uint8Array; samplePng(dataset, i, scale?): Uint8Array
//   SHAPES_CLASSES, STREAM_THRESHOLD_BYTES, MAX_INFLATED_BYTES, DataError

import type { DataSpec, Task } from '../language/model';
import { firstBadLabel, strayLabelMessage, type ArrayDataset, type LabelSet } from './arrays';
import { STREAM_THRESHOLD_BYTES } from './bytes';
import { checkDataAgainstModel, dataErrors, hasClassNames } from './check';
import { DataError, RelabelledDataset, SubsetDataset, fmt, type Dataset } from './dataset';
import { decodeFolder, listFolder } from './folder';
import { openIdxPair, probeIdx } from './idx';
import { tensorToPng } from './image';
import { labelLayout, taskMismatch, type LabelLayout } from './labelLayout';
import { openNpzSplit, probeNpz } from './npz';
import { folderProbe, idxProbe, npzProbe, numericNames, planSplit, probeData, resolvePath, valCount, type DataProbe, type Plan } from './probe';
import { permutation } from './rng';
import { ShapesDataset } from './shapes';

export { Batcher, type Batch, type BatcherOptions } from './batcher';
export { DataError, taskOf, type Dataset } from './dataset';
export { checkDataAgainstModel, checkModelData, dataErrors, type DataIssue, type ModelFacts } from './check';
export { dataTaskIssue, labelLayout, type LabelLayout } from './labelLayout';
export { classCounts, imbalanceWarning, resolveClassWeights } from './classCounts';
export { probeData, type DataProbe } from './probe';
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
  /** The model's class count (the last dense layer's units); labels per sample for a multi-label model. */
  numClasses: number;
  /** The model's class names (from `classes`; label names for multi-label), if any. */
  classNames?: string[];
  /** 'multilabel' for a network that ends in sigmoid (needs N×L labels of 0/1); absent: 'single'. */
  task?: Task;
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

/** The labels' layout from the headers, or null when they cannot be read (the probe then says why). */
function headerLayout(spec: DataSpec, baseDir: string): LabelLayout | null {
  try {
    return labelLayout(spec, baseDir);
  } catch {
    return null;
  }
}

function sortedSlice(perm: Uint32Array, from: number, to: number): Uint32Array {
  return perm.slice(from, to).sort();
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
  const task = opts.task ?? 'single';
  // Warnings of the check (W105) join the data's own.
  const checkWarnings: string[] = [];
  const fail = (probe: DataProbe): void => {
    const hasClassesLine = opts.classNames !== undefined && hasClassNames(opts.classNames);
    const issues = checkDataAgainstModel(probe, { input: opts.input, numClasses: opts.numClasses, classNames: opts.classNames, hasClassesLine, task });
    const errors = dataErrors(issues);
    if (errors.length) throw new DataError(errors.map((i) => i.message).join(' Also: '), errors.some((i) => i.code === 'E055') ? 'E055' : 'E040');
    checkWarnings.push(...issues.filter((i) => i.severity === 'warning').map((i) => `${i.code}: ${i.message}`));
  };
  // The task first, from the label header alone (E055), before any labels are read and judged.
  const layout = headerLayout(spec, opts.baseDir);
  const mismatch = layout && taskMismatch(layout, { task, units: opts.numClasses });
  if (mismatch) throw new DataError(mismatch, 'E055');
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
    return { train, val, test, testNote, classNames: order.names, warnings: [...checkWarnings, ...warnings], probe, close };
  } catch (e) {
    close();
    throw e;
  }
}

/** Renders sample `i` of any dataset as a PNG (grey for 1 channel, RGB for 3), enlarged `scale` times. */
export function samplePng(ds: Dataset, i: number, scale = 1): Uint8Array {
  const buf = new Float32Array(ds.height * ds.width * ds.channels);
  ds.read(i, buf, 0);
  return tensorToPng(buf, 0, ds.height, ds.width, ds.channels, scale);
}
