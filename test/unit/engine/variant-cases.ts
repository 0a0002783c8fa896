// The geometries the grouped/depthwise/dilated convolution, transposed convolution and upsampling tests run
// on: odd sizes, strides above 1, padding, dilation 2, groups 2, depthwise (with a channel multiplier), output
// padding, and widths that reach the kernels' 16- and 4-wide SIMD paths and their scalar tails.
import { convGeom, type ConvGeom } from '../../../src/engine/kernels';
import { deconvGeom, type DeconvGeom } from '../../../src/engine/kernels-deconv';
import type { UpsampleGeom, UpsampleMode } from '../../../src/engine/kernels-upsample';

const win = (fh: number, fw: number, sh: number, sw: number, ph: number, pw: number, dh = 1, dw = 1, groups = 1) => ({ fh, fw, sh, sw, ph, pw, dh, dw, groups });

export const CONV_CASES: [string, ConvGeom][] = [
  ['groups 2, 3x3 pad 1', convGeom(2, { h: 5, w: 6, c: 4 }, 6, win(3, 3, 1, 1, 1, 1, 1, 1, 2))],
  ['groups 2, 3x3 pad 1, 4 to 4 (transposed input gradient)', convGeom(2, { h: 5, w: 7, c: 4 }, 4, win(3, 3, 1, 1, 1, 1, 1, 1, 2))],
  ['groups 3, 1x1', convGeom(2, { h: 3, w: 5, c: 6 }, 3, win(1, 1, 1, 1, 0, 0, 1, 1, 3))],
  ['dilation 2, 3x3 pad 2', convGeom(2, { h: 8, w: 7, c: 3 }, 4, win(3, 3, 1, 1, 2, 2, 2, 2))],
  ['dilation 2,3, rect 3x2 stride 2 pad 1,2, groups 2', convGeom(2, { h: 9, w: 10, c: 4 }, 2, win(3, 2, 2, 2, 1, 2, 2, 3, 2))],
  ['dilation 2, 3x3 stride 1 pad 1 (transposed input gradient, dilated)', convGeom(1, { h: 7, w: 6, c: 2 }, 2, win(3, 3, 1, 1, 1, 1, 2, 2))],
  // Stride 2: im2col's whole-segment path (rows with a neighbour row to read into), and the edge rows' path.
  ['3x3 stride 2 pad 1, 8 to 5, odd 9x17', convGeom(3, { h: 9, w: 17, c: 8 }, 5, win(3, 3, 2, 2, 1, 1))],
  ['1x1 stride 2, 8 to 4, 6x12 (a projection shortcut)', convGeom(2, { h: 6, w: 12, c: 8 }, 4, win(1, 1, 2, 2, 0, 0))],
  // Halving widths (W = 2·OW, OW a multiple of 4): im2col's one pass per filter row (im2colHalving).
  ['3x3 stride 2 pad 1, 8 to 5, 10x24 (halving)', convGeom(2, { h: 10, w: 24, c: 8 }, 5, win(3, 3, 2, 2, 1, 1))],
  ['3x3 stride 2 pad 1, 3 to 4, 7x8 (halving, 4 wide)', convGeom(3, { h: 7, w: 8, c: 3 }, 4, win(3, 3, 2, 2, 1, 1))],
  ['1x1 stride 2, 8 to 4, 6x16 (halving)', convGeom(2, { h: 6, w: 16, c: 8 }, 4, win(1, 1, 2, 2, 0, 0))],
  ['5x5 stride 2 pad 2, 3 to 4, 7x13', convGeom(2, { h: 7, w: 13, c: 3 }, 4, win(5, 5, 2, 2, 2, 2))],
  // 3×3 stride 1 with 8 or more channels in and out: Winograd F(2×2, 3×3) forward and input gradient.
  ['Winograd 3x3 pad 1, 8 to 9, odd 7x11', convGeom(2, { h: 7, w: 11, c: 8 }, 9, win(3, 3, 1, 1, 1, 1, 1, 1))],
  ['Winograd 3x3 no padding, 10 to 10, 9x13', convGeom(3, { h: 9, w: 13, c: 10 }, 10, win(3, 3, 1, 1, 0, 0, 1, 1))],
  ['Winograd 3x3 pad 2, 8 to 8, 4x5', convGeom(2, { h: 4, w: 5, c: 8 }, 8, win(3, 3, 1, 1, 2, 2, 1, 1))],
  // Outputs 8 or more a side: F(4×4, 3×3), with partial tiles at the bottom and right (9 = 4 + 4 + 1 rows,
  // 13 columns: a last group of four tiles with one column in its first), and filters in blocks of 5.
  ['Winograd 4x4 tiles, 3x3 pad 1, 9 to 10, 9x13', convGeom(2, { h: 9, w: 13, c: 9 }, 10, win(3, 3, 1, 1, 1, 1, 1, 1))],
  ['Winograd 4x4 tiles, 3x3 no padding, 8 to 8, 10x18', convGeom(1, { h: 10, w: 18, c: 8 }, 8, win(3, 3, 1, 1, 0, 0, 1, 1))],
  // 5×5 stride 1 with 4 or more channels in and out: Winograd F(2×2, 5×5), four samples a vector: partial tiles
  // (odd sizes), samples that do not fill the last four (3, and 1 per thread on 3 threads), paddings up to 4
  // (the input gradient's 4 − P down to 0), filters not a multiple of 4.
  ['Winograd 5x5 pad 2, 4 to 5, odd 9x11', convGeom(3, { h: 9, w: 11, c: 4 }, 5, win(5, 5, 1, 1, 2, 2))],
  ['Winograd 5x5 pad 4, 5 to 4, 3x4', convGeom(2, { h: 3, w: 4, c: 5 }, 4, win(5, 5, 1, 1, 4, 4))],
  ['Winograd 5x5 pad 1,3, 6 to 7, 8x6', convGeom(5, { h: 8, w: 6, c: 6 }, 7, win(5, 5, 1, 1, 1, 3))],
  ['Winograd 5x5 no padding, 4 to 4, 5x6 (1x2 outputs)', convGeom(2, { h: 5, w: 6, c: 4 }, 4, win(5, 5, 1, 1, 0, 0))],
  // Stride 1 with at most 7 input channels: the direct forward kernel (8-wide blocks, 4-wide tails of 1–4 stored, 5–7 stored of an
  // 8-wide block; filters in blocks of 4 with 1–4 in the last, or of 3 when K is a multiple of 3 but not of 4).
  ['direct 5x5 pad 2, 1 to 6, 11x13', convGeom(2, { h: 11, w: 13, c: 1 }, 6, win(5, 5, 1, 1, 2, 2))],
  ['direct 3x3 no padding, 3 to 9, 9x21', convGeom(3, { h: 9, w: 21, c: 3 }, 9, win(3, 3, 1, 1, 0, 0))],
  ['direct rect 2x3 pad 1,0, 4 to 3, 5x8', convGeom(2, { h: 5, w: 8, c: 4 }, 3, win(2, 3, 1, 1, 1, 0))],
  ['direct 5x5, 3 to 6, 5x14 (a 4-wide block of 2)', convGeom(1, { h: 5, w: 14, c: 3 }, 6, win(5, 5, 1, 1, 0, 0))],
  ['direct 3x3 pad 1, 7 to 5, 6x15', convGeom(2, { h: 6, w: 15, c: 7 }, 5, win(3, 3, 1, 1, 1, 1))],
  ['direct 3x3, 2 to 6, 5x7 (a 4-wide block of 1)', convGeom(2, { h: 5, w: 7, c: 2 }, 6, win(3, 3, 1, 1, 0, 0))],
  ['direct 3x3 pad 1, 3 to 10, 7x12 (a last block of 2 filters, a 4-wide tail)', convGeom(2, { h: 7, w: 12, c: 3 }, 10, win(3, 3, 1, 1, 1, 1))],
  // Under 8 channels in on F(4×4) Winograd: the forward alone with 3 (winogradForward), the gradients too with
  // 4 to 7 (winogradBackward).
  ['Winograd forward only, 3x3 pad 1, 3 to 9, 10x13', convGeom(2, { h: 10, w: 13, c: 3 }, 9, win(3, 3, 1, 1, 1, 1))],
  ['Winograd, 3x3 no padding, 6 to 8, 11x10', convGeom(2, { h: 11, w: 10, c: 6 }, 8, win(3, 3, 1, 1, 0, 0))],
  ['Winograd, 3x3 pad 2, 5 to 9, 8x9 (an odd channel count)', convGeom(2, { h: 8, w: 9, c: 5 }, 9, win(3, 3, 1, 1, 2, 2))],
  ['direct 3x3, 2 to 5, 6x12 (a last block of 1 filter, a tail of 2)', convGeom(2, { h: 6, w: 12, c: 2 }, 5, win(3, 3, 1, 1, 0, 0))],
  ['3x3 pad 3, 8 to 8 (too much padding for Winograd: im2col)', convGeom(1, { h: 5, w: 6, c: 8 }, 8, win(3, 3, 1, 1, 3, 3, 1, 1))],
  ['depthwise 3x3 pad 1, width 21', convGeom(2, { h: 5, w: 21, c: 3 }, 3, win(3, 3, 1, 1, 1, 1, 1, 1, 3))],
  ['depthwise 3x3 stride 2 pad 1, width 19', convGeom(2, { h: 9, w: 19, c: 3 }, 3, win(3, 3, 2, 2, 1, 1, 1, 1, 3))],
  ['depthwise x2 multiplier, 5x5 dilation 2 pad 3', convGeom(2, { h: 11, w: 9, c: 2 }, 4, win(5, 5, 1, 1, 3, 3, 2, 2, 2))],
  ['depthwise 3x3 stride 2, dilation 2, no padding', convGeom(1, { h: 10, w: 23, c: 2 }, 2, win(3, 3, 2, 2, 0, 0, 2, 2, 2))],
  ['depthwise 3x3 pad 3 (wider than the filter)', convGeom(1, { h: 4, w: 5, c: 2 }, 2, win(3, 3, 1, 1, 3, 3, 1, 1, 2))],
  ['depthwise rect 1x3 stride 3,1', convGeom(2, { h: 7, w: 18, c: 3 }, 3, win(1, 3, 3, 1, 0, 1, 1, 1, 3))],
];

const dwin = (fh: number, fw: number, sh: number, sw: number, ph: number, pw: number, oph = 0, opw = 0) => ({ fh, fw, sh, sw, ph, pw, oph, opw });

/**
 * Geometries for the WebAssembly kernels only: large enough to reach their chunking (Winograd's tile rows
 * come in chunks of about 256 KiB), too large for the float64 finite differences of the reference kernels.
 */
export const LARGE_CONV_CASES: [string, ConvGeom][] = [
  ['Winograd 3x3 pad 1,0, 12 to 8, 30x34 (two chunks of tile rows)', convGeom(1, { h: 30, w: 34, c: 12 }, 8, win(3, 3, 1, 1, 1, 0, 1, 1))],
  ['Winograd 5x5, 6 to 16 (LeNet-5 conv2), 14x14', convGeom(6, { h: 14, w: 14, c: 6 }, 16, win(5, 5, 1, 1, 0, 0))],
  ['Winograd 5x5 pad 2, 8 to 6, 40x37 (chunks of tile rows)', convGeom(5, { h: 40, w: 37, c: 8 }, 6, win(5, 5, 1, 1, 2, 2))],
];

export const DECONV_CASES: [string, DeconvGeom][] = [
  ['3x3 stride 2 pad 1 outpad 1', deconvGeom(2, { h: 4, w: 5, c: 3 }, 2, dwin(3, 3, 2, 2, 1, 1, 1, 1))],
  ['2x2 stride 2 (U-Net)', deconvGeom(2, { h: 3, w: 3, c: 4 }, 3, dwin(2, 2, 2, 2, 0, 0))],
  ['rect 4x3 stride 2,1 pad 1,0 outpad 1,0', deconvGeom(1, { h: 5, w: 4, c: 2 }, 3, dwin(4, 3, 2, 1, 1, 0, 1, 0))],
  ['3x3 stride 1', deconvGeom(2, { h: 3, w: 4, c: 2 }, 2, dwin(3, 3, 1, 1, 0, 0))],
  ['5x5 stride 3 pad 2 outpad 2', deconvGeom(1, { h: 3, w: 2, c: 3 }, 2, dwin(5, 5, 3, 3, 2, 2, 2, 2))],
];

export const UPSAMPLE_CASES: [string, UpsampleGeom, UpsampleMode][] = [
  ['nearest x2, width 9', { n: 2, c: 3, h: 4, w: 9, scale: 2 }, 'nearest'],
  ['nearest x3', { n: 1, c: 2, h: 3, w: 5, scale: 3 }, 'nearest'],
  ['bilinear x2, width 9', { n: 2, c: 3, h: 4, w: 9, scale: 2 }, 'bilinear'],
  ['bilinear x3', { n: 1, c: 2, h: 3, w: 5, scale: 3 }, 'bilinear'],
  ['bilinear x2 of one row', { n: 1, c: 1, h: 1, w: 6, scale: 2 }, 'bilinear'],
];
