// The inference graph as an ONNX model (opset 13, IR version 7), written with our own protobuf encoder.
//
// Input "input": float32, N×H×W×C by default (CNN Studio's layout: what `cnn predict` and the data layer use),
// turned into N×C×H×W by a Transpose node; `layout: 'nchw'` takes N×C×H×W directly (PyTorch's layout) instead.
// Output: "probabilities" (N×classes) when the file ends in softmax (or, multi-label, in sigmoid: a Sigmoid node, one
// probability per label), else "logits". Dropout is left out
// (inference), batchnorm uses its running statistics. Every layer statement's nodes are named layers.{i}.<op>,
// say the .cnn line they come from (doc_string) and read the values of the layers LayerInfo.inputs names (add
// and concat: several), so the graph has the file's branches and merges. Initializers carry the checkpoint
// names (layers.{i}.weight / .bias / .running_mean / .running_var) in PyTorch's layouts, which are ONNX's too
// (Conv W is K×C/G×FH×FW, ConvTranspose W is C×K×FH×FW; Gemm with transB=1 takes the dense weight [units,
// inputs] as it is).
// Field numbers: onnx/onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto).

import { assertNever } from '../language/assertNever';
import type { Activation, LayerInfo, ModelSpec, Shape } from '../language/model';
import { ProtoWriter } from './protobuf';
import { statementText } from './statement';

export type OnnxLayout = 'nhwc' | 'nchw';

export interface OnnxTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface OnnxOptions {
  /** Every `layers.{i}.weight|bias` tensor of the model, PyTorch layouts. */
  tensors: readonly OnnxTensor[];
  /** Input layout (default 'nhwc'). */
  layout?: OnnxLayout;
  producerVersion?: string;
}

export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 7;

const FLOAT = 1;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;

type Attr = { name: string; f: number } | { name: string; i: number } | { name: string; ints: number[] } | { name: string; s: string };

interface Node {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Attr[];
  /** The .cnn line it comes from ("line 14: add main"), for a reader of the graph (Netron shows it). */
  doc: string;
}

function attrProto(a: Attr): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  if ('f' in a) w.float(2, a.f).int(20, ATTR_FLOAT);
  else if ('i' in a) w.int(3, a.i).int(20, ATTR_INT);
  else if ('s' in a) w.string(4, a.s).int(20, ATTR_STRING);
  else {
    for (const v of a.ints) w.int(8, v);
    w.int(20, ATTR_INTS);
  }
  return w;
}

function nodeProto(n: Node): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.op);
  for (const a of n.attrs) w.message(5, attrProto(a));
  if (n.doc) w.string(6, n.doc);
  return w;
}

function floatTensor(name: string, shape: number[], data: Float32Array): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of shape) w.int(1, d);
  w.int(2, FLOAT).string(8, name);
  const raw = new Uint8Array(data.length * 4);
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) dv.setFloat32(i * 4, data[i]!, true);
  return w.bytes(9, raw);
}

/** ValueInfoProto of a float tensor; a string dimension is symbolic (dim_param). */
function valueInfo(name: string, dims: (number | string)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, typeof d === 'string' ? new ProtoWriter().string(2, d) : new ProtoWriter().int(1, d));
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

/**
 * A tensor of the model's checkpoints that inference does not read: batchnorm's num_batches_tracked (it only
 * counts training steps). Accepted among the tensors, left out of the graph.
 */
function isUnusedBuffer(spec: ModelSpec, name: string): boolean {
  const m = /^layers\.(\d+)\.num_batches_tracked$/.exec(name);
  return m !== null && spec.layers.some((l) => l.index === Number(m[1]) && l.spec.kind === 'batchnorm');
}

/** Channels of a volume, features of a vector. */
function features(s: Shape | null): number {
  return !s ? 0 : s.kind === 'volume' ? s.c : s.n;
}

/** The ONNX model bytes for a checked model and its weights. Throws when a tensor is missing or misshapen. */
export function onnxModel(spec: ModelSpec, opts: OnnxOptions): Uint8Array {
  const layout = opts.layout ?? 'nhwc';
  const byName = new Map(opts.tensors.map((t) => [t.name, t]));
  const nodes: Node[] = [];
  const initializers: ProtoWriter[] = [];
  const used = new Set<string>();
  const { h, w, c } = spec.input;
  const param = (name: string, shape: number[]): string => {
    const t = byName.get(name);
    if (!t) throw new Error(`${name} is missing (the model needs shape [${shape.join(',')}])`);
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) throw new Error(`${name} has shape [${t.shape.join(',')}] but the model needs [${shape.join(',')}]`);
    if (!used.has(name)) {
      initializers.push(floatTensor(name, t.shape, t.data));
      used.add(name);
    }
    return name;
  };
  let doc = '';
  /** A node with one output named like the node, documented by the current statement; returns its output. */
  const node = (op: string, name: string, inputs: string[], attrs: Attr[] = []): string => {
    nodes.push({ op, name, inputs, outputs: [name], attrs, doc });
    return name;
  };
  const act = (a: Activation, base: string, x: string): string => {
    switch (a) {
      case 'relu':
        return node('Relu', `${base}.relu`, [x]);
      case 'sigmoid':
        return node('Sigmoid', `${base}.sigmoid`, [x]);
      case 'tanh':
        return node('Tanh', `${base}.tanh`, [x]);
      case 'none':
        return x;
      default:
        return assertNever(a);
    }
  };

  /** The nodes of one layer statement on its inputs' values; returns the name of its output value. */
  const layerNodes = (info: LayerInfo, ins: string[]): string => {
    const s = info.spec;
    const base = `layers.${info.index}`;
    const inp = info.input;
    const x = ins[0]!;
    const ch = features(inp);
    switch (s.kind) {
      case 'conv': {
        const y = node('Conv', `${base}.conv`, [x, param(`${base}.weight`, [s.filters, ch / s.groups, s.fh, s.fw]), param(`${base}.bias`, [s.filters])], [
          { name: 'kernel_shape', ints: [s.fh, s.fw] },
          { name: 'strides', ints: [s.sh, s.sw] },
          { name: 'pads', ints: [s.ph, s.pw, s.ph, s.pw] },
          { name: 'dilations', ints: [s.dh, s.dw] },
          { name: 'group', i: s.groups },
        ]);
        return act(s.activation, base, y);
      }
      case 'deconv': {
        const y = node('ConvTranspose', `${base}.convtranspose`, [x, param(`${base}.weight`, [ch, s.filters, s.fh, s.fw]), param(`${base}.bias`, [s.filters])], [
          { name: 'kernel_shape', ints: [s.fh, s.fw] },
          { name: 'strides', ints: [s.sh, s.sw] },
          { name: 'pads', ints: [s.ph, s.pw, s.ph, s.pw] },
          { name: 'output_padding', ints: [s.oph, s.opw] },
          { name: 'dilations', ints: [1, 1] },
          { name: 'group', i: 1 },
        ]);
        return act(s.activation, base, y);
      }
      case 'pool': {
        // The checker keeps the padding smaller than the window (E003), as ONNX runtimes want it. MaxPool pads
        // with -inf, as PyTorch does; AveragePool counts the padded zeros (count_include_pad=1), as PyTorch does.
        const attrs: Attr[] = [
          { name: 'kernel_shape', ints: [s.fh, s.fw] },
          { name: 'strides', ints: [s.sh, s.sw] },
          { name: 'pads', ints: [s.ph, s.pw, s.ph, s.pw] },
        ];
        if (s.mode === 'max') return node('MaxPool', `${base}.maxpool`, [x], attrs);
        return node('AveragePool', `${base}.avgpool`, [x], [...attrs, { name: 'count_include_pad', i: 1 }]);
      }
      case 'globalpool':
        // N×C×1×1: the 1×1×C volume of the .cnn file.
        return s.mode === 'max' ? node('GlobalMaxPool', `${base}.globalmaxpool`, [x]) : node('GlobalAveragePool', `${base}.globalaveragepool`, [x]);
      case 'batchnorm':
        // Inference: the running statistics (num_batches_tracked only counts training steps, so it stays out).
        return node('BatchNormalization', `${base}.batchnorm`, [x, param(`${base}.weight`, [ch]), param(`${base}.bias`, [ch]), param(`${base}.running_mean`, [ch]), param(`${base}.running_var`, [ch])], [
          { name: 'epsilon', f: s.eps },
          { name: 'momentum', f: 1 - s.momentum },
        ]);
      case 'upsample': {
        const scalesName = `${base}.scales`;
        initializers.push(floatTensor(scalesName, [4], Float32Array.of(1, 1, s.scale, s.scale)));
        // Resize's roi input is unused (''). Nearest as PyTorch's mode="nearest": source index floor(i / scale);
        // bilinear as align_corners=False: half-pixel centres, clamped at the border.
        const attrs: Attr[] =
          s.mode === 'nearest'
            ? [{ name: 'mode', s: 'nearest' }, { name: 'coordinate_transformation_mode', s: 'asymmetric' }, { name: 'nearest_mode', s: 'floor' }]
            : [{ name: 'mode', s: 'linear' }, { name: 'coordinate_transformation_mode', s: 'half_pixel' }];
        return node('Resize', `${base}.resize`, [x, '', scalesName], attrs);
      }
      case 'add': {
        // ONNX's Add takes two inputs: a chain, summed in the order of the statement (current flow first).
        let sum = x;
        ins.slice(1).forEach((y, k) => (sum = node('Add', k === 0 ? `${base}.add` : `${base}.add.${k}`, [sum, y])));
        return sum;
      }
      case 'concat':
        return node('Concat', `${base}.concat`, ins, [{ name: 'axis', i: 1 }]);
      case 'relu':
      case 'sigmoid':
      case 'tanh':
        return act(s.kind, base, x);
      case 'leakyrelu':
        return node('LeakyRelu', `${base}.leakyrelu`, [x], [{ name: 'alpha', f: s.slope }]);
      case 'dropout':
        return x; // identity at inference
      case 'flatten':
        return inp?.kind === 'volume' ? node('Flatten', `${base}.flatten`, [x], [{ name: 'axis', i: 1 }]) : x;
      case 'dense': {
        const flat = inp?.kind === 'volume' ? node('Flatten', `${base}.flatten`, [x], [{ name: 'axis', i: 1 }]) : x;
        const n = !inp ? 0 : inp.kind === 'volume' ? inp.h * inp.w * inp.c : inp.n;
        const y = node('Gemm', `${base}.gemm`, [flat, param(`${base}.weight`, [s.units, n]), param(`${base}.bias`, [s.units])], [
          { name: 'alpha', f: 1 },
          { name: 'beta', f: 1 },
          { name: 'transB', i: 1 },
        ]);
        return act(s.activation, base, y);
      }
      case 'softmax':
        return node('Softmax', `${base}.softmax`, [x], [{ name: 'axis', i: 1 }]);
      default:
        return assertNever(s);
    }
  };

  // Every layer's output value by index; -1 is the network's input (in N×C×H×W).
  const values = new Map<number, string>([[-1, layout === 'nhwc' ? node('Transpose', 'input.nchw', ['input'], [{ name: 'perm', ints: [0, 3, 1, 2] }]) : 'input']]);
  for (const info of spec.layers) {
    const ins = info.inputs.map((j) => {
      const v = values.get(j);
      if (v === undefined) throw new Error(`layer ${info.index} takes the output of layer ${j}, which does not come before it`);
      return v;
    });
    doc = `line ${info.line + 1}: ${statementText(spec, info)}`;
    values.set(info.index, layerNodes(info, ins));
  }
  for (const t of opts.tensors) if (!used.has(t.name) && !isUnusedBuffer(spec, t.name)) throw new Error(`${t.name} is not a tensor of this model`);
  const last = spec.layers[spec.layers.length - 1];
  // A final softmax, or a multi-label network's final sigmoid (each label's probability), outputs probabilities.
  const probabilities = last?.spec.kind === 'softmax' || (last?.spec.kind === 'sigmoid' && spec.task === 'multilabel');
  const outName = probabilities ? 'probabilities' : 'logits';
  const outShape = last?.output;
  const outDims: (number | string)[] = !outShape ? ['N'] : outShape.kind === 'vector' ? ['N', outShape.n] : ['N', outShape.c, outShape.h, outShape.w];
  // The graph's output: the value of the last layer, renamed where its node makes it and nothing else reads it;
  // else (the input itself, a dropout's input, a value another node also reads) through an Identity node.
  const result = last ? values.get(last.index)! : values.get(-1)!;
  const producer = nodes.find((n) => n.outputs[0] === result);
  if (producer && result !== 'input' && !nodes.some((n) => n.inputs.includes(result))) producer.outputs = [outName];
  else nodes.push({ op: 'Identity', name: 'output', inputs: [result], outputs: [outName], attrs: [], doc: '' });

  const graph = new ProtoWriter();
  for (const n of nodes) graph.message(1, nodeProto(n));
  graph.string(2, spec.name);
  for (const t of initializers) graph.message(5, t);
  graph.string(10, `${spec.name}: inference graph exported by CNN Studio. Input ${layout === 'nhwc' ? `N×${h}×${w}×${c} (N×H×W×C)` : `N×${c}×${h}×${w} (N×C×H×W)`} float32, pixels in [0, 1].`);
  graph.message(11, valueInfo('input', layout === 'nhwc' ? ['N', h, w, c] : ['N', c, h, w]));
  graph.message(12, valueInfo(outName, outDims));

  const model = new ProtoWriter();
  model.int(1, ONNX_IR_VERSION);
  model.string(2, 'CNN Studio');
  model.string(3, opts.producerVersion ?? '0');
  model.message(7, graph);
  model.message(8, new ProtoWriter().string(1, '').int(2, ONNX_OPSET));
  // Names travel as protobuf strings (UTF-8; ProtoWriter.string writes a lone surrogate as U+FFFD) and the
  // classes as JSON, whose \u escapes keep every class name exact.
  const meta: [string, string][] = [
    ['network', spec.name],
    ['classes', JSON.stringify(spec.classes)],
    ['input_layout', layout.toUpperCase()],
    ['source', spec.source],
  ];
  for (const [k, v] of meta) model.message(14, new ProtoWriter().string(1, k).string(2, v));
  return model.finish();
}
