// model.py: the network as an nn.Module whose state_dict has exactly CNN Studio's checkpoint names and layouts.
// The Python is templates/model.py; the export writes only its SPEC constant (the network as JSON).

import type { LayerInfo, ModelSpec, Shape } from '../../language/model';
import MODEL_PY from './templates/model.py';
import { fillTemplate } from './constants';
import { assertNever } from '../../language/assertNever';

/** The statement as written in the .cnn file (comments and extra spaces removed), else its keyword. */
export function statementText(spec: ModelSpec, info: LayerInfo): string {
  const raw = info.length > 0 ? spec.source.slice(info.offset, info.offset + info.length) : '';
  const text = raw.replace(/#.*$/s, '').replace(/\s+/g, ' ').trim();
  return text || describeLayer(info);
}

function describeLayer(info: LayerInfo): string {
  const s = info.spec;
  switch (s.kind) {
    case 'conv':
      return `conv filters=${s.filters} size=${s.fh}x${s.fw} stride=${s.sh}x${s.sw} pad=${s.ph}x${s.pw}${s.activation !== 'none' ? ` activation=${s.activation}` : ''}`;
    case 'pool':
      return `pool ${s.mode} size=${s.fh}x${s.fw} stride=${s.sh}x${s.sw} pad=${s.ph}x${s.pw}`;
    case 'leakyrelu':
      return `leakyrelu slope=${s.slope}`;
    case 'dropout':
      return `dropout rate=${s.rate}`;
    case 'dense':
      return `dense units=${s.units}${s.activation !== 'none' ? ` activation=${s.activation}` : ''}`;
    default:
      return s.kind;
  }
}

/** True when CNN Studio's engine starts this layer's weights with He (kaiming) uniform rather than Glorot. */
export function initIsHe(spec: ModelSpec, i: number): boolean {
  const s = spec.layers[i]!.spec;
  const next = spec.layers[i + 1]?.spec.kind;
  return ((s.kind === 'conv' || s.kind === 'dense') && s.activation === 'relu') || next === 'relu' || next === 'leakyrelu';
}

/** A shape as PyTorch holds it (without the batch): C, H, W for a volume, N for a vector. */
function torchShape(s: Shape | null): number[] | null {
  if (!s) return null;
  return s.kind === 'volume' ? [s.c, s.h, s.w] : [s.n];
}

/** The settings model.py's make_module reads for one layer statement. */
function layerSettings(info: LayerInfo): Record<string, unknown> {
  const s = info.spec;
  const inp = info.input;
  switch (s.kind) {
    case 'conv':
      return { channels: inp?.kind === 'volume' ? inp.c : 0, filters: s.filters, size: [s.fh, s.fw], stride: [s.sh, s.sw], pad: [s.ph, s.pw], activation: s.activation };
    case 'pool':
      return { mode: s.mode, size: [s.fh, s.fw], stride: [s.sh, s.sw], pad: [s.ph, s.pw] };
    case 'leakyrelu':
      return { slope: s.slope };
    case 'dropout':
      return { rate: s.rate };
    case 'dense':
      return { inputs: !inp ? 0 : inp.kind === 'volume' ? inp.h * inp.w * inp.c : inp.n, units: s.units, activation: s.activation };
    case 'relu':
    case 'sigmoid':
    case 'tanh':
    case 'flatten':
    case 'softmax':
      return {};
    case 'globalpool':
    case 'batchnorm':
    case 'deconv':
    case 'upsample':
    case 'add':
    case 'concat':
      throw new Error(`export of ${s.kind} is not written yet`); // TODO(issue 8): the export helper replaces this
    default:
      return assertNever(s);
  }
}


/** model.py's SPEC: everything about the network that the module needs, as plain JSON. */
export function modelConstants(spec: ModelSpec, fileName: string): Record<string, unknown> {
  const { h, w, c } = spec.input;
  return {
    name: spec.name,
    file: fileName,
    input: [c, h, w],
    classes: spec.classes,
    layers: spec.layers.map((info) => ({
      kind: info.spec.kind,
      line: info.line,
      statement: statementText(spec, info),
      in: torchShape(info.input),
      out: torchShape(info.output),
      flatten_first: info.spec.kind === 'dense' && info.implicitFlatten,
      he: (info.spec.kind === 'conv' || info.spec.kind === 'dense') && initIsHe(spec, info.index),
      ...layerSettings(info),
    })),
  };
}

export function modelPy(spec: ModelSpec, fileName: string): string {
  return fillTemplate(MODEL_PY, 'SPEC', modelConstants(spec, fileName));
}
