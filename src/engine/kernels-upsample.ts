// Reference kernels of upsampling by a whole factor S (PyTorch's nn.Upsample(scale_factor=S)) over a CNHW
// batch, each of its C·N planes on its own. Nearest: output (oh, ow) copies input (⌊oh/S⌋, ⌊ow/S⌋). Bilinear
// with align_corners=False: output d reads the source coordinate max(0, (d + ½)/S − ½), between i0 = its
// floor and i1 = min(i0 + 1, size − 1), weighted 1 − λ and λ (PyTorch's area_pixel_compute_source_index).

import type { Buf } from './kernels';

export type UpsampleMode = 'nearest' | 'bilinear';

/** Geometry of an upsampling: n samples of c planes, h×w each, to (h·scale)×(w·scale). */
export interface UpsampleGeom {
  n: number;
  c: number;
  h: number;
  w: number;
  scale: number;
}

/** The two source indices and the weight of the second for output index d along a side of `size`. */
export function bilinearSource(d: number, scale: number, size: number): { i0: number; i1: number; l1: number } {
  const r = Math.max(0, (d + 0.5) / scale - 0.5);
  const i0 = Math.floor(r);
  return { i0, i1: i0 < size - 1 ? i0 + 1 : i0, l1: r - i0 };
}

/** y[C][N][H·S][W·S] = the upsampling of x[C][N][H][W]. */
export function upsampleForward(y: Buf, x: Buf, g: UpsampleGeom, mode: UpsampleMode): void {
  const { n: N, c: C, h: H, w: W, scale: S } = g;
  const OH = H * S;
  const OW = W * S;
  for (let p = 0; p < C * N; p++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let v: number;
        if (mode === 'nearest') {
          v = x[(p * H + Math.floor(oh / S)) * W + Math.floor(ow / S)]!;
        } else {
          const a = bilinearSource(oh, S, H);
          const b = bilinearSource(ow, S, W);
          const at = (i: number, j: number): number => x[(p * H + i) * W + j]!;
          v = (1 - a.l1) * ((1 - b.l1) * at(a.i0, b.i0) + b.l1 * at(a.i0, b.i1)) + a.l1 * ((1 - b.l1) * at(a.i1, b.i0) + b.l1 * at(a.i1, b.i1));
        }
        y[(p * OH + oh) * OW + ow] = v;
      }
    }
  }
}

/** dx[C][N][H][W] += the upsampling's transpose applied to dy[C][N][H·S][W·S]. */
export function upsampleBackward(dx: Buf, dy: Buf, g: UpsampleGeom, mode: UpsampleMode): void {
  const { n: N, c: C, h: H, w: W, scale: S } = g;
  const OH = H * S;
  const OW = W * S;
  for (let p = 0; p < C * N; p++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const d = dy[(p * OH + oh) * OW + ow]!;
        if (mode === 'nearest') {
          dx[(p * H + Math.floor(oh / S)) * W + Math.floor(ow / S)] += d;
        } else {
          const a = bilinearSource(oh, S, H);
          const b = bilinearSource(ow, S, W);
          dx[(p * H + a.i0) * W + b.i0] += d * (1 - a.l1) * (1 - b.l1);
          dx[(p * H + a.i0) * W + b.i1] += d * (1 - a.l1) * b.l1;
          dx[(p * H + a.i1) * W + b.i0] += d * a.l1 * (1 - b.l1);
          dx[(p * H + a.i1) * W + b.i1] += d * a.l1 * b.l1;
        }
      }
    }
  }
}
