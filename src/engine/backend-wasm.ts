// The WebAssembly backend (the normal path): WasmBackendCore's arena, threads and kernels (backend-wasm-core.ts),
// and here the convolution family: which kernels a convolution or transposed convolution runs on (the rules in
// convAlgorithms.ts), the scratch they need, and how each is split across the threads.

import type { Backend } from './backend';
import { WasmBackendCore } from './backend-wasm-core';
import { directForward, directWeights, transposedData, winograd5, winogradForward, winogradTile, winogradBackward } from './convAlgorithms';
import { ACT, isDepthwise, type ActKind, type ConvGeom } from './kernels';
import type { DeconvGeom } from './kernels-deconv';

export class WasmBackend extends WasmBackendCore implements Backend {
  /** Output columns per im2col step: as many as fit the column budget, a multiple of 8. */
  private chunk(g: ConvGeom): number {
    return this.chunkFor((g.c / (g.groups ?? 1)) * g.fh * g.fw, g.n * g.oh * g.ow);
  }
  private chunkFor(rows: number, total: number): number {
    return Math.max(8, Math.min(total, Math.floor(this.colBudget / rows / 8) * 8));
  }
  private depthwiseScratch(g: ConvGeom): number {
    return this.ex.depthwiseScratchFloats(g.h, g.w, g.fh, g.fw, g.sh, g.sw, g.dh ?? 1, g.dw ?? 1, g.oh, g.ow);
  }
  /** Scratch of the Winograd forward kernel that a C → K convolution with outputs OH × OW runs on. */
  private winogradScratch(C: number, K: number, OH: number, OW: number): number {
    return winogradTile(OH, OW) === 4 ? this.ex.winograd4ScratchFloats(C, K, OH, OW) : this.ex.winogradScratchFloats(C, K, OH, OW);
  }
  /** Scratch of the Winograd weight-gradient kernel for a C → K convolution with outputs OH × OW. */
  private winogradWeightsScratch(C: number, K: number, OH: number, OW: number): number {
    return winogradTile(OH, OW) === 4 ? this.ex.winograd4WeightsScratchFloats(C, K, OH, OW) : this.ex.winogradWeightsScratchFloats(C, K, OH, OW);
  }
  colFloats(g: ConvGeom): number {
    if (isDepthwise(g)) return this.depthwiseScratch(g);
    const G = g.groups ?? 1;
    let need = (g.c / G) * g.fh * g.fw * this.chunk(g);
    if (directForward(g)) need = Math.max(need, this.ex.directScratchFloats(g.c, g.h, g.w, g.ph, g.pw));
    if (winogradForward(g)) need = Math.max(need, this.winogradScratch(g.c, g.k, g.oh, g.ow));
    if (winogradBackward(g)) {
      // The weight gradient, and the input gradient (K channels in, C out, on the input's size).
      return Math.max(need, this.winogradWeightsScratch(g.c, g.k, g.oh, g.ow), this.winogradScratch(g.k, g.c, g.h, g.w));
    }
    if (winograd5(g)) {
      const ex = this.ex;
      return Math.max(need, ex.winograd5ScratchFloats(g.c, g.k, g.oh, g.ow), ex.winograd5WeightsScratchFloats(g.c, g.k, g.oh, g.ow), ex.winograd5DataScratchFloats(g.c, g.k, g.oh, g.ow));
    }
    if (directWeights(g)) need = Math.max(need, this.ex.directWeightsScratchFloats(g.c, g.k, g.fh, g.fw, g.oh, g.ow));
    if (!transposedData(g) && !directWeights(g)) return need;
    const kff = (g.k / G) * g.fh * g.fw;
    return Math.max(need, kff * this.chunkFor(kff, g.n * g.h * g.w));
  }
  deconvColFloats(g: DeconvGeom): number {
    const kff = g.k * g.fh * g.fw;
    return kff * this.chunkFor(kff, g.n * g.h * g.w);
  }
  convForward(y: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, g: ConvGeom, act: ActKind): void {
    const [dh, dw, G] = [g.dh ?? 1, g.dw ?? 1, g.groups ?? 1];
    if (isDepthwise(g)) {
      // Threads take ranges of input channels.
      this.parallel('depthwiseForward', g.c, (t, lo, hi) => [
        y.byteOffset, x.byteOffset, w.byteOffset, b.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.sh, g.sw, g.ph, g.pw, dh, dw, g.oh, g.ow,
        ACT[act], this.col[t]!, lo, hi,
      ]);
      return;
    }
    if (directForward(g)) {
      this.parallel('directConvForward', g.n, (t, lo, hi) => [
        y.byteOffset, x.byteOffset, w.byteOffset, b.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.ph, g.pw, g.oh, g.ow, ACT[act], this.col[t]!, lo, hi,
      ]);
      return;
    }
    if (winograd5(g)) {
      this.parallel('winograd5Conv', g.n, (t, lo, hi) => [
        y.byteOffset, x.byteOffset, w.byteOffset, b.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.ph, g.pw, g.oh, g.ow, ACT[act], this.col[t]!, lo, hi,
      ]);
      return;
    }
    if (winogradForward(g)) {
      this.parallel(winogradTile(g.oh, g.ow) === 4 ? 'winograd4Conv' : 'winogradConv', g.n, (t, lo, hi) => [
        y.byteOffset, x.byteOffset, w.byteOffset, b.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.ph, g.pw, g.oh, g.ow, ACT[act], 0, this.col[t]!, lo, hi,
      ]);
      return;
    }
    const ohow = g.oh * g.ow;
    this.parallel('convForward', g.n, (t, lo, hi) => [
      y.byteOffset, x.byteOffset, w.byteOffset, b.byteOffset,
      g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.sh, g.sw, g.ph, g.pw, dh, dw, G, g.oh, g.ow,
      ACT[act], this.col[t]!, this.chunk(g), lo * ohow, hi * ohow,
    ]);
  }
  convBackward(dx: Float32Array | null, dw: Float32Array, db: Float32Array, dy: Float32Array, y: Float32Array, x: Float32Array, w: Float32Array, g: ConvGeom, act: ActKind): void {
    const ohow = g.oh * g.ow;
    const [DH, DW, G] = [g.dh ?? 1, g.dw ?? 1, g.groups ?? 1];
    this.fusedActivationBackward(dy, y, g.k * g.n * ohow, act);
    if (isDepthwise(g)) {
      // Each thread's input channels own their filters, biases and input gradients: no private copies.
      this.parallel('depthwiseBackward', g.c, (t, lo, hi) => [
        dx ? dx.byteOffset : 0, dw.byteOffset, db.byteOffset, dy.byteOffset, x.byteOffset, w.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.sh, g.sw, g.ph, g.pw, DH, DW, g.oh, g.ow,
        this.col[t]!, lo, hi,
      ]);
      return;
    }
    const onWinograd = winogradBackward(g) || winograd5(g);
    const transposed = dx !== null && (onWinograd || directWeights(g) || transposedData(g));
    if (onWinograd) {
      const fn = winograd5(g) ? 'winograd5ConvWeights' : winogradTile(g.oh, g.ow) === 4 ? 'winograd4ConvWeights' : 'winogradConvWeights';
      this.parallelGrads(fn, g.n, dw, db, (t, lo, hi, dwAt, dbAt) => [
        dwAt, dbAt, dy.byteOffset, x.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.ph, g.pw, g.oh, g.ow, this.col[t]!, lo, hi,
      ]);
    } else if (directWeights(g)) {
      this.parallelGrads('directConvWeights', g.n, dw, db, (t, lo, hi, dwAt, dbAt) => [
        dwAt, dbAt, dy.byteOffset, x.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.ph, g.pw, g.oh, g.ow, this.col[t]!, lo, hi,
      ]);
    } else this.parallelGrads('convBackward', g.n, dw, db, (t, lo, hi, dwAt, dbAt) => [
      dx && !transposed ? dx.byteOffset : 0, dwAt, dbAt,
      dy.byteOffset, x.byteOffset, w.byteOffset,
      g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.sh, g.sw, g.ph, g.pw, DH, DW, G, g.oh, g.ow,
      this.col[t]!, this.chunk(g), this.work[t]!, lo * ohow, hi * ohow,
    ]);
    if (dx && winograd5(g)) {
      // dx += the forward's adjoint on the output tiles (no flipped filters, no padded dy).
      this.parallel('winograd5ConvData', g.n, (t, lo, hi) => [
        dx.byteOffset, dy.byteOffset, w.byteOffset,
        g.n, g.c, g.h, g.w, g.k, g.ph, g.pw, g.oh, g.ow, this.col[t]!, lo, hi,
      ]);
      return;
    }
    if (transposed && dx) {
      if (dw.length > this.gradFloats) throw new Error('engine scratch too small for this layer');
      this.ex.flipWeights(this.flip, w.byteOffset, g.k, g.c, g.fh, g.fw, G);
      if (onWinograd) {
        // dx += conv(dy padded by 2 − P, the flipped filters [C][K][3][3]): K channels in, C out.
        this.parallel(winogradTile(g.h, g.w) === 4 ? 'winograd4Conv' : 'winogradConv', g.n, (t, lo, hi) => [
          dx.byteOffset, dy.byteOffset, this.flip, 0,
          g.n, g.k, g.oh, g.ow, g.c, 2 - g.ph, 2 - g.pw, g.h, g.w, 0, 1, this.col[t]!, lo, hi,
        ]);
        return;
      }
      const hw = g.h * g.w;
      const chunk = this.chunkFor((g.k / G) * g.fh * g.fw, g.n * hw);
      this.parallel('convBackwardData', g.n, (t, lo, hi) => [
        dx.byteOffset, dy.byteOffset, this.flip,
        g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.ph, g.pw, DH, DW, G, g.oh, g.ow,
        this.col[t]!, chunk, this.work[t]!, lo * hw, hi * hw,
      ]);
    }
  }
  deconvForward(y: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, g: DeconvGeom, act: ActKind): void {
    // Threads take whole samples of x (and so of y).
    const hw = g.h * g.w;
    const chunk = this.chunkFor(g.k * g.fh * g.fw, g.n * hw);
    this.parallel('deconvForward', g.n, (t, lo, hi) => [
      y.byteOffset, x.byteOffset, w.byteOffset, b.byteOffset,
      g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow,
      ACT[act], this.col[t]!, chunk, this.work[t]!, lo * hw, hi * hw,
    ]);
  }
  deconvBackward(dx: Float32Array | null, dw: Float32Array, db: Float32Array, dy: Float32Array, y: Float32Array, x: Float32Array, w: Float32Array, g: DeconvGeom, act: ActKind): void {
    this.fusedActivationBackward(dy, y, g.k * g.n * g.oh * g.ow, act);
    const hw = g.h * g.w;
    const chunk = this.chunkFor(g.k * g.fh * g.fw, g.n * hw);
    this.parallelGrads('deconvBackward', g.n, dw, db, (t, lo, hi, dwAt, dbAt) => [
      dx ? dx.byteOffset : 0, dwAt, dbAt, dy.byteOffset, x.byteOffset, w.byteOffset,
      g.n, g.c, g.h, g.w, g.k, g.fh, g.fw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow,
      this.col[t]!, chunk, this.work[t]!, lo * hw, hi * hw,
    ]);
  }
}
