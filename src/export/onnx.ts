// The inference graph as an ONNX model (opset 13, IR version 7), written with our own protobuf encoder.
//
// Input "input": float32, N×H×W×C by default (CNN Studio's layout: what `cnn predict` and the data layer use),
// turned into N×C×H×W by a Transpose node; `layout: 'nchw'` takes N×C×H×W directly (PyTorch's layout) instead.
// Output: "probabilities" (N×classes) when the file ends in softmax, else "logits". Dropout is left out
// (inference). Initializers carry the checkpoint names (layers.{i}.weight / .bias) in PyTorch's layouts, which
// are ONNX's too (Conv W is K×C×FH×FW; Gemm with transB=1 takes the dense weight [units, inputs] as it is).
// Field numbers: onnx/onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto).

import type { ModelSpec } from '../language/model';
import { ProtoWriter } from './protobuf';

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
const INT64 = 7;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

type Attr = { name: string; f: number } | { name: string; i: number } | { name: string; ints: number[] };

interface Node {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Attr[];
}

function attrProto(a: Attr): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  if ('f' in a) w.float(2, a.f).int(20, ATTR_FLOAT);
  else if ('i' in a) w.int(3, a.i).int(20, ATTR_INT);
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

function int64Tensor(name: string, shape: number[], data: number[]): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of shape) w.int(1, d);
  w.int(2, INT64).string(8, name);
  const raw = new Uint8Array(data.length * 8);
  const dv = new DataView(raw.buffer);
  data.forEach((v, i) => dv.setBigInt64(i * 8, BigInt(v), true));
  return w.bytes(9, raw);
}

/** ValueInfoProto of a float tensor; a string dimension is symbolic (dim_param). */
function valueInfo(name: string, dims: (number | string)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, typeof d === 'string' ? new ProtoWriter().string(2, d) : new ProtoWriter().int(1, d));
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

/** The ONNX model bytes for a checked model and its weights. Throws when a tensor is missing or misshapen. */
export function onnxModel(spec: ModelSpec, opts: OnnxOptions): Uint8Array {
  const layout = opts.layout ?? 'nhwc';
  const byName = new Map(opts.tensors.map((t) => [t.name, t]));
  const nodes: Node[] = [];
  const initializers: ProtoWriter[] = [];
  const used = new Set<string>();
  const { h, w, c } = spec.input;
  let cur = 'input';
  let vol = true;
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
  const add = (op: string, name: string, inputs: string[], attrs: Attr[] = []): string => {
    const out = name;
    nodes.push({ op, name, inputs, outputs: [out], attrs });
    cur = out;
    return out;
  };
  const act = (a: string, base: string) => {
    if (a === 'relu') add('Relu', `${base}.relu`, [cur]);
    else if (a === 'sigmoid') add('Sigmoid', `${base}.sigmoid`, [cur]);
    else if (a === 'tanh') add('Tanh', `${base}.tanh`, [cur]);
  };

  if (layout === 'nhwc') add('Transpose', 'input.nchw', [cur], [{ name: 'perm', ints: [0, 3, 1, 2] }]);
  let ch = c;
  for (const info of spec.layers) {
    const s = info.spec;
    const base = `layers.${info.index}`;
    const inp = info.input;
    switch (s.kind) {
      case 'conv':
        add('Conv', `${base}.conv`, [cur, param(`${base}.weight`, [s.filters, ch, s.fh, s.fw]), param(`${base}.bias`, [s.filters])], [
          { name: 'kernel_shape', ints: [s.fh, s.fw] },
          { name: 'strides', ints: [s.sh, s.sw] },
          { name: 'pads', ints: [s.ph, s.pw, s.ph, s.pw] },
          { name: 'dilations', ints: [1, 1] },
          { name: 'group', i: 1 },
        ]);
        ch = s.filters;
        act(s.activation, base);
        break;
      case 'pool': {
        const attrs: Attr[] = [
          { name: 'kernel_shape', ints: [s.fh, s.fw] },
          { name: 'strides', ints: [s.sh, s.sw] },
          { name: 'pads', ints: [s.ph, s.pw, s.ph, s.pw] },
        ];
        const wide = s.ph >= s.fh || s.pw >= s.fw;
        if (s.mode === 'max') {
          if (wide) {
            // ONNX runtimes want pooling pads smaller than the window: pad explicitly with -inf (as PyTorch pads).
            const padsName = `${base}.pads`;
            const valueName = `${base}.pad_value`;
            initializers.push(int64Tensor(padsName, [8], [0, 0, s.ph, s.pw, 0, 0, s.ph, s.pw]));
            initializers.push(floatTensor(valueName, [], Float32Array.of(-Infinity)));
            add('Pad', `${base}.pad`, [cur, padsName, valueName], []);
            attrs[2] = { name: 'pads', ints: [0, 0, 0, 0] };
          }
          add('MaxPool', `${base}.maxpool`, [cur], attrs);
        } else if (wide) {
          // Padding as wide as the window: a depthwise Conv with every weight 1/(FH·FW) (the padded zeros count,
          // as count_include_pad=1 does). Not Pad + AveragePool: onnxruntime fuses a zero Pad back into the
          // pool's pads and then refuses them.
          const weightName = `${base}.average`;
          initializers.push(floatTensor(weightName, [ch, 1, s.fh, s.fw], new Float32Array(ch * s.fh * s.fw).fill(1 / (s.fh * s.fw))));
          add('Conv', `${base}.avgpool`, [cur, weightName], [...attrs, { name: 'dilations', ints: [1, 1] }, { name: 'group', i: ch }]);
        } else {
          add('AveragePool', `${base}.avgpool`, [cur], [...attrs, { name: 'count_include_pad', i: 1 }]);
        }
        break;
      }
      case 'relu':
      case 'sigmoid':
      case 'tanh':
        act(s.kind, base);
        break;
      case 'leakyrelu':
        add('LeakyRelu', `${base}.leakyrelu`, [cur], [{ name: 'alpha', f: s.slope }]);
        break;
      case 'dropout':
        break; // identity at inference
      case 'flatten':
        if (vol) add('Flatten', `${base}.flatten`, [cur], [{ name: 'axis', i: 1 }]);
        vol = false;
        break;
      case 'dense': {
        if (vol) add('Flatten', `${base}.flatten`, [cur], [{ name: 'axis', i: 1 }]);
        vol = false;
        const n = !inp ? 0 : inp.kind === 'volume' ? inp.h * inp.w * inp.c : inp.n;
        add('Gemm', `${base}.gemm`, [cur, param(`${base}.weight`, [s.units, n]), param(`${base}.bias`, [s.units])], [
          { name: 'alpha', f: 1 },
          { name: 'beta', f: 1 },
          { name: 'transB', i: 1 },
        ]);
        act(s.activation, base);
        break;
      }
      case 'softmax':
        add('Softmax', `${base}.softmax`, [cur], [{ name: 'axis', i: 1 }]);
        break;
    }
  }
  for (const t of opts.tensors) if (!used.has(t.name)) throw new Error(`${t.name} is not a tensor of this model`);
  const last = spec.layers[spec.layers.length - 1];
  const outName = last?.spec.kind === 'softmax' ? 'probabilities' : 'logits';
  const outShape = last?.output;
  const outDims: (number | string)[] = !outShape ? ['N'] : outShape.kind === 'vector' ? ['N', outShape.n] : ['N', outShape.c, outShape.h, outShape.w];
  // Rename the last node's output to the graph's output name (Identity when the graph is only the input).
  if (nodes.length === 0 || cur === 'input') add('Identity', 'output', [cur]);
  nodes[nodes.length - 1]!.outputs = [outName];

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
