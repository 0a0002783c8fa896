// The outline of a checked file, as plain entries (no vscode; symbols.ts turns them into DocumentSymbols).
//
// The editor asks for the outline after every change, for the Outline view, the breadcrumbs and sticky scroll,
// and builds a model of every symbol in both processes. A 10 MB file has 100,000 layers: that took about
// 4.5 s a keystroke in code-server. So the outline lists at most MAX_OUTLINE_ENTRIES statements, then one
// entry that says how many more there are and spans them.

import { type CheckResult, describeLayer, formatOutput, formatShape } from '../language';

export const MAX_OUTLINE_ENTRIES = 5000;

export interface OutlineEntry {
  name: string;
  detail: string;
  kind: 'layer' | 'input' | 'setting' | 'more';
  /** The whole entry's span in the text, and the part to select (the keyword). */
  offset: number;
  length: number;
  selOffset: number;
  selLength: number;
}

export interface Outline {
  /** The network's name (or `network`) and its layer count. */
  name: string;
  detail: string;
  entries: OutlineEntry[];
}

const SETTINGS = new Set(['classes', 'data', 'train']);

/**
 * The outline of `result`; `slice(start, end)` reads the checked text (for the settings' details). Null when the
 * file has nothing to list.
 */
export function buildOutline(result: CheckResult, slice: (start: number, end: number) => string, max = MAX_OUTLINE_ENTRIES): Outline | null {
  const entries: OutlineEntry[] = [];
  const layersByLine = new Map(result.layers.map((l) => [l.line, l]));
  let more = 0;
  let moreStart = -1;
  let moreEnd = -1;
  for (const stmt of result.tree.statements) {
    const layer = layersByLine.get(stmt.line);
    const isInput = !layer && stmt.keyword.text === 'input' && result.input !== null && result.inputLine === stmt.line;
    const isSetting = !layer && SETTINGS.has(stmt.keyword.text);
    if (!layer && !isInput && !isSetting) continue;
    if (entries.length >= max) {
      if (more++ === 0) moreStart = stmt.offset;
      moreEnd = stmt.offset + stmt.length;
      continue;
    }
    const span = { offset: stmt.offset, length: stmt.length, selOffset: stmt.keyword.offset, selLength: stmt.keyword.length };
    if (layer) entries.push({ name: `${layer.index}: ${describeLayer(layer)}`, detail: `→ ${formatOutput(layer)}`, kind: 'layer', ...span });
    else if (isInput) entries.push({ name: 'input', detail: formatShape({ kind: 'volume', ...result.input! }), kind: 'input', ...span });
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
