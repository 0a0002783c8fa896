// The arena rule both backends share: every allocation starts and ends on a 16-byte boundary (one SIMD lane
// of four floats), so kernels may load whole vectors from any buffer's start.

export const ALIGN = 16;
export const align = (v: number): number => Math.ceil(v / ALIGN) * ALIGN;
