// Which kernels each benchmark network's convolutions run on (src/engine/convAlgorithms.ts): the rules are
// measured choices, so a change to one shows up here as a change of layers, not silently as a speed change.
import { describe, expect, it } from 'vitest';
import { directForward, directWeights, transposedData, winograd, winograd5, winogradBackward, winogradForward, winogradTile } from '../../../src/engine/convAlgorithms';
import { convGeom, type ConvGeom } from '../../../src/engine/kernels';

const conv = (h: number, w: number, c: number, k: number, f: number, { s = 1, p = 0, d = 1, groups = 1 } = {}): ConvGeom =>
  convGeom(64, { h, w, c }, k, { fh: f, fw: f, sh: s, sw: s, ph: p, pw: p, dh: d, dw: d, groups });

/** [forward, input gradient, weight gradient] */
const kernels = (g: ConvGeom) => [
  directForward(g) ? 'direct' : winogradForward(g) || winograd5(g) ? 'winograd' : 'im2col',
  winogradBackward(g) || winograd5(g) ? 'winograd' : directWeights(g) || transposedData(g) ? 'transposed' : 'col2im',
  winogradBackward(g) || winograd5(g) ? 'winograd' : directWeights(g) ? 'direct' : 'im2col',
];

describe('convolution kernels by geometry', () => {
  it('the benchmark networks: 3×3 and 5×5 stride-1 layers Winograd (3×3 first layers forward only), first layers\' weight gradients and other layers with under 8 channels in direct, the rest im2col', () => {
    // LeNet-5: the first layer (1 channel) direct, the second F(2×2, 5×5)
    expect(kernels(conv(28, 28, 1, 6, 5, { p: 2 }))).toEqual(['direct', 'transposed', 'direct']);
    expect(kernels(conv(14, 14, 6, 16, 5))).toEqual(['winograd', 'winograd', 'winograd']);
    // the lecture network (and the ResNet-style graph's first layer) and TinyVGG
    expect(kernels(conv(32, 32, 3, 16, 3, { p: 1 }))).toEqual(['winograd', 'transposed', 'direct']);
    expect(kernels(conv(16, 16, 16, 32, 3, { p: 1 }))).toEqual(['winograd', 'winograd', 'winograd']);
    expect(kernels(conv(64, 64, 3, 10, 3))).toEqual(['winograd', 'transposed', 'direct']);
    expect(kernels(conv(62, 62, 10, 10, 3))).toEqual(['winograd', 'winograd', 'winograd']);
    // the ResNet-style graph: a strided 3×3 and the 1×1 projection stay on im2col
    expect(kernels(conv(32, 32, 16, 32, 3, { s: 2, p: 1 }))).toEqual(['im2col', 'col2im', 'im2col']);
    expect(kernels(conv(32, 32, 16, 32, 1, { s: 2 }))).toEqual(['im2col', 'col2im', 'im2col']);
  });

  it('under 8 input channels: the forward on Winograd F(4×4) from 3 channels and 8 filters where the outputs are 8 or more a side, the gradients too from 4 channels', () => {
    expect(kernels(conv(10, 10, 3, 8, 3, { p: 1 }))).toEqual(['winograd', 'transposed', 'direct']);
    expect(kernels(conv(10, 10, 4, 8, 3, { p: 1 }))).toEqual(['winograd', 'winograd', 'winograd']);
    expect(kernels(conv(10, 10, 7, 8, 3))).toEqual(['winograd', 'winograd', 'winograd']); // 8×8 outputs
    // Otherwise the direct kernel, as before: 7×7 outputs (F(2×2) tiles), 2 channels, 6 filters, 5×5 filters.
    for (const g of [conv(9, 9, 3, 8, 3), conv(9, 9, 5, 8, 3), conv(16, 16, 2, 8, 3, { p: 1 }), conv(16, 16, 3, 6, 3, { p: 1 }), conv(16, 16, 3, 8, 5, { p: 2 })]) {
      expect([winogradForward(g), winogradBackward(g), directForward(g)]).toEqual([false, false, true]);
    }
    expect(winogradForward(conv(16, 16, 3, 8, 3, { p: 1, s: 2 }))).toBe(false);
  });

  it('Winograd only where its transforms apply and its scratch stays bounded', () => {
    expect(winograd(conv(16, 16, 16, 16, 3, { p: 3 }))).toBe(false); // the input gradient would need padding −1
    expect(winograd(conv(16, 16, 16, 16, 3, { d: 2, p: 2 }))).toBe(false);
    expect(winograd(conv(16, 16, 16, 16, 3, { p: 1, groups: 2 }))).toBe(false);
    expect(winograd(conv(16, 16, 4, 16, 3, { p: 1 }))).toBe(false);
    expect(winograd(conv(3, 3, 16, 16, 3, { p: 1 }))).toBe(false); // fewer than 4 outputs a side
    expect(winograd(conv(8, 8, 128, 128, 3, { p: 1 }))).toBe(true);
    expect(winograd(conv(8, 8, 256, 128, 3, { p: 1 }))).toBe(false);
    expect(directForward(conv(8, 8, 3, 8, 3, { s: 2 }))).toBe(false);
  });
  it('Winograd F(2×2, 5×5) for 5×5 stride-1 layers with 4 or more channels in and out and padding up to 4', () => {
    expect(winograd5(conv(14, 14, 6, 16, 5))).toBe(true);
    expect(winograd5(conv(8, 8, 4, 4, 5, { p: 4 }))).toBe(true);
    expect(winograd5(conv(8, 8, 4, 4, 5, { p: 5 }))).toBe(false); // outputs that see only padding
    expect(winograd5(conv(8, 8, 64, 64, 5, { p: 2 }))).toBe(true);
    expect(winograd5(conv(8, 8, 64, 128, 5, { p: 2 }))).toBe(false); // its weight gradient's sums would take 3.5 MiB a thread
    expect(winograd5(conv(14, 14, 3, 16, 5))).toBe(false); // 3 channels: the direct kernel (measured faster on 1)
    expect(winograd5(conv(14, 14, 6, 3, 5))).toBe(false);
    expect(winograd5(conv(14, 14, 6, 16, 5, { s: 2 }))).toBe(false);
    expect(winograd5(conv(14, 14, 6, 16, 5, { d: 2, p: 4 }))).toBe(false);
    expect(winograd5(conv(14, 14, 6, 16, 5, { groups: 2 }))).toBe(false);
    expect(winograd5(conv(14, 14, 6, 16, 3))).toBe(false);
    expect(directForward(conv(14, 14, 6, 16, 5))).toBe(false);
  });
  it('the direct weight gradient for stride-1 layers of 3×3 filters on 1 to 3 channels and 5×5 on 1', () => {
    for (const g of [conv(28, 28, 1, 6, 5, { p: 2 }), conv(9, 9, 2, 3, 3), conv(16, 16, 3, 6, 3, { p: 1 })]) expect(directWeights(g)).toBe(true);
    expect(directWeights(conv(16, 16, 2, 6, 5, { p: 2 }))).toBe(false); // 5×5 on 2 channels: im2col measured faster
    expect(directWeights(conv(16, 16, 4, 6, 5, { p: 2 }))).toBe(false); // 4 channels: F(2×2, 5×5)
    expect(directWeights(conv(16, 16, 4, 6, 3, { p: 1 }))).toBe(false); // 4 channels, 3×3: im2col (or Winograd from 8 filters)
    expect(directWeights(conv(16, 16, 3, 6, 7, { p: 3 }))).toBe(false);
    expect(directWeights(conv(16, 16, 3, 6, 3, { s: 2, p: 1 }))).toBe(false);
    expect(directWeights(conv(16, 16, 3, 6, 3, { d: 2, p: 2 }))).toBe(false);
  });

  it('Winograd tiles of 4×4 on maps 8 or more a side, 2×2 on smaller ones', () => {
    expect(winogradTile(32, 32)).toBe(4); // the ResNet-style graph's first stage, TinyVGG
    expect(winogradTile(8, 8)).toBe(4);
    expect(winogradTile(7, 11)).toBe(2);
    expect(winogradTile(16, 6)).toBe(2);
  });
});
