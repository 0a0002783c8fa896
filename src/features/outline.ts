// The outline of a checked file, as plain entries (no vscode; symbols.ts turns them into DocumentSymbols).
//
// The editor asks for the outline after every change, for the Outline view, the breadcrumbs and sticky scroll,
// and builds a model of every symbol in both processes. A 10 MB file has 100,000 layers: that took about
// 4.5 s a keystroke in code-server. So the outline lists at most MAX_OUTLINE_ENTRIES statements, then one
// entry that says how many more there are and spans them.
//
// Branches: a `from NAME` line starts a group (`from stem`, with the shape it starts from) that holds the layers
// after it, up to the next `from`, the `add`/`concat` that merges it, or the next setting. A label shows in its
// layer's name as written: `9: main: batch norm`.

import { type CheckResult, describeLayer, formatOutput, formatShape, taskPhrase } from '../language';
import { referencesByLine, sourceOf } from './labels';

export const MAX_OUTLINE_ENTRIES = 5000;

export interface OutlineEntry {
  name: string;
  detail: string;
  kind: 'layer' | 'input' | 'setting' | 'branch' | 'more';
  /** The whole entry's span in the text, and the part to select (the keyword). */
  offset: number;
  length: number;
  selOffset: number;
  selLength: number;
  /** A branch's layers. */
  children?: OutlineEntry[];
}

export interface Outline {
  /** The network's name (or `network`) and its layer count. */
  name: string;
  detail: string;
  entries: OutlineEntry[];
}

const SETTINGS = new Set(['classes', 'data', 'train', 'augment']);

/**
 * The outline of `result`; `slice(start, end)` reads the checked text (for the settings' details). Null when the
 * file has nothing to list.
 */
export function buildOutline(result: CheckResult, slice: (start: number, end: number) => string, max = MAX_OUTLINE_ENTRIES): Outline | null {
  const entries: OutlineEntry[] = [];
  const layersByLine = new Map(result.layers.map((l) => [l.line, l]));
  let listed = 0;
  let more = 0;
  let moreStart = -1;
  let moreEnd = -1;
  /** The open `from` group, if any: layers go into it until a merge, another `from` or a setting. */
  let branch: OutlineEntry | null = null;
  const refs = referencesByLine(result);
  // A multi-label network's last layer says so: `8: sigmoid (multi-label, 14 labels)`.
  const multi = result.task === 'multilabel' ? taskPhrase(result.task, result.layers) : null;
  for (const stmt of result.tree.statements) {
    const layer = layersByLine.get(stmt.line);
    const isInput = !layer && stmt.keyword.text === 'input' && result.input !== null && result.inputLine === stmt.line;
    const isSetting = !layer && SETTINGS.has(stmt.keyword.text);
    const isFrom = !layer && stmt.keyword.text === 'from';
    if (!layer && !isInput && !isSetting && !isFrom) continue;
    if (listed >= max) {
      if (more++ === 0) moreStart = stmt.offset;
      moreEnd = stmt.offset + stmt.length;
      continue;
    }
    listed++;
    const span = { offset: stmt.offset, length: stmt.length, selOffset: stmt.keyword.offset, selLength: stmt.keyword.length };
    const label = stmt.label ? `${stmt.label.text}: ` : '';
    if (layer) {
      const task = multi && layer.index === result.layers.length - 1 ? ` (${multi})` : '';
      const entry: OutlineEntry = { name: `${layer.index}: ${label}${describeLayer(layer)}${task}`, detail: `→ ${formatOutput(layer)}`, kind: 'layer', ...span };
      if (layer.spec.kind === 'add' || layer.spec.kind === 'concat') {
        branch = null;
        // By the names it joins, as written (`add main`): the current flow is implied.
        entry.name = `${layer.index}: ${label}${[stmt.keyword.text, ...stmt.args.map((a) => a.value.text)].join(' ')}`;
      }
      if (branch) {
        branch.children!.push(entry);
        branch.length = stmt.offset + stmt.length - branch.offset;
      } else entries.push(entry);
      continue;
    }
    branch = null;
    if (isFrom) {
      const names = stmt.args.map((a) => a.value.text);
      const ref = refs.get(stmt.line);
      const start = (ref && ref.target !== null ? sourceOf(result, ref.target)?.shape : undefined) ?? '?';
      branch = { name: `from ${names.join(' ')}`.trim(), detail: `${start} →`, kind: 'branch', ...span, children: [] };
      entries.push(branch);
    } else if (isInput) entries.push({ name: `${label}input`, detail: formatShape({ kind: 'volume', ...result.input! }), kind: 'input', ...span });
    else entries.push({ name: stmt.keyword.text, detail: slice(stmt.keyword.offset + stmt.keyword.length, stmt.offset + stmt.length).trim(), kind: 'setting', ...span });
  }
  if (entries.length === 0) return null;
  if (more > 0) {
    entries.push({
      name: `… ${more.toLocaleString('en-US')} more`,
      detail: `the outline lists the first ${max.toLocaleString('en-US')} statements`,
      kind: 'more',
      offset: moreStart,
      length: moreEnd - moreStart,
      selOffset: moreStart,
      selLength: 0,
    });
  }
  return { name: result.name ?? 'network', detail: `${result.layers.length} layers`, entries };
}
