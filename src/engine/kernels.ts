// Reference kernels in plain TypeScript: the definition of what every layer computes. The network runs on the
// WebAssembly kernels (backend-wasm.ts) for speed; these are the yardstick the tests hold both against (finite
// differences in float64, PyTorch fixtures in float32), and the fallback when WebAssembly SIMD is missing.
//
// Style (llm.c): outputs first, then cached values, then inputs, then sizes; `d` marks a gradient; every
// backward ACCUMULATES into its outputs with +=, so callers zero gradients once per step.
//
// Layouts: a volume batch is CNHW, [C][N][H][W] — channel planes each holding the whole batch, which makes a
// convolution one GEMM with the batch and the pixels along its long side. A vector batch is [N][F].
// Conv weights are [K][C/G][FH][FW] (G groups), transposed conv weights [C][K][FH][FW], and dense weights
// [U][I] with I in PyTorch's C×H×W flatten order, so parameters are already in PyTorch's layout.
//
// Every kernel takes Float32Array or Float64Array alike (Buf) so gradient checks can run in float64.

export type Buf = Float32Array | Float64Array;

/** Activation codes, shared with the WebAssembly kernels. */
export const ACT = { none: 0, relu: 1, sigmoid: 2, tanh: 3, leakyrelu: 4 } as const;
export type ActKind = keyof typeof ACT;

/** A window: filter size, stride and zero padding along height and width. */
export interface ConvWindow {
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
}

/** A window over a CNHW batch: n samples of c channels of h×w in, k channels out. */
export interface WindowGeom extends ConvWindow {
  n: number;
  c: number;
  h: number;
  w: number;
  /** Output channels; equals c for pooling. */
  k: number;
}

/** Geometry of a convolution or pooling window over a CNHW batch. */
export interface ConvGeom extends WindowGeom {
  oh: number;
  ow: number;
  /** Dilation along height and width (conv only; absent: 1). */
  dh?: number;
  dw?: number;
  /** Groups (conv only; absent: 1): group g maps input channels [g·C/G, (g+1)·C/G) to outputs [g·K/G, (g+1)·K/G). */
  groups?: number;
}

/** Output size along one axis (PyTorch's floor rule), with dilation d: the window spans d·(f − 1) + 1. */
export function outSize(size: number, f: number, s: number, p: number, d = 1): number {
  return Math.floor((size + 2 * p - d * (f - 1) - 1) / s) + 1;
}

/** What convolution and transposed convolution geometries share: batch, input, output channels and window. */
export function windowGeom(n: number, input: { h: number; w: number; c: number }, k: number, win: ConvWindow): WindowGeom {
  return { n, c: input.c, h: input.h, w: input.w, k, fh: win.fh, fw: win.fw, sh: win.sh, sw: win.sw, ph: win.ph, pw: win.pw };
}

export function convGeom(
  n: number,
  input: { h: number; w: number; c: number },
  k: number,
  win: ConvWindow & { dh?: number; dw?: number; groups?: number },
): ConvGeom {
  const dh = win.dh ?? 1;
  const dw = win.dw ?? 1;
  return {
    ...windowGeom(n, input, k, win),
    dh,
    dw,
    groups: win.groups ?? 1,
    oh: outSize(input.h, win.fh, win.sh, win.ph, dh),
    ow: outSize(input.w, win.fw, win.sw, win.pw, dw),
  };
}

/** Whether a convolution is depthwise: one input channel per group (K = M·C filters, M per channel). */
export function isDepthwise(g: ConvGeom): boolean {
  const G = g.groups ?? 1;
  return G > 1 && G === g.c;
}

// ------------------------------------------------------------------------------------------------ activations

export function act1(v: number, act: ActKind, slope: number): number {
  switch (act) {
    case 'relu':
      return v > 0 ? v : 0;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'tanh':
      return Math.tanh(v);
    case 'leakyrelu':
      return v > 0 ? v : v * slope;
    case 'none':
      return v;
  }
}

/** Derivative of the activation, from its output y (and input x for leaky relu). */
export function dact1(y: number, x: number, act: ActKind, slope: number): number {
  switch (act) {
    case 'relu':
      return y > 0 ? 1 : 0;
    case 'sigmoid':
      return y * (1 - y);
    case 'tanh':
      return 1 - y * y;
    case 'leakyrelu':
      return x > 0 ? 1 : slope;
    case 'none':
      return 1;
  }
}

/** y[len] = act(a[len] + b[len]) (y may be a or b). */
export function addForward(y: Buf, a: Buf, b: Buf, len: number, act: ActKind): void {
  for (let i = 0; i < len; i++) y[i] = act1(a[i]! + b[i]!, act, 0);
}

/** y[len] = act(x[len]). */
export function activationForward(y: Buf, x: Buf, len: number, act: ActKind, slope = 0): void {
  for (let i = 0; i < len; i++) y[i] = act1(x[i]!, act, slope);
}

/** dx[len] += dy[len] · act'(x), from cached y[len] = act(x[len]). */
export function activationBackward(dx: Buf, dy: Buf, y: Buf, x: Buf, len: number, act: ActKind, slope = 0): void {
  for (let i = 0; i < len; i++) dx[i] += dy[i]! * dact1(y[i]!, x[i]!, act, slope);
}

// ------------------------------------------------------------------------------------------------ convolution

/**
 * y[K][N][OH][OW] = act(b[K] + Σ_{c,i,j} w[K][C/G][FH][FW] · x[g·C/G + c][N][oh·SH + i·DH − PH][ow·SW + j·DW − PW])
 * (zero padded; g = k / (K/G) is the filter's group; dilation DH, DW).
 */
export function convForward(y: Buf, x: Buf, w: Buf, b: Buf, g: ConvGeom, act: ActKind = 'none'): void {
  const { n: N, c: C, h: H, w: W, k: K, fh: FH, fw: FW, sh: SH, sw: SW, ph: PH, pw: PW, oh: OH, ow: OW } = g;
  const { dh: DH = 1, dw: DW = 1, groups: G = 1 } = g;
  const Cg = C / G;
  const Kg = K / G;
  for (let k = 0; k < K; k++) {
    const c0 = Math.floor(k / Kg) * Cg;
    for (let n = 0; n < N; n++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          let s = b[k]!;
          for (let c = 0; c < Cg; c++) {
            for (let i = 0; i < FH; i++) {
              const ih = oh * SH + i * DH - PH;
              if (ih < 0 || ih >= H) continue;
              for (let j = 0; j < FW; j++) {
                const iw = ow * SW + j * DW - PW;
                if (iw < 0 || iw >= W) continue;
                s += w[((k * Cg + c) * FH + i) * FW + j]! * x[(((c0 + c) * N + n) * H + ih) * W + iw]!;
              }
            }
          }
          y[((k * N + n) * OH + oh) * OW + ow] = act1(s, act, 0);
        }
      }
    }
  }
}

/**
 * Backward of convForward: dx[C][N][H][W] += (dx may be null for a first layer), dw[K][C/G][FH][FW] +=,
 * db[K] +=, from dy[K][N][OH][OW] and the cached output y (for the fused activation) and input x.
 */
export function convBackward(
  dx: Buf | null,
  dw: Buf,
  db: Buf,
  dy: Buf,
  y: Buf,
  x: Buf,
  w: Buf,
  g: ConvGeom,
  act: ActKind = 'none',
): void {
  const { n: N, c: C, h: H, w: W, k: K, fh: FH, fw: FW, sh: SH, sw: SW, ph: PH, pw: PW, oh: OH, ow: OW } = g;
  const { dh: DH = 1, dw: DW = 1, groups: G = 1 } = g;
  const Cg = C / G;
  const Kg = K / G;
  for (let k = 0; k < K; k++) {
    const c0 = Math.floor(k / Kg) * Cg;
    for (let n = 0; n < N; n++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const o = ((k * N + n) * OH + oh) * OW + ow;
          const d = dy[o]! * dact1(y[o]!, 0, act, 0);
          if (d === 0) continue;
          db[k] += d;
          for (let c = 0; c < Cg; c++) {
            for (let i = 0; i < FH; i++) {
              const ih = oh * SH + i * DH - PH;
              if (ih < 0 || ih >= H) continue;
              for (let j = 0; j < FW; j++) {
                const iw = ow * SW + j * DW - PW;
                if (iw < 0 || iw >= W) continue;
                const wi = ((k * Cg + c) * FH + i) * FW + j;
                const xi = (((c0 + c) * N + n) * H + ih) * W + iw;
                dw[wi] += d * x[xi]!;
                if (dx) dx[xi] += d * w[wi]!;
              }
            }
          }
        }
      }
    }
  }
}

// ------------------------------------------------------------------------------------------------ pooling

/** y[C][N][OH][OW] = window max of x[C][N][H][W]; argmax[C][N][OH][OW] = flat index of the winner in x. */
export function maxPoolForward(y: Buf, argmax: Int32Array, x: Buf, g: ConvGeom): void {
  const { n: N, c: C, h: H, w: W, fh: FH, fw: FW, sh: SH, sw: SW, ph: PH, pw: PW, oh: OH, ow: OW } = g;
  let o = 0;
  for (let p = 0; p < C * N; p++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let best = -Infinity;
        let bi = -1;
        for (let i = 0; i < FH; i++) {
          const ih = oh * SH + i - PH;
          if (ih < 0 || ih >= H) continue;
          for (let j = 0; j < FW; j++) {
            const iw = ow * SW + j - PW;
            if (iw < 0 || iw >= W) continue;
            const xi = (p * H + ih) * W + iw;
            if (bi < 0 || x[xi]! > best) {
              best = x[xi]!;
              bi = xi;
            }
          }
        }
        y[o] = best;
        argmax[o] = bi;
        o++;
      }
    }
  }
}

/** dx[C][N][H][W] += dy routed to each window's winner. */
export function maxPoolBackward(dx: Buf, dy: Buf, argmax: Int32Array, g: ConvGeom): void {
  const len = g.c * g.n * g.oh * g.ow;
  for (let o = 0; o < len; o++) dx[argmax[o]!] += dy[o]!;
}

/** y = window sum / (FH·FW): padded zeros count, like PyTorch's default count_include_pad=True. */
export function avgPoolForward(y: Buf, x: Buf, g: ConvGeom): void {
  const { n: N, c: C, h: H, w: W, fh: FH, fw: FW, sh: SH, sw: SW, ph: PH, pw: PW, oh: OH, ow: OW } = g;
  let o = 0;
  for (let p = 0; p < C * N; p++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let s = 0;
        for (let i = 0; i < FH; i++) {
          const ih = oh * SH + i - PH;
          if (ih < 0 || ih >= H) continue;
          for (let j = 0; j < FW; j++) {
            const iw = ow * SW + j - PW;
            if (iw < 0 || iw >= W) continue;
            s += x[(p * H + ih) * W + iw]!;
          }
        }
        y[o++] = s / (FH * FW);
      }
    }
  }
}

export function avgPoolBackward(dx: Buf, dy: Buf, g: ConvGeom): void {
  const { n: N, c: C, h: H, w: W, fh: FH, fw: FW, sh: SH, sw: SW, ph: PH, pw: PW, oh: OH, ow: OW } = g;
  let o = 0;
  for (let p = 0; p < C * N; p++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const d = dy[o++]! / (FH * FW);
        for (let i = 0; i < FH; i++) {
          const ih = oh * SH + i - PH;
          if (ih < 0 || ih >= H) continue;
          for (let j = 0; j < FW; j++) {
            const iw = ow * SW + j - PW;
            if (iw < 0 || iw >= W) continue;
            dx[(p * H + ih) * W + iw] += d;
          }
        }
      }
    }
  }
}

// ------------------------------------------------------------------------------------------------ dense

/** y[N][U] = act(x[N][I] · w[U][I]ᵀ + b[U]). */
export function denseForward(y: Buf, x: Buf, w: Buf, b: Buf, n: number, inputs: number, units: number, act: ActKind = 'none'): void {
  for (let s = 0; s < n; s++) {
    for (let u = 0; u < units; u++) {
      let v = b[u]!;
      for (let i = 0; i < inputs; i++) v += x[s * inputs + i]! * w[u * inputs + i]!;
      y[s * units + u] = act1(v, act, 0);
    }
  }
}

/** dx[N][I] += (dx may be null), dw[U][I] +=, db[U] += from dy[N][U], cached y[N][U] and x[N][I]. */
export function denseBackward(
  dx: Buf | null,
  dw: Buf,
  db: Buf,
  dy: Buf,
  y: Buf,
  x: Buf,
  w: Buf,
  n: number,
  inputs: number,
  units: number,
  act: ActKind = 'none',
): void {
  for (let s = 0; s < n; s++) {
    for (let u = 0; u < units; u++) {
      const d = dy[s * units + u]! * dact1(y[s * units + u]!, 0, act, 0);
      if (d === 0) continue;
      db[u] += d;
      for (let i = 0; i < inputs; i++) {
        dw[u * inputs + i] += d * x[s * inputs + i]!;
        if (dx) dx[s * inputs + i] += d * w[u * inputs + i]!;
      }
    }
  }
}

// ------------------------------------------------------------------------------------------------ dropout

/** mask[len] = 0 with probability rate, else 1/(1-rate) (inverted dropout); uniform() draws from the Rng. */
export function dropoutMask(mask: Buf, len: number, rate: number, uniform: () => number): void {
  const keep = 1 - rate;
  const scale = keep > 0 ? 1 / keep : 0;
  for (let i = 0; i < len; i++) mask[i] = uniform() < rate ? 0 : scale;
}

/** y[len] = x[len] · mask[len]. */
export function dropoutForward(y: Buf, mask: Buf, x: Buf, len: number): void {
  for (let i = 0; i < len; i++) y[i] = x[i]! * mask[i]!;
}

/** dx[len] += dy[len] · mask[len]. */
export function dropoutBackward(dx: Buf, dy: Buf, mask: Buf, len: number): void {
  for (let i = 0; i < len; i++) dx[i] += dy[i]! * mask[i]!;
}

// ------------------------------------------------------------------------------------------------ layout

/** y[N][C·HW] = x[C][N][HW]: PyTorch's per-sample C×H×W flatten order. */
export function flattenForward(y: Buf, x: Buf, n: number, c: number, hw: number): void {
  for (let ci = 0; ci < c; ci++) {
    for (let s = 0; s < n; s++) {
      const src = (ci * n + s) * hw;
      const dst = (s * c + ci) * hw;
      for (let i = 0; i < hw; i++) y[dst + i] = x[src + i]!;
    }
  }
}

/** dx[C][N][HW] += dy[N][C·HW]. */
export function flattenBackward(dx: Buf, dy: Buf, n: number, c: number, hw: number): void {
  for (let ci = 0; ci < c; ci++) {
    for (let s = 0; s < n; s++) {
      const dst = (ci * n + s) * hw;
      const src = (s * c + ci) * hw;
      for (let i = 0; i < hw; i++) dx[dst + i] += dy[src + i]!;
    }
  }
}

/** dst[C][N][HW] = src[N][HW][C]: the data loaders' NHWC into the engine's CNHW. */
export function nhwcToCnhw(dst: Buf, src: ArrayLike<number>, n: number, hw: number, c: number): void {
  for (let s = 0; s < n; s++) {
    for (let ci = 0; ci < c; ci++) {
      const d = (ci * n + s) * hw;
      const o = s * hw * c + ci;
      for (let i = 0; i < hw; i++) dst[d + i] = src[o + i * c]!;
    }
  }
}
