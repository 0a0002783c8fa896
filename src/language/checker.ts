// The checker: every rule and code of the language spec, every shape that can be computed, and the
// quick fixes as plain data. Never throws; a file with errors still yields every computable shape.

import { type Code, type Diagnostic, type Fix, makeDiagnostic, type TextEdit } from './diagnostics';
import { detectUtf16, utf16Message } from './encoding';
import { classesFixes, commentedDataLine, dataFixes, filterFixes, lineRemovalEdit, lineStart, removalEdit, setArgEdit, softmaxFixes } from './fixes';
import {
  type Activation,
  type DataSpec,
  DEFAULT_VAL_FRACTION,
  type LayerInfo,
  type LayerSpec,
  type ModelSpec,
  type Shape,
  SHAPES_DEFAULT_SAMPLES,
  TRAIN_DEFAULTS,
  type TrainSpec,
} from './model';
import { type ParamSchema, type StatementSchema, allKeywords, findParam, nearest, statementSchema } from './schema';
import { type Axis, applyRule, arithmetic, formatCount, formatNumber, padsThatFit, shapeSize, stridesThatFit } from './shape';
import { type Arg, type Span, type Statement, type SyntaxTree, type Value, parse } from './syntax';

/** What the checker may ask of its host (the CLI or the editor) about the file system. */
export interface CheckHost {
  /** Kind of the entry at a path relative to the `.cnn` file, or null when nothing is there. */
  stat?(path: string): 'file' | 'dir' | null;
}

export interface CheckResult {
  text: string;
  tree: SyntaxTree;
  /** Every diagnostic, sorted by offset. */
  diagnostics: Diagnostic[];
  layers: LayerInfo[];
  name: string | null;
  input: { h: number; w: number; c: number } | null;
  inputLine: number | null;
  classes: string[] | null;
  data: DataSpec | null;
  train: TrainSpec;
  hasErrors: boolean;
}

/** 2^31 − 1: the largest whole number a size or count may have. */
const MAX_INT = 2147483647;
const W101_LIMIT = 10_000_000;

type Parsed = number | string | [number, number];

interface ReadArgs {
  values: Map<string, { param: ParamSchema; arg: Arg; value: Parsed | undefined }>;
  positional: Arg[];
}

class Checker {
  readonly diagnostics: Diagnostic[] = [];
  readonly layers: LayerInfo[] = [];
  /** The statement of each layer, by layer index (so whole-file rules need no search). */
  readonly layerStmts: Statement[] = [];
  /** Line (0-based) where the data first became a vector, for E030's message. */
  flattenLine: number | null = null;
  name: string | null = null;
  networkStmt: Statement | null = null;
  input: { h: number; w: number; c: number } | null = null;
  inputStmt: Statement | null = null;
  classes: string[] | null = null;
  classesStmt: Statement | null = null;
  data: DataSpec | null = null;
  dataStmt: Statement | null = null;
  train: TrainSpec = { ...TRAIN_DEFAULTS };
  trainStmt: Statement | null = null;
  /** The shape flowing between layers; null when unknown. */
  shape: Shape | null = null;
  /** Receptive field and jump per side, while the shape is a volume. */
  rf: { rh: number; rw: number; jh: number; jw: number } = { rh: 1, rw: 1, jh: 1, jw: 1 };

  constructor(
    readonly text: string,
    readonly host: CheckHost | undefined,
  ) {}

  report(code: Code, span: Span, message: string, fixes: Fix[] = []): void {
    this.diagnostics.push(makeDiagnostic(code, span.offset, span.length, message, fixes));
  }

  run(tree: SyntaxTree): void {
    for (const stmt of tree.statements) this.statement(stmt);
    this.finish(tree);
  }

  statement(stmt: Statement): void {
    const kw = stmt.keyword.text;
    if (kw === '') return; // already reported by the parser
    const schema = statementSchema(kw);
    if (!schema) {
      const lower = kw.toLowerCase();
      const guess = statementSchema(lower) ? lower : nearest(kw, allKeywords());
      const fixes: Fix[] = guess ? [{ title: `Change to '${guess}'`, edits: [{ offset: stmt.keyword.offset, length: stmt.keyword.length, newText: guess }], preferred: true }] : [];
      this.report(
        'E001',
        stmt.keyword,
        `Unknown statement '${kw}'.${guess ? ` Did you mean '${guess}'?` : ''} A line starts with one of: network, input, classes, conv, pool, relu, dense, softmax, data, train…`,
        fixes,
      );
      return;
    }
    const args = this.readArgs(stmt, schema);
    if (schema.layer) this.layer(stmt, schema, args);
    else {
      switch (schema.keyword) {
        case 'network':
          return this.network(stmt, args);
        case 'input':
          return this.inputStatement(stmt, args);
        case 'classes':
          return this.classesStatement(stmt, args);
        case 'data':
          return this.dataStatement(stmt, args);
        case 'train':
          return this.trainStatement(stmt, args);
      }
    }
  }

  // ---- arguments -------------------------------------------------------------------------------

  readArgs(stmt: Statement, schema: StatementSchema): ReadArgs {
    const values: ReadArgs['values'] = new Map();
    const positional: Arg[] = [];
    for (const arg of stmt.args) {
      if (!arg.name) {
        positional.push(arg);
        continue;
      }
      if (arg.name.length === 0 || arg.value.length === 0) continue; // reported by the parser
      const param = findParam(schema, arg.name.text);
      if (!param) {
        const names = schema.params.flatMap((p) => [p.name, ...p.aliases]);
        const guess = names.length ? nearest(arg.name.text, names) : undefined;
        const fixes: Fix[] = guess ? [{ title: `Change to '${guess}'`, edits: [{ offset: arg.name.offset, length: arg.name.length, newText: guess }], preferred: true }] : [];
        const allowed = schema.params.length ? ` It takes: ${schema.params.map((p) => (p.aliases.length ? `${p.name} (${p.aliases.join(', ')})` : p.name)).join(', ')}.` : ` It takes no parameters.`;
        this.report('E002', arg.name, `'${schema.keyword}' has no parameter '${arg.name.text}'.${guess ? ` Did you mean '${guess}'?` : ''}${allowed}`, fixes);
        continue;
      }
      const prev = values.get(param.name);
      if (prev) {
        const same = prev.arg.name!.text === arg.name.text;
        this.report(
          'E005',
          arg,
          same
            ? `'${param.name}' is given twice; the first value (${prev.arg.value.text}) is used.`
            : `'${arg.name.text}' and '${prev.arg.name!.text}' are the same parameter (${param.name}); it is given twice. The first value (${prev.arg.value.text}) is used.`,
          [{ title: `Remove the second '${arg.name.text}'`, edits: [removalEdit(this.text, arg)], preferred: true }],
        );
        continue;
      }
      values.set(param.name, { param, arg, value: this.readValue(param, arg.value, schema.keyword) });
    }
    return { values, positional };
  }

  /** A whole number in [min, MAX_INT]; reports E003 and returns undefined otherwise. */
  readInt(v: Value & Span, what: string, min: number): number | undefined {
    if (v.kind === 'number') {
      if (!Number.isFinite(v.value)) this.report('E003', v, `${what} must be a whole number; ${v.text} is out of range.`);
      else this.report('E003', v, `${what} must be a whole number, not ${v.text}.${Number.isFinite(v.value) && v.value >= min ? ` Try ${Math.round(v.value) || min}.` : ''}`);
      return undefined;
    }
    if (v.kind !== 'int') {
      this.report('E003', v, `${what} must be a whole number, not '${v.text}'.`);
      return undefined;
    }
    if (!Number.isSafeInteger(v.value) || Math.abs(v.value) > MAX_INT) {
      this.report('E003', v, `${what} is too large: ${v.text} (at most ${formatCount(MAX_INT)}).`);
      return undefined;
    }
    const value = v.value === 0 ? 0 : v.value; // -0 is 0
    if (value < min) {
      this.report('E003', v, `${what} must be at least ${min}, not ${v.text}.`);
      return undefined;
    }
    return value;
  }

  /** A pair of whole numbers from `N` or `HxW`. */
  readPair(v: Value & Span, what: string, min: number): [number, number] | undefined {
    if (v.kind === 'dims') {
      if (v.dims.length !== 2) {
        this.report('E003', v, `${what} takes one number or HxW (such as 3x5), not ${v.dims.length} numbers.`);
        return undefined;
      }
      const bad = v.dims.find((d) => !Number.isSafeInteger(d) || d > MAX_INT || d < min);
      if (bad !== undefined) {
        this.report('E003', v, `${what} must be whole numbers from ${min} to ${formatCount(MAX_INT)}, not ${v.text}.`);
        return undefined;
      }
      return [v.dims[0]!, v.dims[1]!];
    }
    const n = this.readInt(v, what, min);
    return n === undefined ? undefined : [n, n];
  }

  readReal(v: Value & Span, what: string, check: (x: number) => boolean, range: string): number | undefined {
    if (v.kind !== 'int' && v.kind !== 'number') {
      this.report('E003', v, `${what} must be a number (${range}), not '${v.text}'.`);
      return undefined;
    }
    if (!Number.isFinite(v.value)) {
      this.report('E003', v, `${what} is out of range: ${v.text} is not a finite number (${range}).`);
      return undefined;
    }
    if (!check(v.value)) {
      this.report('E003', v, `${what} must be ${range}, not ${v.text}.`);
      return undefined;
    }
    return v.value === 0 ? 0 : v.value;
  }

  readValue(param: ParamSchema, v: Value & Span, keyword: string): Parsed | undefined {
    const what = `${param.name}`;
    switch (param.kind) {
      case 'posint':
        return this.readInt(v, what, 1);
      case 'nonnegint':
        return this.readInt(v, what, 0);
      case 'size':
      case 'stride':
        return this.readPair(v, what, 1);
      case 'pad':
        if (v.kind === 'name' && (v.text === 'same' || v.text === 'valid')) return v.text;
        if (v.kind === 'name') {
          this.report('E003', v, `pad takes a whole number, HxW, same or valid, not '${v.text}'.`, enumFix(v, ['same', 'valid']));
          return undefined;
        }
        return this.readPair(v, what, 0);
      case 'fraction':
        return this.readReal(v, what, (x) => x >= 0 && x < 1, 'at least 0 and less than 1');
      case 'positive':
        return this.readReal(v, what, (x) => x > 0, 'greater than 0');
      case 'nonneg':
        return this.readReal(v, what, (x) => x >= 0, 'at least 0');
      case 'finite':
        return this.readReal(v, what, () => true, 'a finite number');
      case 'enum': {
        const values = param.values ?? [];
        if ((v.kind === 'name' || v.kind === 'string') && values.includes(v.kind === 'string' ? v.value : v.text)) {
          return v.kind === 'string' ? v.value : v.text;
        }
        this.report('E003', v, `${keyword} ${param.name} must be one of ${values.join(', ')}, not '${v.text}'.${suggest(v.text, values)}`, enumFix(v, values));
        return undefined;
      }
    }
  }

  /** Bare values that the statement does not take. */
  extraPositional(args: Arg[], schemaKeyword: string): void {
    for (const a of args) {
      const schema = statementSchema(schemaKeyword)!;
      const hint = schema.params.length ? ` Parameters are written name=value, e.g. ${schema.example}.` : '';
      this.report('E003', a, `Unexpected value '${a.value.text}' for ${schemaKeyword}.${hint}`, [
        { title: `Remove '${a.value.text}'`, edits: [removalEdit(this.text, a)] },
      ]);
    }
  }

  // ---- non-layer statements ---------------------------------------------------------------------

  network(stmt: Statement, args: ReadArgs): void {
    if (this.networkStmt) {
      this.report('E011', stmt.keyword, `'network' is given twice (first on line ${this.networkStmt.line + 1}); a file describes one network.`, [
        { title: 'Remove this line', edits: [lineRemovalEdit(this.text, stmt)] },
      ]);
      return;
    }
    if (this.layers.length > 0) {
      this.report('E011', stmt.keyword, `'network' must come before the first layer (line ${this.layers[0]!.line + 1}).`);
    }
    this.networkStmt = stmt;
    const [first, ...rest] = args.positional;
    if (!first) {
      this.report('E004', stmt.keyword, `'network' needs a name, e.g. network DoorStairSign.`);
      return;
    }
    if (first.value.kind === 'name' || first.value.kind === 'string' || first.value.kind === 'word') {
      this.name = first.value.kind === 'string' ? first.value.value : first.value.text;
    } else {
      this.report('E003', first.value, `A network name starts with a letter, not '${first.value.text}'.`);
    }
    this.extraPositional(rest, 'network');
  }

  inputStatement(stmt: Statement, args: ReadArgs): void {
    if (this.inputStmt) {
      this.report('E010', stmt.keyword, `'input' is given twice (first on line ${this.inputStmt.line + 1}); a network has one input.`, [
        { title: 'Remove this line', edits: [lineRemovalEdit(this.text, stmt)] },
      ]);
      return;
    }
    this.inputStmt = stmt;
    if (this.layers.length > 0) {
      this.report('E010', stmt.keyword, `'input' must come before the first layer (line ${this.layers[0]!.line + 1}).`);
    }
    const [first, ...rest] = args.positional;
    if (!first) {
      this.report('E004', stmt.keyword, `'input' needs the input volume as HxWxC, e.g. input 32x32x3 (HxW means one channel).`);
      return;
    }
    this.extraPositional(rest, 'input');
    const v = first.value;
    let dims: number[] | undefined;
    if (v.kind === 'dims' && (v.dims.length === 2 || v.dims.length === 3)) dims = v.dims.length === 2 ? [...v.dims, 1] : v.dims;
    if (!dims) {
      this.report('E003', v, `The input is written HxWxC (e.g. 32x32x3) or HxW for one channel, not '${v.text}'.`);
      return;
    }
    if (dims.some((d) => !Number.isSafeInteger(d) || d < 1 || d > 1_000_000)) {
      this.report('E003', v, `Each input side must be a whole number from 1 to 1,000,000, not ${v.text}.`);
      return;
    }
    this.input = { h: dims[0]!, w: dims[1]!, c: dims[2]! };
    if (this.layers.length === 0) {
      this.shape = { kind: 'volume', ...this.input };
    }
  }

  classesStatement(stmt: Statement, args: ReadArgs): void {
    if (this.classesStmt) {
      this.report('E005', stmt.keyword, `'classes' is given twice (first on line ${this.classesStmt.line + 1}).`);
      return;
    }
    this.classesStmt = stmt;
    const names: string[] = [];
    const seen = new Set<string>();
    for (const a of args.positional) {
      const v = a.value;
      const name = v.kind === 'string' ? v.value : v.text;
      if (name.length === 0) {
        this.report('E003', v, 'A class name cannot be empty.');
        continue;
      }
      if (seen.has(name)) {
        this.report('E003', v, `The class '${name}' is listed twice.`);
        continue;
      }
      seen.add(name);
      names.push(name);
    }
    if (args.positional.length === 0) {
      this.report('E004', stmt.keyword, `'classes' needs one name per class, e.g. classes door stair sign.`);
      return;
    }
    this.classes = names;
  }

  dataStatement(stmt: Statement, args: ReadArgs): void {
    if (this.dataStmt) {
      this.report('E005', stmt.keyword, `'data' is given twice (first on line ${this.dataStmt.line + 1}); the first is used.`);
      return;
    }
    this.dataStmt = stmt;
    const [kindArg, pathArg, ...rest] = args.positional;
    const samples = args.values.get('samples')?.value as number | undefined;
    const val = args.values.get('val')?.value as number | undefined;
    if (!kindArg) {
      this.report('E004', stmt.keyword, `'data' needs a source: shapes, folder DIR, idx DIR or npz FILE.`);
      return;
    }
    const kinds = ['shapes', 'folder', 'idx', 'npz'] as const;
    const kind = kindArg.value.text as (typeof kinds)[number];
    if (!kinds.includes(kind)) {
      this.report('E040', kindArg.value, `Unknown data source '${kindArg.value.text}'.${suggest(kindArg.value.text, kinds)} Use shapes (built in), folder DIR, idx DIR or npz FILE.`, enumFix(kindArg.value, kinds));
      return;
    }
    if (kind === 'shapes') {
      if (pathArg) this.extraPositional([pathArg, ...rest], 'data');
      this.data = { kind, samples: samples ?? SHAPES_DEFAULT_SAMPLES, val: val ?? null, line: stmt.line };
      return;
    }
    this.extraPositional(rest, 'data');
    if (!pathArg) {
      const what = kind === 'npz' ? 'FILE' : 'DIR';
      this.report('E004', kindArg.value, `'data ${kind}' needs a path: data ${kind} ${what}, relative to this file (quote it if it has spaces).`);
      return;
    }
    const pv = pathArg.value;
    const path = pv.kind === 'string' ? pv.value : pv.text;
    if (path.length === 0) {
      this.report('E003', pv, 'The data path is empty.');
      return;
    }
    this.data = { kind, path, samples: samples ?? null, val: val ?? null, line: stmt.line };
    const found = this.host?.stat?.(path);
    if (this.host?.stat && found === null) {
      this.report('E040', pv, `The ${kind === 'npz' ? 'file' : 'folder'} '${path}' does not exist (paths are relative to this .cnn file).`);
    } else if (found === 'dir' && kind === 'npz') {
      this.report('E040', pv, `'${path}' is a folder, but 'data npz' needs an .npz file.`);
    } else if (found === 'file' && kind !== 'npz') {
      this.report('E040', pv, `'${path}' is a file, but 'data ${kind}' needs a folder${kind === 'idx' ? ' holding the MNIST IDX files' : ' with one sub-folder per class'}.`);
    }
  }

  trainStatement(stmt: Statement, args: ReadArgs): void {
    if (this.trainStmt) {
      this.report('E005', stmt.keyword, `'train' is given twice (first on line ${this.trainStmt.line + 1}); the first is used.`);
      return;
    }
    this.trainStmt = stmt;
    this.extraPositional(args.positional, 'train');
    const get = (name: string) => args.values.get(name)?.value;
    const t = this.train;
    t.epochs = (get('epochs') as number | undefined) ?? t.epochs;
    t.batch = (get('batch') as number | undefined) ?? t.batch;
    t.optimizer = ((get('optimizer') as string | undefined) ?? t.optimizer) as TrainSpec['optimizer'];
    t.lr = (get('lr') as number | undefined) ?? t.lr;
    t.momentum = (get('momentum') as number | undefined) ?? t.momentum;
    t.weightDecay = (get('weight_decay') as number | undefined) ?? t.weightDecay;
    t.seed = (get('seed') as number | undefined) ?? t.seed;
    const val = get('val') as number | undefined;
    t.val = val ?? null;
  }

  // ---- layers ----------------------------------------------------------------------------------

  layer(stmt: Statement, schema: StatementSchema, args: ReadArgs): void {
    const input = this.shape;
    const info: LayerInfo = {
      index: this.layers.length,
      inputs: [this.layers.length - 1],
      label: null,
      line: stmt.line,
      keyword: stmt.keyword.text,
      offset: stmt.offset,
      length: stmt.length,
      spec: { kind: 'relu' },
      input,
      output: null,
      implicitFlatten: false,
      params: null,
      macs: null,
      receptiveField: null,
      hasError: false,
    };
    this.layers.push(info);
    this.layerStmts.push(stmt);
    const spec = this.layerSpec(stmt, schema, args);
    if (!spec) {
      // The layer could not be read; shapes after it are unknown, except that dense fixes a vector.
      this.shape = null;
      return;
    }
    info.spec = spec;
    switch (spec.kind) {
      case 'conv':
      case 'pool':
        this.spatial(stmt, info, spec, args);
        break;
      case 'dense': {
        let inputs: number | null = null;
        if (input?.kind === 'volume') {
          info.implicitFlatten = true;
          inputs = shapeSize(input);
          this.report('I201', stmt.keyword, `This dense layer flattens the ${input.h}×${input.w}×${input.c} volume into ${formatCount(inputs)} input${inputs === 1 ? '' : 's'}.`);
        } else if (input?.kind === 'vector') inputs = input.n;
        info.output = { kind: 'vector', n: spec.units };
        if (inputs !== null) {
          info.params = spec.units * (inputs + 1);
          info.macs = inputs * spec.units;
          this.largeLayer(stmt, info.params, inputs, spec.units);
        }
        if (this.input && input) info.receptiveField = [this.input.h, this.input.w];
        if (this.flattenLine === null) this.flattenLine = stmt.line;
        this.shape = info.output;
        break;
      }
      case 'flatten':
        info.params = 0;
        info.macs = 0;
        if (input) {
          info.output = { kind: 'vector', n: shapeSize(input) };
          if (this.input) info.receptiveField = input.kind === 'volume' ? [this.rf.rh, this.rf.rw] : [this.input.h, this.input.w];
          if (this.flattenLine === null) this.flattenLine = stmt.line;
        }
        this.shape = info.output;
        break;
      default:
        // Element-wise layers, dropout and softmax keep the shape.
        info.params = 0;
        info.macs = 0;
        info.output = input;
        if (input && this.input) info.receptiveField = input.kind === 'volume' ? [this.rf.rh, this.rf.rw] : [this.input.h, this.input.w];
        break;
    }
  }

  largeLayer(stmt: Statement, params: number, inputs: number, units: number | null): void {
    if (params <= W101_LIMIT) return;
    const detail = units !== null ? ` (${formatCount(inputs)} inputs × ${formatCount(units)} units + ${formatCount(units)} biases)` : '';
    this.report(
      'W101',
      stmt.keyword,
      `This layer holds ${formatCount(params)} parameters${detail}, more than 10 million: ${(params * 4 / 1024 ** 3).toFixed(2)} GiB of float32 weights before gradients and optimizer state. Shrink the input with conv or pool layers first.`,
    );
  }

  layerSpec(stmt: Statement, schema: StatementSchema, args: ReadArgs): LayerSpec | null {
    const get = (name: string) => args.values.get(name);
    const kw = schema.keyword;
    const missing = (param: string, add: string) =>
      this.report('E004', stmt.keyword, `'${stmt.keyword.text}' needs ${param}, e.g. ${stmt.keyword.text} ${add}.`, [
        { title: `Add ${add}`, edits: [{ offset: stmt.end, length: 0, newText: ` ${add}` }], preferred: true },
      ]);
    switch (kw) {
      case 'conv': {
        this.extraPositional(args.positional, kw);
        const filters = get('filters');
        const size = get('size');
        if (!filters) missing('the number of filters (filters=K)', 'filters=16');
        if (!size) missing('the filter size (size=F)', 'size=3');
        if (!filters || !size || filters.value === undefined || size.value === undefined) return null;
        const [fh, fw] = size.value as [number, number];
        const stride = get('stride');
        if (stride && stride.value === undefined) return null;
        const [sh, sw] = (stride?.value as [number, number] | undefined) ?? [1, 1];
        const pads = this.pads(get('pad'), fh, fw, sh, sw);
        if (!pads) return null;
        // A bad activation is reported; it does not change any shape, so the layer is read with none.
        const act = get('activation');
        return { kind: 'conv', filters: filters.value as number, fh, fw, sh, sw, ph: pads[0], pw: pads[1], dh: 1, dw: 1, groups: 1, activation: ((act?.value as string) ?? 'none') as Activation };
      }
      case 'pool':
      case 'maxpool':
      case 'avgpool': {
        let mode: 'max' | 'avg' = kw === 'avgpool' ? 'avg' : 'max';
        const extra: Arg[] = [];
        let modeSeen = false;
        for (const a of args.positional) {
          if (kw === 'pool' && !modeSeen && a.value.kind === 'name' && extra.length === 0) {
            modeSeen = true;
            if (a.value.text === 'max' || a.value.text === 'avg') mode = a.value.text;
            // Reported; the window's shape does not depend on the mode, so shapes go on with max.
            else this.report('E003', a.value, `pool is max or avg, not '${a.value.text}'.${suggest(a.value.text, ['max', 'avg'])}`, enumFix(a.value, ['max', 'avg']));
          } else extra.push(a);
        }
        this.extraPositional(extra, kw);
        const size = get('size');
        const stride = get('stride');
        if ((size && size.value === undefined) || (stride && stride.value === undefined)) return null;
        const [fh, fw] = (size?.value as [number, number] | undefined) ?? [2, 2];
        const [sh, sw] = (stride?.value as [number, number] | undefined) ?? [fh, fw];
        const pads = this.pads(get('pad'), fh, fw, sh, sw);
        if (!pads) return null;
        return { kind: 'pool', mode, fh, fw, sh, sw, ph: pads[0], pw: pads[1] };
      }
      case 'relu':
      case 'sigmoid':
      case 'tanh':
      case 'flatten':
      case 'softmax':
        this.extraPositional(args.positional, kw);
        return { kind: kw };
      case 'leakyrelu': {
        this.extraPositional(args.positional, kw);
        const slope = get('slope'); // a bad slope is reported; the shape does not depend on it
        return { kind: 'leakyrelu', slope: (slope?.value as number | undefined) ?? 0.01 };
      }
      case 'dropout': {
        this.extraPositional(args.positional, kw);
        const rate = get('rate'); // a bad rate is reported; the shape does not depend on it
        return { kind: 'dropout', rate: (rate?.value as number | undefined) ?? 0.5 };
      }
      case 'dense': {
        this.extraPositional(args.positional, stmt.keyword.text === 'fc' ? 'dense' : kw);
        const units = get('units');
        if (!units) missing('the number of units', `units=${this.classes?.length ?? 10}`);
        if (!units || units.value === undefined) return null;
        const act = get('activation'); // a bad activation is reported; the shape does not depend on it
        return { kind: 'dense', units: units.value as number, activation: ((act?.value as string) ?? 'none') as Activation };
      }
    }
    return null;
  }

  /** Resolve `pad` (number, HxW, same, valid); reports E022 and still returns the closest padding. */
  pads(pad: { arg: Arg; value: Parsed | undefined } | undefined, fh: number, fw: number, sh: number, sw: number): [number, number] | null {
    if (!pad) return [0, 0];
    if (pad.value === undefined) return null;
    if (pad.value === 'valid') return [0, 0];
    if (pad.value === 'same') {
      const problems: string[] = [];
      if (sh !== 1 || sw !== 1) problems.push(`the stride is ${sh === sw ? sh : `${sh}x${sw}`}`);
      if (fh % 2 === 0 || fw % 2 === 0) problems.push(`the filter size ${fh === fw ? fh : `${fh}x${fw}`} is even`);
      const ph = Math.floor((fh - 1) / 2);
      const pw = Math.floor((fw - 1) / 2);
      if (problems.length) {
        this.pendingE022 = { arg: pad.arg, problems, fh, fw, sh, sw };
      }
      return [ph, pw];
    }
    return pad.value as [number, number];
  }

  pendingE022: { arg: Arg; problems: string[]; fh: number; fw: number; sh: number; sw: number } | null = null;

  spatial(stmt: Statement, info: LayerInfo, spec: Extract<LayerSpec, { kind: 'conv' | 'pool' }>, args: ReadArgs): void {
    const input = info.input;
    const e022 = this.pendingE022;
    this.pendingE022 = null;
    const strideArg = args.values.get('stride')?.arg;
    const sizeArg = args.values.get('size')?.arg;
    const padArg = args.values.get('pad')?.arg;
    const kw = stmt.keyword.text;
    if (input?.kind === 'vector') {
      this.report(
        'E030',
        stmt.keyword,
        `'${kw}' needs a volume, but the data was flattened into a vector of ${formatCount(input.n)} on line ${this.flattenLine !== null ? this.flattenLine + 1 : '?'}. Move this layer before the flatten or dense layer.`,
      );
      this.shape = null;
      return;
    }
    if (spec.sh > spec.fh || spec.sw > spec.fw) {
      this.report(
        'W102',
        strideArg ?? stmt.keyword,
        `The stride (${spec.sh === spec.sw ? spec.sh : `${spec.sh}x${spec.sw}`}) is larger than the ${kw === 'conv' ? 'filter' : 'window'} (${spec.fh === spec.fw ? spec.fh : `${spec.fh}x${spec.fw}`}), so some pixels are never seen. Use a stride of at most ${Math.min(spec.fh, spec.fw)}.`,
        [{ title: `Change to stride=${Math.min(spec.fh, spec.fw)}`, edits: [setArgEdit(this.text, stmt, strideArg, 'stride', String(Math.min(spec.fh, spec.fw)))], preferred: true }],
      );
    }
    if (e022) {
      const pv = padArg!;
      const fixes: Fix[] = [];
      const axesOk = input?.kind === 'volume';
      if (spec.fh % 2 === 1 && spec.fw % 2 === 1 && (spec.sh !== 1 || spec.sw !== 1)) {
        fixes.push({ title: 'Change to stride=1 (keeps the size with pad=same)', edits: [setArgEdit(this.text, stmt, strideArg, 'stride', '1')], preferred: true });
      }
      if (axesOk) {
        const axes: Axis[] = [
          { n: input.h, f: spec.fh, s: spec.sh, p: 0 },
          { n: input.w, f: spec.fw, s: spec.sw, p: 0 },
        ];
        for (const p of padsThatFit(axes, -1, 3)) {
          fixes.push({ title: `Change to pad=${p}`, edits: [setArgEdit(this.text, stmt, pv, 'pad', String(p))], preferred: fixes.length === 0 });
        }
      }
      if (spec.fh % 2 === 0 && spec.fh === spec.fw && spec.sh === 1 && spec.sw === 1) {
        fixes.push({ title: `Change to size=${spec.fh + 1}`, edits: [setArgEdit(this.text, stmt, sizeArg, 'size', String(spec.fh + 1))] });
      }
      this.report(
        'E022',
        pv.value,
        `pad=same keeps the size only with stride 1 and an odd filter size, but ${e022.problems.join(' and ')}. Use stride=1 with an odd size, or a number for pad.`,
        fixes,
      );
    }
    if (!input) {
      this.shape = null;
      return;
    }
    const h: Axis = { n: input.h, f: spec.fh, s: spec.sh, p: spec.ph };
    const w: Axis = { n: input.w, f: spec.fw, s: spec.sw, p: spec.pw };
    const rh = applyRule(h);
    const rw = applyRule(w);
    const depth = spec.kind === 'conv' ? spec.filters : input.c;
    const sides = (pred: (r: typeof rh) => boolean) => {
      const out: { side: string; axis: Axis }[] = [];
      if (pred(rh)) out.push({ side: 'height', axis: h });
      if (pred(rw) && !(out.length && h.n === w.n && h.f === w.f && h.s === w.s && h.p === w.p)) out.push({ side: 'width', axis: w });
      else if (pred(rw) && out.length) out[0]!.side = 'height and width';
      return out;
    };
    if (!rh.ok && rh.reason === 'small' || !rw.ok && rw.reason === 'small') {
      const bad = sides((r) => !r.ok && r.reason === 'small');
      const fixes = spec.kind === 'conv' ? filterFixes(this.text, stmt, spec, input, { size: sizeArg, pad: padArg }) : [];
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
      for (const p of padsThatFit(axes, spec.ph === spec.pw ? spec.ph : -1, 2)) more(`Change to pad=${p}${gives({ p })}`, setArgEdit(this.text, stmt, padArg, 'pad', String(p)));
      const fit = Math.min(input.h + 2 * spec.ph, input.w + 2 * spec.pw);
      if (fit >= 1 && (sizeArg || kw !== 'conv')) {
        const newSize = largestSizeThatFits(axes, fit);
        if (newSize) more(`Change to size=${newSize}${gives({ f: newSize })}`, setArgEdit(this.text, stmt, sizeArg, 'size', String(newSize)));
      }
      if (fixes[0]) fixes[0].preferred = true;
      this.report(
        'E021',
        sizeArg ?? stmt.keyword,
        `The ${kw === 'conv' ? 'filter' : 'window'} is larger than the padded input: ${bad.map((b) => `${b.side}: ${arithmetic(b.axis)}, less than 1`).join('; ')}. ${fixes.length ? `Try ${fixes.map((f) => f.title.replace('Change to ', '')).join(' or ')}.` : ''}`.trim(),
        fixes,
      );
      this.layerParams(stmt, info, spec, input.c);
      this.shape = null;
      return;
    }
    if (!rh.ok || !rw.ok) {
      const bad = sides((r) => !r.ok);
      const axes = [h, w];
      const fixes: Fix[] = [];
      const curS = spec.sh === spec.sw ? spec.sh : -1;
      const curP = spec.ph === spec.pw ? spec.ph : -1;
      const strides = stridesThatFit(axes, curS, 2);
      const pads = e022 ? [] : padsThatFit(axes, curP, 2);
      for (const s of strides) fixes.push({ title: `Change to stride=${s}`, edits: [setArgEdit(this.text, stmt, strideArg, 'stride', String(s))], preferred: fixes.length === 0 });
      for (const p of pads) fixes.push({ title: `Change to pad=${p}`, edits: [setArgEdit(this.text, stmt, padArg, 'pad', String(p))] });
      const tries = fixes.map((f) => f.title.replace('Change to ', ''));
      this.report(
        'E020',
        strideArg ?? sizeArg ?? stmt.keyword,
        `${bad.map((b) => `Output ${b.side}: ${arithmetic(b.axis)} is not a whole number`).join('; ')}.${tries.length ? ` Try ${tries.join(' or ')}.` : ''}`,
        fixes,
      );
      // The output is not a size at all: the views show the fraction, and every shape below is unknown (one
      // mistake, one error; PyTorch's rounded-down size would read as if it were valid).
      info.fractional = { h: rh.ok ? rh.out : rh.exact, w: rw.ok ? rw.out : rw.exact, c: depth };
      this.layerParams(stmt, info, spec, input.c);
      this.shape = null;
      return;
    }
    const oh = rh.out;
    const ow = rw.out;
    info.output = { kind: 'volume', h: oh, w: ow, c: depth };
    this.layerParams(stmt, info, spec, input.c);
    info.macs = spec.kind === 'conv' ? oh * ow * spec.filters * spec.fh * spec.fw * input.c : 0;
    this.rf = {
      rh: this.rf.rh + (spec.fh - 1) * this.rf.jh,
      rw: this.rf.rw + (spec.fw - 1) * this.rf.jw,
      jh: this.rf.jh * spec.sh,
      jw: this.rf.jw * spec.sw,
    };
    info.receptiveField = [this.rf.rh, this.rf.rw];
    this.shape = info.output;
  }

  /** A conv's weights depend only on its filters and the input's depth, so they are known even when its output is not. */
  layerParams(stmt: Statement, info: LayerInfo, spec: Extract<LayerSpec, { kind: 'conv' | 'pool' }>, depth: number): void {
    if (spec.kind === 'pool') {
      info.params = 0;
      return;
    }
    info.params = spec.filters * (spec.fh * spec.fw * depth + 1);
    this.largeLayer(stmt, info.params, 0, null);
  }

  // ---- whole-file rules ------------------------------------------------------------------------

  finish(tree: SyntaxTree): void {
    if (!this.inputStmt) {
      const first = this.layers[0];
      const firstKeyword = this.layerStmts[0]?.keyword;
      const span = firstKeyword ? { offset: firstKeyword.offset, length: firstKeyword.length } : tree.statements[0]?.keyword ?? { offset: 0, length: 0 };
      this.report('E010', span, `The file has no 'input' line. Add one before the first layer, e.g. input 32x32x3.`, [
        { title: 'Add input 32x32x3', edits: [{ offset: first ? lineStart(this.text, first.offset) : 0, length: 0, newText: 'input 32x32x3\n' }] },
      ]);
    }
    const last = this.layers[this.layers.length - 1];
    for (const s of this.layers) {
      if (s.spec.kind === 'softmax' && s !== last) {
        const stmt = this.layerStmts[s.index]!;
        const next = this.layerStmts[this.layers[this.layers.indexOf(s) + 1]!.index]!;
        const endsInSoftmax = last!.spec.kind === 'softmax';
        this.report(
          'E032',
          stmt.keyword,
          `'softmax' turns the class scores into probabilities and must be the last layer, but '${next.keyword.text}' on line ${next.line + 1} comes after it. ${endsInSoftmax ? `Remove it: the softmax on line ${last!.line + 1} already ends the network.` : 'Move it to the end.'}`,
          softmaxFixes(this.text, stmt, this.layerStmts[last!.index]!, endsInSoftmax),
        );
      }
    }
    if (this.inputStmt || this.layers.length) {
      let end = this.layers.length - 1;
      while (end >= 0 && this.layers[end]!.spec.kind === 'softmax') end--;
      const endLayer = end >= 0 ? this.layers[end] : undefined;
      // A dense layer that could not be read (its error is already reported) still ends the network in dense.
      const endsInDense = endLayer !== undefined && (endLayer.spec.kind === 'dense' || statementSchema(endLayer.keyword)?.keyword === 'dense');
      if (!endsInDense) {
        const at = endLayer ?? last;
        const stmt = at ? this.layerStmts[at.index]! : this.inputStmt!;
        const n = this.classes?.length ?? 3;
        this.report(
          'W103',
          stmt.keyword,
          endLayer
            ? `The network ends in '${stmt.keyword.text}', not in a dense layer, so it gives no class scores. Add dense units=${n}${last?.spec.kind === 'softmax' ? ' before the softmax' : ' and softmax'}.`
            : `The network has no layers yet, so it gives no class scores. Add layers ending in dense units=${n} and softmax.`,
        );
      }
    }
    // The last dense statement, read or not: when it could not be read its units are unknown, so no E031.
    let lastDense: LayerInfo | undefined;
    for (let i = this.layers.length - 1; i >= 0 && !lastDense; i--) {
      const l = this.layers[i]!;
      if (l.spec.kind === 'dense' || statementSchema(l.keyword)?.keyword === 'dense') lastDense = l;
    }
    if (this.classesStmt && this.classes && lastDense && lastDense.spec.kind === 'dense' && lastDense.spec.units !== this.classes.length) {
      // Reported at both ends, each with both fixes: the mistake may be in either line.
      const units = lastDense.spec.units;
      const n = this.classes.length;
      const denseStmt = this.layerStmts[lastDense.index]!;
      const unitsArg = denseStmt.args.find((a) => a.name && findParam(statementSchema('dense')!, a.name.text)?.name === 'units');
      const fixes = classesFixes(this.text, this.classesStmt, this.classes, unitsArg, units);
      const classesWord = n === 1 ? '1 class' : `${n} classes`;
      const unitsWord = `${units} unit${units === 1 ? '' : 's'}`;
      this.report(
        'E031',
        { offset: this.classesStmt.offset, length: this.classesStmt.length },
        `There ${n === 1 ? 'is' : 'are'} ${classesWord} but the last dense layer (line ${lastDense.line + 1}) has ${unitsWord}; they must be equal. Set units=${n} or list ${units} class${units === 1 ? '' : 'es'}.`,
        fixes,
      );
      this.report(
        'E031',
        unitsArg ?? denseStmt.keyword,
        `The last dense layer gives one score per class, so its units must equal the ${classesWord} on line ${this.classesStmt.line + 1}, not ${units}. Set units=${n} or list ${units} class${units === 1 ? '' : 'es'}.`,
        fixes,
      );
    }
    // No data line, in a file meant to be trained (it has a train line, or a data line commented out): say so
    // now, not when training starts. A file that only works out shapes stays quiet.
    const commentedData = this.dataStmt ? undefined : tree.comments.find((c) => commentedDataLine(this.text, c));
    if (!this.dataStmt && (this.trainStmt || commentedData)) {
      this.report(
        'I202',
        this.trainStmt ? this.trainStmt.keyword : commentedData!,
        `The file has no 'data' line${commentedData ? ` (line ${commentedData.line + 1} is commented out)` : ''}, so it cannot be trained yet. Add one before 'train': data shapes (built in, no files needed), data idx DIR, data npz FILE or data folder DIR.`,
        dataFixes(this.text, this.trainStmt, commentedData),
      );
    }
    // Mark the layers that hold an error.
    const byLine = new Map(this.layers.map((l) => [l.line, l]));
    const index = new LineOf(this.text);
    for (const d of this.diagnostics) {
      if (d.severity !== 'error') continue;
      const layer = byLine.get(index.lineOf(d.offset));
      if (layer) layer.hasError = true;
    }
  }
}

class LineOf {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

function largestSizeThatFits(axes: Axis[], fit: number): number | undefined {
  // Bounded: sizes and strides may be as large as 2^31 − 1, and a suggestion far below `fit` is no help.
  for (let f = fit; f >= 1 && f > fit - 4096; f--) if (axes.every((a) => applyRule({ ...a, f }).ok)) return f;
  return undefined;
}

function suggest(word: string, values: readonly string[]): string {
  const g = nearest(word, values);
  return g ? ` Did you mean '${g}'?` : '';
}

function enumFix(v: Span & { text: string }, values: readonly string[]): Fix[] {
  const g = nearest(v.text, values);
  return g ? [{ title: `Change to '${g}'`, edits: [{ offset: v.offset, length: v.length, newText: g }], preferred: true }] : [];
}

/** Check a `.cnn` text. Never throws. */
export function check(text: string, host?: CheckHost): CheckResult {
  // UTF-16 text read as UTF-8 (a zero between every two characters): one diagnostic that says so, not one per
  // character, and nothing read from it.
  const utf16 = detectUtf16((i) => text.charCodeAt(i), text.length);
  const tree = parse(utf16 ? '' : text);
  const c = new Checker(text, host);
  if (utf16) c.diagnostics.push(makeDiagnostic('E003', 0, Math.min(text.length, 2), utf16Message(utf16)));
  // A loop, not push(...): a file of ten million control characters has ten million diagnostics.
  for (const d of tree.diagnostics) c.diagnostics.push(d);
  try {
    if (!utf16) c.run(tree);
  } catch (err) {
    // A bug in a rule must not take the editor down: report it on the first line and keep what we have.
    c.diagnostics.push(makeDiagnostic('E003', 0, 0, `Internal checker error: ${(err as Error).message}. Please report this file.`));
  }
  // The parser's and the checker's diagnostics are each nearly in order: the sort is close to linear.
  const diagnostics = c.diagnostics.sort((a, b) => a.offset - b.offset || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return {
    text,
    tree,
    diagnostics,
    layers: c.layers,
    name: c.name,
    input: c.input,
    inputLine: c.inputStmt?.line ?? null,
    classes: c.classes,
    data: c.data,
    train: c.train,
    hasErrors: diagnostics.some((d) => d.severity === 'error'),
  };
}

/** The model the engine and trainer build from; null when the file has errors. */
export function toModelSpec(result: CheckResult, fallbackName = 'network'): ModelSpec | null {
  if (result.hasErrors || !result.input) return null;
  const lastDense = [...result.layers].reverse().find((l) => l.spec.kind === 'dense');
  const n = lastDense && lastDense.spec.kind === 'dense' ? lastDense.spec.units : 0;
  const classes = result.classes ?? Array.from({ length: n }, (_, i) => String(i));
  return {
    name: result.name ?? fallbackName,
    input: result.input,
    classes,
    layers: result.layers,
    data: result.data,
    train: { ...result.train, val: result.train.val ?? result.data?.val ?? null },
    source: result.text,
  };
}

export { DEFAULT_VAL_FRACTION, formatNumber };
