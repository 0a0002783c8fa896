// What a data source holds, read cheaply (headers and labels, never the images), and how its samples split
// into training and validation: the plan that openData follows and the sizes the probe reports.

import { host } from '../platform/host';
import { DEFAULT_VAL_FRACTION, type DataSpec, type Task } from '../language/model';
import type { LabelSet } from './arrays';
import { DataError, fmt, fmtShape } from './dataset';
import { npzLayout, singleLayout, type LabelLayout } from './labelLayout';
import { listFolder, type FolderListing } from './folder';
import { probeIdx, type IdxProbe } from './idx';
import { probeNpz, type NpzProbe } from './npz';
import { SHAPES_CLASSES } from './shapes';

/** What a data source holds, read cheaply (headers and labels). */
export interface DataProbe {
  kind: DataSpec['kind'];
  /** Image size: exact for idx/npz; the first image's for a folder; the requested input (or 32×32×3) for shapes. */
  h: number;
  w: number;
  c: number;
  /** True when images must match the model's input exactly (idx, npz); folders are resized, shapes drawn to fit. */
  fixedSize: boolean;
  /** 'multilabel' for an npz with N×L labels (L > 1); every other source is single-label. */
  task: Task;
  /** The labels' kind, source and shape, for E055. */
  layout: LabelLayout;
  /** Classes, or labels per sample for multi-label data. */
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
  /** The class labels of every split (idx, npz), so a stray label can be named; empty for shapes, folders and multi-label data. */
  labelSets: LabelSet[];
}

export function resolvePath(spec: Exclude<DataSpec, { kind: 'shapes' }>, baseDir: string): string {
  const p = host().path.resolve(baseDir, spec.path);
  if (!host().files.stat(p)) {
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

export function valCount(n: number, f: number): number {
  if (f <= 0 || n < 2) return 0;
  return Math.min(n - 1, Math.max(1, Math.round(n * f)));
}

export function numericNames(n: number): string[] {
  return Array.from({ length: n }, (_, k) => String(k));
}

export interface Plan {
  /** Indices into the source's training pool kept by `samples=`; null = all. */
  subset: number | null;
  carve: number;
  ownVal: boolean;
}

export function planSplit(spec: DataSpec, poolSize: number, hasOwnVal: boolean, valFraction: number | null | undefined): Plan {
  const subset = spec.kind === 'shapes' ? null : spec.samples != null ? Math.min(spec.samples, poolSize) : null;
  if (subset != null && subset < 1) throw new DataError(`samples=${spec.samples} keeps no training data; use a positive number.`);
  if (valFraction === 0) return { subset, carve: 0, ownVal: false };
  if (hasOwnVal) return { subset, carve: 0, ownVal: true };
  return { subset, carve: carveFraction(spec, valFraction), ownVal: false };
}

export function sizesOf(plan: Plan, poolSize: number, ownValSize: number): { trainSize: number; valSize: number; valFrom: DataProbe['valFrom'] } {
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
        task: 'single',
        layout: singleLayout(spec),
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

export function idxProbe(spec: DataSpec, p: IdxProbe, valFraction: number | null | undefined): DataProbe {
  const plan = planSplit(spec, p.train.n, p.test !== null, valFraction);
  return {
    kind: 'idx',
    h: p.train.h,
    w: p.train.w,
    c: 1,
    fixedSize: true,
    task: 'single',
    layout: singleLayout(spec),
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

export function npzProbe(spec: DataSpec, p: NpzProbe, valFraction: number | null | undefined): DataProbe {
  const own = p.val ?? p.test;
  const plan = planSplit(spec, p.train.n, own !== null, valFraction);
  const t = p.train;
  return {
    kind: 'npz',
    h: t.h,
    w: t.w,
    c: t.c,
    fixedSize: true,
    task: p.task,
    layout: npzLayout(p.reader.name, p.train.labelShape),
    numClasses: p.numClasses,
    classNames: numericNames(p.numClasses),
    numericNames: true,
    ...sizesOf(plan, t.n, own?.n ?? 0),
    description:
      `NPZ ${p.reader.name}: ${fmt(t.n)} train images ${fmtShape(t.h, t.w, t.c)} (${t.pixelType === 'u1' ? 'uint8' : t.pixelType === 'f4' ? 'float32' : 'float64'})` +
      `${p.task === 'multilabel' ? `, ${p.numClasses} labels per image` : ''}${own ? `, ${fmt(own.n)} ${own.split} images for validation` : ''}`,
    warnings: [],
    labelSets: [p.train, p.val, p.test].flatMap((x) => (x !== null && x.labels instanceof Int32Array ? [{ where: `${x.split}_labels in ${p.reader.name}`, labels: x.labels }] : [])),
  };
}

export function folderProbe(spec: DataSpec, l: FolderListing, valFraction: number | null | undefined): DataProbe {
  const plan = planSplit(spec, l.files.length, false, valFraction);
  const first = l.files[0];
  const color = l.files.some((f) => f.color);
  return {
    kind: 'folder',
    h: first.height,
    w: first.width,
    c: color ? 3 : 1,
    fixedSize: false,
    task: 'single',
    layout: singleLayout(spec),
    numClasses: l.classNames.length,
    classNames: [...l.classNames],
    numericNames: false,
    ...sizesOf(plan, l.files.length, 0),
    description: `image folder: ${fmt(l.files.length)} images in ${l.classNames.length} classes (${l.classNames.map((c, k) => `${c} ${fmt(l.perClass[k])}`).join(', ')})`,
    warnings: [...l.warnings],
    labelSets: [],
  };
}
