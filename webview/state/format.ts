// Number and shape formatting for the webview (the language's own helpers are not imported here: the webview
// may import the protocol and Lit only). Pure.

import type { ShapeView } from '../../src/protocol/webview';

export function formatShape(s: ShapeView | null): string {
  if (!s) return '?';
  return s.kind === 'volume' ? `${s.h}×${s.w}×${s.c}` : `${s.n}`;
}

/** 1.2M, 35.6K, 120 */
export function formatCompact(n: number | null): string {
  if (n === null) return '?';
  const trim = (x: number) => String(Math.round(x * 10) / 10);
  if (n >= 1e9) return `${trim(n / 1e9)}G`;
  if (n >= 1e6) return `${trim(n / 1e6)}M`;
  if (n >= 1e4) return `${trim(n / 1e3)}K`;
  return n.toLocaleString('en-US');
}

/** Three significant digits, or an exponent for very large or small values. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  const text = a >= 1e4 || a < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(3)));
  // The lecture's minus sign (as in the editor's arithmetic), not a hyphen: −0.528, 1.2e−5.
  return text.replace(/-/g, '−');
}

export function formatPercent(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(1)}%`;
}

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '?';
  if (sec < 60) return `${Math.round(sec)} s`;
  const m = Math.floor(sec / 60);
  if (m < 60) return `${m} min ${Math.round(sec - 60 * m)} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m - 60 * h} min`;
}

/**
 * A path as short as it can be read: relative to the folder of `baseFile` (the .cnn file, whose runs/ sit beside
 * it) when inside it, else as it is. `/` and `\` both separate; a Windows drive path compares without case.
 */
export function relativeTo(path: string, baseFile: string | null): string {
  if (!baseFile) return path;
  const norm = (p: string) => p.replace(/\\/g, '/');
  const base = norm(baseFile);
  const cut = base.lastIndexOf('/');
  if (cut <= 0) return path;
  const dir = base.slice(0, cut + 1);
  const p = norm(path);
  const inside = /^[A-Za-z]:\//.test(dir) ? p.toLowerCase().startsWith(dir.toLowerCase()) : p.startsWith(dir);
  // The same length after `\` → `/`: cut the original, keeping its separators.
  return inside && p.length > dir.length ? path.slice(dir.length) : path;
}
