// Model views of branching networks (the spec's residual block, a small U-Net with dilated, grouped and
// transposed convs, an Inception-style block) for the inspector's tests and screenshots, written out by hand as
// the host's modelView gives them (graph-state.test.ts checks the first two against the checker), and a snapshot
// of the U-Net. Not a test file: imported by them.

import type { LayerActivation, SnapshotMessage } from '../../../src/protocol/trainer';
import type { LayerView, ModelView, ShapeView, WindowView } from '../../../src/protocol/webview';
import { doorImage, rng, syntheticMaps } from './fixtures';

const vol = (h: number, w: number, c: number): ShapeView => ({ kind: 'volume', h, w, c });
const vec = (n: number): ShapeView => ({ kind: 'vector', n });

interface Spec {
  line: number;
  kind: string;
  label: string;
  inputs: number[];
  name?: string;
  input: ShapeView;
  output: ShapeView;
  params?: number;
  macs?: number;
  window?: Partial<WindowView> & Pick<WindowView, 'fh' | 'sh' | 'ph'>;
  filters?: number;
  groups?: number;
}

function layers(specs: Spec[]): LayerView[] {
  return specs.map((s, index) => {
    const w: WindowView | null = s.window ? { fw: s.window.fh, sw: s.window.sh, pw: s.window.ph, dh: 1, dw: 1, transposed: false, oph: 0, opw: 0, ...s.window } : null;
    return {
      index,
      line: s.line,
      inputs: s.inputs,
      name: s.name ?? null,
      kind: s.kind,
      label: s.label,
      input: s.input,
      output: s.output,
      params: s.params ?? 0,
      macs: s.macs ?? 0,
      receptiveField: null,
      window: w,
      filters: s.filters ?? null,
      groups: s.kind === 'conv' ? (s.groups ?? 1) : null,
      poolMode: null,
      arithmetic: [],
      hasError: false,
      errors: [],
    };
  });
}

function model(file: string, name: string, input: { h: number; w: number; c: number }, list: LayerView[]): ModelView {
  return {
    file,
    fileName: file.split('/').pop()!,
    version: 1,
    name,
    input,
    task: 'single',
    augment: null,
    inputLine: 1,
    classes: null,
    layers: list,
    jumps: [],
    params: list.reduce((a, l) => a + (l.params ?? 0), 0),
    macs: list.reduce((a, l) => a + (l.macs ?? 0), 0),
    incomplete: false,
    errorCount: 0,
    warningCount: 0,
  };
}

/** The spec's ResBlock (cnn-language.md, Version 2): one text for every test that needs it. */
export { RESBLOCK as RESBLOCK_SOURCE } from '../features/graphTexts';

export function resblockModel(file = '/w/resblock.cnn'): ModelView {
  const v32 = vol(32, 32, 16);
  const v16 = vol(16, 16, 32);
  const m = model(
    file,
    'ResBlock',
    { h: 32, w: 32, c: 3 },
    layers([
      { line: 2, kind: 'conv', label: 'conv 16 filters 3×3, pad 1', inputs: [-1], input: vol(32, 32, 3), output: v32, params: 448, macs: 442368, window: { fh: 3, sh: 1, ph: 1 }, filters: 16 },
      { line: 3, kind: 'batchnorm', label: 'batch norm', inputs: [0], input: v32, output: v32, params: 32 },
      { line: 4, kind: 'relu', label: 'relu', inputs: [1], name: 'stem', input: v32, output: v32 },
      { line: 5, kind: 'conv', label: 'conv 32 filters 3×3, stride 2, pad 1', inputs: [2], input: v32, output: v16, params: 4640, macs: 1179648, window: { fh: 3, sh: 2, ph: 1 }, filters: 32 },
      { line: 6, kind: 'batchnorm', label: 'batch norm', inputs: [3], input: v16, output: v16, params: 64 },
      { line: 7, kind: 'relu', label: 'relu', inputs: [4], input: v16, output: v16 },
      { line: 8, kind: 'conv', label: 'conv 32 filters 3×3, pad 1', inputs: [5], input: v16, output: v16, params: 9248, macs: 2359296, window: { fh: 3, sh: 1, ph: 1 }, filters: 32 },
      { line: 9, kind: 'batchnorm', label: 'batch norm', inputs: [6], name: 'main', input: v16, output: v16, params: 64 },
      { line: 11, kind: 'conv', label: 'conv 32 filters 1×1, stride 2', inputs: [2], input: v32, output: v16, params: 544, macs: 131072, window: { fh: 1, sh: 2, ph: 0 }, filters: 32 },
      { line: 12, kind: 'batchnorm', label: 'batch norm', inputs: [8], input: v16, output: v16, params: 64 },
      { line: 13, kind: 'add', label: 'add of 2', inputs: [9, 7], input: v16, output: v16 },
      { line: 14, kind: 'relu', label: 'relu', inputs: [10], input: v16, output: v16 },
      { line: 15, kind: 'globalpool', label: 'global avg pool', inputs: [11], input: v16, output: vol(1, 1, 32) },
      { line: 16, kind: 'dense', label: 'dense 10 units (flattens)', inputs: [12], input: vol(1, 1, 32), output: vec(10), params: 330, macs: 320 },
      { line: 17, kind: 'softmax', label: 'softmax', inputs: [13], input: vec(10), output: vec(10) },
    ]),
  );
  return { ...m, jumps: [{ line: 10, target: 2 }] }; // from stem
}

/**
 * A small U-Net-like classifier: two encoder stages with labels, a bottleneck, a transposed conv and an upsample
 * back up, each followed by a concat with the encoder's skip.
 */
export const UNET_SOURCE = `network TinyUNet
input 32x32x3
e1: conv filters=8 size=3 pad=1 activation=relu
pool max size=2
e2: conv filters=16 size=3 pad=1 activation=relu
pool max size=2
conv filters=32 size=3 pad=2 dilation=2 activation=relu
deconv filters=16 size=2 stride=2
concat e2
conv filters=16 size=3 pad=1 groups=2 activation=relu
upsample scale=2
concat e1
conv filters=8 size=3 pad=1 activation=relu
gap
dense units=3
softmax
`;

export function unetModel(file = '/w/unet.cnn'): ModelView {
  return model(
    file,
    'TinyUNet',
    { h: 32, w: 32, c: 3 },
    layers([
      { line: 2, kind: 'conv', label: 'conv 8 filters 3×3, pad 1, relu', name: 'e1', inputs: [-1], input: vol(32, 32, 3), output: vol(32, 32, 8), params: 224, macs: 221184, window: { fh: 3, sh: 1, ph: 1 }, filters: 8 },
      { line: 3, kind: 'pool', label: 'max pool 2×2', inputs: [0], input: vol(32, 32, 8), output: vol(16, 16, 8), window: { fh: 2, sh: 2, ph: 0 } },
      { line: 4, kind: 'conv', label: 'conv 16 filters 3×3, pad 1, relu', name: 'e2', inputs: [1], input: vol(16, 16, 8), output: vol(16, 16, 16), params: 1168, macs: 294912, window: { fh: 3, sh: 1, ph: 1 }, filters: 16 },
      { line: 5, kind: 'pool', label: 'max pool 2×2', inputs: [2], input: vol(16, 16, 16), output: vol(8, 8, 16), window: { fh: 2, sh: 2, ph: 0 } },
      { line: 6, kind: 'conv', label: 'conv 32 filters 3×3, pad 2, dilation 2, relu', inputs: [3], input: vol(8, 8, 16), output: vol(8, 8, 32), params: 4640, macs: 294912, window: { fh: 3, sh: 1, ph: 2, dh: 2, dw: 2 }, filters: 32 },
      { line: 7, kind: 'deconv', label: 'deconv 16 filters 2×2, stride 2', inputs: [4], input: vol(8, 8, 32), output: vol(16, 16, 16), params: 2064, macs: 131072, window: { fh: 2, sh: 2, ph: 0, transposed: true }, filters: 16 },
      { line: 8, kind: 'concat', label: 'concat of 2', inputs: [5, 2], input: vol(16, 16, 16), output: vol(16, 16, 32) },
      { line: 9, kind: 'conv', label: 'conv 16 filters 3×3, pad 1, 2 groups, relu', inputs: [6], input: vol(16, 16, 32), output: vol(16, 16, 16), params: 2320, macs: 589824, window: { fh: 3, sh: 1, ph: 1 }, filters: 16, groups: 2 },
      { line: 10, kind: 'upsample', label: 'upsample ×2', inputs: [7], input: vol(16, 16, 16), output: vol(32, 32, 16) },
      { line: 11, kind: 'concat', label: 'concat of 2', inputs: [8, 0], input: vol(32, 32, 16), output: vol(32, 32, 24) },
      { line: 12, kind: 'conv', label: 'conv 8 filters 3×3, pad 1, relu', inputs: [9], input: vol(32, 32, 24), output: vol(32, 32, 8), params: 1736, macs: 1769472, window: { fh: 3, sh: 1, ph: 1 }, filters: 8 },
      { line: 13, kind: 'globalpool', label: 'global avg pool', inputs: [10], input: vol(32, 32, 8), output: vol(1, 1, 8) },
      { line: 14, kind: 'dense', label: 'dense 3 units (flattens)', inputs: [11], input: vol(1, 1, 8), output: vec(3), params: 27, macs: 24 },
      { line: 15, kind: 'softmax', label: 'softmax', inputs: [12], input: vec(3), output: vec(3) },
    ]),
  );
}

/** Three branches from one label joined by a concat (Inception-style). */
export function inceptionModel(file = '/w/inception.cnn'): ModelView {
  const v = vol(16, 16, 8);
  return model(
    file,
    'Inception',
    { h: 16, w: 16, c: 8 },
    layers([
      { line: 2, kind: 'relu', label: 'relu', name: 'x', inputs: [-1], input: v, output: v },
      { line: 3, kind: 'conv', label: 'conv 8 filters 1×1', name: 'a', inputs: [0], input: v, output: v, window: { fh: 1, sh: 1, ph: 0 }, filters: 8 },
      { line: 5, kind: 'conv', label: 'conv 8 filters 3×3, pad 1', inputs: [0], input: v, output: v, window: { fh: 3, sh: 1, ph: 1 }, filters: 8 },
      { line: 6, kind: 'conv', label: 'conv 8 filters 3×3, pad 1', name: 'b', inputs: [2], input: v, output: v, window: { fh: 3, sh: 1, ph: 1 }, filters: 8 },
      { line: 8, kind: 'pool', label: 'max pool 3×3, stride 1, pad 1', inputs: [0], input: v, output: v, window: { fh: 3, sh: 1, ph: 1 } },
      { line: 9, kind: 'concat', label: 'concat of 3', inputs: [4, 1, 3], input: v, output: vol(16, 16, 24) },
      { line: 10, kind: 'dense', label: 'dense 2 units (flattens)', inputs: [5], input: vol(16, 16, 24), output: vec(2) },
    ]),
  );
}

/** Seeded weights of a shape, centred on zero. */
function weights(shape: number[], seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() - 0.5);
}

/**
 * A snapshot of the U-Net as the host hands it to the webview: every layer's activation (H×W×C, smooth synthetic
 * maps), and the weights of its convs in PyTorch's layouts: [K, C/G, F, F] for the grouped conv, [C_in, K, F, F]
 * for the transposed one.
 */
export function unetSnapshot(): SnapshotMessage {
  const m = unetModel();
  const activations: LayerActivation[] = m.layers.map((l, i) => {
    const o = l.output!;
    const t = o.kind === 'volume' ? syntheticMaps(o.h, o.w, o.c, i) : { shape: [o.n], data: Float32Array.from({ length: o.n }, (_, k) => (l.kind === 'softmax' ? [0.2, 0.7, 0.1][k]! : k - 1)) };
    return { ...t, index: l.index, kind: l.kind, line: l.line };
  });
  const conv = (i: number, shape: number[]) => ({ shape, data: weights(shape, 100 + i), index: i, line: m.layers[i]!.line });
  return {
    type: 'snapshot',
    source: 'validation sample 0',
    label: 1,
    input: doorImage(32, 32, 3),
    activations,
    filters: [conv(0, [8, 3, 3, 3]), conv(2, [16, 8, 3, 3]), conv(4, [32, 16, 3, 3]), conv(5, [32, 16, 2, 2]), conv(7, [16, 16, 3, 3]), conv(10, [8, 24, 3, 3])],
    probabilities: [0.2, 0.7, 0.1],
    classes: ['door', 'stair', 'sign'],
  };
}
