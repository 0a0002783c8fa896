// The model summary: per layer output shape, parameters, multiply-adds, receptive field and activation
// memory, with totals; as plain data, as the CLI's JSON and as a torchinfo-like table.

import type { CheckResult } from './checker';
import type { LayerInfo, Shape, Task } from './model';
import { formatBytes, formatCount, formatOutput, formatShape, shapeArray, shapeSize } from './shape';
import { assertNever } from './assertNever';
import { statementSchema } from './schema';
import { taskPhrase } from './taskText';

export interface SummaryRow {
  layer: LayerInfo;
  /** Bytes of float32 activations this layer outputs for one sample. */
  activationBytes: number | null;
}

export interface Summary {
  name: string | null;
  input: Shape | null;
  rows: SummaryRow[];
  /** Sum over layers whose parameters are known. */
  params: number;
  macs: number;
  /** Input plus every layer's output, float32, one sample (what a forward pass keeps for backward). */
  activationBytes: number;
  /** True when some layer's figures are unknown, so the totals are lower bounds. */
  incomplete: boolean;
}

const BYTES = 4;

export function summarize(result: CheckResult): Summary {
  const input: Shape | null = result.input ? { kind: 'volume', ...result.input } : null;
  let params = 0;
  let macs = 0;
  let activationBytes = input ? shapeSize(input) * BYTES : 0;
  let incomplete = false;
  const rows = result.layers.map((layer) => {
    if (layer.params === null || layer.macs === null || layer.output === null) incomplete = true;
    params += layer.params ?? 0;
    macs += layer.macs ?? 0;
    const bytes = layer.output ? shapeSize(layer.output) * BYTES : null;
    activationBytes += bytes ?? 0;
    return { layer, activationBytes: bytes };
  });
  return { name: result.name, input, rows, params, macs, activationBytes, incomplete };
}

/** A layer's kind as the summary names it: conv, pool, relu, dense… (maxpool and avgpool are pool, fc is dense). */
export function layerKind(layer: LayerInfo): string {
  if (layer.output === null && layer.params === null) {
    // The statement could not be read; fall back to its keyword, spelled as the kind it would have had.
    if (layer.keyword === 'maxpool' || layer.keyword === 'avgpool') return 'pool';
    if (layer.keyword === 'gap') return 'globalpool';
    return statementSchema(layer.keyword)?.keyword ?? layer.keyword;
  }
  return layer.spec.kind;
}

export interface SummaryJson {
  layers: {
    line: number;
    kind: string;
    /** The label that names this layer's output, if any. */
    label?: string;
    /** The 1-based lines whose outputs flow in (the input's line for the first layer): the current flow first, then the names of add/concat. */
    inputs: number[];
    output: number[];
    params: number | null;
    macs: number | null;
    receptiveField: number | [number, number] | null;
  }[];
  params: number;
  macs: number;
  /** `multilabel` when the network ends in dense units=L and sigmoid, else `single`. */
  task: Task;
}

/** The 1-based lines whose outputs flow into a layer (a layer's inputs by line; the input statement's line for -1). */
export function inputLines(result: CheckResult, layer: LayerInfo): number[] {
  return layer.inputs.map((i) => (i < 0 ? (result.inputLine ?? 0) + 1 : result.layers[i]!.line + 1));
}

/** The CLI's `summary --json`: one entry for every layer whose output shape can be computed. */
export function summaryJson(result: CheckResult): SummaryJson {
  const s = summarize(result);
  return {
    layers: s.rows
      .filter((r) => r.layer.output !== null)
      .map(({ layer }) => ({
        line: layer.line + 1,
        kind: layerKind(layer),
        ...(layer.label ? { label: layer.label } : {}),
        inputs: inputLines(result, layer),
        output: shapeArray(layer.output!),
        params: layer.params,
        macs: layer.macs,
        receptiveField: formatRf(layer.receptiveField),
      })),
    params: s.params,
    macs: s.macs,
    task: result.task,
  };
}

/** A square receptive field is one number; a rectangular one is [height, width]. */
function formatRf(rf: [number, number] | null): number | [number, number] | null {
  if (!rf) return null;
  return rf[0] === rf[1] ? rf[0] : rf;
}

/**
 * A layer in one short phrase, in the lecture's words: `conv 6 filters 5×5, stride 2`, `max pool 2×2`,
 * `dense 10 units (flattens)`.
 */
export function describeLayer(layer: LayerInfo): string {
  const s = layer.spec;
  const dims = (a: number, b: number) => `${a}×${b}`;
  const one = (a: number, b: number) => (a === b ? `${a}` : `${a}×${b}`);
  const extras = (parts: (string | false)[]) => parts.filter(Boolean).map((p) => `, ${p}`).join('');
  // A statement that could not be read keeps a placeholder spec (relu): name it by its keyword.
  if (s.kind === 'relu' && layer.keyword !== 'relu') return layerKind(layer);
  switch (s.kind) {
    case 'conv':
      return `conv ${s.filters} filter${s.filters === 1 ? '' : 's'} ${dims(s.fh, s.fw)}${extras([
        (s.sh !== 1 || s.sw !== 1) && `stride ${one(s.sh, s.sw)}`,
        (s.ph > 0 || s.pw > 0) && `pad ${one(s.ph, s.pw)}`,
        (s.dh !== 1 || s.dw !== 1) && `dilation ${one(s.dh, s.dw)}`,
        s.groups !== 1 && `${s.groups} groups`,
        s.activation !== 'none' && s.activation,
      ])}`;
    case 'deconv':
      return `deconv ${s.filters} filter${s.filters === 1 ? '' : 's'} ${dims(s.fh, s.fw)}${extras([
        (s.sh !== 1 || s.sw !== 1) && `stride ${one(s.sh, s.sw)}`,
        (s.ph > 0 || s.pw > 0) && `pad ${one(s.ph, s.pw)}`,
        (s.oph > 0 || s.opw > 0) && `outpad ${one(s.oph, s.opw)}`,
        s.activation !== 'none' && s.activation,
      ])}`;
    case 'globalpool':
      return `global ${s.mode} pool`;
    case 'batchnorm':
      return 'batch norm';
    case 'upsample':
      return `upsample ×${s.scale}${s.mode === 'bilinear' ? ' bilinear' : ''}`;
    case 'add':
    case 'concat':
      return `${s.kind} of ${layer.inputs.length}`;
    case 'pool':
      return `${s.mode} pool ${dims(s.fh, s.fw)}${extras([(s.sh !== s.fh || s.sw !== s.fw) && `stride ${one(s.sh, s.sw)}`, (s.ph > 0 || s.pw > 0) && `pad ${one(s.ph, s.pw)}`])}`;
    case 'dense':
      return `dense ${s.units} unit${s.units === 1 ? '' : 's'}${layer.implicitFlatten ? ' (flattens)' : ''}${extras([s.activation !== 'none' && s.activation])}`;
    case 'dropout':
      return `dropout ${s.rate}`;
    case 'leakyrelu':
      return `leakyrelu ${s.slope}`;
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


/** A torchinfo-like table with totals. */
export function summaryTable(result: CheckResult): string {
  const s = summarize(result);
  // `In` names the lines a layer reads when that is not simply the row above: a branch (`from`) or a merge.
  const header = ['Layer', 'Line', 'In', 'Output shape', 'Params', 'MACs', 'RF'];
  const rows: string[][] = [];
  const inputLabel = result.labels.find((l) => l.layer === -1)?.name;
  if (s.input) rows.push([`input${inputLabel ? ` (${inputLabel})` : ''}`, String((result.inputLine ?? 0) + 1), '', formatShape(s.input), '–', '–', '1']);
  // A multi-label network's sigmoid says so: `sigmoid (multi-label, 14 labels)`.
  const multi = result.task === 'multilabel' ? taskPhrase(result.task, result.layers) : null;
  const lastIndex = result.layers.length - 1;
  for (const { layer } of s.rows) {
    const chain = layer.inputs.length === 1 && layer.inputs[0] === layer.index - 1;
    const task = multi && layer.index === lastIndex ? ` (${multi})` : '';
    rows.push([
      `${layer.index}: ${layer.label ? `${layer.label}: ` : ''}${describeLayer(layer)}${task}${layer.hasError ? ' (!)' : ''}`,
      String(layer.line + 1),
      chain ? '' : `← ${inputLines(result, layer).join(', ') || '?'}`,
      formatOutput(layer),
      layer.params === null ? '?' : formatCount(layer.params),
      layer.macs === null ? '?' : formatCount(layer.macs),
      layer.receptiveField ? (layer.receptiveField[0] === layer.receptiveField[1] ? String(layer.receptiveField[0]) : `${layer.receptiveField[0]}×${layer.receptiveField[1]}`) : '?',
    ]);
  }
  // Loops, not Math.max(...rows): a file may have a million layers.
  const widths = header.map((h, i) => rows.reduce((m, r) => Math.max(m, r[i]!.length), h.length));
  const right = [false, true, false, false, true, true, true];
  const fmt = (r: string[]) => r.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('   ').trimEnd();
  const total = widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1);
  const rule = '═'.repeat(total);
  const thin = '─'.repeat(total);
  const lines = [rule, `Network: ${s.name ?? '(unnamed)'}`, thin, fmt(header), thin, ...rows.map(fmt), rule];
  const lb = s.incomplete ? ' (at least: some layers are unknown)' : '';
  lines.push(`Total params: ${formatCount(s.params)}${lb}`);
  lines.push(`Total MACs: ${formatCount(s.macs)} per sample (multiply-adds of weights)${lb}`);
  lines.push(`Params size: ${formatBytes(s.params * BYTES)} (float32)`);
  lines.push(`Activation memory: ${formatBytes(s.activationBytes)} per sample (forward, float32)`);
  lines.push(rule);
  return lines.join('\n');
}
