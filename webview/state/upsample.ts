// A map resized by bilinear interpolation with half-pixel centres, as PyTorch's
// interpolate(mode='bilinear', align_corners=False): the one home of the explanation maps' upsampling (the
// inspector's Explain tab draws with it; src/explain/overlay.ts's PNG overlays too). Pure, no imports.

/** A map of h×w values, row-major. */
export interface GridMap {
  h: number;
  w: number;
  data: ArrayLike<number>;
}

/** `map` resized to outH×outW (bilinear, align_corners=False; sources clamped at the edges). */
export function upsampleBilinear(map: GridMap, outH: number, outW: number): Float32Array {
  const { h, w, data } = map;
  const out = new Float32Array(outH * outW);
  const axis = (o: number, inSide: number, outSide: number): [number, number, number] => {
    const src = Math.max(0, ((o + 0.5) * inSide) / outSide - 0.5);
    const i0 = Math.min(inSide - 1, Math.floor(src));
    const i1 = Math.min(inSide - 1, i0 + 1);
    return [i0, i1, src - i0];
  };
  for (let y = 0; y < outH; y++) {
    const [y0, y1, fy] = axis(y, h, outH);
    for (let x = 0; x < outW; x++) {
      const [x0, x1, fx] = axis(x, w, outW);
      const top = data[y0 * w + x0]! * (1 - fx) + data[y0 * w + x1]! * fx;
      const bottom = data[y1 * w + x0]! * (1 - fx) + data[y1 * w + x1]! * fx;
      out[y * outW + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}
