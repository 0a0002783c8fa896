// model.py: the network as an nn.Module whose state_dict has exactly CNN Studio's checkpoint names and layouts.
// The Python is templates/model.py; the export writes only its SPEC constant (the network as JSON).

import type { LayerInfo, ModelSpec, Shape } from '../../language/model';
import { pyTemplate } from './pyTemplate';
import { fillTemplate } from './constants';
import { assertNever } from '../../language/assertNever';
import { statementText } from '../statement';

/**
 * True when CNN Studio's engine starts this layer's weights with He (kaiming) uniform rather than Glorot: its
 * fused activation is relu, or it feeds a relu or leakyrelu, directly or through a batchnorm.
 */
export function initIsHe(spec: ModelSpec, i: number): boolean {
  const s = spec.layers[i]!.spec;
  if ((s.kind === 'conv' || s.kind === 'deconv' || s.kind === 'dense') && s.activation === 'relu') return true;
  const consumers = (j: number) => spec.layers.filter((l) => l.inputs.includes(j));
  const isRelu = (l: LayerInfo) => l.spec.kind === 'relu' || l.spec.kind === 'leakyrelu';
  return consumers(i).some((l) => isRelu(l) || (l.spec.kind === 'batchnorm' && consumers(l.index).some(isRelu)));
}

/** A shape as PyTorch holds it (without the batch): C, H, W for a volume, N for a vector. */
function torchShape(s: Shape | null): number[] | null {
  if (!s) return null;
  return s.kind === 'volume' ? [s.c, s.h, s.w] : [s.n];
}

/** Channels of a volume, features of a vector: what batchnorm normalises and concat joins. */
function features(s: Shape | null): number {
  return !s ? 0 : s.kind === 'volume' ? s.c : s.n;
}

/** The settings model.py's make_module reads for one layer statement. */
function layerSettings(info: LayerInfo): Record<string, unknown> {
  const s = info.spec;
  const inp = info.input;
  switch (s.kind) {
    case 'conv':
      return { channels: features(inp), filters: s.filters, size: [s.fh, s.fw], stride: [s.sh, s.sw], pad: [s.ph, s.pw], dilation: [s.dh, s.dw], groups: s.groups, activation: s.activation };
    case 'deconv':
      return { channels: features(inp), filters: s.filters, size: [s.fh, s.fw], stride: [s.sh, s.sw], pad: [s.ph, s.pw], outpad: [s.oph, s.opw], activation: s.activation };
    case 'pool':
      return { mode: s.mode, size: [s.fh, s.fw], stride: [s.sh, s.sw], pad: [s.ph, s.pw] };
    case 'globalpool':
      return { mode: s.mode };
    case 'batchnorm':
      return { features: features(inp), volume: inp?.kind === 'volume', momentum: s.momentum, eps: s.eps };
    case 'upsample':
      return { scale: s.scale, mode: s.mode };
    case 'leakyrelu':
      return { slope: s.slope };
    case 'dropout':
      return { rate: s.rate };
    case 'dense':
      return { in_features: !inp ? 0 : inp.kind === 'volume' ? inp.h * inp.w * inp.c : inp.n, units: s.units, activation: s.activation };
    case 'add':
    case 'concat':
    case 'relu':
    case 'sigmoid':
    case 'tanh':
    case 'flatten':
    case 'softmax':
      return {};
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
    task: spec.task ?? 'single',
    layers: spec.layers.map((info) => ({
      kind: info.spec.kind,
      line: info.line,
      label: info.label,
      inputs: info.inputs,
      statement: statementText(spec, info),
      in: torchShape(info.input),
      out: torchShape(info.output),
      flatten_first: info.spec.kind === 'dense' && info.implicitFlatten,
      he: (info.spec.kind === 'conv' || info.spec.kind === 'deconv' || info.spec.kind === 'dense') && initIsHe(spec, info.index),
      ...layerSettings(info),
    })),
  };
}

export function modelPy(spec: ModelSpec, fileName: string): string {
  return fillTemplate(pyTemplate('model.py'), 'SPEC', modelConstants(spec, fileName));
}
