// The statements that are not layers: network, input, classes, data and train (augment is in tasks.ts).

import { enumFix, extraPositional, type ReadArgs, suggest } from './args';
import type { Checker } from './checker';
import { lineRemovalEdit } from './fixes';
import { spacedWeights } from './tasks';
import { type DataSpec, SHAPES_DEFAULT_SAMPLES, type TrainSpec } from './model';
import type { Statement } from './syntax';

export function network(c: Checker, stmt: Statement, args: ReadArgs): void {
  if (c.networkStmt) {
    c.report('E011', stmt.keyword, `'network' is given twice (first on line ${c.networkStmt.line + 1}); a file describes one network.`, [
      { title: 'Remove this line', edits: [lineRemovalEdit(c.text, stmt)] },
    ]);
    return;
  }
  if (c.layers.length > 0) {
    c.report('E011', stmt.keyword, `'network' must come before the first layer (line ${c.layers[0]!.line + 1}).`);
  }
  c.networkStmt = stmt;
  const [first, ...rest] = args.positional;
  if (!first) {
    c.report('E004', stmt.keyword, `'network' needs a name, e.g. network DoorStairSign.`);
    return;
  }
  if (first.value.kind === 'name' || first.value.kind === 'string' || first.value.kind === 'word') {
    c.name = first.value.kind === 'string' ? first.value.value : first.value.text;
  } else {
    c.report('E003', first.value, `A network name starts with a letter, not '${first.value.text}'.`);
  }
  extraPositional(c, rest, 'network');
}

export function inputStatement(c: Checker, stmt: Statement, args: ReadArgs): void {
  if (c.inputStmt) {
    c.report('E010', stmt.keyword, `'input' is given twice (first on line ${c.inputStmt.line + 1}); a network has one input.`, [
      { title: 'Remove this line', edits: [lineRemovalEdit(c.text, stmt)] },
    ]);
    return;
  }
  c.inputStmt = stmt;
  if (c.layers.length > 0) {
    c.report('E010', stmt.keyword, `'input' must come before the first layer (line ${c.layers[0]!.line + 1}).`);
  }
  const [first, ...rest] = args.positional;
  if (!first) {
    c.report('E004', stmt.keyword, `'input' needs the input volume as HxWxC, e.g. input 32x32x3 (HxW means one channel).`);
    return;
  }
  extraPositional(c, rest, 'input');
  const v = first.value;
  let dims: number[] | undefined;
  if (v.kind === 'dims' && (v.dims.length === 2 || v.dims.length === 3)) dims = v.dims.length === 2 ? [...v.dims, 1] : v.dims;
  if (!dims) {
    c.report('E003', v, `The input is written HxWxC (e.g. 32x32x3) or HxW for one channel, not '${v.text}'.`);
    return;
  }
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 1 || d > 1_000_000)) {
    c.report('E003', v, `Each input side must be a whole number from 1 to 1,000,000, not ${v.text}.`);
    return;
  }
  c.input = { h: dims[0]!, w: dims[1]!, c: dims[2]! };
  if (c.layers.length === 0) {
    c.inputShape = { kind: 'volume', ...c.input };
  }
}

export function classesStatement(c: Checker, stmt: Statement, args: ReadArgs): void {
  if (c.classesStmt) {
    c.report('E005', stmt.keyword, `'classes' is given twice (first on line ${c.classesStmt.line + 1}).`);
    return;
  }
  c.classesStmt = stmt;
  const names: string[] = [];
  const seen = new Set<string>();
  for (const a of args.positional) {
    const v = a.value;
    const name = v.kind === 'string' ? v.value : v.text;
    if (name.length === 0) {
      c.report('E003', v, 'A class name cannot be empty.');
      continue;
    }
    if (seen.has(name)) {
      c.report('E003', v, `The class '${name}' is listed twice.`);
      continue;
    }
    seen.add(name);
    names.push(name);
  }
  if (args.positional.length === 0) {
    c.report('E004', stmt.keyword, `'classes' needs one name per class, e.g. classes door stair sign.`);
    return;
  }
  c.classes = names;
}

export function dataStatement(c: Checker, stmt: Statement, args: ReadArgs): void {
  if (c.dataStmt) {
    c.report('E005', stmt.keyword, `'data' is given twice (first on line ${c.dataStmt.line + 1}); the first is used.`);
    return;
  }
  c.dataStmt = stmt;
  const [kindArg, pathArg, ...rest] = args.positional;
  const samples = args.values.get('samples')?.value as number | undefined;
  const val = args.values.get('val')?.value as number | undefined;
  if (!kindArg) {
    c.report('E004', stmt.keyword, `'data' needs a source: shapes, folder DIR, idx DIR or npz FILE.`);
    return;
  }
  const kinds = ['shapes', 'folder', 'idx', 'npz'] as const;
  const kind = kindArg.value.text as (typeof kinds)[number];
  if (!kinds.includes(kind)) {
    c.report('E040', kindArg.value, `Unknown data source '${kindArg.value.text}'.${suggest(kindArg.value.text, kinds)} Use shapes (built in), folder DIR, idx DIR or npz FILE.`, enumFix(kindArg.value, kinds));
    return;
  }
  if (kind === 'shapes') {
    if (pathArg) extraPositional(c, [pathArg, ...rest], 'data');
    c.data = { kind, samples: samples ?? SHAPES_DEFAULT_SAMPLES, val: val ?? null, line: stmt.line };
    return;
  }
  extraPositional(c, rest, 'data');
  if (!pathArg) {
    const what = kind === 'npz' ? 'FILE' : 'DIR';
    c.report('E004', kindArg.value, `'data ${kind}' needs a path: data ${kind} ${what}, relative to this file (quote it if it has spaces).`);
    return;
  }
  const pv = pathArg.value;
  const path = pv.kind === 'string' ? pv.value : pv.text;
  if (path.length === 0) {
    c.report('E003', pv, 'The data path is empty.');
    return;
  }
  const data: DataSpec = { kind, path, samples: samples ?? null, val: val ?? null, line: stmt.line };
  c.data = data;
  const found = c.host?.stat?.(path);
  if (c.host?.stat && found === null) {
    c.report('E040', pv, `The ${kind === 'npz' ? 'file' : 'folder'} '${path}' does not exist (paths are relative to this .cnn file).`);
  } else if (found === 'dir' && kind === 'npz') {
    c.report('E040', pv, `'${path}' is a folder, but 'data npz' needs an .npz file.`);
  } else if (found === 'file' && kind !== 'npz') {
    c.report('E040', pv, `'${path}' is a file, but 'data ${kind}' needs a folder${kind === 'idx' ? ' holding the MNIST IDX files' : ' with one sub-folder per class'}.`);
  } else if (found === 'dir' && kind === 'folder') {
    const issue = c.host?.dataFiles?.(data);
    if (issue) c.report('E040', pv, issue);
  }
}

export function trainStatement(c: Checker, stmt: Statement, args: ReadArgs): void {
  if (c.trainStmt) {
    c.report('E005', stmt.keyword, `'train' is given twice (first on line ${c.trainStmt.line + 1}); the first is used.`);
    return;
  }
  c.trainStmt = stmt;
  const joined = spacedWeights(c, stmt);
  extraPositional(c, args.positional.filter((a) => !joined.includes(a)), 'train');
  const get = (name: string) => args.values.get(name)?.value;
  const t = c.train;
  t.epochs = (get('epochs') as number | undefined) ?? t.epochs;
  t.batch = (get('batch') as number | undefined) ?? t.batch;
  t.optimizer = ((get('optimizer') as string | undefined) ?? t.optimizer) as TrainSpec['optimizer'];
  t.lr = (get('lr') as number | undefined) ?? t.lr;
  t.momentum = (get('momentum') as number | undefined) ?? t.momentum;
  t.weightDecay = (get('weight_decay') as number | undefined) ?? t.weightDecay;
  t.seed = (get('seed') as number | undefined) ?? t.seed;
  const val = get('val') as number | undefined;
  t.val = val ?? null;
  t.classWeights = (get('class_weights') as TrainSpec['classWeights'] | undefined) ?? null;
}
