// One layer through the layer table (rules.ts): its output shape, parameters, multiply-adds and receptive
// field, and the diagnostics of the shape rules (E020, E021, E022, E030, E054, W101, W102, I201). One mistake
// gets one error: a `pad=same` that cannot keep the size (E022) does not also get E020 for its consequence.

import { type ReadArgs } from './args';
import { assertNever } from './assertNever';
import type { Checker } from './checker';
import type { Fix, TextEdit } from './diagnostics';
import { filterFixes, setArgEdit } from './fixes';
import type { PendingE022, ReadLayer } from './layerSpecs';
import type { LayerInfo, LayerSpec, Shape } from './model';
import { isProblem, MAX_SIDE, type Problem, type Rf, ruleOf } from './rules';
import { type Axis, applyRule, arithmetic, fitsExactly, formatCount, padsThatFit, shapeSize, stridesThatFit } from './shape';
import type { Arg, Statement } from './syntax';

const W101_LIMIT = 10_000_000;

/** Work out `info`'s figures from its inputs' shapes (all known) and report what does not fit. */
export function applyLayer(c: Checker, stmt: Statement, info: LayerInfo, read: ReadLayer, args: ReadArgs, shapes: Shape[] | null, rfs: Rf[]): void {
  const spec = read.spec;
  const rule = ruleOf(spec);
  const kw = stmt.keyword.text;
  if (!shapes) {
    // The input is unknown (an error above): what can be said without it.
    if (spec.kind === 'conv' || spec.kind === 'pool') strideWarning(c, stmt, spec, args);
    if (read.e022) e022(c, stmt, spec as Extract<LayerSpec, { kind: 'conv' | 'pool' }>, null, args, read.e022);
    if (rule.weightless) {
      info.params = 0;
      info.macs = 0;
    }
    const fixed = rule.fixedOutput?.(spec as never) ?? null;
    info.output = fixed;
    if (fixed?.kind === 'vector') c.vectorLines[info.index] = stmt.line;
    return;
  }
  const input = shapes[0]!;
  if (rule.needsVolume && input.kind === 'vector') {
    const line = c.vectorLines[info.inputs[0]!] ?? null;
    c.report(
      'E030',
      stmt.keyword,
      `'${kw}' needs a volume, but the data was flattened into a vector of ${formatCount(input.n)} on line ${line !== null ? line + 1 : '?'}. Move this layer before the flatten or dense layer.`,
    );
    return;
  }
  if (spec.kind === 'conv' || spec.kind === 'pool') strideWarning(c, stmt, spec, args);
  if (spec.kind === 'conv') groupsError(c, spec, input, args);
  if (read.e022) e022(c, stmt, spec as Extract<LayerSpec, { kind: 'conv' | 'pool' }>, input, args, read.e022);
  if (spec.kind === 'dense' && input.kind === 'volume') {
    info.implicitFlatten = true;
    const n = shapeSize(input);
    c.report('I201', stmt.keyword, `This dense layer flattens the ${input.h}×${input.w}×${input.c} volume into ${formatCount(n)} input${n === 1 ? '' : 's'}.`);
  }
  if (rule.weightless) info.macs = 0;
  info.params = rule.params(spec as never, input);
  if (info.params !== null && info.params > W101_LIMIT) largeLayer(c, stmt, info.params, spec.kind === 'dense' ? { inputs: shapeSize(input), units: spec.units } : null);
  const out = rule.output(spec as never, shapes);
  if (isProblem(out)) {
    problem(c, stmt, info, spec, out, args, read.e022);
    return;
  }
  info.output = out;
  // Parameters that are not whole (E054) leave the multiply-adds unknown too.
  info.macs = info.params === null ? null : rule.macs(spec as never, input, out);
  const whole: Rf | null = c.input ? { rh: c.input.h, rw: c.input.w, jh: 1, jw: 1 } : null;
  if (whole) {
    // After a vector every unit sees the whole input.
    const rf = input.kind === 'vector' ? whole : rule.rf(spec as never, rfs, input, whole);
    // A flattened vector still shows the field of the volume it came from.
    const shown = spec.kind === 'flatten' ? rfs[0]! : rf;
    info.receptiveField = [Math.ceil(shown.rh - 1e-9), Math.ceil(shown.rw - 1e-9)];
    c.rfs[info.index] = out.kind === 'vector' ? whole : rf;
  }
  if (out.kind === 'vector') c.vectorLines[info.index] = input.kind === 'vector' ? (c.vectorLines[info.inputs[0]!] ?? stmt.line) : stmt.line;
}

function problem(c: Checker, stmt: Statement, info: LayerInfo, spec: LayerSpec, p: Problem, args: ReadArgs, e022: PendingE022 | null): void {
  switch (p.problem) {
    case 'vector':
    case 'merge':
      // Reported before (E030) or by the graph (E050, E051).
      return;
    case 'rule':
      return ruleProblem(c, stmt, info, spec as Extract<LayerSpec, { kind: 'conv' | 'pool' }>, p, args, e022);
    case 'deconv': {
      const padArg = args.values.get('pad')?.arg;
      c.report(
        'E021',
        padArg ?? stmt.keyword,
        `The transposed convolution's output is less than 1: ${p.sides.map((s) => `${s.side}: (${s.n} − 1)·${s.s} − 2·${s.p} + ${s.f} + ${s.op} = ${String(s.out).replace('-', '−')}`).join('; ')}. Use a smaller pad or a larger size or stride.`,
      );
      return;
    }
    case 'huge': {
      const arg = args.values.get('scale')?.arg ?? args.values.get('stride')?.arg ?? args.values.get('size')?.arg;
      c.report(
        'E003',
        arg ?? stmt.keyword,
        `This layer's output would be ${formatCount(p.h)}×${formatCount(p.w)}×${formatCount(p.c)}: a side may be at most ${formatCount(MAX_SIDE)}, like the input's. Use a smaller ${arg?.name?.text ?? 'factor'}.`,
      );
      return;
    }
    default:
      return assertNever(p, 'layer problem');
  }
}

function ruleProblem(c: Checker, stmt: Statement, info: LayerInfo, spec: Extract<LayerSpec, { kind: 'conv' | 'pool' }>, p: Extract<Problem, { problem: 'rule' }>, args: ReadArgs, e022: PendingE022 | null): void {
  const { h, w, rh, rw } = p;
  const input = info.input as Extract<Shape, { kind: 'volume' }>;
  const strideArg = args.values.get('stride')?.arg;
  const sizeArg = args.values.get('size')?.arg;
  const padArg = args.values.get('pad')?.arg;
  const kw = stmt.keyword.text;
  const sides = (pred: (r: typeof rh) => boolean) => {
    const out: { side: string; axis: Axis }[] = [];
    if (pred(rh)) out.push({ side: 'height', axis: h });
    if (pred(rw) && !(out.length && h.n === w.n && h.f === w.f && h.s === w.s && h.p === w.p)) out.push({ side: 'width', axis: w });
    else if (pred(rw) && out.length) out[0]!.side = 'height and width';
    return out;
  };
  if ((!rh.ok && rh.reason === 'small') || (!rw.ok && rw.reason === 'small')) {
    const bad = sides((r) => !r.ok && r.reason === 'small');
    const fixes = spec.kind === 'conv' && spec.dh === 1 && spec.dw === 1 ? filterFixes(c.text, stmt, spec, input, { size: sizeArg, pad: padArg }) : [];
    const axes = [h, w];
    const more = (title: string, edit: TextEdit) => {
      const change = title.split(' (')[0];
      if (fixes.length < 3 && !fixes.some((f) => f.title.split(' (')[0] === change)) fixes.push({ title, edits: [edit] });
    };
    // Each fix says the map it leaves, like filterFixes' own: `pad=3 (gives 2×2)` must not read as a fix that keeps the size.
    const gives = (change: Partial<Axis>) => {
      const [oh, ow] = [applyRule({ ...h, ...change }), applyRule({ ...w, ...change })];
      return oh.ok && ow.ok ? ` (gives ${oh.out}×${ow.out})` : '';
    };
    for (const pad of padsThatFit(axes, spec.ph === spec.pw ? spec.ph : -1, 2)) more(`Change to pad=${pad}${gives({ p: pad })}`, setArgEdit(c.text, stmt, padArg, 'pad', String(pad)));
    const fit = Math.min(input.h + 2 * spec.ph, input.w + 2 * spec.pw);
    const undilated = spec.kind === 'pool' || (spec.dh === 1 && spec.dw === 1);
    // With pad=same the padding follows the size, so a new size would not keep the padding this arithmetic used.
    const padSame = args.values.get('pad')?.value === 'same';
    if (fit >= 1 && undilated && !padSame && (sizeArg || kw !== 'conv')) {
      const newSize = largestSizeThatFits(axes, fit);
      if (newSize) more(`Change to size=${newSize}${gives({ f: newSize })}`, setArgEdit(c.text, stmt, sizeArg, 'size', String(newSize)));
    }
    if (fixes[0]) fixes[0].preferred = true;
    c.report(
      'E021',
      sizeArg ?? stmt.keyword,
      `The ${kw === 'conv' ? 'filter' : 'window'} is larger than the padded input: ${bad.map((b) => `${b.side}: ${arithmetic(b.axis)}, less than 1`).join('; ')}. ${fixes.length ? `Try ${fixes.map((f) => f.title.replace('Change to ', '')).join(' or ')}.` : ''}`.trim(),
      fixes,
    );
    return;
  }
  // One mistake, one error: with pad=same's own error (E022) the padding is not what was meant, so its
  // consequence (a size that is not whole) is not a second error. The output stays unknown.
  if (e022) return;
  const bad = sides((r) => !r.ok);
  // Each fix says the map it gives, and the fixes come nearest first to the size the layer was written for (its
  // fraction): 3×3 stride 2 on 32 (15.5) gets pad=1 (16×16) before stride=1 (30×30), which would undo the
  // stride; on a tie a stride comes first, as in the lecture (7×7, 3×3, stride 3: stride=2, then pad=1, both 3×3).
  // A fix that keeps a stride larger than the window (W102: pixels never seen) comes after those that do not.
  const fraction = { h: rh.ok ? rh.out : rh.exact, w: rw.ok ? rw.out : rw.exact };
  const sampling = spec.kind === 'conv' && h.f === 1 && w.f === 1; // a 1×1 conv with a stride samples on purpose
  const candidates: { kind: 'stride' | 'pad'; fix: Fix; skips: boolean; far: number; map: string }[] = [];
  const offer = (name: 'stride' | 'pad', value: number, arg: Arg | undefined, change: Partial<Axis>) => {
    const [oh, ow] = [applyRule({ ...h, ...change }), applyRule({ ...w, ...change })];
    if (!oh.ok || !ow.ok) return;
    const map = `${oh.out}×${ow.out}`;
    // A larger padding that gives the same map as a smaller one adds only zeros: left out.
    if (name === 'pad' && candidates.some((c) => c.kind === 'pad' && c.map === map)) return;
    const s = change.s ?? Math.max(h.s, w.s);
    candidates.push({
      kind: name,
      fix: { title: `Change to ${name}=${value} (gives ${map})`, edits: [setArgEdit(c.text, stmt, arg, name, String(value))] },
      skips: !sampling && (s > h.f || s > w.f),
      far: Math.abs(oh.out - fraction.h) + Math.abs(ow.out - fraction.w),
      map,
    });
  };
  for (const s of stridesThatFit([h, w], spec.sh === spec.sw ? spec.sh : -1, 2)) offer('stride', s, strideArg, { s });
  for (const pad of padsThatFit([h, w], spec.ph === spec.pw ? spec.ph : -1, 2)) offer('pad', pad, padArg, { p: pad });
  // A stable sort: strides (offered first) stay ahead of paddings that are as near.
  const fixes = candidates.sort((x, y) => Number(x.skips) - Number(y.skips) || x.far - y.far).slice(0, 3).map((c) => c.fix);
  if (fixes[0]) fixes[0].preferred = true;
  const tries = fixes.map((f) => f.title.replace('Change to ', ''));
  const at = strideArg ?? sizeArg ?? stmt.keyword;
  c.report('E020', at, `${bad.map((b) => `Output ${b.side}: ${arithmetic(b.axis)} is not a whole number`).join('; ')}.${tries.length ? ` Try ${tries.join(' or ')}.` : ''}`, fixes);
  // A W102 on the same stride (stride 4 over a 3×3 filter) would offer one of these strides again in the same
  // menu: E020's list, each with its map, is the one to pick from. (This statement's diagnostics are the last ones
  // reported, so only they are looked at: a file of many E020s stays linear.)
  for (let i = c.diagnostics.length - 1; i >= 0 && c.diagnostics[i]!.offset >= stmt.offset; i--) {
    const d = c.diagnostics[i]!;
    if (d.code === 'W102' && d.offset === at.offset) d.fixes = [];
  }
  // The output is not a size at all: the views show the fraction, and every shape below is unknown (PyTorch's
  // rounded-down size would read as if it were valid, and it would leave input pixels unseen).
  info.fractional = { ...fraction, c: p.depth };
}

/** W102: a stride larger than the window skips pixels. A 1×1 conv with a stride (a projection shortcut) samples on purpose. */
function strideWarning(c: Checker, stmt: Statement, spec: Extract<LayerSpec, { kind: 'conv' | 'pool' }>, args: ReadArgs): void {
  const [fh, fw] = spec.kind === 'conv' ? [spec.dh * (spec.fh - 1) + 1, spec.dw * (spec.fw - 1) + 1] : [spec.fh, spec.fw];
  if (spec.kind === 'conv' && spec.fh === 1 && spec.fw === 1) return;
  if (spec.sh <= fh && spec.sw <= fw) return;
  const strideArg = args.values.get('stride')?.arg;
  const kw = stmt.keyword.text;
  const best = Math.min(fh, fw);
  c.report(
    'W102',
    strideArg ?? stmt.keyword,
    `The stride (${spec.sh === spec.sw ? spec.sh : `${spec.sh}x${spec.sw}`}) is larger than the ${kw === 'conv' ? 'filter' : 'window'} (${fh === fw ? fh : `${fh}x${fw}`}), so some pixels are never seen. Use a stride of at most ${best}.`,
    [{ title: `Change to stride=${best}`, edits: [setArgEdit(c.text, stmt, strideArg, 'stride', String(best))], preferred: true }],
  );
}

/** E054: groups must divide the input channels and the filters. */
function groupsError(c: Checker, spec: Extract<LayerSpec, { kind: 'conv' }>, input: Shape, args: ReadArgs): void {
  if (input.kind !== 'volume' || spec.groups === 1) return;
  const C = input.c;
  const K = spec.filters;
  if (C % spec.groups === 0 && K % spec.groups === 0) return;
  const arg = args.values.get('groups')!.arg;
  const g = gcd(C, K);
  // The divisors of gcd(C, K) nearest to the value given.
  const fits: number[] = [];
  for (let d = 1; d * d <= g && fits.length < 10_000; d++) if (g % d === 0) fits.push(d, g / d);
  const near = [...new Set(fits)].sort((a, b) => Math.abs(a - spec.groups) - Math.abs(b - spec.groups) || b - a).slice(0, 2);
  const why = [C % spec.groups !== 0 && `the input channels: ${C} / ${spec.groups} is not whole`, K % spec.groups !== 0 && `the filters: ${K} / ${spec.groups} is not whole`].filter(Boolean).join(', nor ');
  c.report(
    'E054',
    arg.value,
    `groups=${spec.groups} must divide both the input channels (${C}) and the filters (${K}), but it does not divide ${why}. ${near.length ? `Try groups=${near.join(' or groups=')}.` : ''}`.trim(),
    near.map((n, i) => ({ title: `Change to groups=${n}`, edits: [{ offset: arg.value.offset, length: arg.value.length, newText: String(n) }], preferred: i === 0 })),
  );
}

function e022(c: Checker, stmt: Statement, spec: Extract<LayerSpec, { kind: 'conv' | 'pool' }>, input: Shape | null, args: ReadArgs, pending: PendingE022): void {
  const strideArg = args.values.get('stride')?.arg;
  const sizeArg = args.values.get('size')?.arg;
  const pv = pending.arg;
  const fixes: Fix[] = [];
  const [fh, fw] = spec.kind === 'conv' ? [spec.dh * (spec.fh - 1) + 1, spec.dw * (spec.fw - 1) + 1] : [spec.fh, spec.fw];
  if (fh % 2 === 1 && fw % 2 === 1 && (spec.sh !== 1 || spec.sw !== 1)) {
    fixes.push({ title: 'Change to stride=1 (keeps the size with pad=same)', edits: [setArgEdit(c.text, stmt, strideArg, 'stride', '1')], preferred: true });
  }
  if (input?.kind === 'volume') {
    const axes: Axis[] = [
      { n: input.h, f: fh, s: spec.sh, p: 0 },
      { n: input.w, f: fw, s: spec.sw, p: 0 },
    ];
    for (const p of padsThatFit(axes, -1, 3)) fixes.push({ title: `Change to pad=${p}`, edits: [setArgEdit(c.text, stmt, pv, 'pad', String(p))], preferred: fixes.length === 0 });
  }
  if (spec.fh % 2 === 0 && spec.fh === spec.fw && spec.sh === 1 && spec.sw === 1 && fh === spec.fh) {
    fixes.push({ title: `Change to size=${spec.fh + 1}`, edits: [setArgEdit(c.text, stmt, sizeArg, 'size', String(spec.fh + 1))] });
  }
  c.report('E022', pv.value, `pad=same keeps the size only with stride 1 and an odd filter size, but ${pending.problems.join(' and ')}. Use stride=1 with an odd size, or a number for pad.`, fixes);
}

function largeLayer(c: Checker, stmt: Statement, params: number, dense: { inputs: number; units: number } | null): void {
  const detail = dense ? ` (${formatCount(dense.inputs)} inputs × ${formatCount(dense.units)} units + ${formatCount(dense.units)} biases)` : '';
  c.report(
    'W101',
    stmt.keyword,
    `This layer holds ${formatCount(params)} parameters${detail}, more than 10 million: ${((params * 4) / 1024 ** 3).toFixed(2)} GiB of float32 weights before gradients and optimizer state. Shrink the input with conv or pool layers first.`,
  );
}

function largestSizeThatFits(axes: Axis[], fit: number): number | undefined {
  // Bounded: sizes and strides may be as large as 2^31 − 1, and a suggestion far below `fit` is no help.
  for (let f = fit; f >= 1 && f > fit - 4096; f--) if (axes.every((a) => fitsExactly({ ...a, f }))) return f;
  return undefined;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
