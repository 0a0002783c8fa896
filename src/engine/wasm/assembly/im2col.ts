// im2col and col2im over ranges of output columns (kernels.ts is the module entry).

// ---------------------------------------------------------------------------------------------------------
// Convolution as im2col + GEMM over ranges of `chunk` output columns, so the column buffer stays in cache.
// The output columns of a CNHW batch are q = n·OH·OW + oh·OW + ow; a range [q0, q0 + qn) has the columns
//   col[(c·FH + i)·FW + j][q - q0] = x[c][n][oh·SH + i·DH - PH][ow·SW + j·DW - PW]   (0 outside the image; DH, DW: dilation)
// ---------------------------------------------------------------------------------------------------------

/** The output columns ow whose input column ow·SW + j - PW is inside the image, packed as lo << 32 | hi. */
@inline export function validRange(j: i32, SW: i32, PW: i32, W: i32, OW: i32): i64 {
  // ow with 0 <= ow*SW + j - PW < W, as [lo, hi)
  let lo = 0;
  if (PW - j > 0) lo = (PW - j + SW - 1) / SW;
  const lim = W - 1 + PW - j;
  let hi = lim < 0 ? 0 : min(OW, lim / SW + 1);
  if (hi < lo) hi = lo;
  return (<i64>lo << 32) | <i64>hi;
}

export function im2col(
  col: usize, x: usize, q0: i32, qn: i32, N: i32, C: i32, H: i32, W: i32,
  FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32, DH: i32, DW: i32, OH: i32, OW: i32,
): void {
  const OHOW = OH * OW;
  // Where the range starts: sample, output row and column (every (c, i, j) row walks the same segments).
  const n0 = q0 / OHOW;
  const oh0 = (q0 - n0 * OHOW) / OW;
  const ow00 = q0 - n0 * OHOW - oh0 * OW;
  if (halving(SW, DW, FW, PW, W, OW) && ((ow00 | qn) & 3) == 0) {
    im2colHalving(col, x, q0, qn, N, C, H, W, FH, FW, SH, PH, DH, OH, OW, n0, oh0, ow00);
    return;
  }
  let dst = col;
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < FH; i++) {
      for (let j = 0; j < FW; j++) {
        const jd = j * DW;
        const r = validRange(jd, SW, PW, W, OW);
        const owLo = <i32>(r >> 32);
        const owHi = <i32>(r & 0xffffffff);
        let q = q0;
        const qe = q0 + qn;
        let n = n0, oh = oh0, ow0 = ow00;
        while (q < qe) {
          const ow1 = min(OW, ow0 + (qe - q));
          const ih = oh * SH + i * DH - PH;
          // d + ow·4 is where output column ow of this segment goes
          const d = dst - (<usize>ow0 << 2);
          if (ih < 0 || ih >= H) {
            for (let ow = ow0; ow < ow1; ow++) store<f32>(d + (<usize>ow << 2), 0);
          } else {
            // Row `row` of x (counting across every plane); output column ow reads its value ow·SW + e.
            const row = (c * N + n) * H + ih;
            const srow = x + ((<usize>row * W) << 2);
            const e = jd - PW;
            const a = max(ow0, owLo);
            const b = max(a, min(ow1, owHi));
            if (SW == 2 && PW + 8 <= W && (e >= 0 || row > 0) && row < C * N * H - 1) {
              // Stride 2 with a row of x before and after this one: the even lanes of two loads for every
              // four outputs of the segment, padding included (those lanes read values of a neighbouring
              // row, at most PW + 7 away), then 0 on the left padding (the right is cleared below).
              const s0 = srow + (<usize>e << 2);
              let ow = ow0;
              for (; ow + 4 <= ow1; ow += 4) {
                const p = s0 + (<usize>(2 * ow) << 2);
                v128.store(d + (<usize>ow << 2), v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6));
              }
              for (; ow < b; ow++) store<f32>(d + (<usize>ow << 2), load<f32>(s0 + (<usize>(2 * ow) << 2)));
              for (ow = ow0; ow < a; ow++) store<f32>(d + (<usize>ow << 2), 0);
            } else {
              for (let ow = ow0; ow < a; ow++) store<f32>(d + (<usize>ow << 2), 0);
              if (SW == 1) {
                const s0 = srow + (<usize>e << 2);
                let ow = a;
                for (; ow + 4 <= b; ow += 4) v128.store(d + (<usize>ow << 2), v128.load(s0 + (<usize>ow << 2)));
                for (; ow < b; ow++) store<f32>(d + (<usize>ow << 2), load<f32>(s0 + (<usize>ow << 2)));
              } else if (SW == 2) {
                // Every other input value: the even lanes of two loads (while both stay inside the row).
                const s0 = srow + (<usize>e << 2);
                let ow = a;
                for (; ow + 4 <= b && 2 * ow + e + 8 <= W; ow += 4) {
                  const p = s0 + (<usize>(2 * ow) << 2);
                  v128.store(d + (<usize>ow << 2), v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6));
                }
                for (; ow < b; ow++) store<f32>(d + (<usize>ow << 2), load<f32>(s0 + (<usize>(2 * ow) << 2)));
              } else {
                for (let ow = a; ow < b; ow++) store<f32>(d + (<usize>ow << 2), load<f32>(srow + (<usize>(ow * SW + e) << 2)));
              }
            }
            for (let ow = b; ow < ow1; ow++) store<f32>(d + (<usize>ow << 2), 0);
          }
          dst += <usize>(ow1 - ow0) << 2;
          q += ow1 - ow0;
          ow0 = 0;
          if (++oh == OH) {
            oh = 0;
            n++;
          }
        }
      }
    }
  }
}

/**
 * Whether a layer's columns halve the width as ResNet's and MobileNet's downsampling layers do: stride 2 along
 * rows, 3 wide with padding 1 or 1 wide without, on an even width W = 2·OW with OW a multiple of 4. Then every
 * output column's window lies inside the row but for the 3-wide filter's first tap at ow = 0.
 */
@inline function halving(SW: i32, DW: i32, FW: i32, PW: i32, W: i32, OW: i32): bool {
  return SW == 2 && DW == 1 && ((FW == 3 && PW == 1) || (FW == 1 && PW == 0)) && W == 2 * OW && (OW & 3) == 0;
}

/**
 * im2col for `halving` layers whose range starts and ends on a multiple of 4 columns: every four outputs of a
 * segment are two loads split into their even lanes (tap 1 of a 3-wide filter, or the 1-wide one's tap) and
 * odd lanes (tap 2), and tap 0 is the odd lanes moved one place along (the padding's 0, or the odd value
 * before, coming in): all of a filter row's taps from one pass over the input row.
 */
function im2colHalving(
  col: usize, x: usize, q0: i32, qn: i32, N: i32, C: i32, H: i32, W: i32,
  FH: i32, FW: i32, SH: i32, PH: i32, DH: i32, OH: i32, OW: i32, n0: i32, oh0: i32, ow00: i32,
): void {
  const rowBytes = <usize>qn << 2;
  const z = f32x4.splat(0);
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < FH; i++) {
      // The FW rows of the columns for (c, i): tap j's at dst + j·rowBytes.
      let dst = col + <usize>((c * FH + i) * FW) * rowBytes;
      let q = q0;
      const qe = q0 + qn;
      let n = n0, oh = oh0, ow0 = ow00;
      while (q < qe) {
        const ow1 = min(OW, ow0 + (qe - q));
        const ih = oh * SH + i * DH - PH;
        const len = <usize>(ow1 - ow0) << 2;
        if (ih < 0 || ih >= H) {
          for (let j = 0; j < FW; j++) {
            const d = dst + <usize>j * rowBytes;
            for (let o: usize = 0; o < len; o += 16) v128.store(d + o, z);
          }
        } else {
          const src = x + ((<usize>(((c * N + n) * H + ih) * W) + (<usize>(2 * ow0))) << 2);
          if (FW == 1) {
            for (let o: usize = 0; o < len; o += 16) {
              const p = src + (o << 1);
              v128.store(dst + o, v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6));
            }
          } else {
            // Tap 0 of output ow reads x[2·ow − 1]: the odd value before the segment, or the padding's 0.
            let prev = ow0 == 0 ? z : f32x4.splat(load<f32>(src - 4));
            const d1 = dst + rowBytes;
            const d2 = d1 + rowBytes;
            for (let o: usize = 0; o < len; o += 16) {
              const p = src + (o << 1);
              const a = v128.load(p), b = v128.load(p, 16);
              const odd = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
              v128.store(dst + o, v128.shuffle<f32>(prev, odd, 3, 4, 5, 6));
              v128.store(d1 + o, v128.shuffle<f32>(a, b, 0, 2, 4, 6));
              v128.store(d2 + o, odd);
              prev = odd;
            }
          }
        }
        dst += len;
        q += ow1 - ow0;
        ow0 = 0;
        if (++oh == OH) {
          oh = 0;
          n++;
        }
      }
    }
  }
}

// col2im repeats im2col's segment walk on purpose: one walker would put a copy-or-add branch in both hot loops.

/** dx[C][N][H][W] += the column range [q0, q0+qn) of col scattered back (the transpose of im2col). */
export function col2im(
  dx: usize, col: usize, q0: i32, qn: i32, N: i32, C: i32, H: i32, W: i32,
  FH: i32, FW: i32, SH: i32, SW: i32, PH: i32, PW: i32, DH: i32, DW: i32, OH: i32, OW: i32,
): void {
  const HW = H * W;
  const OHOW = OH * OW;
  const n0 = q0 / OHOW;
  const oh0 = (q0 - n0 * OHOW) / OW;
  const ow00 = q0 - n0 * OHOW - oh0 * OW;
  if (halving(SW, DW, FW, PW, W, OW) && ((ow00 | qn) & 3) == 0) {
    col2imHalving(dx, col, q0, qn, N, C, H, W, FH, FW, SH, PH, DH, OH, OW, n0, oh0, ow00);
    return;
  }
  let src = col;
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < FH; i++) {
      for (let j = 0; j < FW; j++) {
        const jd = j * DW;
        const r = validRange(jd, SW, PW, W, OW);
        const owLo = <i32>(r >> 32);
        const owHi = <i32>(r & 0xffffffff);
        let q = q0;
        const qe = q0 + qn;
        let n = n0, oh = oh0, ow0 = ow00;
        while (q < qe) {
          const ow1 = min(OW, ow0 + (qe - q));
          const ih = oh * SH + i * DH - PH;
          const s = src - (<usize>ow0 << 2);
          if (ih >= 0 && ih < H) {
            const drow = dx + ((<usize>((c * N + n) * HW + ih * W)) << 2);
            const a = max(ow0, owLo);
            const b = max(a, min(ow1, owHi));
            if (SW == 1) {
              const d0 = drow + (<usize>(jd - PW) << 2);
              let ow = a;
              for (; ow + 4 <= b; ow += 4) {
                const o = <usize>ow << 2;
                v128.store(d0 + o, f32x4.add(v128.load(d0 + o), v128.load(s + o)));
              }
              for (; ow < b; ow++) {
                const o = <usize>ow << 2;
                store<f32>(d0 + o, load<f32>(d0 + o) + load<f32>(s + o));
              }
            } else if (SW == 2) {
              // Four values into every other place: added as (v0, 0, v1, 0), (v2, 0, v3, 0) to eight.
              const e = jd - PW;
              const d0 = drow + (<usize>e << 2);
              const z = f32x4.splat(0);
              let ow = a;
              for (; ow + 4 <= b && 2 * ow + e + 8 <= W; ow += 4) {
                const p = d0 + (<usize>(2 * ow) << 2);
                const v = v128.load(s + (<usize>ow << 2));
                v128.store(p, f32x4.add(v128.load(p), v128.shuffle<f32>(v, z, 0, 4, 1, 4)));
                v128.store(p, f32x4.add(v128.load(p, 16), v128.shuffle<f32>(v, z, 2, 4, 3, 4)), 16);
              }
              for (; ow < b; ow++) {
                const d = d0 + (<usize>(2 * ow) << 2);
                store<f32>(d, load<f32>(d) + load<f32>(s + (<usize>ow << 2)));
              }
            } else {
              for (let ow = a; ow < b; ow++) {
                const d = drow + (<usize>(ow * SW + jd - PW) << 2);
                store<f32>(d, load<f32>(d) + load<f32>(s + (<usize>ow << 2)));
              }
            }
          }
          src += <usize>(ow1 - ow0) << 2;
          q += ow1 - ow0;
          ow0 = 0;
          if (++oh == OH) {
            oh = 0;
            n++;
          }
        }
      }
    }
  }
}

/**
 * col2im for `halving` layers (im2colHalving's transpose): every four outputs of a segment add to eight input
 * values at once, tap 1 to the even ones and tap 2 plus the next output's tap 0 to the odd ones, so each input
 * row is read and written once per filter row, not once per tap. A segment's first tap 0 (at 2·ow0 − 1) is
 * added alone, or is the padding; nothing outside the segment's own input values is touched (threads own
 * whole samples).
 */
function col2imHalving(
  dx: usize, col: usize, q0: i32, qn: i32, N: i32, C: i32, H: i32, W: i32,
  FH: i32, FW: i32, SH: i32, PH: i32, DH: i32, OH: i32, OW: i32, n0: i32, oh0: i32, ow00: i32,
): void {
  const rowBytes = <usize>qn << 2;
  const z = f32x4.splat(0);
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < FH; i++) {
      let src = col + <usize>((c * FH + i) * FW) * rowBytes;
      let q = q0;
      const qe = q0 + qn;
      let n = n0, oh = oh0, ow0 = ow00;
      while (q < qe) {
        const ow1 = min(OW, ow0 + (qe - q));
        const ih = oh * SH + i * DH - PH;
        const len = <usize>(ow1 - ow0) << 2;
        if (ih >= 0 && ih < H) {
          const drow = dx + ((<usize>(((c * N + n) * H + ih) * W) + (<usize>(2 * ow0))) << 2);
          if (FW == 1) {
            for (let o: usize = 0; o < len; o += 16) {
              const p = drow + (o << 1);
              const v = v128.load(src + o);
              v128.store(p, f32x4.add(v128.load(p), v128.shuffle<f32>(v, z, 0, 4, 1, 4)));
              v128.store(p, f32x4.add(v128.load(p, 16), v128.shuffle<f32>(v, z, 2, 4, 3, 4)), 16);
            }
          } else {
            const s1 = src + rowBytes;
            const s2 = s1 + rowBytes;
            if (ow0 > 0) store<f32>(drow - 4, load<f32>(drow - 4) + load<f32>(src));
            for (let o: usize = 0; o < len; o += 16) {
              // Tap 0 of the next four outputs (the segment's last has none after it here).
              let next = v128.load(src + o, 4);
              if (o + 16 == len) next = f32x4.replace_lane(next, 3, 0);
              const odd = f32x4.add(v128.load(s2 + o), next);
              const even = v128.load(s1 + o);
              const p = drow + (o << 1);
              v128.store(p, f32x4.add(v128.load(p), v128.shuffle<f32>(even, odd, 0, 4, 1, 5)));
              v128.store(p, f32x4.add(v128.load(p, 16), v128.shuffle<f32>(even, odd, 2, 6, 3, 7)), 16);
            }
          }
        }
        src += len;
        q += ow1 - ow0;
        ow0 = 0;
        if (++oh == OH) {
          oh = 0;
          n++;
        }
      }
    }
  }
}
