// Layout changes between the loaders, CNHW volumes and flattened vectors (kernels.ts is the module entry).

// ---------------------------------------------------------------------------------------------------------
// Layout changes.
// ---------------------------------------------------------------------------------------------------------

/** dst[C][N][HW] = src[N][HW][C] (the data loaders' NHWC into the engine's CNHW). */
export function nhwcToCnhw(dst: usize, src: usize, N: i32, HW: i32, C: i32): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let d = dst + ((<usize>(c * N + n) * HW) << 2);
      let s = src + ((<usize>n * HW * C + c) << 2);
      const step = <usize>C << 2;
      for (let i = 0; i < HW; i++) {
        store<f32>(d, load<f32>(s));
        d += 4;
        s += step;
      }
    }
  }
}

/** y[N][C·HW] = x[C][N][HW] (PyTorch's flatten order per sample). */
export function flattenForward(y: usize, x: usize, N: i32, C: i32, HW: i32): void {
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < N; n++) {
      memory.copy(y + ((<usize>(n * C + c) * HW) << 2), x + ((<usize>(c * N + n) * HW) << 2), <usize>HW << 2);
    }
  }
}

/** dx[C][N][HW] += dy[N][C·HW]. */
export function flattenBackward(dx: usize, dy: usize, N: i32, C: i32, HW: i32): void {
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < N; n++) {
      const d = dx + ((<usize>(c * N + n) * HW) << 2);
      const s = dy + ((<usize>(n * C + c) * HW) << 2);
      for (let i = 0; i < HW; i++) {
        const o = <usize>i << 2;
        store<f32>(d + o, load<f32>(d + o) + load<f32>(s + o));
      }
    }
  }
}

/** dst[0..len) = 0 (gradient buffers before a backward pass; threads take ranges). */
export function zeroFloats(dst: usize, len: i32): void {
  memory.fill(dst, 0, <usize>len << 2);
}
