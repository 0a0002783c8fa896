// Small helpers for writing Python source text from TypeScript.

import type { Shape } from '../../language/model';

/** A Python string literal (JSON's escapes are valid Python: \", \\, \n, \uXXXX). */
export function pyStr(s: string): string {
  return JSON.stringify(s);
}

/** A Python literal for plain JSON-like data: None/True/False, numbers, strings, lists, dicts. */
export function pyLit(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'float("nan")';
    if (!Number.isFinite(v)) return v > 0 ? 'float("inf")' : 'float("-inf")';
    return String(v);
  }
  if (typeof v === 'string') return pyStr(v);
  if (Array.isArray(v)) return `[${v.map(pyLit).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pyStr(k)}: ${pyLit(x)}`)
      .join(', ')}}`;
  }
  throw new Error(`no Python literal for ${typeof v}`);
}

/** A Python identifier made from a network name (a class name). */
export function pyClassName(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!id) id = 'Network';
  if (/^[0-9]/.test(id)) id = `Net${id}`;
  if (PY_KEYWORDS.has(id)) id = `${id}_`;
  return id;
}

const PY_KEYWORDS = new Set(
  // Python's keywords, and the names model.py itself defines or imports (a class must not shadow them).
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield torch nn NAME INPUT_SHAPE CLASSES LAYER_KINDS LAYER_LINES init_weights build_model'.split(' '),
);

/** "32×32×3" for a volume, "2048" for a vector (H×W×C, as the .cnn language writes shapes). */
export function shapeText(s: Shape | null): string {
  if (!s) return '?';
  return s.kind === 'volume' ? `${s.h}×${s.w}×${s.c}` : String(s.n);
}

/** Safe file-system name for a network: used in default output paths. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'network';
}
