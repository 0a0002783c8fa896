// An explanation map drawn over its input: the map upsampled to the input's size (bilinear, as PyTorch's
// interpolate with align_corners=False), scaled by its largest value, coloured with the inspector's viridis
// scale and blended over the input in grey (so the only colour is the map's), more opaque where the value is
// larger (weak evidence leaves the image visible).

import { tensorToPng } from '../data/image';
// The colour scales' one home (pure, no imports): the same viridis as the inspector's maps.
import { lut, unpack } from '../../webview/state/colors';
// The upsampling's one home, shared with the inspector's Explain tab.
import { upsampleBilinear } from '../../webview/state/upsample';
import type { ExplainMap } from './maps';

export { upsampleBilinear };

/** How much the map's colour covers the (grey) input: at the map's zero and at its largest value. */
const MIN_OPACITY = 0.25;
const MAX_OPACITY = 0.8;

/** Small inputs are enlarged (nearest) to about this many pixels on their longer side, so they can be seen. */
const TARGET_SIDE = 256;

/**
 * A PNG of one H×W×C input sample (values in [0, 1]; 1 channel grey, 3 or more RGB, shown in grey) with `map` over it.
 * Negative map values (occlusion: hiding the window raised the class's probability) are left uncoloured.
 */
export function overlayPng(sample: Float32Array, h: number, w: number, c: number, map: ExplainMap): Uint8Array {
  const up = upsampleBilinear(map, h, w);
  let max = 0;
  for (const v of up) if (v > max) max = v;
  const table = lut('viridis');
  const rgb = new Float32Array(h * w * 3);
  for (let p = 0; p < h * w; p++) {
    const t = max > 0 ? Math.max(0, up[p]!) / max : 0;
    const [r, g, b] = unpack(table[Math.min(255, Math.floor(t * 255.999))]!);
    const a = MIN_OPACITY + (MAX_OPACITY - MIN_OPACITY) * t;
    const src = p * c;
    const grey = Math.min(1, Math.max(0, c >= 3 ? 0.299 * sample[src]! + 0.587 * sample[src + 1]! + 0.114 * sample[src + 2]! : sample[src]!));
    const colour = [r / 255, g / 255, b / 255];
    for (let k = 0; k < 3; k++) rgb[p * 3 + k] = (1 - a) * grey + a * colour[k]!;
  }
  return tensorToPng(rgb, 0, h, w, 3, Math.max(1, Math.floor(TARGET_SIDE / Math.max(h, w))));
}
