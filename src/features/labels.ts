// Where each label is defined and used, and what renaming one changes. Pure (no vscode): navigation.ts wires it
// to go to definition, find references, highlights and rename (F2); hover.ts and completion.ts read it too.

import { type CheckResult, describeLayer, formatOutput, formatShape, LABEL_RE, type LabelDef, type LabelRef, type Shape } from '../language';

/** What a checked file knows about its names: CheckResult's `labels` and `references`. */
export type LabelGraph = Pick<CheckResult, 'labels' | 'references'>;

/** A name under the cursor: a label's definition (`stem` in `stem: relu`) or a use (`stem` in `from stem`). */
export interface LabelHit {
  name: string;
  offset: number;
  length: number;
  /** The definition the name stands for: itself for a definition, the resolved target for a use (else null). */
  definition: LabelDef | null;
  /** The use under the cursor, when it is one. */
  reference: LabelRef | null;
}

/** Whether `offset` lies in (or just after) the span: the cursor right after a word still means that word. */
const touches = (s: { offset: number; length: number }, offset: number) => offset >= s.offset && offset <= s.offset + s.length;

/** The definition a use resolves to (by its target layer and name), or null for an unknown name (E052). */
export function definitionOf(graph: LabelGraph, ref: LabelRef): LabelDef | null {
  if (ref.target === null) return null;
  return graph.labels.find((l) => l.layer === ref.target && l.name === ref.name) ?? null;
}

/** The label definition or use at `offset`, if any. */
export function labelAt(graph: LabelGraph, offset: number): LabelHit | null {
  for (const def of graph.labels) {
    if (touches(def, offset)) return { name: def.name, offset: def.offset, length: def.length, definition: def, reference: null };
  }
  for (const ref of graph.references) {
    if (touches(ref, offset)) return { name: ref.name, offset: ref.offset, length: ref.length, definition: definitionOf(graph, ref), reference: ref };
  }
  return null;
}

/** The uses that resolve to `def`, in file order. */
export function usesOf(graph: LabelGraph, def: LabelDef): LabelRef[] {
  return graph.references.filter((r) => r.target === def.layer && r.name === def.name);
}

export interface Occurrence {
  offset: number;
  length: number;
  line: number;
  isDefinition: boolean;
}

/**
 * Every occurrence of the name at the hit: its definition and every use of it. A name that is not defined
 * (E052) has no definition: then its occurrences are the unresolved uses of the same spelling.
 */
export function occurrencesOf(graph: LabelGraph, hit: LabelHit): Occurrence[] {
  const use = (r: LabelRef): Occurrence => ({ offset: r.offset, length: r.length, line: r.line, isDefinition: false });
  if (!hit.definition) return graph.references.filter((r) => r.target === null && r.name === hit.name).map(use);
  const def = hit.definition;
  return [{ offset: def.offset, length: def.length, line: def.line, isDefinition: true }, ...usesOf(graph, def).map(use)];
}

export interface TextEdit {
  offset: number;
  length: number;
  text: string;
}

export type RenamePlan = { ok: true; edits: TextEdit[] } | { ok: false; message: string };

/** The span F2 may rename at `offset`: a label's definition or a use that resolves to one. */
export function renameTarget(graph: LabelGraph, offset: number): { ok: true; hit: LabelHit } | { ok: false; message: string } {
  const hit = labelAt(graph, offset);
  if (!hit) return { ok: false, message: 'Only a label can be renamed: put the cursor on a name such as `stem` in `stem: relu` or `from stem`.' };
  if (!hit.definition) return { ok: false, message: `\`${hit.name}\` is not defined above this line, so there is nothing to rename: define it first (\`${hit.name}: relu\`).` };
  return { ok: true, hit };
}

/** Renaming the label at `offset` to `newName`: its definition and every use, or why not. */
export function planRename(graph: LabelGraph, offset: number, newName: string): RenamePlan {
  const target = renameTarget(graph, offset);
  if (!target.ok) return target;
  const { hit } = target;
  const name = newName.trim();
  if (!LABEL_RE.test(name)) {
    return { ok: false, message: `\`${name}\` cannot be a label: a label starts with a letter, then letters, digits or _ (such as \`stem\` or \`block2_out\`).` };
  }
  if (name === hit.name) return { ok: true, edits: [] };
  const clash = graph.labels.find((l) => l.name === name);
  if (clash) return { ok: false, message: `\`${name}\` already names the output on line ${clash.line + 1}: choose another name.` };
  return { ok: true, edits: occurrencesOf(graph, hit).map((o) => ({ offset: o.offset, length: o.length, text: name })) };
}

/** The first use of a name on each line from `first` to `last` (a `from` line has one): one pass, for views of a whole file. */
export function referencesByLine(graph: LabelGraph, first = 0, last = Infinity): Map<number, LabelRef> {
  const byLine = new Map<number, LabelRef>();
  for (const r of graph.references) if (r.line >= first && r.line <= last && !byLine.has(r.line)) byLine.set(r.line, r);
  return byLine;
}

/** The labels defined on lines above `line` that a `from`/`add`/`concat` there could name, in file order. */
export function labelsAbove(graph: LabelGraph, line: number): LabelDef[] {
  const defs: LabelDef[] = [];
  const seen = new Set<string>();
  for (const l of graph.labels) {
    if (l.line >= line) break; // (in file order)
    if (!seen.has(l.name)) {
      seen.add(l.name);
      defs.push(l);
    }
  }
  return defs;
}

/** An output that flows somewhere: a layer's (by index) or the network's input (-1). */
export interface Source {
  /** Its shape as the views write it (`16×16×32`, `?` when unknown). */
  shape: string;
  output: Shape | null;
  /** 0-based line of the statement that produces it. */
  line: number;
  /** The layer in words (`batch norm`), or `input`. */
  what: string;
  label: string | null;
}

/** The output of layer `index` (-1: the input), or null when there is no such layer. */
export function sourceOf(result: Pick<CheckResult, 'layers' | 'input' | 'inputLine' | 'labels'>, index: number): Source | null {
  if (index === -1) {
    if (result.inputLine === null) return null;
    const label = result.labels.find((l) => l.layer === -1)?.name ?? null;
    const output: Shape | null = result.input ? { kind: 'volume', ...result.input } : null;
    return { shape: formatShape(output), output, line: result.inputLine, what: 'input', label };
  }
  const layer = result.layers[index];
  if (!layer) return null;
  return { shape: formatOutput(layer), output: layer.output, line: layer.line, what: describeLayer(layer), label: layer.label };
}

/** `16×16×32 · line 10 (batch norm)`: what a label names, for completion's detail and hover. */
export function formatSource(s: Source): string {
  return `${s.shape} · line ${s.line + 1} (${s.what})`;
}
