// The optimizers' WebAssembly updates (src/engine/wasm/assembly/optim.ts, float32 in torch.optim's order)
// against the reference loops of src/engine/optim.ts (float64 arithmetic), over an odd number of parameters
// (the 4-wide loop and its tail), with weight decay and momentum, for several steps, on 1 thread and on 3
// (where a step of a million parameters or more is split across them).
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../../src/engine/backend';
import { adamStep, sgdStep } from '../../../src/engine/optim';
import { Rng } from '../../../src/engine/rng';
import { maxRelDiff, place, randomArray } from './helpers';

const backends: Backend[] = [];
afterAll(async () => {
  for (const be of backends) await be.dispose();
});

for (const [threads, LEN] of [[1, 1001], [3, (1 << 20) + 5]] as const) {
  describe(`optimizers on the WebAssembly backend, ${threads} thread${threads > 1 ? 's' : ''}, ${LEN} parameters`, () => {
    const be = createBackend('auto', { threads });
    backends.push(be);

    it('Adam (weight decay 0.01) gives the reference parameters and moments over 5 steps', () => {
      expect(be.name).not.toBe('js');
      const rng = new Rng(3);
      const p0 = randomArray(LEN, rng);
      const [p, g, m, v] = place(be, [p0, LEN, LEN, LEN]);
      const [rp, rm, rv] = [Float32Array.from(p0), new Float32Array(LEN), new Float32Array(LEN)];
      for (let step = 1; step <= 5; step++) {
        const grads = randomArray(LEN, rng);
        g!.set(grads);
        be.adamStep(p!, g!, m!, v!, LEN, step, 0.01, 0.9, 0.999, 1e-8, 0.01);
        adamStep(rp, Float32Array.from(grads), rm, rv, LEN, step, 0.01, 0.9, 0.999, 1e-8, 0.01);
      }
      expect(maxRelDiff(p!, rp)).toBeLessThan(1e-5);
      expect(maxRelDiff(m!, rm)).toBeLessThan(1e-5);
      expect(maxRelDiff(v!, rv)).toBeLessThan(1e-5);
      expect(maxRelDiff(p!, p0)).toBeGreaterThan(1e-3); // it moved
    });

    it('SGD with momentum 0.9 and weight decay 0.001 gives the reference parameters over 4 steps', () => {
      const rng = new Rng(4);
      const p0 = randomArray(LEN, rng);
      const [p, g, buf] = place(be, [p0, LEN, LEN]);
      const [rp, rbuf] = [Float32Array.from(p0), new Float32Array(LEN)];
      for (let step = 1; step <= 4; step++) {
        const grads = randomArray(LEN, rng);
        g!.set(grads);
        be.sgdStep(p!, g!, buf!, LEN, step, 0.1, 0.9, 0.001);
        sgdStep(rp, Float32Array.from(grads), rbuf, LEN, step, 0.1, 0.9, 0.001);
      }
      expect(maxRelDiff(p!, rp)).toBeLessThan(1e-5);
      expect(maxRelDiff(buf!, rbuf)).toBeLessThan(1e-5);
    });
  });
}
