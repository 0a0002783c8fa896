// Words and worked arithmetic about one layer, shared by hover, inlay hints and symbols.

import {
  type CheckResult,
  formatCompact,
  formatCount,
  formatOutput,
  formatShape,
  type LayerInfo,
  layerArithmetic,
  applyRule,
} from '../language';

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

function inputCount(s: NonNullable<LayerInfo['input']>): number {
  return s.kind === 'volume' ? s.h * s.w * s.c : s.n;
}

/** Markdown lines explaining a layer: shapes in and out, the shape rule per side, parameters, MACs, receptive field. */
export function explainLayer(layer: LayerInfo): string[] {
  const s = layer.spec;
  const out: string[] = [];
  const input = layer.input;
  out.push(`\`${formatShape(input)}\` → \`${formatOutput(layer)}\``);
  const sides = layerArithmetic(layer);
  for (const side of sides) {
    const r = applyRule(side.axis);
    const verdict = r.ok ? '' : r.reason === 'fraction' ? ' — not a whole number' : ' — less than 1';
    out.push(`Output ${side.side}: (N − F + 2P) / S + 1 = ${side.text}${verdict}`);
  }
  // A figure that cannot be computed reads `?`, never 0: an unknown is not a number.
  const count = (n: number | null) => (n === null ? '?' : formatCount(n));
  if (s.kind === 'conv' && input?.kind === 'volume') {
    out.push(`Parameters: K·(F·F·C + 1) = ${s.filters}·(${s.fh}·${s.fw}·${input.c} + 1) = ${count(layer.params)}`);
    if (layer.output?.kind === 'volume') {
      out.push(`MACs: H·W·K·F·F·C = ${layer.output.h}·${layer.output.w}·${s.filters}·${s.fh}·${s.fw}·${input.c} = ${count(layer.macs)}`);
    } else {
      out.push('MACs: ? (the output has no size)');
    }
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
