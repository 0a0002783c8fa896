// batchnorm: per channel of a volume (BatchNorm2d), per feature of a vector (BatchNorm1d). Parameters weight
// (γ, starts at 1) and bias (β, 0); buffers running_mean (0), running_var (1) and num_batches_tracked (0).
// Training normalises with the batch's mean and biased variance, and updates the running statistics by
// PyTorch's rule: r = (1 − momentum)·r + momentum·batch value, with the UNBIASED variance (m / (m − 1)) and
// num_batches_tracked + 1. Evaluation normalises with the running statistics.

import type { LayerSpec } from '../../language/model';
import type { Buf } from '../kernels';
import { epilogueBackward, epilogueForward, NONE, only, type BackwardCtx, type Dims, type ForwardCtx, type LayerOps } from './types';

type BatchNorm = Extract<LayerSpec, { kind: 'batchnorm' }>;

/**
 * Where the values of one channel lie in a batch of n: channel c's j-th value (of m) is at
 * c·cs + j·js. Volumes (CNHW): a channel is one contiguous plane of n·h·w; vectors ([N][F]): a feature is
 * every F-th value.
 */
export interface Channels {
  count: number;
  m: number;
  cs: number;
  js: number;
}

export function channels(d: Dims, n: number): Channels {
  return d.vol ? { count: d.c, m: n * d.h * d.w, cs: n * d.h * d.w, js: 1 } : { count: d.size, m: n, cs: 1, js: d.size };
}

/**
 * Training forward: y = (x − mean)·invstd·γ + β with the batch statistics (then relu when `relu`); saved[c]
 * = mean, saved[C + c] = invstd for the backward; running statistics updated in place (count:
 * num_batches_tracked, 1 value). One pass for the sums (float64), one for the output.
 */
export function batchnormForwardTrain(y: Buf, saved: Buf, x: Buf, gamma: Buf, beta: Buf, runMean: Buf, runVar: Buf, count: Buf, ch: Channels, momentum: number, eps: number, relu = false): void {
  const { count: C, m, cs, js } = ch;
  for (let c = 0; c < C; c++) {
    const base = c * cs;
    let s = 0;
    let s2 = 0;
    for (let j = 0, i = base; j < m; j++, i += js) {
      const v = x[i]!;
      s += v;
      s2 += v * v;
    }
    const mean = s / m;
    const sq = Math.max(0, s2 - s * mean);
    const variance = sq / m;
    const invstd = 1 / Math.sqrt(variance + eps);
    affine(y, x, gamma[c]! * invstd, beta[c]! - mean * gamma[c]! * invstd, base, m, js, relu);
    saved[c] = mean;
    saved[C + c] = invstd;
    runMean[c] = (1 - momentum) * runMean[c]! + momentum * mean;
    runVar[c] = (1 - momentum) * runVar[c]! + momentum * (m > 1 ? sq / (m - 1) : variance);
  }
  count[0] = count[0]! + 1;
}

/** y = x·scale + shift over one channel (then relu when `relu`). */
function affine(y: Buf, x: Buf, scale: number, shift: number, base: number, m: number, js: number, relu: boolean): void {
  if (relu) {
    for (let j = 0, i = base; j < m; j++, i += js) {
      const v = x[i]! * scale + shift;
      y[i] = v > 0 ? v : 0;
    }
  } else {
    for (let j = 0, i = base; j < m; j++, i += js) y[i] = x[i]! * scale + shift;
  }
}

/** Evaluation forward: y = (x − running_mean) / sqrt(running_var + eps)·γ + β (then relu when `relu`). */
export function batchnormForwardEval(y: Buf, x: Buf, gamma: Buf, beta: Buf, runMean: Buf, runVar: Buf, ch: Channels, eps: number, relu = false): void {
  const { count: C, m, cs, js } = ch;
  for (let c = 0; c < C; c++) {
    const scale = gamma[c]! / Math.sqrt(runVar[c]! + eps);
    affine(y, x, scale, beta[c]! - runMean[c]! * scale, c * cs, m, js, relu);
  }
}

/**
 * Backward of the training forward (saved from it): dγ += Σ dy·x̂, dβ += Σ dy, and (dx non-null)
 * dx += γ·invstd / m · (m·dy − Σ dy − x̂·Σ dy·x̂). With `reluOut` (the output of a fused relu) dy is first
 * masked where the output is 0, in place.
 */
export function batchnormBackwardTrain(dx: Buf | null, dgamma: Buf, dbeta: Buf, dy: Buf, x: Buf, saved: Buf, gamma: Buf, ch: Channels, reluOut: Buf | null = null): void {
  const { count: C, m, cs, js } = ch;
  for (let c = 0; c < C; c++) {
    const base = c * cs;
    const mean = saved[c]!;
    const invstd = saved[C + c]!;
    let sdy = 0;
    let sdyx = 0;
    if (reluOut) {
      for (let j = 0, i = base; j < m; j++, i += js) {
        if (!(reluOut[i]! > 0)) dy[i] = 0;
        const g = dy[i]!;
        sdy += g;
        sdyx += g * x[i]!;
      }
    } else {
      for (let j = 0, i = base; j < m; j++, i += js) {
        const g = dy[i]!;
        sdy += g;
        sdyx += g * x[i]!;
      }
    }
    // Σ dy·x̂ = invstd·(Σ dy·x − mean·Σ dy)
    sdyx = invstd * (sdyx - mean * sdy);
    dgamma[c] += sdyx;
    dbeta[c] += sdy;
    if (!dx) continue;
    const k = gamma[c]! * invstd;
    const a = (k * sdy) / m;
    const b = (k * sdyx * invstd) / m;
    for (let j = 0, i = base; j < m; j++, i += js) dx[i] += k * dy[i]! - a - (x[i]! - mean) * b;
  }
}

/** Backward of the evaluation forward (the statistics are constants there). */
export function batchnormBackwardEval(dx: Buf | null, dgamma: Buf, dbeta: Buf, dy: Buf, x: Buf, gamma: Buf, runMean: Buf, runVar: Buf, ch: Channels, eps: number): void {
  const { count: C, m, cs, js } = ch;
  for (let c = 0; c < C; c++) {
    const invstd = 1 / Math.sqrt(runVar[c]! + eps);
    const mean = runMean[c]!;
    let sdy = 0;
    let sdyx = 0;
    for (let j = 0, i = c * cs; j < m; j++, i += js) {
      sdy += dy[i]!;
      sdyx += dy[i]! * (x[i]! - mean) * invstd;
    }
    dgamma[c] += sdyx;
    dbeta[c] += sdy;
    if (!dx) continue;
    const k = gamma[c]! * invstd;
    for (let j = 0, i = c * cs; j < m; j++, i += js) dx[i] += k * dy[i]!;
  }
}

/** Scratch views of a batch norm layer (see aux below). */
function scratch(aux: readonly Float32Array[], C: number) {
  const [saved, stats, coef] = aux as [Float32Array, Float32Array, Float32Array];
  const f64 = new Float64Array(stats.buffer, stats.byteOffset, 2 * C);
  return {
    saved,
    sum: f64.subarray(0, C),
    sq: f64.subarray(C, 2 * C),
    p: coef.subarray(0, C),
    q: coef.subarray(C, 2 * C),
    r: coef.subarray(2 * C, 3 * C),
  };
}

/**
 * A volume's batch norm on the backend's per-channel kernels (WebAssembly SIMD: the statistics, the affine
 * output with its fused activation, the input gradient); the per-channel arithmetic here is C numbers.
 */
function volumeForward(ctx: ForwardCtx<BatchNorm>): void {
  const { spec, be, n, inputs, x, y, params, buffers, aux, train, act } = ctx;
  const d = inputs[0]!;
  const C = d.c;
  const m = n * d.h * d.w;
  const [gamma, beta] = params as [Float32Array, Float32Array];
  const [rm, rv, count] = buffers as [Float32Array, Float32Array, Float32Array];
  const sc = scratch(aux, C);
  const scale = sc.p;
  const shift = sc.q;
  if (train) {
    be.channelSums(sc.sum, sc.sq, x[0]!, null, C, m);
    const mom = spec.momentum;
    for (let c = 0; c < C; c++) {
      const mean = sc.sum[c]! / m;
      const ss = Math.max(0, sc.sq[c]! - sc.sum[c]! * mean);
      const variance = ss / m;
      const invstd = 1 / Math.sqrt(variance + spec.eps);
      scale[c] = gamma[c]! * invstd;
      shift[c] = beta[c]! - mean * gamma[c]! * invstd;
      sc.saved[c] = mean;
      sc.saved[C + c] = invstd;
      rm[c] = (1 - mom) * rm[c]! + mom * mean;
      rv[c] = (1 - mom) * rv[c]! + mom * (m > 1 ? ss / (m - 1) : variance);
    }
    count[0] = count[0]! + 1;
  } else {
    evalAffine(spec, params, buffers, scale, shift);
  }
  be.channelAffine(y, x[0]!, scale, shift, C, m, act);
}

/** Evaluation's per-channel map: scale = γ / √(running_var + eps), shift = β − running_mean·scale. */
function evalAffine(spec: BatchNorm, params: readonly Float32Array[], buffers: readonly Float32Array[], scale: Float32Array, shift: Float32Array): void {
  const [gamma, beta] = params as [Float32Array, Float32Array];
  const [rm, rv] = buffers as [Float32Array, Float32Array];
  for (let c = 0; c < gamma.length; c++) {
    const s = gamma[c]! / Math.sqrt(rv[c]! + spec.eps);
    scale[c] = s;
    shift[c] = beta[c]! - rm[c]! * s;
  }
}

function volumeBackward(ctx: BackwardCtx<BatchNorm>): void {
  const { spec, be, n, inputs, out, x, y, dy, dx, params, dparams, buffers, aux, train, act } = ctx;
  const d = inputs[0]!;
  const C = d.c;
  const m = n * d.h * d.w;
  const gamma = params[0]!;
  const [dgamma, dbeta] = dparams as [Float32Array, Float32Array];
  const sc = scratch(aux, C);
  if (act !== 'none') be.activationBackwardInPlace(dy, y, n * out.size, act);
  be.channelSums(sc.sum, sc.sq, dy, x[0]!, C, m);
  for (let c = 0; c < C; c++) {
    const mean = train ? sc.saved[c]! : buffers[0]![c]!;
    const invstd = train ? sc.saved[C + c]! : 1 / Math.sqrt(buffers[1]![c]! + spec.eps);
    const sdy = sc.sum[c]!;
    const sdyx = invstd * (sc.sq[c]! - mean * sdy);
    dgamma[c] += sdyx;
    dbeta[c] += sdy;
    const k = gamma[c]! * invstd;
    if (train) {
      // dx += k·dy − k·Σdy/m − (x − mean)·k·invstd·Σdy·x̂/m
      const a = (k * sdy) / m;
      const b = (k * sdyx * invstd) / m;
      sc.p[c] = k;
      sc.q[c] = -b;
      sc.r[c] = b * mean - a;
    } else {
      sc.p[c] = k;
      sc.q[c] = 0;
      sc.r[c] = 0;
    }
  }
  const g = dx[0];
  if (g) be.channelAxpby(g, dy, x[0]!, sc.p, sc.q, sc.r, C, m);
}

export const batchnorm: LayerOps<BatchNorm> = {
  ...NONE,
  output: (_spec, inputs) => only(inputs),
  params(_spec, inputs) {
    const c = inputs[0]!.c;
    return [
      { name: 'weight', shape: [c], init: { value: 1 } },
      { name: 'bias', shape: [c], init: { value: 0 } },
    ];
  },
  buffers(_spec, inputs) {
    const c = inputs[0]!.c;
    return [
      { name: 'running_mean', shape: [c], dtype: 'F32', init: 0 },
      { name: 'running_var', shape: [c], dtype: 'F32', init: 1 },
      { name: 'num_batches_tracked', shape: [], dtype: 'I64', init: 0 },
    ];
  },
  epilogue: true,
  evalAffine,
  /**
   * The batch's mean and 1/std per channel (from the training forward), float64 sums per channel (2·C
   * doubles), and three per-channel coefficients (scale and shift forward; p, q, r backward).
   */
  aux: (_spec, inputs) => [2 * inputs[0]!.c, 4 * inputs[0]!.c, 3 * inputs[0]!.c],
  forward(ctx) {
    if (ctx.inputs[0]!.vol) return volumeForward(ctx);
    const { spec, be, n, inputs, out, x, y, params, buffers, aux, train, act } = ctx;
    const ch = channels(inputs[0]!, n);
    const [gamma, beta] = params as [Float32Array, Float32Array];
    const [rm, rv, count] = buffers as [Float32Array, Float32Array, Float32Array];
    const relu = act === 'relu';
    if (train) batchnormForwardTrain(y, aux[0]!, x[0]!, gamma, beta, rm, rv, count, ch, spec.momentum, spec.eps, relu);
    else batchnormForwardEval(y, x[0]!, gamma, beta, rm, rv, ch, spec.eps, relu);
    if (!relu) epilogueForward(be, y, n * out.size, act);
  },
  backward(ctx) {
    if (ctx.inputs[0]!.vol) return volumeBackward(ctx);
    const { spec, n, inputs, out, x, y, dy, dx, params, dparams, buffers, aux, train, act } = ctx;
    const relu = act === 'relu';
    if (!relu) epilogueBackward(dy, y, n * out.size, act);
    const ch = channels(inputs[0]!, n);
    if (train) {
      batchnormBackwardTrain(dx[0] ?? null, dparams[0]!, dparams[1]!, dy, x[0]!, aux[0]!, params[0]!, ch, relu ? y : null);
      return;
    }
    if (relu) epilogueBackward(dy, y, n * out.size, act);
    batchnormBackwardEval(dx[0] ?? null, dparams[0]!, dparams[1]!, dy, x[0]!, params[0]!, buffers[0]!, buffers[1]!, ch, spec.eps);
  },
};
