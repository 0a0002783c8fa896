// The language-side layer table: for every layer kind, one entry with its shape rule, parameter count,
// multiply-adds and receptive field. A new kind is one entry here (the mapped type makes a missing one a
// compile error); the checker reports the problems an entry returns (layerCheck.ts).

import type { LayerKind, LayerSpec, Shape } from './model';
import { type Axis, type AxisResult, applyRule, shapeSize } from './shape';

type Volume = Extract<Shape, { kind: 'volume' }>;
type SpecOf<K extends LayerKind> = Extract<LayerSpec, { kind: K }>;

/** The largest side a computed map may have: as large as an input may be. */
export const MAX_SIDE = 1_000_000;

/**
 * Receptive field per side (`rh`, `rw`: input pixels one unit sees) and jump (`jh`, `jw`: input pixels between
 * neighbouring units). Jumps become fractions after up-sampling; the field shown is rounded up.
 */
export interface Rf {
  rh: number;
  rw: number;
  jh: number;
  jw: number;
}

/** Why a layer's output cannot be computed; the checker turns each into its diagnostic. */
export type Problem =
  /** A spatial layer after the data became a vector (E030). */
  | { problem: 'vector'; input: Extract<Shape, { kind: 'vector' }> }
  /** The shape rule (N − F + 2P)/S + 1 failed on a side (E020, E021). */
  | { problem: 'rule'; h: Axis; w: Axis; rh: AxisResult; rw: AxisResult; depth: number }
  /** A transposed convolution's (N − 1)·S − 2P + F + outpad is less than 1 (E021). */
  | { problem: 'deconv'; sides: { side: 'height' | 'width'; n: number; s: number; p: number; f: number; op: number; out: number }[] }
  /** A side grows past MAX_SIDE (upsample scale=100000). */
  | { problem: 'huge'; h: number; w: number; c: number }
  /** The inputs of an add (E050) or a concat (E051) do not fit together. */
  | { problem: 'merge' };

export interface LayerRule<K extends LayerKind> {
  /** True when the input must be a volume (a vector is E030). */
  needsVolume: boolean;
  /** No weights and no work that depends on the shape: 0 parameters and 0 multiply-adds even when the input is unknown. */
  weightless?: boolean;
  /** The output shape when it does not depend on the input (a dense layer's units), for an unknown input. */
  fixedOutput?(spec: SpecOf<K>): Shape;
  /** The output shape from every input's shape (all known), or the problem. */
  output(spec: SpecOf<K>, inputs: Shape[]): Shape | Problem;
  /** Learnable numbers; null when they are not whole (groups that do not divide). Known without the output. */
  params(spec: SpecOf<K>, input: Shape): number | null;
  /** Multiply-adds of weights per sample. */
  macs(spec: SpecOf<K>, input: Shape, output: Shape): number;
  /** Receptive field of the output from the inputs' (volume inputs only: after a vector every unit sees `whole`). */
  rf(spec: SpecOf<K>, inputs: Rf[], input: Shape, whole: Rf): Rf;
}

const sameShape = (_spec: unknown, inputs: Shape[]): Shape => inputs[0]!;
const none = () => 0;
const keepRf = (_spec: unknown, inputs: Rf[]): Rf => inputs[0]!;

/** A conv's or pool's sides through the shape rule; `fh`/`fw` are the effective (dilated) filter sides. */
function slide(input: Volume, fh: number, fw: number, sh: number, sw: number, ph: number, pw: number, depth: number): Shape | Problem {
  const h: Axis = { n: input.h, f: fh, s: sh, p: ph };
  const w: Axis = { n: input.w, f: fw, s: sw, p: pw };
  const rh = applyRule(h);
  const rw = applyRule(w);
  if (!rh.ok || !rw.ok) return { problem: 'rule', h, w, rh, rw, depth };
  return { kind: 'volume', h: rh.out, w: rw.out, c: depth };
}

/** The effective filter side of a dilated conv: D·(F − 1) + 1. */
export function dilated(f: number, d: number): number {
  return d * (f - 1) + 1;
}

function grow(rf: Rf, fh: number, fw: number, sh: number, sw: number): Rf {
  return { rh: rf.rh + (fh - 1) * rf.jh, rw: rf.rw + (fw - 1) * rf.jw, jh: rf.jh * sh, jw: rf.jw * sw };
}

function widest(inputs: Rf[]): Rf {
  const out = { ...inputs[0]! };
  for (const r of inputs) {
    out.rh = Math.max(out.rh, r.rh);
    out.rw = Math.max(out.rw, r.rw);
    out.jh = Math.max(out.jh, r.jh);
    out.jw = Math.max(out.jw, r.jw);
  }
  return out;
}

const vol = (s: Shape) => s as Volume;

export const RULES: { [K in LayerKind]: LayerRule<K> } = {
  conv: {
    needsVolume: true,
    output: (s, [i]) => slide(vol(i!), dilated(s.fh, s.dh), dilated(s.fw, s.dw), s.sh, s.sw, s.ph, s.pw, s.filters),
    params(s, i) {
      const c = vol(i).c;
      if (c % s.groups !== 0 || s.filters % s.groups !== 0) return null;
      return s.filters * ((s.fh * s.fw * c) / s.groups + 1);
    },
    macs: (s, i, o) => (vol(o).h * vol(o).w * s.filters * s.fh * s.fw * vol(i).c) / s.groups,
    rf: (s, [r]) => grow(r!, dilated(s.fh, s.dh), dilated(s.fw, s.dw), s.sh, s.sw),
  },
  pool: {
    needsVolume: true,
    output: (s, [i]) => slide(vol(i!), s.fh, s.fw, s.sh, s.sw, s.ph, s.pw, vol(i!).c),
    params: none,
    macs: none,
    rf: (s, [r]) => grow(r!, s.fh, s.fw, s.sh, s.sw),
  },
  globalpool: {
    weightless: true,
    needsVolume: true,
    output: (_s, [i]) => ({ kind: 'volume', h: 1, w: 1, c: vol(i!).c }),
    params: none,
    macs: none,
    // Every unit depends on the whole map, so (like a dense layer) on the whole input.
    rf: (_s, _inputs, _input, whole) => whole,
  },
  batchnorm: {
    needsVolume: false,
    output: sameShape,
    params: (_s, i) => 2 * (i.kind === 'volume' ? i.c : i.n),
    // One multiply-add by the learned scale γ per value.
    macs: (_s, _i, o) => shapeSize(o),
    rf: keepRf,
  },
  deconv: {
    needsVolume: true,
    output(s, [input]) {
      const i = vol(input!);
      const side = (side: 'height' | 'width', n: number, st: number, p: number, f: number, op: number) => ({ side, n, s: st, p, f, op, out: (n - 1) * st - 2 * p + f + op });
      const sides = [side('height', i.h, s.sh, s.ph, s.fh, s.oph), side('width', i.w, s.sw, s.pw, s.fw, s.opw)];
      const bad = sides.filter((x) => x.out < 1);
      if (bad.length) return { problem: 'deconv', sides: bad };
      const [h, w] = [sides[0]!.out, sides[1]!.out];
      if (h > MAX_SIDE || w > MAX_SIDE) return { problem: 'huge', h, w, c: s.filters };
      return { kind: 'volume', h, w, c: s.filters };
    },
    params: (s, i) => vol(i).c * s.filters * s.fh * s.fw + s.filters,
    // Every input value is multiplied into K·F·F outputs.
    macs: (s, i) => vol(i).h * vol(i).w * vol(i).c * s.filters * s.fh * s.fw,
    // An output unit is reached from ⌈F/S⌉ neighbouring input units per side; units are S times closer.
    rf: (s, [r]) => ({ rh: r!.rh + (Math.ceil(s.fh / s.sh) - 1) * r!.jh, rw: r!.rw + (Math.ceil(s.fw / s.sw) - 1) * r!.jw, jh: r!.jh / s.sh, jw: r!.jw / s.sw }),
  },
  upsample: {
    weightless: true,
    needsVolume: true,
    output(s, [input]) {
      const i = vol(input!);
      const [h, w] = [i.h * s.scale, i.w * s.scale];
      if (h > MAX_SIDE || w > MAX_SIDE) return { problem: 'huge', h, w, c: i.c };
      return { kind: 'volume', h, w, c: i.c };
    },
    params: none,
    macs: none,
    // Nearest copies one input unit; bilinear blends two neighbours per side.
    rf: (s, [r]) => {
      const k = s.mode === 'bilinear' ? 1 : 0;
      return { rh: r!.rh + k * r!.jh, rw: r!.rw + k * r!.jw, jh: r!.jh / s.scale, jw: r!.jw / s.scale };
    },
  },
  add: {
    weightless: true,
    needsVolume: false,
    output(_s, inputs) {
      const [first] = inputs;
      for (const s of inputs) if (!sameAs(s, first!)) return { problem: 'merge' };
      return first!;
    },
    params: none,
    macs: none,
    rf: (_s, inputs) => widest(inputs),
  },
  concat: {
    weightless: true,
    needsVolume: false,
    output(_s, inputs) {
      const [first] = inputs;
      if (first!.kind === 'vector') {
        let n = 0;
        for (const s of inputs) {
          if (s.kind !== 'vector') return { problem: 'merge' };
          n += s.n;
        }
        return { kind: 'vector', n };
      }
      let c = 0;
      for (const s of inputs) {
        if (s.kind !== 'volume' || s.h !== first!.h || s.w !== first!.w) return { problem: 'merge' };
        c += s.c;
      }
      return { kind: 'volume', h: first!.h, w: first!.w, c };
    },
    params: none,
    macs: none,
    rf: (_s, inputs) => widest(inputs),
  },
  relu: { weightless: true, needsVolume: false, output: sameShape, params: none, macs: none, rf: keepRf },
  sigmoid: { weightless: true, needsVolume: false, output: sameShape, params: none, macs: none, rf: keepRf },
  tanh: { weightless: true, needsVolume: false, output: sameShape, params: none, macs: none, rf: keepRf },
  leakyrelu: { weightless: true, needsVolume: false, output: sameShape, params: none, macs: none, rf: keepRf },
  dropout: { weightless: true, needsVolume: false, output: sameShape, params: none, macs: none, rf: keepRf },
  softmax: { weightless: true, needsVolume: false, output: sameShape, params: none, macs: none, rf: keepRf },
  flatten: { weightless: true, needsVolume: false, output: (_s, [i]) => ({ kind: 'vector', n: shapeSize(i!) }), params: none, macs: none, rf: keepRf },
  dense: {
    needsVolume: false,
    output: (s) => ({ kind: 'vector', n: s.units }),
    fixedOutput: (s) => ({ kind: 'vector', n: s.units }),
    params: (s, i) => s.units * (shapeSize(i) + 1),
    macs: (s, i) => shapeSize(i) * s.units,
    // Every unit sees the whole input.
    rf: (_s, _inputs, _input, whole) => whole,
  },
};

export function sameAs(a: Shape, b: Shape): boolean {
  return a.kind === 'volume' ? b.kind === 'volume' && a.h === b.h && a.w === b.w && a.c === b.c : b.kind === 'vector' && a.n === b.n;
}

/** The table's entry for a spec, typed for it. */
export function ruleOf<K extends LayerKind>(spec: SpecOf<K>): LayerRule<K> {
  return RULES[spec.kind as K];
}

export function isProblem(x: Shape | Problem): x is Problem {
  return 'problem' in x;
}
