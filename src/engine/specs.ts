// Building ModelSpec objects by hand, without the language checker: for tests, benchmarks and tools. Chains
// and graphs (labels, `from`, `add`, `concat`), with shapes from the engine's layer table (the same rules
// as the checker: floor((n + 2p − f) / s) + 1; dense after a volume flattens).

import type { LayerInfo, LayerSpec, ModelSpec, Shape, TrainSpec } from '../language/model';
import { TRAIN_DEFAULTS } from '../language/model';
import { layerOps } from './layers';
import { volume, type Dims } from './layers/types';

type Conv = Extract<LayerSpec, { kind: 'conv' }>;
type Pool = Extract<LayerSpec, { kind: 'pool' }>;

/** conv K F×F (or [fh, fw]) with stride, padding and a fused activation. */
export function conv(filters: number, f: number | [number, number], opts: { s?: number | [number, number]; p?: number | [number, number]; activation?: Conv['activation'] } = {}): Conv {
  const [fh, fw] = typeof f === 'number' ? [f, f] : f;
  const [sh, sw] = typeof opts.s === 'number' ? [opts.s, opts.s] : (opts.s ?? [1, 1]);
  const [ph, pw] = typeof opts.p === 'number' ? [opts.p, opts.p] : (opts.p ?? [0, 0]);
  return { kind: 'conv', filters, fh, fw, sh, sw, ph, pw, dh: 1, dw: 1, groups: 1, activation: opts.activation ?? 'none' };
}

export function pool(mode: 'max' | 'avg', f: number | [number, number], opts: { s?: number | [number, number]; p?: number | [number, number] } = {}): Pool {
  const [fh, fw] = typeof f === 'number' ? [f, f] : f;
  const [sh, sw] = typeof opts.s === 'number' ? [opts.s, opts.s] : (opts.s ?? [fh, fw]);
  const [ph, pw] = typeof opts.p === 'number' ? [opts.p, opts.p] : (opts.p ?? [0, 0]);
  return { kind: 'pool', mode, fh, fw, sh, sw, ph, pw };
}

export function dense(units: number, activation: Conv['activation'] = 'none'): LayerSpec {
  return { kind: 'dense', units, activation };
}

/** `label: layer`: a layer statement whose output gets a name. */
export interface Labelled {
  label: string;
  layer: LayerSpec;
}

/** `from label`: the next layer reads that output (not a layer: no index). */
export interface From {
  from: string;
}

/** `add a b…` / `concat a b…`: the current flow and the named outputs (a merge is a layer with an index). */
export interface Merge {
  merge: 'add' | 'concat';
  names: string[];
  label?: string;
}

/** One line of a hand-built network: a layer, a labelled layer, a `from`, or a merge. */
export type GraphStep = LayerSpec | Labelled | From | Merge;

export const labelled = (label: string, layer: LayerSpec): Labelled => ({ label, layer });
export const from = (label: string): From => ({ from: label });
export const add = (...names: string[]): Merge => ({ merge: 'add', names });
export const concat = (...names: string[]): Merge => ({ merge: 'concat', names });
export const batchnorm = (momentum = 0.1, eps = 1e-5): LayerSpec => ({ kind: 'batchnorm', momentum, eps });
export const globalpool = (mode: 'max' | 'avg'): LayerSpec => ({ kind: 'globalpool', mode });

const shapeOf = (d: Dims): Shape => (d.vol ? { kind: 'volume', h: d.h, w: d.w, c: d.c } : { kind: 'vector', n: d.size });

/**
 * A ModelSpec whose LayerInfo inputs, shapes, params and MACs are worked out here, by the engine's layer
 * table. Steps as in a `.cnn` file: layers in order, optionally labelled; `from` starts a branch at a
 * label; `add`/`concat` merge the current flow with named outputs. The label `input` names the input.
 */
export function modelSpec(
  name: string,
  input: { h: number; w: number; c: number },
  steps: GraphStep[],
  train: Partial<TrainSpec> = {},
): ModelSpec {
  const dims: Dims[] = [];
  const inputDims = volume(input.c, input.h, input.w);
  const labels = new Map<string, number>([['input', -1]]);
  const find = (label: string): number => {
    const i = labels.get(label);
    if (i === undefined) throw new Error(`unknown label ${label}`);
    return i;
  };
  let flow = -1;
  const infos: LayerInfo[] = [];
  for (const step of steps) {
    if ('from' in step) {
      flow = find(step.from);
      continue;
    }
    const index = infos.length;
    let spec: LayerSpec;
    let inputs: number[];
    let label: string | null = null;
    if ('merge' in step) {
      spec = { kind: step.merge };
      inputs = [flow, ...step.names.map(find)];
      label = step.label ?? null;
    } else if ('layer' in step) {
      spec = step.layer;
      inputs = [flow];
      label = step.label;
    } else {
      spec = step;
      inputs = [flow];
    }
    const inDims = inputs.map((i) => (i < 0 ? inputDims : dims[i]!));
    const ops = layerOps(spec);
    const first = inDims[0]!;
    // A layer the engine cannot run keeps output null (as the checker leaves an unknown shape), so that
    // createNetwork is what says why; the flow carries on with its input's shape.
    let out: Dims | null = null;
    try {
      out = ops.output(spec, inDims);
    } catch {
      out = null;
    }
    const params = out ? ops.params(spec, inDims, out).reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0) : null;
    const macs = !out ? null : spec.kind === 'conv' ? out.size * (first.c / spec.groups) * spec.fh * spec.fw : spec.kind === 'dense' ? spec.units * first.size : 0;
    dims.push(out ?? first);
    if (label) labels.set(label, index);
    infos.push({
      index,
      inputs,
      label,
      line: index + 1,
      keyword: spec.kind,
      offset: 0,
      length: 0,
      spec,
      input: shapeOf(first),
      output: out ? shapeOf(out) : null,
      implicitFlatten: spec.kind === 'dense' && first.vol,
      params,
      macs,
      receptiveField: null,
      hasError: false,
    });
    flow = index;
  }
  const last = [...infos].reverse().find((l) => l.output?.kind === 'vector');
  const n = last?.output?.kind === 'vector' ? last.output.n : 0;
  return {
    name,
    input,
    classes: Array.from({ length: n }, (_, i) => String(i)),
    task: infos.at(-1)?.spec.kind === 'sigmoid' ? 'multilabel' : 'single',
    augment: null,
    layers: infos,
    data: null,
    train: { ...TRAIN_DEFAULTS, ...train },
    source: `# ${name}\n`,
  };
}

const relu: LayerSpec = { kind: 'relu' };

/**
 * A ResNet-style network on 32×32×3: a stem, a residual stage with an identity shortcut and one that halves
 * the size with a 1×1 projection shortcut (the language spec's ResBlock, extended), batch norm after every
 * conv, global average pooling and a dense layer for 10 classes.
 */
export function resnetSpec(): ModelSpec {
  return modelSpec('ResNet', { h: 32, w: 32, c: 3 }, [
    conv(16, 3, { p: 1 }), batchnorm(), labelled('stem', relu),
    conv(16, 3, { p: 1 }), batchnorm(), relu,
    conv(16, 3, { p: 1 }), batchnorm(), add('stem'), labelled('s1', relu),
    conv(32, 3, { s: 2, p: 1 }), batchnorm(), relu,
    conv(32, 3, { p: 1 }), labelled('main', batchnorm()),
    from('s1'), conv(32, 1, { s: 2 }), batchnorm(), add('main'), relu,
    globalpool('avg'), dense(10),
  ]);
}

/** The networks the engine is measured on (engine-speed.md; resnet: a graph with batch norm). */
export const BENCH_MODELS: Record<'lenet5' | 'lecture' | 'tinyvgg' | 'resnet', () => ModelSpec> = {
  lenet5: () =>
    modelSpec('LeNet-5', { h: 28, w: 28, c: 1 }, [
      conv(6, 5, { p: 2 }), { kind: 'relu' }, pool('max', 2),
      conv(16, 5), { kind: 'relu' }, pool('max', 2),
      dense(120), { kind: 'relu' }, dense(84), { kind: 'relu' }, dense(10),
    ]),
  lecture: () =>
    modelSpec('lecture', { h: 32, w: 32, c: 3 }, [
      conv(16, 3, { p: 1 }), { kind: 'relu' }, pool('max', 2),
      conv(32, 3, { p: 1 }), { kind: 'relu' }, pool('max', 2),
      dense(3),
    ]),
  tinyvgg: () =>
    modelSpec('TinyVGG', { h: 64, w: 64, c: 3 }, [
      conv(10, 3), { kind: 'relu' }, conv(10, 3), { kind: 'relu' }, pool('max', 2),
      conv(10, 3), { kind: 'relu' }, conv(10, 3), { kind: 'relu' }, pool('max', 2),
      dense(3),
    ]),
  resnet: resnetSpec,
};
