// The inspector's model view: a checked file as the webview draws it (layers, shapes, windows, arithmetic,
// errors), and the trainer's snapshot turned into the webview's H×W×C layout. Pure: plain data in and out.

import { type CheckResult, describeLayer, type LayerSpec, layerArithmetic, layerKind, summarize, toModelSpec } from '../language';
import type { SnapshotMessage } from '../protocol/trainer';
import type { LayerView, ModelView, WindowView } from '../protocol/webview';

/** The check result as the webview draws it: plain data, no language code needed on the other side. */
export function modelView(result: CheckResult, file: string, version: number): ModelView {
  const summary = summarize(result);
  // The augment settings as training will take them (null with errors: the grid keeps its last images).
  const spec = toModelSpec(result);
  const seen = new Set<number>([-1]);
  const layers: LayerView[] = result.layers.map((layer) => {
    const s = layer.spec;
    const end = layer.offset + layer.length;
    const errors = result.diagnostics.filter((d) => d.severity === 'error' && d.offset >= layer.offset && d.offset <= end).map((d) => `${d.code}: ${d.message}`);
    // Only layers above (the checker's promise), so a drawing of a broken file never loops.
    const inputs = layer.inputs.filter((i) => seen.has(i));
    seen.add(layer.index);
    return {
      index: layer.index,
      line: layer.line,
      inputs,
      name: layer.label,
      kind: layerKind(layer),
      label: describeLayer(layer),
      input: layer.input,
      output: layer.output,
      params: layer.params,
      macs: layer.macs,
      receptiveField: layer.receptiveField,
      window: windowView(s),
      filters: s.kind === 'conv' || s.kind === 'deconv' ? s.filters : null,
      groups: s.kind === 'conv' ? s.groups : null,
      poolMode: s.kind === 'pool' ? s.mode : null,
      arithmetic: layerArithmetic(layer).map((a) => ({ side: a.side, ...a.axis, text: a.text })),
      hasError: layer.hasError,
      errors,
    };
  });
  return {
    file,
    fileName: file.split(/[\\/]/).pop() ?? file,
    version,
    name: result.name,
    input: result.input,
    inputLine: result.inputLine,
    classes: result.classes,
    task: result.task,
    augment: spec?.augment ?? null,
    layers,
    // A name used on a line without a layer of its own: a `from` line.
    jumps: result.references.filter((r) => r.target !== null && seen.has(r.target) && !layers.some((l) => l.line === r.line)).map((r) => ({ line: r.line, target: r.target! })),
    params: summary.params,
    macs: summary.macs,
    incomplete: summary.incomplete,
    errorCount: result.diagnostics.filter((d) => d.severity === 'error').length,
    warningCount: result.diagnostics.filter((d) => d.severity === 'warning').length,
  };
}

/** The sliding window of a conv, deconv or pool layer (what the convolution explorer draws); null for others. */
export function windowView(s: LayerSpec): WindowView | null {
  const base = s.kind === 'conv' || s.kind === 'deconv' || s.kind === 'pool' ? { fh: s.fh, fw: s.fw, sh: s.sh, sw: s.sw, ph: s.ph, pw: s.pw } : null;
  if (!base) return null;
  if (s.kind === 'conv') return { ...base, dh: s.dh, dw: s.dw, transposed: false, oph: 0, opw: 0 };
  if (s.kind === 'deconv') return { ...base, dh: 1, dw: 1, transposed: true, oph: s.oph, opw: s.opw };
  return { ...base, dh: 1, dw: 1, transposed: false, oph: 0, opw: 0 };
}

/**
 * The trainer's snapshot (volumes as C×H×W channel planes, the engine's layout and src/protocol/trainer.ts's) with
 * every volume turned into the webview protocol's H×W×C; vectors and the input (already H×W×C) as they are.
 */
export function snapshotToHwc(s: SnapshotMessage): SnapshotMessage {
  return {
    ...s,
    activations: s.activations.map((a) => {
      if (a.shape.length !== 3) return a;
      const [c, h, w] = a.shape as [number, number, number];
      const data = new Float32Array(a.data.length);
      const hw = h * w;
      for (let k = 0; k < c; k++) for (let i = 0; i < hw; i++) data[i * c + k] = a.data[k * hw + i]!;
      return { ...a, shape: [h, w, c], data };
    }),
  };
}
