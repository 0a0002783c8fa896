// Reference kernel of the transposed convolution (PyTorch's ConvTranspose2d), in the style and layouts of
// kernels.ts: x is [C][N][H][W], the weight [C][K][FH][FW], the output [K][N][OH][OW] with
// OH = (H − 1)·SH − 2·PH + FH + OPH (likewise OW). Every input pixel adds its filter, scaled, to the output
// window it maps to: y[k][n][h·SH + i − PH][w·SW + j − PW] += x[c][n][h][w] · w[c][k][i][j].

import { act1, dact1, windowGeom, type ActKind, type Buf, type ConvGeom, type ConvWindow, type WindowGeom } from './kernels';

/** Geometry of a transposed convolution over a CNHW batch: c input channels, k output channels. */
export interface DeconvGeom extends WindowGeom {
  /** Output padding (less than the stride), added to the bottom and right of the output. */
  oph: number;
  opw: number;
  oh: number;
  ow: number;
}

/** Output size along one axis: (n − 1)·s − 2p + f + outpad. */
export function deconvOutSize(size: number, f: number, s: number, p: number, op: number): number {
  return (size - 1) * s - 2 * p + f + op;
}

export function deconvGeom(
  n: number,
  input: { h: number; w: number; c: number },
  k: number,
  win: ConvWindow & { oph: number; opw: number },
): DeconvGeom {
  return {
    ...windowGeom(n, input, k, win),
    oph: win.oph,
    opw: win.opw,
    oh: deconvOutSize(input.h, win.fh, win.sh, win.ph, win.oph),
    ow: deconvOutSize(input.w, win.fw, win.sw, win.pw, win.opw),
  };
}

/**
 * The ordinary convolution whose input gradient this transposed convolution computes: from the deconv's
 * output shape (K channels, OH×OW) to its input shape (C channels, H×W), with the deconv weight [C][K][FH][FW]
 * as its [C][K] filters. The WebAssembly kernels run deconv on that convolution's im2col and col2im.
 */
export function deconvAsConv(g: DeconvGeom): ConvGeom {
  return { n: g.n, c: g.k, h: g.oh, w: g.ow, k: g.c, fh: g.fh, fw: g.fw, sh: g.sh, sw: g.sw, ph: g.ph, pw: g.pw, oh: g.h, ow: g.w };
}

/** y[K][N][OH][OW] = act(b[K] + the transposed convolution of x[C][N][H][W] with w[C][K][FH][FW]). */
export function deconvForward(y: Buf, x: Buf, w: Buf, b: Buf, g: DeconvGeom, act: ActKind = 'none'): void {
  const { n: N, c: C, h: H, w: W, k: K, fh: FH, fw: FW, sh: SH, sw: SW, ph: PH, pw: PW, oh: OH, ow: OW } = g;
  const plane = OH * OW;
  for (let k = 0; k < K; k++) y.fill(b[k]!, k * N * plane, (k + 1) * N * plane);
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        for (let ww = 0; ww < W; ww++) {
          const v = x[((c * N + n) * H + h) * W + ww]!;
          for (let k = 0; k < K; k++) {
            for (let i = 0; i < FH; i++) {
              const oh = h * SH + i - PH;
              if (oh < 0 || oh >= OH) continue;
              for (let j = 0; j < FW; j++) {
                const ow = ww * SW + j - PW;
                if (ow < 0 || ow >= OW) continue;
                y[((k * N + n) * OH + oh) * OW + ow] += v * w[((c * K + k) * FH + i) * FW + j]!;
              }
            }
          }
        }
      }
    }
  }
  for (let i = 0; i < K * N * plane; i++) y[i] = act1(y[i]!, act, 0);
}

/**
 * Backward of deconvForward: dx[C][N][H][W] += (dx may be null), dw[C][K][FH][FW] +=, db[K] +=, from
 * dy[K][N][OH][OW], the cached output y (for the fused activation) and input x.
 */
export function deconvBackward(
  dx: Buf | null,
  dw: Buf,
  db: Buf,
  dy: Buf,
  y: Buf,
  x: Buf,
  w: Buf,
  g: DeconvGeom,
  act: ActKind = 'none',
): void {
  const { n: N, c: C, h: H, w: W, k: K, fh: FH, fw: FW, sh: SH, sw: SW, ph: PH, pw: PW, oh: OH, ow: OW } = g;
  const len = K * N * OH * OW;
  const d = new Float64Array(len);
  for (let i = 0; i < len; i++) d[i] = dy[i]! * dact1(y[i]!, 0, act, 0);
  for (let k = 0; k < K; k++) for (let i = k * N * OH * OW; i < (k + 1) * N * OH * OW; i++) db[k] += d[i]!;
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        for (let ww = 0; ww < W; ww++) {
          const xi = ((c * N + n) * H + h) * W + ww;
          const v = x[xi]!;
          let s = 0;
          for (let k = 0; k < K; k++) {
            for (let i = 0; i < FH; i++) {
              const oh = h * SH + i - PH;
              if (oh < 0 || oh >= OH) continue;
              for (let j = 0; j < FW; j++) {
                const ow = ww * SW + j - PW;
                if (ow < 0 || ow >= OW) continue;
                const g1 = d[((k * N + n) * OH + oh) * OW + ow]!;
                const wi = ((c * K + k) * FH + i) * FW + j;
                dw[wi] += v * g1;
                s += w[wi]! * g1;
              }
            }
          }
          if (dx) dx[xi] += s;
        }
      }
    }
  }
}
