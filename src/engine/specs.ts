// Building ModelSpec objects by hand, without the language checker: for tests, benchmarks and tools. The
// shapes follow the same rules as the checker (floor((n + 2p - f) / s) + 1; dense after a volume flattens).

import type { LayerInfo, LayerSpec, ModelSpec, Shape, TrainSpec } from '../language/model';
import { TRAIN_DEFAULTS } from '../language/model';
import { outSize } from './kernels';

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

/** A ModelSpec whose LayerInfo shapes, params and MACs are worked out here. */
export function modelSpec(
  name: string,
  input: { h: number; w: number; c: number },
  layers: LayerSpec[],
  train: Partial<TrainSpec> = {},
): ModelSpec {
  let shape: Shape = { kind: 'volume', ...input };
  const infos: LayerInfo[] = layers.map((spec, index) => {
    const inShape = shape;
    let out: Shape = inShape;
    let params = 0;
    let macs = 0;
    const size = inShape.kind === 'volume' ? inShape.h * inShape.w * inShape.c : inShape.n;
    switch (spec.kind) {
      case 'conv': {
        if (inShape.kind !== 'volume') throw new Error(`layer ${index}: conv needs a volume`);
        const h = outSize(inShape.h, spec.fh, spec.sh, spec.ph);
        const w = outSize(inShape.w, spec.fw, spec.sw, spec.pw);
        out = { kind: 'volume', h, w, c: spec.filters };
        params = spec.filters * inShape.c * spec.fh * spec.fw + spec.filters;
        macs = h * w * spec.filters * inShape.c * spec.fh * spec.fw;
        break;
      }
      case 'pool': {
        if (inShape.kind !== 'volume') throw new Error(`layer ${index}: pool needs a volume`);
        out = { kind: 'volume', h: outSize(inShape.h, spec.fh, spec.sh, spec.ph), w: outSize(inShape.w, spec.fw, spec.sw, spec.pw), c: inShape.c };
        break;
      }
      case 'dense':
        out = { kind: 'vector', n: spec.units };
        params = spec.units * size + spec.units;
        macs = spec.units * size;
        break;
      case 'flatten':
        out = { kind: 'vector', n: size };
        break;
      default:
        break;
    }
    shape = out;
    return {
      index,
      inputs: [index - 1],
      label: null,
      line: index + 1,
      keyword: spec.kind,
      offset: 0,
      length: 0,
      spec,
      input: inShape,
      output: out,
      implicitFlatten: spec.kind === 'dense' && inShape.kind === 'volume',
      params,
      macs,
      receptiveField: null,
      hasError: false,
    };
  });
  const last = [...infos].reverse().find((l) => l.output?.kind === 'vector');
  const n = last?.output?.kind === 'vector' ? last.output.n : 0;
  return {
    name,
    input,
    classes: Array.from({ length: n }, (_, i) => String(i)),
    layers: infos,
    data: null,
    train: { ...TRAIN_DEFAULTS, ...train },
    source: `# ${name}\n`,
  };
}

/** The three networks the engine is measured on (engine-speed.md). */
export const BENCH_MODELS: Record<'lenet5' | 'lecture' | 'tinyvgg', () => ModelSpec> = {
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
};
