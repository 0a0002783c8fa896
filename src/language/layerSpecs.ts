// Reading a layer statement into its LayerSpec: required parameters (E004), defaults, aliases, keyword
// shorthands (maxpool, gap, bn…) and `pad=same` (E022 is reported later, with the input's shape in hand).

import { enumFix, extraPositional, type Parsed, type ReadArgs, type Reporter, suggest } from './args';
import { removalEdit } from './fixes';
import type { Activation, LayerSpec } from './model';
import { dilated } from './rules';
import type { StatementSchema } from './schema';
import type { Arg, Statement } from './syntax';

/** `pad=same` where it cannot keep the size: the cause, for E022. */
export interface PendingE022 {
  arg: Arg;
  problems: string[];
}

export interface ReadLayer {
  spec: LayerSpec;
  e022: PendingE022 | null;
}

type Get = (name: string) => { arg: Arg; value: Parsed | undefined } | undefined;

/** Reads the layer's spec; null when a required or shape-changing value is missing or bad (already reported). */
export function readLayerSpec(c: Reporter, stmt: Statement, schema: StatementSchema, args: ReadArgs, classes: number | null): ReadLayer | null {
  const get: Get = (name) => args.values.get(name);
  const kw = schema.keyword;
  const missing = (param: string, add: string) =>
    c.report('E004', stmt.keyword, `'${stmt.keyword.text}' needs ${param}, e.g. ${stmt.keyword.text} ${add}.`, [
      { title: `Add ${add}`, edits: [{ offset: stmt.end, length: 0, newText: ` ${add}` }], preferred: true },
    ]);
  const plain = (spec: LayerSpec): ReadLayer => ({ spec, e022: null });
  // A bad activation is reported; it does not change any shape, so the layer is read with none.
  const activation = () => ((get('activation')?.value as string | undefined) ?? 'none') as Activation;
  switch (kw) {
    case 'conv':
    case 'deconv': {
      extraPositional(c, args.positional, kw);
      const filters = get('filters');
      const size = get('size');
      if (!filters) missing('the number of filters (filters=K)', 'filters=16');
      if (!size) missing('the filter size (size=F)', 'size=3');
      if (!filters || !size || filters.value === undefined || size.value === undefined) return null;
      const [fh, fw] = size.value as [number, number];
      const stride = get('stride');
      if (stride && stride.value === undefined) return null;
      const [sh, sw] = (stride?.value as [number, number] | undefined) ?? [1, 1];
      if (kw === 'deconv') {
        const pad = get('pad');
        const outpad = get('outpad');
        if ((pad && pad.value === undefined) || (outpad && outpad.value === undefined)) return null;
        const [ph, pw] = (pad?.value as [number, number] | undefined) ?? [0, 0];
        const [oph, opw] = (outpad?.value as [number, number] | undefined) ?? [0, 0];
        if (oph >= sh || opw >= sw) {
          c.report('E003', outpad!.arg.value, `outpad must be less than the stride (${sh === sw ? sh : `${sh}x${sw}`}), not ${outpad!.arg.value.text}: it picks one of the S sizes that a stride-S convolution maps to the same size.`, [
            { title: 'Remove outpad', edits: [removalEdit(c.text, outpad!.arg)], preferred: true },
          ]);
          return null;
        }
        return plain({ kind: 'deconv', filters: filters.value as number, fh, fw, sh, sw, ph, pw, oph, opw, activation: activation() });
      }
      const dilation = get('dilation');
      const groups = get('groups');
      if ((dilation && dilation.value === undefined) || (groups && groups.value === undefined)) return null;
      const [dh, dw] = (dilation?.value as [number, number] | undefined) ?? [1, 1];
      const pads = readPads(get('pad'), dilated(fh, dh), dilated(fw, dw), sh, sw, dh, dw);
      if (!pads) return null;
      const spec: LayerSpec = { kind: 'conv', filters: filters.value as number, fh, fw, sh, sw, ph: pads.p[0], pw: pads.p[1], dh, dw, groups: (groups?.value as number | undefined) ?? 1, activation: activation() };
      return { spec, e022: pads.e022 };
    }
    case 'pool':
    case 'maxpool':
    case 'avgpool': {
      let mode: 'max' | 'avg' = kw === 'avgpool' ? 'avg' : 'max';
      const extra: Arg[] = [];
      let modeSeen = kw !== 'pool';
      let global: Arg | null = null;
      for (const a of args.positional) {
        if (a.value.kind === 'name' && a.value.text === 'global' && !global) global = a;
        else if (!modeSeen && a.value.kind === 'name' && extra.length === 0) {
          modeSeen = true;
          if (a.value.text === 'max' || a.value.text === 'avg') mode = a.value.text;
          // Reported; the window's shape does not depend on the mode, so shapes go on with max.
          else c.report('E003', a.value, `pool is max or avg (and global), not '${a.value.text}'.${suggest(a.value.text, ['max', 'avg', 'global'])}`, enumFix(a.value, ['max', 'avg', 'global']));
        } else extra.push(a);
      }
      extraPositional(c, extra, kw);
      if (global) {
        // The window is the whole map: a size, stride or padding has no meaning. Reported; the shape is 1×1×C.
        for (const name of ['size', 'stride', 'pad']) {
          const given = get(name);
          if (given) c.report('E003', given.arg, `Global pooling takes the whole map, so '${given.arg.name!.text}' does not apply. Remove it, or remove 'global' for a window.`, [{ title: `Remove '${given.arg.value.text ? given.arg.name!.text : name}'`, edits: [removalEdit(c.text, given.arg)], preferred: true }]);
        }
        return plain({ kind: 'globalpool', mode });
      }
      const size = get('size');
      const stride = get('stride');
      if ((size && size.value === undefined) || (stride && stride.value === undefined)) return null;
      const [fh, fw] = (size?.value as [number, number] | undefined) ?? [2, 2];
      const [sh, sw] = (stride?.value as [number, number] | undefined) ?? [fh, fw];
      const pads = readPads(get('pad'), fh, fw, sh, sw, 1, 1);
      if (!pads) return null;
      const padArg = get('pad')?.arg;
      if (padArg && (pads.p[0] >= fh || pads.p[1] >= fw)) {
        // A window that can lie wholly in the padding has nothing to pool (max) or only zeros (avg); the engine and
        // PyTorch refuse it. Reported; the shape is still worked out with the padding as written.
        const fit = `${Math.floor(fh / 2)}${fh === fw ? '' : `x${Math.floor(fw / 2)}`}`;
        c.report('E003', padArg, `A pool's padding must be smaller than its window (${fh === fw ? fh : `${fh}x${fw}`}), or some windows hold padding alone. Use pad=${fit} or less.`, [
          { title: `Change to pad=${fit}`, edits: [{ offset: padArg.value.offset, length: padArg.value.length, newText: fit }], preferred: true },
        ]);
      }
      return { spec: { kind: 'pool', mode, fh, fw, sh, sw, ph: pads.p[0], pw: pads.p[1] }, e022: pads.e022 };
    }
    case 'gap':
      extraPositional(c, args.positional, kw);
      return plain({ kind: 'globalpool', mode: 'avg' });
    case 'batchnorm':
      extraPositional(c, args.positional, kw);
      // Bad values are reported; the shape does not depend on them.
      return plain({ kind: 'batchnorm', momentum: (get('momentum')?.value as number | undefined) ?? 0.1, eps: (get('eps')?.value as number | undefined) ?? 1e-5 });
    case 'upsample': {
      let mode: 'nearest' | 'bilinear' = 'nearest';
      const [first, ...rest] = args.positional;
      if (first) {
        if (first.value.text === 'nearest' || first.value.text === 'bilinear') mode = first.value.text;
        else c.report('E003', first.value, `upsample is nearest or bilinear, not '${first.value.text}'.${suggest(first.value.text, ['nearest', 'bilinear'])}`, enumFix(first.value, ['nearest', 'bilinear']));
      }
      extraPositional(c, rest, kw);
      const scale = get('scale');
      if (scale && scale.value === undefined) return null;
      return plain({ kind: 'upsample', scale: (scale?.value as number | undefined) ?? 2, mode });
    }
    case 'add':
    case 'concat':
      // The names are read by the graph (graph.ts).
      return plain({ kind: kw });
    case 'relu':
    case 'sigmoid':
    case 'tanh':
    case 'flatten':
    case 'softmax':
      extraPositional(c, args.positional, kw);
      return plain({ kind: kw });
    case 'leakyrelu':
      extraPositional(c, args.positional, kw);
      // A bad slope is reported; the shape does not depend on it.
      return plain({ kind: 'leakyrelu', slope: (get('slope')?.value as number | undefined) ?? 0.01 });
    case 'dropout':
      extraPositional(c, args.positional, kw);
      return plain({ kind: 'dropout', rate: (get('rate')?.value as number | undefined) ?? 0.5 });
    case 'dense': {
      extraPositional(c, args.positional, stmt.keyword.text === 'fc' ? 'dense' : kw);
      const units = get('units');
      if (!units) missing('the number of units', `units=${classes ?? 10}`);
      if (!units || units.value === undefined) return null;
      return plain({ kind: 'dense', units: units.value as number, activation: activation() });
    }
  }
  return null;
}

/**
 * Resolve `pad` (number, HxW, same, valid) for a filter of effective sides `fh`×`fw`; `pad=same` with a stride
 * or an even filter keeps its cause for E022 and still gives the closest padding.
 */
function readPads(pad: ReturnType<Get>, fh: number, fw: number, sh: number, sw: number, dh: number, dw: number): { p: [number, number]; e022: PendingE022 | null } | null {
  if (!pad) return { p: [0, 0], e022: null };
  if (pad.value === undefined) return null;
  if (pad.value === 'valid') return { p: [0, 0], e022: null };
  if (pad.value === 'same') {
    const problems: string[] = [];
    if (sh !== 1 || sw !== 1) problems.push(`the stride is ${sh === sw ? sh : `${sh}x${sw}`}`);
    const dil = dh !== 1 || dw !== 1;
    if (fh % 2 === 0 || fw % 2 === 0) problems.push(`the ${dil ? 'dilated ' : ''}filter size ${fh === fw ? fh : `${fh}x${fw}`} is even`);
    return { p: [Math.floor((fh - 1) / 2), Math.floor((fw - 1) / 2)], e022: problems.length ? { arg: pad.arg, problems } : null };
  }
  return { p: pad.value as [number, number], e022: null };
}
