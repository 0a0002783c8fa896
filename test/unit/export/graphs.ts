// Graph networks for the export tests, as .cnn text (checked by the language's own checker in the tests): one
// small network per statement and setting of version 2, a residual block, a U-Net and depthwise-separable
// blocks; and the checkpoint tensors a network's spec implies, worked out apart from the exporters.

import type { ModelSpec } from '../../../src/language/model';

/** One network per new statement (and setting), each small and ending in class scores. */
export const STATEMENTS: { name: string; text: string }[] = [
  { name: 'conv groups=2 dilation=2', text: `network Grouped
input 9x9x4
conv filters=6 size=3 pad=2 dilation=2 groups=2 activation=tanh
dense units=3
` },
  { name: 'conv groups=channels (depthwise)', text: `network Depthwise
input 7x7x3
conv filters=6 size=3 stride=2 groups=3
dense units=2
` },
  { name: 'batchnorm of a volume', text: `network BatchNorm2d
input 6x6x3
conv filters=4 size=3
batchnorm momentum=0.3 eps=0.01
dense units=3
softmax
` },
  { name: 'batchnorm of a vector', text: `network BatchNorm1d
input 5x5x2
dense units=7
batchnorm
relu
dense units=3
` },
  { name: 'pool avg global', text: `network GlobalAvg
input 7x5x3
conv filters=4 size=3 pad=1
pool avg global
dense units=3
` },
  { name: 'pool max global', text: `network GlobalMax
input 7x5x3
conv filters=4 size=3 pad=1
pool max global
flatten
dense units=3
` },
  { name: 'deconv with outpad', text: `network Deconv
input 5x4x2
deconv filters=3 size=3 stride=2 pad=1 outpad=1 activation=relu
dense units=3
` },
  { name: 'upsample nearest', text: `network Nearest
input 3x4x2
upsample scale=3
conv filters=2 size=2
dense units=2
` },
  { name: 'upsample bilinear', text: `network Bilinear
input 3x4x2
upsample scale=2 bilinear
conv filters=2 size=2
dense units=2
` },
  { name: 'add of three', text: `network AddThree
input 6x6x2
a: conv filters=3 size=3 pad=1
b: relu
from a
conv filters=3 size=1
add a b
dense units=2
` },
  { name: 'concat of volumes', text: `network ConcatVolumes
input 6x6x2
a: conv filters=3 size=3 pad=1
b: conv filters=2 size=1
concat a
dense units=2
` },
  { name: 'concat of vectors', text: `network ConcatVectors
input 4x4x1
f: flatten
dense units=5
concat f
dense units=2
` },
  { name: 'a label on the input (add of one value twice, concat)', text: `network InputSkip
img: input 6x6x2
conv filters=2 size=3 pad=1
add img img
concat img
dense units=2
` },
];

/** A residual block: batchnorm, a strided main path and a 1×1 projection shortcut, merged by add. */
export const RESIDUAL = `network Residual
input 10x10x3
conv filters=6 size=3 pad=1
batchnorm
stem: relu
conv filters=8 size=3 stride=2 pad=1
batchnorm momentum=0.2
relu
conv filters=8 size=3 pad=1
main: batchnorm eps=0.001
from stem
conv filters=8 size=1 stride=2
batchnorm
add main
relu
pool avg global
dense units=4
softmax
`;

/** A small U-Net: an encoder, a bottleneck upsampled twice (deconv, then upsample) and concatenated skips. */
export const UNET = `network UNetLike
input 12x12x2
e1: conv filters=4 size=3 pad=1 activation=relu
pool max size=2
e2: conv filters=6 size=3 pad=1 activation=relu
pool max size=2
conv filters=8 size=3 pad=1 activation=relu
deconv filters=6 size=2 stride=2
concat e2
conv filters=6 size=3 pad=1 activation=relu
upsample scale=2 bilinear
concat e1
conv filters=4 size=3 pad=1
gap
dense units=3
softmax
`;

/** MobileNet-style depthwise-separable blocks: depthwise 3×3 (groups = channels), batchnorm, pointwise 1×1. */
export const MOBILE = `network MobileLike
input 12x12x3
conv filters=8 size=3 stride=2 pad=1
batchnorm
relu
conv filters=8 size=3 pad=1 groups=8
batchnorm
relu
conv filters=16 size=1
batchnorm
relu
conv filters=16 size=3 stride=2 pad=1 groups=16
batchnorm
relu
conv filters=12 size=1
gap
dense units=5
`;

/** Every graph of the tests: the statements, then the three networks. */
export const GRAPHS: { name: string; text: string }[] = [
  ...STATEMENTS,
  { name: 'residual (add, batchnorm, projection shortcut)', text: RESIDUAL },
  { name: 'U-Net-like (concat, upsample, deconv)', text: UNET },
  { name: 'depthwise-separable', text: MOBILE },
];

/**
 * Pool padding wider than half the window (and narrower than it, E003 otherwise): PyTorch's pooling modules
 * refuse it, so model.py pads in front; the built-in engine refuses it too.
 */
export const WIDE_POOL_PADDING = `network WidePad
input 8x8x1
pool max size=3 stride=1 pad=2
conv filters=2 size=3 pad=1 activation=sigmoid
pool avg size=5 stride=2 pad=4
dense units=2
`;

/**
 * The network's output is a value another layer reads too (the dense layer's, through a final dropout, which
 * inference leaves out); W104 and W103 only. Dropout in training draws other masks in PyTorch than in the engine.
 */
export const READ_TWICE = `network Twice
input 4x4x2
d: dense units=3
relu
from d
dropout rate=0.5
`;

/** The state_dict names, shapes (PyTorch's) and dtypes of a network, worked out from its layer specs alone. */
export function expectedTensors(spec: ModelSpec): { name: string; shape: number[]; dtype: 'F32' | 'I64' }[] {
  const out: { name: string; shape: number[]; dtype: 'F32' | 'I64' }[] = [];
  for (const l of spec.layers) {
    const s = l.spec;
    const x = l.input!;
    const ch = x.kind === 'volume' ? x.c : x.n;
    const p = (name: string, shape: number[], dtype: 'F32' | 'I64' = 'F32') => out.push({ name: `layers.${l.index}.${name}`, shape, dtype });
    if (s.kind === 'conv') {
      p('weight', [s.filters, ch / s.groups, s.fh, s.fw]);
      p('bias', [s.filters]);
    } else if (s.kind === 'deconv') {
      p('weight', [ch, s.filters, s.fh, s.fw]);
      p('bias', [s.filters]);
    } else if (s.kind === 'dense') {
      p('weight', [s.units, x.kind === 'volume' ? x.h * x.w * x.c : x.n]);
      p('bias', [s.units]);
    } else if (s.kind === 'batchnorm') {
      for (const n of ['weight', 'bias', 'running_mean', 'running_var']) p(n, [ch]);
      p('num_batches_tracked', [], 'I64');
    }
  }
  return out;
}
