// A layer statement as the exports show it to a reader: model.py's SPEC and describe(), the ONNX graph's node
// documentation.

import { assertNever } from '../language/assertNever';
import type { Activation, LayerInfo, ModelSpec } from '../language/model';

/** The statement as written in the .cnn file (comments and extra spaces removed), else its keyword. */
export function statementText(spec: ModelSpec, info: LayerInfo): string {
  const raw = info.length > 0 ? spec.source.slice(info.offset, info.offset + info.length) : '';
  const text = raw.replace(/#.*$/s, '').replace(/\s+/g, ' ').trim();
  return text || describeLayer(info);
}

function describeLayer(info: LayerInfo): string {
  const s = info.spec;
  const act = (a: Activation) => (a !== 'none' ? ` activation=${a}` : '');
  switch (s.kind) {
    case 'conv':
      return `conv filters=${s.filters} size=${s.fh}x${s.fw} stride=${s.sh}x${s.sw} pad=${s.ph}x${s.pw}${s.dh !== 1 || s.dw !== 1 ? ` dilation=${s.dh}x${s.dw}` : ''}${s.groups !== 1 ? ` groups=${s.groups}` : ''}${act(s.activation)}`;
    case 'pool':
      return `pool ${s.mode} size=${s.fh}x${s.fw} stride=${s.sh}x${s.sw} pad=${s.ph}x${s.pw}`;
    case 'globalpool':
      return `pool ${s.mode} global`;
    case 'batchnorm':
      return `batchnorm momentum=${s.momentum} eps=${s.eps}`;
    case 'deconv':
      return `deconv filters=${s.filters} size=${s.fh}x${s.fw} stride=${s.sh}x${s.sw} pad=${s.ph}x${s.pw} outpad=${s.oph}x${s.opw}${act(s.activation)}`;
    case 'upsample':
      return `upsample scale=${s.scale} ${s.mode}`;
    case 'leakyrelu':
      return `leakyrelu slope=${s.slope}`;
    case 'dropout':
      return `dropout rate=${s.rate}`;
    case 'dense':
      return `dense units=${s.units}${act(s.activation)}`;
    case 'add':
    case 'concat':
    case 'relu':
    case 'sigmoid':
    case 'tanh':
    case 'flatten':
    case 'softmax':
      return s.kind;
    default:
      return assertNever(s);
  }
}
