// Version 2 networks shared by the editor features' tests: the spec's residual block, an Inception-style block
// with three branches, and a U-Net-style concat.

/** The spec's ResBlock (line numbers, 1-based, in the comments). */
export const RESBLOCK = `network ResBlock
input 32x32x3
conv filters=16 size=3 pad=1
batchnorm
stem: relu
conv filters=32 size=3 stride=2 pad=1
batchnorm
relu
conv filters=32 size=3 pad=1
main: batchnorm
from stem
conv filters=32 size=1 stride=2
batchnorm
add main
relu
pool avg global
dense units=10
softmax
`;
// line  5: stem: relu            layer 2, 32×32×16
// line 10: main: batchnorm       layer 7, 16×16×32
// line 11: from stem
// line 12: conv 1×1 stride 2     layer 8
// line 13: batchnorm             layer 9
// line 14: add main              layer 10

/** Three branches from one label, joined by a concat. */
export const INCEPTION = `input 16x16x8
x: conv filters=8 size=3 pad=1
a: conv filters=4 size=1
from x
conv filters=4 size=1
b: conv filters=6 size=3 pad=1
from x
pool max size=3 stride=1 pad=1
concat a b
dense units=3
softmax
`;
