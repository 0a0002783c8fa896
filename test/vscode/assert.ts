// The assertions of the extension-host suite, as node:assert/strict spells them (ok, equal, deepEqual, match,
// rejects), without Node: the suite also runs in the web worker extension host, whose bundle is built for the
// browser (esbuild refuses `node:` imports there, which keeps Node out of it).

export class AssertionError extends Error {
  override name = 'AssertionError';
}

const show = (v: unknown): string => {
  try {
    return typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    return String(v);
  }
};

function fail(message: string | undefined, fallback: string): never {
  throw new AssertionError(message ?? fallback);
}

export function ok(value: unknown, message?: string): asserts value {
  if (!value) fail(message, `expected a truthy value, got ${show(value)}`);
}

/** Object.is: as node:assert/strict's equal. */
export function equal<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
  if (!Object.is(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
}

function deepEquals(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((x, i) => deepEquals(x, bs[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Same structure, same prototypes, primitives by Object.is: as node:assert/strict's deepEqual (for plain data). */
export function deepEqual<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
  if (!deepEquals(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
}

export function match(actual: string, re: RegExp, message?: string): void {
  if (typeof actual !== 'string' || !re.test(actual)) fail(message, `expected ${show(actual)} to match ${re}`);
}

/** The promise rejects with an error whose message matches `re`. */
export async function rejects(promise: Promise<unknown>, re: RegExp, message?: string): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  if (error === undefined) fail(message, `expected a rejection matching ${re}, but it resolved`);
  const text = error instanceof Error ? error.message : String(error);
  if (!re.test(text)) fail(message, `expected a rejection matching ${re}, got ${show(text)}`);
}
