// The gradient checks' tools (gradcheck*.test.ts, graph-gradcheck.test.ts): L = Σ out·R for a random R, so
// the analytic gradients come from backward(dy = R) and the numeric ones from central differences of L.
import { expect } from 'vitest';
import { maxRelDiff } from './helpers';

export const EPS = 1e-6;
export const TOL = 1e-6;

/** Central-difference gradient of f with respect to every element of v. */
export function numericGrad(v: Float64Array, f: () => number, eps = EPS): Float64Array {
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const old = v[i]!;
    v[i] = old + eps;
    const fp = f();
    v[i] = old - eps;
    const fm = f();
    v[i] = old;
    g[i] = (fp - fm) / (2 * eps);
  }
  return g;
}

/** The analytic gradient has the numeric one's length and is within TOL of it (relative to max(1, |numeric|)). */
export function expectClose(analytic: ArrayLike<number>, numeric: ArrayLike<number>, what: string): void {
  expect(analytic.length, what).toBe(numeric.length);
  expect(maxRelDiff(analytic, numeric), what).toBeLessThan(TOL);
}

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** randomArray's default (Float64Array) result, typed as such. */
export const f64 = (a: Float32Array | Float64Array): Float64Array => a as Float64Array;

type Buf = Float32Array | Float64Array;

/**
 * Checks a kernel pair with parameters against central differences of L = Σ y·R: forward(y) writes y
 * (R.length values) from x, w and b; backward(dx, dw, db, R, y) accumulates their gradients.
 */
export function checkWithParams(
  x: Float64Array,
  w: Float64Array,
  b: Float64Array,
  R: Buf,
  forward: (y: Float64Array) => void,
  backward: (dx: Float64Array, dw: Float64Array, db: Float64Array, dy: Buf, y: Float64Array) => void,
): void {
  const y = new Float64Array(R.length);
  const loss = (): number => {
    forward(y);
    return dot(y, R);
  };
  loss();
  const [dx, dw, db] = [new Float64Array(x.length), new Float64Array(w.length), new Float64Array(b.length)];
  backward(dx, dw, db, R, y);
  expectClose(dx, numericGrad(x, loss), 'dx');
  expectClose(dw, numericGrad(w, loss), 'dw');
  expectClose(db, numericGrad(b, loss), 'db');
}

/** The same for a kernel pair without parameters: backward(dx, R, y) accumulates x's gradient. */
export function checkInputOnly(x: Float64Array, R: Buf, forward: (y: Float64Array) => void, backward: (dx: Float64Array, dy: Buf, y: Float64Array) => void): void {
  const y = new Float64Array(R.length);
  const loss = (): number => {
    forward(y);
    return dot(y, R);
  };
  loss();
  const dx = new Float64Array(x.length);
  backward(dx, R, y);
  expectClose(dx, numericGrad(x, loss), 'dx');
}
