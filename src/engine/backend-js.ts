// The TypeScript reference kernels as a backend: the fallback where no WebAssembly build is found, and the
// yardstick the wasm kernels are tested against. One thread, on a growable ArrayBuffer.

import { adamStep, sgdStep } from './optim';
import * as ref from './kernels';
import * as refDeconv from './kernels-deconv';
import * as refUpsample from './kernels-upsample';
import * as refChannel from './kernels-channel';
import { ALIGN, align } from './arena';
import type { Backend } from './backend';
import type { ActKind, ConvGeom } from './kernels';
import type { DeconvGeom } from './kernels-deconv';
import type { UpsampleGeom, UpsampleMode } from './kernels-upsample';

/** The reference kernels on a growable ArrayBuffer. */
export class JsBackend implements Backend {
  readonly name = 'js' as const;
  private buf = new ArrayBuffer(1 << 16);
  private top = ALIGN;

  buffer(): ArrayBuffer {
    return this.buf;
  }
  allocate(bytes: number): number {
    const off = this.top;
    const end = align(off + bytes);
    if (end > this.buf.byteLength) {
      const next = new ArrayBuffer(Math.max(end, this.buf.byteLength * 2));
      new Uint8Array(next).set(new Uint8Array(this.buf, 0, this.top));
      this.buf = next;
    }
    new Uint8Array(this.buf, off, end - off).fill(0);
    this.top = end;
    return off;
  }
  mark(): number {
    return this.top;
  }
  release(mark: number): void {
    this.top = mark;
  }
  readonly threads = 1;
  colFloats(): number {
    return 0;
  }
  deconvColFloats(): number {
    return 0;
  }
  reserveScratch(): void {}
  dispose(): Promise<void> {
    return Promise.resolve();
  }
  readonly workersRunning = 0;

  convForward(y: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, g: ConvGeom, act: ActKind): void {
    ref.convForward(y, x, w, b, g, act);
  }
  convBackward(dx: Float32Array | null, dw: Float32Array, db: Float32Array, dy: Float32Array, y: Float32Array, x: Float32Array, w: Float32Array, g: ConvGeom, act: ActKind): void {
    ref.convBackward(dx, dw, db, dy, y, x, w, g, act);
  }
  deconvForward(y: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, g: DeconvGeom, act: ActKind): void {
    refDeconv.deconvForward(y, x, w, b, g, act);
  }
  deconvBackward(dx: Float32Array | null, dw: Float32Array, db: Float32Array, dy: Float32Array, y: Float32Array, x: Float32Array, w: Float32Array, g: DeconvGeom, act: ActKind): void {
    refDeconv.deconvBackward(dx, dw, db, dy, y, x, w, g, act);
  }
  upsampleForward(y: Float32Array, x: Float32Array, g: UpsampleGeom, mode: UpsampleMode): void {
    refUpsample.upsampleForward(y, x, g, mode);
  }
  upsampleBackward(dx: Float32Array, dy: Float32Array, g: UpsampleGeom, mode: UpsampleMode): void {
    refUpsample.upsampleBackward(dx, dy, g, mode);
  }
  maxPoolForward(y: Float32Array, argmax: Int32Array, x: Float32Array, g: ConvGeom): void {
    ref.maxPoolForward(y, argmax, x, g);
  }
  maxPoolBackward(dx: Float32Array, dy: Float32Array, argmax: Int32Array, g: ConvGeom): void {
    ref.maxPoolBackward(dx, dy, argmax, g);
  }
  avgPoolForward(y: Float32Array, x: Float32Array, g: ConvGeom): void {
    ref.avgPoolForward(y, x, g);
  }
  avgPoolBackward(dx: Float32Array, dy: Float32Array, g: ConvGeom): void {
    ref.avgPoolBackward(dx, dy, g);
  }
  denseForward(y: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, n: number, inputs: number, units: number, act: ActKind): void {
    ref.denseForward(y, x, w, b, n, inputs, units, act);
  }
  denseBackward(dx: Float32Array | null, dw: Float32Array, db: Float32Array, dy: Float32Array, y: Float32Array, x: Float32Array, w: Float32Array, n: number, inputs: number, units: number, act: ActKind): void {
    ref.denseBackward(dx, dw, db, dy, y, x, w, n, inputs, units, act);
  }
  activationForward(y: Float32Array, x: Float32Array, len: number, act: ActKind, slope: number): void {
    ref.activationForward(y, x, len, act, slope);
  }
  addForward(y: Float32Array, a: Float32Array, b: Float32Array, len: number, act: ActKind): void {
    ref.addForward(y, a, b, len, act);
  }
  activationBackward(dx: Float32Array, dy: Float32Array, y: Float32Array, x: Float32Array, len: number, act: ActKind, slope: number): void {
    ref.activationBackward(dx, dy, y, x, len, act, slope);
  }
  flattenForward(y: Float32Array, x: Float32Array, n: number, c: number, hw: number): void {
    ref.flattenForward(y, x, n, c, hw);
  }
  flattenBackward(dx: Float32Array, dy: Float32Array, n: number, c: number, hw: number): void {
    ref.flattenBackward(dx, dy, n, c, hw);
  }
  nhwcToCnhw(dst: Float32Array, src: Float32Array, n: number, hw: number, c: number): void {
    ref.nhwcToCnhw(dst, src, n, hw, c);
  }
  activationBackwardInPlace(dy: Float32Array, y: Float32Array, len: number, act: ActKind): void {
    for (let i = 0; i < len; i++) dy[i] = dy[i]! * ref.dact1(y[i]!, y[i]!, act, 0);
  }
  channelSums(sum: Float64Array, sq: Float64Array, a: Float32Array, b: Float32Array | null, c: number, m: number): void {
    refChannel.channelSums(sum, sq, a, b, c, m);
  }
  channelAffine(y: Float32Array, x: Float32Array, scale: Float32Array, shift: Float32Array, c: number, m: number, act: ActKind): void {
    refChannel.channelAffine(y, x, scale, shift, c, m, act);
  }
  channelAxpby(dx: Float32Array, dy: Float32Array, x: Float32Array, p: Float32Array, q: Float32Array, r: Float32Array, c: number, m: number): void {
    refChannel.channelAxpby(dx, dy, x, p, q, r, c, m);
  }
  zero(a: Float32Array): void {
    a.fill(0);
  }
  adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, len: number, step: number, lr: number, beta1: number, beta2: number, eps: number, wd: number): void {
    adamStep(p, g, m, v, len, step, lr, beta1, beta2, eps, wd);
  }
  sgdStep(p: Float32Array, g: Float32Array, buf: Float32Array, len: number, step: number, lr: number, momentum: number, wd: number): void {
    sgdStep(p, g, buf, len, step, lr, momentum, wd);
  }
}
