// Words and worked arithmetic about a layer, what flows into it and what a label names: shared by hover, inlay
// hints and symbols.

import {
  type CheckResult,
  formatCompact,
  formatCount,
  formatOutput,
  formatShape,
  type LayerInfo,
  layerArithmetic,
  applyRule,
  taskPhrase,
} from '../language';
import { type LabelHit, referencesByLine, type Source, sourceOf, usesOf } from './labels';

export function layerAtLine(result: CheckResult, line: number): LayerInfo | undefined {
  return result.layers.find((l) => l.line === line);
}

/** The inlay hint after a layer: its output (`→ 14×14×6`, the fraction `→ 14.5×14.5×6` after E020, `→ ?`). */
export function shapeHint(layer: LayerInfo, withParams: boolean): { label: string; tooltip: string } {
  let label = `→ ${formatOutput(layer)}`;
  if (withParams && layer.params !== null && layer.params > 0) label += ` · ${formatCompact(layer.params)} params`;
  let tooltip: string;
  if (layer.fractional) tooltip = `Layer ${layer.index} (${layer.keyword}): the shape rule gives ${formatOutput(layer)}, not whole numbers, so the layer has no output size (E020) and the shapes below are unknown.`;
  else if (!layer.output) tooltip = `Layer ${layer.index} (${layer.keyword}): the output shape is unknown until the error above or on this line is fixed.`;
  else {
    const params = layer.params !== null ? `: ${layer.params.toLocaleString('en-US')} parameters` : '';
    const flat = layer.implicitFlatten && layer.input ? `; it flattens the ${formatShape(layer.input)} volume into ${formatCount(inputCount(layer.input))} inputs` : '';
    tooltip = `Output shape of layer ${layer.index} (${layer.keyword})${params}${flat}`;
  }
  return { label, tooltip };
}

/** The worked size rule per side of the layers that grow a volume (deconv, upsample); empty for the others. */
function growthArithmetic(s: LayerInfo['spec'], input: { h: number; w: number }): string[] {
  if (s.kind === 'deconv') {
    const side = (name: string, n: number, st: number, p: number, f: number, op: number) =>
      `Output ${name}: (N − 1)·S − 2P + F + outpad = (${n} − 1)·${st} − 2·${p} + ${f} + ${op} = ${(n - 1) * st - 2 * p + f + op}`;
    return [side('height', input.h, s.sh, s.ph, s.fh, s.oph), side('width', input.w, s.sw, s.pw, s.fw, s.opw)];
  }
  if (s.kind === 'upsample') {
    return [`Output height: N·scale = ${input.h}·${s.scale} = ${input.h * s.scale}`, `Output width: N·scale = ${input.w}·${s.scale} = ${input.w * s.scale}`];
  }
  return [];
}

export interface PlannedHint {
  /** Where the hint goes: the end of its statement. */
  offset: number;
  label: string;
  tooltip: string;
}

/**
 * The inlay hints for lines `first`…`last`: each layer's output (shapeHint), and after a `from NAME` the shape
 * its branch starts from.
 */
export function shapeHints(result: CheckResult, first: number, last: number, withParams: boolean): PlannedHint[] {
  const hints: PlannedHint[] = [];
  for (const layer of result.layers) {
    if (layer.line < first || layer.line > last) continue;
    hints.push({ offset: layer.offset + layer.length, ...shapeHint(layer, withParams) });
  }
  const refs = referencesByLine(result, first, last);
  for (const stmt of result.tree.statements) {
    if (stmt.line < first || stmt.line > last || stmt.keyword.text !== 'from') continue;
    const ref = refs.get(stmt.line);
    const s = ref && ref.target !== null ? sourceOf(result, ref.target) : null;
    if (!ref || !s) continue; // an unknown name: its E052 says why
    hints.push({ offset: stmt.offset + stmt.length, label: `→ ${s.shape}`, tooltip: `The branch starts from ${ref.name}, the output of line ${s.line + 1} (${s.what}): ${s.shape}` });
  }
  return hints.sort((a, b) => a.offset - b.offset);
}

function inputCount(s: NonNullable<LayerInfo['input']>): number {
  return s.kind === 'volume' ? s.h * s.w * s.c : s.n;
}

/** Markdown lines explaining a layer: shapes in and out, the shape rule per side, parameters, MACs, receptive field. */
export function explainLayer(layer: LayerInfo): string[] {
  const s = layer.spec;
  const out: string[] = [];
  const input = layer.input;
  out.push(`\`${formatShape(input)}\` → \`${formatOutput(layer)}\``);
  if (s.kind === 'conv' && (s.dh !== 1 || s.dw !== 1)) {
    const span = (d: number, f: number) => `${d}·(${f} − 1) + 1 = ${d * (f - 1) + 1}`;
    const square = s.dh === s.dw && s.fh === s.fw;
    const spans = square ? `${span(s.dh, s.fh)} pixels a side` : `${span(s.dh, s.fh)} by ${span(s.dw, s.fw)} pixels`;
    out.push(`Dilation ${square ? s.dh : `${s.dh}×${s.dw}`}: each ${s.fh}×${s.fw} filter spans D·(F − 1) + 1 = ${spans}, the F below`);
  }
  if (input?.kind === 'volume') out.push(...growthArithmetic(s, input));
  const sides = layerArithmetic(layer);
  for (const side of sides) {
    const r = applyRule(side.axis);
    const verdict = r.ok ? '' : r.reason === 'fraction' ? ' — not a whole number' : ' — less than 1';
    out.push(`Output ${side.side}: (N − F + 2P) / S + 1 = ${side.text}${verdict}`);
  }
  // A figure that cannot be computed reads `?`, never 0: an unknown is not a number.
  const count = (n: number | null) => (n === null ? '?' : formatCount(n));
  if (s.kind === 'conv' && input?.kind === 'volume') {
    if (s.groups === 1) out.push(`Parameters: K·(F·F·C + 1) = ${s.filters}·(${s.fh}·${s.fw}·${input.c} + 1) = ${count(layer.params)}`);
    else out.push(`Parameters: K·(F·F·C/G + 1) = ${s.filters}·(${s.fh}·${s.fw}·${input.c}/${s.groups} + 1) = ${count(layer.params)}`);
    const g = s.groups === 1 ? '' : `/${s.groups}`;
    if (layer.output?.kind === 'volume') {
      out.push(`MACs: H·W·K·F·F·C${g ? '/G' : ''} = ${layer.output.h}·${layer.output.w}·${s.filters}·${s.fh}·${s.fw}·${input.c}${g} = ${count(layer.macs)}`);
    } else {
      out.push('MACs: ? (the output has no size)');
    }
  } else if (s.kind === 'deconv' && input?.kind === 'volume') {
    out.push(`Parameters: K·F·F·C + K = ${s.filters}·${s.fh}·${s.fw}·${input.c} + ${s.filters} = ${count(layer.params)}`);
    out.push(`MACs: H·W·K·F·F·C (over the input) = ${input.h}·${input.w}·${s.filters}·${s.fh}·${s.fw}·${input.c} = ${count(layer.macs)}`);
  } else if (s.kind === 'batchnorm' && input && layer.params !== null) {
    const c = input.kind === 'volume' ? input.c : input.n;
    out.push(`Parameters: 2·C (a scale and a shift per ${input.kind === 'volume' ? 'channel' : 'feature'}) = 2·${formatCount(c)} = ${formatCount(layer.params)}; the running mean and variance are buffers, not parameters`);
  } else if (s.kind === 'dense' && layer.params !== null && input) {
    const inputs = inputCount(input);
    const flat = input.kind === 'volume' ? ` (${input.h}·${input.w}·${input.c} flattened)` : '';
    out.push(`Parameters: units·(inputs + 1) = ${s.units}·(${formatCount(inputs)}${flat} + 1) = ${formatCount(layer.params)}`);
    out.push(`MACs: inputs·units = ${count(layer.macs)}`);
  } else if (layer.params === 0) {
    out.push('No parameters.');
  } else if (layer.params === null && !input) {
    out.push('Parameters: ? (the input shape is unknown until the error above is fixed)');
  }
  if (layer.receptiveField) {
    const [h, w] = layer.receptiveField;
    out.push(`Receptive field: ${h}×${w} input pixels`);
  }
  return out;
}

/**
 * The task, in hover's Markdown, on the layer that ends a multi-label network (its sigmoid): how many labels,
 * their names, and the loss; null on every other layer.
 */
export function explainTask(result: CheckResult, layer: LayerInfo): string | null {
  if (result.task !== 'multilabel' || layer.index !== result.layers.length - 1) return null;
  const phrase = taskPhrase(result.task, result.layers)!;
  const names = result.classes && result.classes.length > 0 ? `: ${result.classes.slice(0, 20).map((n) => `\`${n}\``).join(', ')}${result.classes.length > 20 ? ', …' : ''}` : ' (name them with a classes line)';
  return `**Output: ${phrase}**${names}. Each label is a probability of its own (0 or 1 per label, any number of them per image), trained with binary cross-entropy on the logits.`;
}

/** `16×16×32` from `main`, line 10 (batch norm): one incoming output, in hover's Markdown. */
function incoming(s: Source): string {
  const from = s.label ? `\`${s.label}\`, line ${s.line + 1}` : `line ${s.line + 1}`;
  return `\`${s.shape}\` from ${from} (${s.what})`;
}

/**
 * Markdown lines for a layer that merges several outputs (`add`, `concat`): each incoming shape and the line it
 * comes from, the current flow first, then the names in order (an unknown name says so); for `concat`, the
 * channels it joins. Empty for every other layer.
 */
export function explainInputs(result: CheckResult, layer: LayerInfo): string[] {
  const kind = layer.spec.kind;
  if (kind !== 'add' && kind !== 'concat') return [];
  const lines = [kind === 'add' ? 'The sum, element by element, of (all shapes must be equal):' : 'Joins along the channels, in this order (heights and widths must be equal):'];
  const flow = layer.inputs.length > 0 ? sourceOf(result, layer.inputs[0]!) : null;
  const sources: (Source | null)[] = [flow];
  lines.push(`- ${flow ? incoming(flow) : '`?`'}: the current flow`);
  for (const ref of result.references) {
    if (ref.line !== layer.line) continue;
    const s = ref.target === null ? null : sourceOf(result, ref.target);
    sources.push(s);
    lines.push(s ? `- ${incoming(s)}` : `- \`${ref.name}\`: not defined above this line`);
  }
  if (kind === 'concat') {
    const outs = sources.map((s) => s?.output ?? null);
    if (outs.every((o) => o?.kind === 'volume')) {
      const cs = outs.map((o) => (o?.kind === 'volume' ? o.c : 0));
      lines.push(`Channels: ${cs.join(' + ')} = ${cs.reduce((a, b) => a + b, 0)}`);
    } else if (outs.every((o) => o?.kind === 'vector')) {
      const ns = outs.map((o) => (o?.kind === 'vector' ? o.n : 0));
      lines.push(`Length: ${ns.join(' + ')} = ${formatCount(ns.reduce((a, b) => a + b, 0))}`);
    }
  }
  return lines;
}

/**
 * Lines of hover Markdown as one block: list items (`- …`) stay one list, and a line after a list starts a
 * paragraph of its own (joined by a single line break it would read as the last item's continuation:
 * `… line 7 (relu) Channels: 16 + 8 = 24`).
 */
export function markdownBlock(lines: readonly string[]): string {
  return lines.map((l, i) => (i === 0 ? l : `${lines[i - 1]!.startsWith('- ') && !l.startsWith('- ') ? '\n\n' : '\n'}${l}`)).join('');
}

/** Markdown lines for a label under the cursor: what it names (shape, line, layer) and where it is used. */
export function explainLabel(result: CheckResult, hit: LabelHit): string[] {
  const def = hit.definition;
  if (!def) return [`\`${hit.name}\` is not defined above this line.`];
  const s = sourceOf(result, def.layer);
  const lines = [`**${def.name}**: ${s ? `the output of ${def.layer === -1 ? 'the input' : `layer ${def.layer} (${s.what})`} on line ${s.line + 1}: \`${s.shape}\`` : `line ${def.line + 1}`}`];
  const uses = usesOf(result, def);
  if (uses.length === 0) lines.push('Not used yet: name it in a later `from`, `add` or `concat`.');
  else lines.push(`Used on line${uses.length === 1 ? '' : 's'} ${[...new Set(uses.map((u) => u.line + 1))].join(', ')}.`);
  return lines;
}
