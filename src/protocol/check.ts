// Tiny run-time checks for messages that cross a process or webview boundary. Types only otherwise.

export type Check = (v: unknown) => boolean;

export const isNum: Check = (v) => typeof v === 'number' && !Number.isNaN(v);
export const isFiniteNum: Check = (v) => typeof v === 'number' && Number.isFinite(v);
export const isInt: Check = (v) => typeof v === 'number' && Number.isInteger(v);
export const isStr: Check = (v) => typeof v === 'string';
export const isBool: Check = (v) => typeof v === 'boolean';
export const isF32: Check = (v) => v instanceof Float32Array;
export const nullable =
  (c: Check): Check =>
  (v) =>
    v === null || c(v);
export const optional =
  (c: Check): Check =>
  (v) =>
    v === undefined || c(v);
export const arrayOf =
  (c: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(c);
export const oneOf =
  (...values: readonly unknown[]): Check =>
  (v) =>
    values.includes(v);

/** An object whose listed fields pass their checks (other fields are allowed and ignored). */
export const shape =
  (fields: Record<string, Check>): Check =>
  (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    for (const [k, c] of Object.entries(fields)) if (!c(o[k])) return false;
    return true;
  };

/** A tagged union: `type` picks the shape to check. */
export function tagged<T extends string>(shapes: Record<T, Record<string, Check>>): (v: unknown) => boolean {
  const checks = new Map<string, Check>(Object.entries(shapes).map(([k, f]) => [k, shape(f as Record<string, Check>)]));
  return (v) => {
    if (typeof v !== 'object' || v === null) return false;
    const c = checks.get((v as { type?: unknown }).type as string);
    return c !== undefined && c(v);
  };
}
