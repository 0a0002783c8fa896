// The checker: every rule and code of the language spec, every shape that can be computed, and the
// quick fixes as plain data. Never throws; a file with errors still yields every computable shape.
// The parts: arguments (args.ts), statements that are not layers (statements.ts), layer specs (layerSpecs.ts),
// the layer table (rules.ts) and its diagnostics (layerCheck.ts), branches and merges (graph.ts).

import { readArgs, type ReadArgs } from './args';
import { type Code, type Diagnostic, type Fix, makeDiagnostic } from './diagnostics';
import { detectUtf16, utf16Message } from './encoding';
import { defineLabel, fromStatement, labelNotAllowed, mergeProblem, type NamePart, readNames, resolveName } from './graph';
import { applyLayer } from './layerCheck';
import { readLayerSpec } from './layerSpecs';
import { type AugmentSpec, type DataSpec, DEFAULT_VAL_FRACTION, type LayerInfo, type ModelSpec, type Shape, type Task, taskOf, TRAIN_DEFAULTS, type TrainSpec } from './model';
import { isProblem, type Rf, ruleOf, sameAs } from './rules';
import { type StatementSchema, allKeywords, nearest, statementSchema } from './schema';
import { formatNumber } from './shape';
import { classesStatement, dataStatement, inputStatement, network, trainStatement } from './statements';
import { type Span, type Statement, type SyntaxTree, parse } from './syntax';
import { augmentStatement } from './tasks';
import { wholeFileRules } from './wholeFile';

/** What the checker may ask of its host (the CLI or the editor) about the file system. */
export interface CheckHost {
  /**
   * Kind of the entry at a path relative to the `.cnn` file, null when nothing is there, undefined when not known
   * yet (the browser's host looks it up in the background and has the file checked again): no diagnostic then.
   */
  stat?(path: string): 'file' | 'dir' | null | undefined;
  /**
   * E055's message when the data's labels do not fit the network's task (a sigmoid network on one class per
   * sample, a softmax one on N×L labels), read from the label array's header only; null when they fit or
   * cannot be read (src/data's dataTaskIssue).
   */
  dataTask?(data: DataSpec, net: { task: Task; units: number }): string | null;
  /**
   * E040's message when a `data folder` holds files that stop training (DICOM files that cannot be used), from
   * their headers; null when there are none (src/data's folderDicomIssue).
   */
  dataFiles?(data: DataSpec): string | null;
  /**
   * A `data folder`'s class folders in label order (src/data's classFolderNames), for W105; null when they cannot
   * be read, undefined when not known yet (the browser's host reads them in the background).
   */
  dataClasses?(data: DataSpec): string[] | null | undefined;
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
  /** The `augment` statement's settings, or null when there is none. */
  augment: AugmentSpec | null;
  /** `multilabel` when the network ends in `sigmoid`, else `single` (taskOf). */
  task: Task;
  hasErrors: boolean;
  /** Every label definition (`stem: relu`), in file order; `layer` is the labelled layer's index (-1: `input`). */
  labels: LabelDef[];
  /** Every use of a name (`from stem`, `add main`), in file order; `target` is the named layer's index, null when unresolved. */
  references: LabelRef[];
}

/** A label as written: `name` spans `offset`/`length` (the name only, without the colon). */
export interface LabelDef {
  name: string;
  offset: number;
  length: number;
  /** 0-based line. */
  line: number;
  /** Index of the layer whose output it names; -1 for a label on `input`. */
  layer: number;
}

/** A name used by `from`, `add` or `concat`. */
export interface LabelRef {
  name: string;
  offset: number;
  length: number;
  line: number;
  /** Index of the labelled layer (-1: the input), or null when the name is unknown or defined later (E052). */
  target: number | null;
}

export class Checker {
  readonly diagnostics: Diagnostic[] = [];
  readonly layers: LayerInfo[] = [];
  /** The statement of each layer, by layer index (so whole-file rules need no search). */
  readonly layerStmts: Statement[] = [];
  readonly labels: LabelDef[] = [];
  readonly references: LabelRef[] = [];
  /** The first definition of each label. */
  readonly labelIndex = new Map<string, LabelDef>();
  /** Every label written anywhere in the file (a quick fix's new label must be none of them). */
  readonly allLabels = new Set<string>();
  /** Names not defined above their use, for E052 once every label is known. */
  readonly unresolved: LabelRef[] = [];
  /** Labels on statements that could not be read (E001): uses of them are not a second error. */
  readonly brokenLabels = new Set<string>();
  /** Layers whose flow a `from` cut off (for W104's message). */
  readonly cutBy = new Map<number, Statement>();
  /** A `from` since the last layer, if any. */
  pendingFrom: Statement | null = null;
  /** Where the current flow comes from: a layer's index, -1 for the input, null when unknown (a bad `from`). */
  flow: number | null = -1;
  /** Receptive field and jump of each layer's output (volumes), by index. */
  readonly rfs: (Rf | undefined)[] = [];
  /** The line where each vector output's data was flattened (for E030's message), by index. */
  readonly vectorLines: (number | undefined)[] = [];
  name: string | null = null;
  networkStmt: Statement | null = null;
  input: { h: number; w: number; c: number } | null = null;
  /** The input volume as the first layer's input: null when `input` came after a layer. */
  inputShape: Shape | null = null;
  inputStmt: Statement | null = null;
  classes: string[] | null = null;
  classesStmt: Statement | null = null;
  data: DataSpec | null = null;
  dataStmt: Statement | null = null;
  train: TrainSpec = { ...TRAIN_DEFAULTS };
  trainStmt: Statement | null = null;
  augment: AugmentSpec | null = null;
  augmentStmt: Statement | null = null;

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
    if (kw === '') {
      // Already reported by the parser (`lonely:` with no statement, `filters=3` with no keyword).
      if (stmt.label) this.brokenLabels.add(stmt.label.text);
      return;
    }
    const schema = statementSchema(kw);
    if (!schema) {
      if (stmt.label) this.brokenLabels.add(stmt.label.text);
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
    const args = readArgs(this, stmt, schema);
    if (schema.layer) return this.layer(stmt, schema, args);
    if (stmt.label && schema.keyword !== 'input') labelNotAllowed(this, stmt);
    switch (schema.keyword) {
      case 'network':
        return network(this, stmt, args);
      case 'input': {
        const first = this.inputStmt === null;
        inputStatement(this, stmt, args);
        if (first && this.inputStmt === stmt) defineLabel(this, stmt, -1);
        return;
      }
      case 'classes':
        return classesStatement(this, stmt, args);
      case 'data':
        return dataStatement(this, stmt, args);
      case 'train':
        return trainStatement(this, stmt, args);
      case 'augment':
        return augmentStatement(this, stmt, args);
      case 'from':
        return fromStatement(this, stmt, args.positional);
    }
  }

  /** The output shape of layer `index` (-1: the input). */
  shapeOf(index: number): Shape | null {
    return index < 0 ? this.inputShape : (this.layers[index]?.output ?? null);
  }

  layer(stmt: Statement, schema: StatementSchema, args: ReadArgs): void {
    const index = this.layers.length;
    const info: LayerInfo = {
      index,
      inputs: this.flow === null ? [] : [this.flow],
      label: stmt.label?.text ?? null,
      line: stmt.line,
      keyword: stmt.keyword.text,
      offset: stmt.offset,
      length: stmt.length,
      spec: { kind: 'relu' },
      input: this.flow === null ? null : this.shapeOf(this.flow),
      output: null,
      implicitFlatten: false,
      params: null,
      macs: null,
      receptiveField: null,
      hasError: false,
    };
    this.layers.push(info);
    this.layerStmts.push(stmt);
    const known = this.flow !== null;
    this.pendingFrom = null;
    const read = readLayerSpec(this, stmt, schema, args, this.classes?.length ?? null);
    // The names of add/concat, resolved before this statement's own label is defined (`a: add a` is E052).
    let names: (NamePart | null)[] = [null];
    let allNamed = true;
    if (read && (read.spec.kind === 'add' || read.spec.kind === 'concat')) {
      const parts = readNames(this, args.positional);
      if (parts.length === 0 && args.positional.length === 0) {
        this.report('E004', stmt.keyword, `'${stmt.keyword.text}' needs the names of the outputs to ${read.spec.kind === 'add' ? 'add to' : 'join with'} the current flow, e.g. ${stmt.keyword.text} stem.`);
      }
      for (const part of parts) {
        const target = resolveName(this, part, stmt.line);
        if (target === null) allNamed = false;
        else {
          info.inputs.push(target);
          names.push(part);
        }
      }
      if (parts.length === 0) allNamed = false;
    }
    defineLabel(this, stmt, index);
    this.flow = index;
    if (!read) return; // the layer could not be read; shapes after it are unknown
    info.spec = read.spec;
    if (!known) names = names.slice(1);
    const shapes = info.inputs.map((i) => this.shapeOf(i));
    const complete = known && allNamed && shapes.every((s) => s !== null);
    if (!complete) {
      applyLayer(this, stmt, info, read, args, null, []);
      // An add of names that are not all known still has the current flow's shape.
      if (read.spec.kind === 'add' && known && shapes[0] && shapes.every((s) => s === null || sameAs(s, shapes[0]!))) {
        info.output = shapes[0];
        const rf = info.inputs[0]! < 0 ? { rh: 1, rw: 1, jh: 1, jw: 1 } : this.rfs[info.inputs[0]!];
        if (rf) {
          this.rfs[index] = rf;
          info.receptiveField = [Math.ceil(rf.rh - 1e-9), Math.ceil(rf.rw - 1e-9)];
        }
      }
      return;
    }
    const rfs = info.inputs.map((i) => (i < 0 ? { rh: 1, rw: 1, jh: 1, jw: 1 } : this.rfs[i] ?? { rh: 1, rw: 1, jh: 1, jw: 1 }));
    const out = ruleOf(read.spec).output(read.spec as never, shapes as Shape[]);
    if (isProblem(out) && out.problem === 'merge') {
      mergeProblem(this, stmt, info, shapes as Shape[], names);
      return;
    }
    applyLayer(this, stmt, info, read, args, shapes as Shape[], rfs);
  }

  finish(tree: SyntaxTree): void {
    wholeFileRules(this, tree);
  }
}

/** Check a `.cnn` text. Never throws. */
export function check(text: string, host?: CheckHost): CheckResult {
  // UTF-16 text read as UTF-8 (a zero between every two characters): one diagnostic that says so, not one per
  // character, and nothing read from it.
  const utf16 = detectUtf16((i) => text.charCodeAt(i), text.length);
  const tree = parse(utf16 ? '' : text);
  const c = new Checker(text, host);
  if (!utf16) for (const s of tree.statements) if (s.label) c.allLabels.add(s.label.text);
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
    augment: c.augment,
    task: taskOf(c.layers),
    hasErrors: diagnostics.some((d) => d.severity === 'error'),
    labels: c.labels,
    references: c.references,
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
    task: result.task,
    augment: result.augment,
    layers: result.layers,
    data: result.data,
    train: { ...result.train, val: result.train.val ?? result.data?.val ?? null },
    source: result.text,
  };
}

export { DEFAULT_VAL_FRACTION, formatNumber };
