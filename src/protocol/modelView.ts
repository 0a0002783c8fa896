// The network as the inspector draws it: the host's view of a checked .cnn file (its layers with shapes,
// windows, worked arithmetic and errors, and the `from` lines' jumps) and its run-time check. Plain data and
// checks only (of the language, only its plain-data types): src/features/modelView.ts builds it, the webview draws it.

import { type Check, arrayOf, isBool, isInt, isStr, nullable, oneOf, shape } from './check';
import type { Shape } from '../language/model';
import { type AugmentSpec, isAugmentSpec } from './trainer';

/** A layer's shape as the webview gets it: the language's plain-data `Shape`. */
export type ShapeView = Shape;

/** Filter, stride and padding of a conv, deconv or pool layer, per side. */
export interface WindowView {
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  /** Dilation (1: none; a dilated conv's taps are d apart, its effective side d·(f − 1) + 1). */
  dh: number;
  dw: number;
  /** A transposed convolution (deconv): the input is spread out by the stride, the output accumulated. */
  transposed: boolean;
  /** A deconv's output padding (0 for others). */
  oph: number;
  opw: number;
}

/** One side's worked arithmetic: `(N − F + 2P) / S + 1`. */
export interface ArithmeticView {
  side: 'height' | 'width';
  n: number;
  f: number;
  s: number;
  p: number;
  text: string;
}

/** A layer as the inspector draws it. */
export interface LayerView {
  /** The `i` of `layers.{i}`. */
  index: number;
  /** 0-based line of the statement. */
  line: number;
  /** The indices of the layers whose outputs flow in (-1: the network's input): the current flow first, then the names of add/concat. */
  inputs: number[];
  /** The label that names the layer's output (`stem: relu` → `stem`), if any. */
  name: string | null;
  /** conv, pool, relu, dense, softmax… */
  kind: string;
  /** `conv 16@3 p1 +relu`: the layer in one short phrase. */
  label: string;
  input: ShapeView | null;
  output: ShapeView | null;
  params: number | null;
  macs: number | null;
  receptiveField: [number, number] | null;
  /** The window of a conv or pool layer; null for others. */
  window: WindowView | null;
  /** Number of filters of a conv or deconv layer; null for others. */
  filters: number | null;
  /** Groups of a conv layer (1: ordinary, the input channels: depthwise); null for others. */
  groups: number | null;
  /** Max or average, for pools. */
  poolMode: 'max' | 'avg' | null;
  arithmetic: ArithmeticView[];
  hasError: boolean;
  /** The messages of the error diagnostics inside the statement. */
  errors: string[];
}

export interface ModelView {
  /** Absolute path (or URI string for unsaved files) of the .cnn file. */
  file: string;
  /** The file's base name, for the title. */
  fileName: string;
  /** The document version this model was checked from. */
  version: number;
  name: string | null;
  input: { h: number; w: number; c: number } | null;
  inputLine: number | null;
  classes: string[] | null;
  /** `multilabel` when the network ends in `sigmoid` (per-label probabilities), else `single`. */
  task: 'single' | 'multilabel';
  /** The file's `augment` settings now (null: no augment line, or the file has errors), for the augmentation grid. */
  augment: AugmentSpec | null;
  layers: LayerView[];
  /** The `from NAME` lines and the layer each one names (-1: the input): the cursor there highlights that layer. */
  jumps: { line: number; target: number }[];
  params: number;
  macs: number;
  /** True when some layer's figures are unknown (totals are lower bounds). */
  incomplete: boolean;
  errorCount: number;
  warningCount: number;
}

// ───────────────────────────── run-time checks ─────────────────────────────

const isNonNegInt: Check = (v) => isInt(v) && (v as number) >= 0;
const isPosInt: Check = (v) => isInt(v) && (v as number) >= 1;

export const isShapeView: Check = (v) =>
  shape({ kind: oneOf('volume'), h: isPosInt, w: isPosInt, c: isPosInt })(v) || shape({ kind: oneOf('vector'), n: isPosInt })(v);

const isWindow: Check = shape({
  fh: isPosInt,
  fw: isPosInt,
  sh: isPosInt,
  sw: isPosInt,
  ph: isNonNegInt,
  pw: isNonNegInt,
  dh: isPosInt,
  dw: isPosInt,
  transposed: isBool,
  oph: isNonNegInt,
  opw: isNonNegInt,
});

/** A layer's inputs: earlier layers' indices, or -1 for the network's input. */
const isInputIndex: Check = (v) => isInt(v) && (v as number) >= -1;

const isArithmetic: Check = shape({ side: oneOf('height', 'width'), n: isInt, f: isInt, s: isInt, p: isInt, text: isStr });

const isPair: Check = (v) => Array.isArray(v) && v.length === 2 && v.every(isInt);

export const isLayerView: Check = shape({
  index: isNonNegInt,
  line: isNonNegInt,
  inputs: arrayOf(isInputIndex),
  name: nullable(isStr),
  kind: isStr,
  label: isStr,
  input: nullable(isShapeView),
  output: nullable(isShapeView),
  params: nullable(isNonNegInt),
  macs: nullable(isNonNegInt),
  receptiveField: nullable(isPair),
  window: nullable(isWindow),
  filters: nullable(isPosInt),
  groups: nullable(isPosInt),
  poolMode: nullable(oneOf('max', 'avg')),
  arithmetic: arrayOf(isArithmetic),
  hasError: isBool,
  errors: arrayOf(isStr),
});

const isModelViewShape: Check = shape({
  file: isStr,
  fileName: isStr,
  version: isInt,
  name: nullable(isStr),
  input: nullable(shape({ h: isPosInt, w: isPosInt, c: isPosInt })),
  inputLine: nullable(isNonNegInt),
  classes: nullable(arrayOf(isStr)),
  task: oneOf('single', 'multilabel'),
  augment: nullable(isAugmentSpec),
  layers: arrayOf(isLayerView),
  jumps: arrayOf(shape({ line: isNonNegInt, target: isInputIndex })),
  params: isNonNegInt,
  macs: isNonNegInt,
  incomplete: isBool,
  errorCount: isNonNegInt,
  warningCount: isNonNegInt,
});

/** Every layer's inputs are layers above it (or the input), and every jump names a layer: the drawing's edges never loop or dangle. */
function inputsEarlier(m: ModelView): boolean {
  const seen = new Set<number>([-1]);
  for (const l of m.layers) {
    if (!l.inputs.every((i) => seen.has(i))) return false;
    seen.add(l.index);
  }
  return m.jumps.every((j) => seen.has(j.target));
}

export const isModelView: Check = (v) => isModelViewShape(v) && inputsEarlier(v as ModelView);
