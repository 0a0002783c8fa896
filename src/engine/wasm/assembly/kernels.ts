// CNN Studio engine: the hot kernels in WebAssembly SIMD (AssemblyScript). This file is the module's entry:
// it lists what the module exports; the kernels live beside it, one file per family.
//
// Built four times by scripts/build.mjs: `engine-simd.wasm` (--enable simd) and `engine-relaxed.wasm`
// (--enable simd,relaxed-simd, where `fma` in gemm.ts becomes f32x4.relaxed_madd), each also as a
// shared-memory `-mt` build for worker threads. The JS side (src/engine/backend.ts) owns the memory layout:
// every argument named like a buffer is a byte address into this module's memory, and nothing here allocates.
//
// Layouts (see src/engine/index.ts): volumes are CNHW, i.e. [C][N][H][W] (each channel plane holds the whole
// batch), vectors are [N][F]. Conv weights are [K][C/G][FH][FW], transposed conv weights [C][K][FH][FW] and
// dense weights [U][I] (PyTorch's layouts). Kernel style follows llm.c: outputs first, then cached values,
// then inputs, then sizes; backward accumulates into its outputs with +=.

export { gemmWorkFloats, gemm } from './gemm';
export {
  biasActRows,
  biasActCols,
  activationForward,
  addForward,
  activationBackward,
  activationBackwardInPlace,
} from './activation';
export { convForward, convBackward, flipWeights, convBackwardData } from './conv';
export { directScratchFloats, directConvForward } from './direct';
export { directWeightsScratchFloats, directConvWeights } from './direct-weights';
export { winogradScratchFloats, winogradConv } from './winograd';
export { winograd4ScratchFloats, winograd4Conv } from './winograd4';
export { winogradWeightsScratchFloats, winogradConvWeights } from './winograd-weights';
export { winograd4WeightsScratchFloats, winograd4ConvWeights } from './winograd4-weights';
export { winograd5ScratchFloats, winograd5Conv } from './winograd5';
export { winograd5WeightsScratchFloats, winograd5ConvWeights } from './winograd5-weights';
export { winograd5DataScratchFloats, winograd5ConvData } from './winograd5-data';
export { depthwiseScratchFloats, depthwiseForward, depthwiseBackward } from './depthwise';
export { deconvForward, deconvBackward } from './deconv';
export {
  upsampleNearestForward,
  upsampleNearestBackward,
  upsampleBilinearForward,
  upsampleBilinearBackward,
} from './upsample';
export { denseForward, denseBackward } from './dense';
export { maxPoolForward, maxPoolBackward, avgPoolForward, avgPoolBackward } from './pool';
export { nhwcToCnhw, flattenForward, flattenBackward, zeroFloats } from './layout';
export { channelSums, channelAffine, channelAxpby } from './norm';
export { adamStep, sgdStep } from './optim';

/** First free byte after this module's static data. */
export function heapBase(): usize {
  return __heap_base;
}
