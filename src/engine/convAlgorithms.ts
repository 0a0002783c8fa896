// Which WebAssembly kernels a convolution runs on, from its geometry alone (pure; backend-wasm.ts dispatches on
// these). Each rule was chosen by measuring both sides on the benchmark networks (`npm run bench -- engine`,
// `cnn bench --profile`); the comments say what was measured.

import type { ConvGeom } from './kernels';

/** Most input channels for a stride-1 convolution to run forward on the direct kernel (see directForward). */
const DIRECT_MAX_CHANNELS = 7;
/** Fewest input and output channels for a 3×3 convolution to run on Winograd (see winograd). */
const WINOGRAD_MIN_CHANNELS = 8;
/**
 * Most filter pairs (C·K) for Winograd: its weight gradient keeps 16·C·K (F(3×3, 2×2)) or 36·C·K (F(3×3, 4×4))
 * floats of accumulators per thread (2.25 MiB at 128 × 128), where im2col needs a fixed budget; layers that wide
 * are efficient GEMMs anyway.
 */
const WINOGRAD_MAX_FILTERS = 128 * 128;

const plain = (g: ConvGeom): boolean => g.sh === 1 && g.sw === 1 && (g.dh ?? 1) === 1 && (g.dw ?? 1) === 1 && (g.groups ?? 1) === 1;

/**
 * Whether a convolution runs on Winograd (winograd.ts, winograd4.ts, winograd-weights.ts, winograd4-weights.ts; the tile size is
 * winogradTile's): forward, weight gradient and input gradient (a stride-1 convolution of dy by the flipped
 * filters, padded 2 − P, so P ≤ 2).
 * For 3×3, stride 1, undilated, ungrouped layers with enough channels in and out that the 16 small GEMMs per
 * tile beat one im2col GEMM (a first layer's 1 or 3 input channels do not). Measured: TinyVGG +15% training
 * and +30% inference, the ResNet-style graph +15% and +25%.
 */
export function winograd(g: ConvGeom): boolean {
  return (
    plain(g) && g.fh === 3 && g.fw === 3 && g.ph <= 2 && g.pw <= 2 &&
    g.c >= WINOGRAD_MIN_CHANNELS && g.k >= WINOGRAD_MIN_CHANNELS && g.c * g.k <= WINOGRAD_MAX_FILTERS && g.oh >= 4 && g.ow >= 4
  );
}

/** Fewest input channels for a 3×3 layer's forward alone to run on F(4×4) Winograd (see winogradForward). */
const WINOGRAD_FORWARD_MIN_CHANNELS = 3;

/**
 * Whether a convolution's forward runs on Winograd: every `winograd` layer, and also the forward of a 3×3
 * stride-1 layer with 3 to 7 input channels (a first layer on colour images, with 8 filters or more) where
 * the outputs take F(4×4) tiles. Measured at batch 64, F(4×4) takes such a
 * layer's forward from the direct kernel's 1.55 to 1.19 ms (3 → 16 channels on 32×32, the ResNet-style graph's
 * and the lecture's first layer), 4.6 to 3.8 (TinyVGG's 3 → 10 on 64×64) and 2.8 to 1.6 (6 → 16 on 32×32).
 * With 1 or 2 channels the products are too few to pay for the transforms. (From 4 channels its gradients run on Winograd
 * too: winogradBackward.)
 */
export function winogradForward(g: ConvGeom): boolean {
  if (winograd(g)) return true;
  return (
    plain(g) && g.fh === 3 && g.fw === 3 && g.ph <= 2 && g.pw <= 2 &&
    g.c >= WINOGRAD_FORWARD_MIN_CHANNELS && g.k >= WINOGRAD_MIN_CHANNELS && winogradTile(g.oh, g.ow) === 4
  );
}

/** Fewest input channels for a winogradForward layer's gradients to run on Winograd too. */
const WINOGRAD_BACKWARD_MIN_CHANNELS = 4;

/**
 * Whether a convolution's gradients run on Winograd (the weight gradient on winograd-weights.ts or
 * winograd4-weights.ts, the input gradient as the Winograd convolution of dy with the flipped filters): every
 * `winograd` layer, and a winogradForward layer with 4 to 7 input channels. Measured at batch 64 against im2col
 * with dot products and col2im: weight gradient 4 → 16 on 32×32 2.55 → 1.48 ms, 5 → 16 3.1 → 1.9, 6 → 16 3.7
 * → 2.1, 4 → 10 on 64×64 7.1 → 4.6; both gradients 4 → 16 4.8 → 2.7, 6 → 16 7.2 → 3.9. With 3 channels (a first
 * layer: no input gradient) the weight gradient was no faster (3 → 16 on 32×32 2.02 → 1.94, TinyVGG's 3 → 10
 * on 64×64 5.3 → 5.6).
 */
export function winogradBackward(g: ConvGeom): boolean {
  return winograd(g) || (winogradForward(g) && g.c >= WINOGRAD_BACKWARD_MIN_CHANNELS);
}

/**
 * The output tile of the Winograd kernel for a Winograd layer's outputs of OH × OW (its forward and weight
 * gradient, or its input gradient on the input's size): F(4×4, 3×3) (winograd4.ts, 4× fewer multiplies; the
 * weight gradient as F(3×3, 4×4), winograd4-weights.ts) where the maps are at least 8 a side, F(2×2, 3×3)
 * (winograd.ts, 2.25×; the weight gradient as F(3×3, 2×2), winograd-weights.ts) on smaller ones, where 4×4
 * tiles would be mostly padding. Measured: the ResNet-style graph's 16- and 32-channel layers 1.28× faster
 * forward than on F(2×2), TinyVGG's 10-channel ones 1.12× (their transforms and the reading and writing of the
 * maps weigh more); weight gradients (kernel bench, batch 64) 16 → 16 on 32×32 4.6 → 3.4 ms, TinyVGG's 10 → 10
 * on 62×62 11.7 → 8.4, the lecture's 16 → 32 on 16×16 2.1 → 1.8.
 */
export function winogradTile(OH: number, OW: number): 2 | 4 {
  return OH >= 8 && OW >= 8 ? 4 : 2;
}

/** Fewest input and output channels for a 5×5 convolution to run on Winograd F(2×2, 5×5) (see winograd5). */
const WINOGRAD5_MIN_CHANNELS = 4;
/**
 * Most filter pairs (C·K) for F(2×2, 5×5): its weight gradient keeps 36·C·K floats of a chunk's sums and as
 * many doubles of the whole sum per thread (1.7 MiB at 64 × 64); layers that wide are efficient GEMMs anyway.
 */
const WINOGRAD5_MAX_FILTERS = 64 * 64;

/**
 * Whether a convolution runs on Winograd F(2×2, 5×5) (winograd5.ts, winograd5-weights.ts, winograd5-data.ts):
 * forward, weight gradient (as F(5×5, 2×2)) and input gradient (the forward's adjoint on the output tiles).
 * For 5×5, stride 1, undilated, ungrouped layers with 4 or more channels in and out and padding up to 4 (more
 * gives outputs that see only zeros: left to im2col): 36 multiplies per 2×2 tile and pair of channels where the direct kernel and
 * im2col take 100. Measured at batch 64, 1 thread: LeNet-5's second layer (6 → 16 on 14×14) forward 1.17 →
 * 0.65 ms (direct kernel), input gradient 1.38 → 0.65 (col2im; as a full convolution on Winograd it was 1.46,
 * the 10×10 map padded to 18×18), weight gradient 1.42 → 0.83 (im2col); with 1 channel (its first layer)
 * forward 0.64 → 0.98 and weight gradient no faster, with 3 (16 filters on 32×32) forward 1.6× and weight
 * gradient 1.15× slower than the direct kernel and im2col: too few products for the transforms of 16 outputs.
 */
export function winograd5(g: ConvGeom): boolean {
  return (
    plain(g) && g.fh === 5 && g.fw === 5 && g.ph <= 4 && g.pw <= 4 &&
    g.c >= WINOGRAD5_MIN_CHANNELS && g.k >= WINOGRAD5_MIN_CHANNELS && g.c * g.k <= WINOGRAD5_MAX_FILTERS
  );
}

/**
 * Whether a convolution runs forward on the direct kernel (direct.ts): few input channels (a first layer's
 * 1 or 3: fewer than Winograd takes, and not a 3×3 or 5×5 one winogradForward or winograd5 takes), where
 * im2col copies every value FH·FW times for a short GEMM; stride 1, undilated, ungrouped. Measured: LeNet-5's
 * first layer 1.9× faster than on im2col (once the kernel's blocks fitted its 6 filters and 28 columns), its
 * second 1.25× faster (before F(2×2, 5×5)), +35% inference in all. (Its weight gradient stays on im2col and
 * the GEMM: a direct one, twelve accumulators per channel, filter row and four filters, measured 4% slower on
 * TinyVGG and no faster on LeNet-5.)
 */
export function directForward(g: ConvGeom): boolean {
  return plain(g) && g.c <= DIRECT_MAX_CHANNELS && !winogradForward(g) && !winograd5(g);
}

/** Longest im2col column (C·FH·FW) for a convolution's weight gradient to run on the direct kernel (see directWeights). */
const DIRECT_WEIGHTS_MAX_TAPS = 27;

/**
 * Whether a convolution's weight gradient runs on the direct kernel (direct-weights.ts: four samples to a
 * vector, the filter row's inputs sliding along each output row) rather than im2col and dot products over
 * columns only C·FH·FW long: 3×3 filters on up to 3 channels, 5×5 on 1 (a network's first layer), stride 1,
 * undilated, ungrouped, not on Winograd. (Its input gradient, where one is asked for, is then the transposed
 * convolution.) Measured at batch 64, 1 / 2 threads, im2col → direct: LeNet-5's first layer (1 → 6, 5×5 on
 * 28×28) 0.80 → 0.63 / 0.43 → 0.30 ms, the lecture's (3 → 16, 3×3 on 32×32) 2.12 → 1.89 / 1.03 → 0.93, TinyVGG's
 * (3 → 10, 3×3 on 64×64) 5.8 → 4.8 / 2.7 → 2.3; but 5×5 on 2 or 3 channels (16 filters on 32×32) 8–18% slower,
 * where im2col's columns of 50 or 75 make better dot products.
 */
export function directWeights(g: ConvGeom): boolean {
  return (
    plain(g) && g.fh === g.fw && (g.fh === 3 || g.fh === 5) && g.c * g.fh * g.fw <= DIRECT_WEIGHTS_MAX_TAPS &&
    !winogradBackward(g) && !winograd5(g)
  );
}

/**
 * Whether a convolution gets its input gradient as a transposed convolution (convBackwardData: im2col of
 * dy padded by D·(F-1)-P, one GEMM with the long K/G·FH·FW inner side, nothing scattered) rather than as
 * wᵀ·dy followed by col2im. Only for stride 1, and only where the transposed columns (K·FH·FW rows ×
 * N·H·W) are not much larger than the forward ones (C·FH·FW × N·OH·OW): measured, TinyVGG's 10→10 layers
 * (ratio 1.07) are faster transposed, while the lecture's 16→32 (ratio 2) and LeNet's 6→16 on 10×10
 * (ratio 5.2, mostly padding) are 15% and 2× faster with col2im. (Winograd layers take theirs from Winograd.)
 */
export function transposedData(g: ConvGeom): boolean {
  const dh = g.dh ?? 1;
  const dw = g.dw ?? 1;
  if (!(g.sh === 1 && g.sw === 1 && g.ph <= dh * (g.fh - 1) && g.pw <= dw * (g.fw - 1))) return false;
  return g.k * g.h * g.w <= 1.5 * g.c * g.oh * g.ow;
}
