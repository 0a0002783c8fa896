// Words and worked arithmetic about one layer, shared by hover, inlay hints and symbols.

import {
  type CheckResult,
  formatCount,
  formatShape,
  type LayerInfo,
  layerArithmetic,
  applyRule,
} from '../language';

export function layerAtLine(result: CheckResult, line: number): LayerInfo | undefined {
  return result.layers.find((l) => l.line === line);
}

/** Markdown lines explaining a layer: shapes in and out, the shape rule per side, parameters, MACs, receptive field. */
export function explainLayer(layer: LayerInfo): string[] {
  const s = layer.spec;
  const out: string[] = [];
  const input = layer.input;
  out.push(`\`${formatShape(input)}\` → \`${formatShape(layer.output)}\``);
  const sides = layerArithmetic(layer);
  for (const side of sides) {
    const r = applyRule(side.axis);
    const verdict = r.ok ? '' : r.reason === 'fraction' ? ' — not a whole number' : ' — less than 1';
    out.push(`Output ${side.side}: (N − F + 2P) / S + 1 = ${side.text}${verdict}`);
  }
  if (s.kind === 'conv' && input?.kind === 'volume') {
    out.push(`Parameters: K·(F·F·C + 1) = ${s.filters}·(${s.fh}·${s.fw}·${input.c} + 1) = ${formatCount(layer.params ?? 0)}`);
    if (layer.output?.kind === 'volume') {
      out.push(`MACs: H·W·K·F·F·C = ${layer.output.h}·${layer.output.w}·${s.filters}·${s.fh}·${s.fw}·${input.c} = ${formatCount(layer.macs ?? 0)}`);
    }
  } else if (s.kind === 'dense' && layer.params !== null && input) {
    const inputs = input.kind === 'volume' ? input.h * input.w * input.c : input.n;
    const flat = input.kind === 'volume' ? ` (${input.h}·${input.w}·${input.c} flattened)` : '';
    out.push(`Parameters: units·(inputs + 1) = ${s.units}·(${formatCount(inputs)}${flat} + 1) = ${formatCount(layer.params)}`);
    out.push(`MACs: inputs·units = ${formatCount(layer.macs ?? 0)}`);
  } else if (layer.params === 0) {
    out.push('No parameters.');
  }
  if (layer.receptiveField) {
    const [h, w] = layer.receptiveField;
    out.push(`Receptive field: ${h}×${w} input pixels`);
  }
  return out;
}
