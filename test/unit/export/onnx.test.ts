// The ONNX inference graph, run in onnxruntime-node (its CPU build) against our engine's predictions, and
// `cnn export --format onnx` end to end.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, saveCheckpoint } from '../../../src/engine';
import { onnxModel } from '../../../src/export';
import type { ModelSpec } from '../../../src/language/model';
import { buildOnce } from '../trainer/helpers';
import { cnn, example, MULTILABEL, ODD_LAYERS, maxAbsDiff, randomInput, specOf, tempDir } from './helpers';

const TOL = 1e-4;
const ODD = ODD_LAYERS;

/** Pool padding of half the window, the most the engine takes (wider ones: graphs.test.ts, model.py against ONNX). */
const PADDED = `network Padded
input 8x8x1
classes a b
pool max size=3 stride=1 pad=1
conv filters=2 size=3 pad=1 activation=sigmoid
pool avg size=4 stride=1 pad=2
flatten
dense units=2
softmax
`;

/** Random weights (the seeded initialiser) with non-zero biases, so a misplaced bias shows. */
function randomNet(spec: ModelSpec, seed: number) {
  const net = createNetwork(spec, { seed, threads: 1 });
  net.setParams(net.params().map((t) => (t.name.endsWith('.bias') ? { ...t, data: t.data.map((_, i) => 0.1 * Math.cos(i + seed)) } : t)));
  return net;
}

function nhwcToNchw(x: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let s = 0; s < n; s++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let k = 0; k < c; k++) out[((s * c + k) * h + y) * w + xx] = x[((s * h + y) * w + xx) * c + k]!;
  return out;
}

/** Runs the model bytes in onnxruntime: the single output as a flat Float32Array, and its dims. */
async function run(bytes: Uint8Array, input: Float32Array, dims: number[]): Promise<{ data: Float32Array; dims: readonly number[]; name: string }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    expect(session.inputNames).toEqual(['input']);
    const name = session.outputNames[0]!;
    const out = await session.run({ input: new ort.Tensor('float32', input, dims) });
    const t = out[name]!;
    return { data: t.data as Float32Array, dims: t.dims, name };
  } finally {
    await session.release();
  }
}

/** The engine's probabilities turned back into what the graph outputs: logits up to a constant, or probabilities. */
function softmaxRows(x: Float32Array, n: number, k: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let s = 0; s < n; s++) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, x[s * k + j]!);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(x[s * k + j]! - m);
    for (let j = 0; j < k; j++) out[s * k + j] = Math.exp(x[s * k + j]! - m) / sum;
  }
  return out;
}

describe('ONNX export in onnxruntime-node', () => {
  const cases = [
    { name: 'lecture', text: example('lecture') },
    { name: 'lenet', text: example('lenet') },
    { name: 'tinyvgg', text: example('tinyvgg') },
    { name: 'pathmnist', text: example('pathmnist') },
    { name: 'chestmnist', text: example('chestmnist') },
    { name: 'odd', text: ODD },
    { name: 'padded', text: PADDED },
    { name: 'multilabel', text: MULTILABEL },
  ];
  const report: string[] = [];

  for (const [k, c] of cases.entries()) {
    it(`${c.name}: outputs equal our predictions (NHWC and NCHW inputs)`, async () => {
      const spec = specOf(c.text);
      const net = randomNet(spec, 21 + k);
      const n = 3;
      const { h, w, c: ch } = spec.input;
      const x = randomInput(n * h * w * ch, 50 + k);
      const ours = net.predict(x, n);
      const endsInSoftmax = spec.layers.at(-1)?.spec.kind === 'softmax';
      // A multi-label network ends in a Sigmoid node: each label's probability, as the engine predicts it.
      const endsInSigmoid = spec.task === 'multilabel';
      for (const layout of ['nhwc', 'nchw'] as const) {
        const bytes = onnxModel(spec, { tensors: net.params(), layout });
        const input = layout === 'nhwc' ? x : nhwcToNchw(x, n, h, w, ch);
        const dims = layout === 'nhwc' ? [n, h, w, ch] : [n, ch, h, w];
        const out = await run(bytes, input, dims);
        expect(out.name).toBe(endsInSoftmax || endsInSigmoid ? 'probabilities' : 'logits');
        expect(out.dims).toEqual([n, spec.classes.length]);
        const probs = endsInSoftmax || endsInSigmoid ? out.data : softmaxRows(out.data, n, spec.classes.length);
        const diff = maxAbsDiff(probs, ours);
        if (layout === 'nhwc') report.push(`${c.name} ${diff.toExponential(2)}`);
        expect(diff, `${c.name} ${layout}`).toBeLessThan(TOL);
      }
    });
  }

  it('refuses weights that do not fit the model', () => {
    const spec = specOf(example('lecture'));
    const params = randomNet(spec, 1).params();
    expect(() => onnxModel(spec, { tensors: params.slice(1) })).toThrow(/layers\.0\.weight is missing/);
    const wrong = params.map((t, i) => (i === 0 ? { ...t, shape: [16, 3, 9, 1] } : t));
    expect(() => onnxModel(spec, { tensors: wrong })).toThrow(/layers\.0\.weight has shape \[16,3,9,1\]/);
    expect(() => onnxModel(spec, { tensors: [...params, { name: 'layers.99.weight', shape: [1], data: new Float32Array(1) }] })).toThrow(/layers\.99\.weight is not a tensor of this model/);
  });

  it('reports the figures', () => {
    console.log(`max |onnxruntime − engine| of the probabilities: ${report.join(', ')}`);
    expect(report).toHaveLength(cases.length);
  });
});

describe('cnn export --format onnx', () => {
  beforeAll(() => buildOnce());

  it('writes the graph with a checkpoint\'s weights (--weights), which onnxruntime runs as our engine predicts', async () => {
    const dir = tempDir();
    const file = join(dir, 'lecture.cnn');
    writeFileSync(file, example('lecture'));
    const spec = specOf(example('lecture'), file);
    const net = randomNet(spec, 5);
    const ckpt = join(dir, 'w.safetensors');
    saveCheckpoint(ckpt, net, { source: spec.source });
    const r = cnn(['export', file, '--format', 'onnx', '--weights', ckpt]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Wrote .*DoorStairSign\.onnx .*input 'input' float32 N×32×32×3 \(NHWC\), output 'probabilities' N×3; weights from/);
    const x = randomInput(2 * 32 * 32 * 3, 3);
    const out = await run(readFileSync(join(dir, 'DoorStairSign.onnx')), x, [2, 32, 32, 3]);
    expect(maxAbsDiff(out.data, net.predict(x, 2))).toBeLessThan(TOL);
  });

  it('uses fresh weights from --seed, and -o with --layout nchw', async () => {
    const dir = tempDir();
    const file = join(dir, 'tiny.cnn');
    const text = 'network T\ninput 6x6x2\nclasses a b c\nconv filters=2 size=3 activation=relu\ndense units=3\n';
    writeFileSync(file, text);
    const spec = specOf(text, file);
    const out = join(dir, 'sub', 'm.onnx');
    const r = cnn(['export', file, '--format', 'onnx', '--seed', '8', '--layout', 'nchw', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("output 'logits' N×3; fresh weights (seed 8");
    const x = randomInput(6 * 6 * 2, 4);
    const res = await run(readFileSync(out), nhwcToNchw(x, 1, 6, 6, 2), [1, 2, 6, 6]);
    const net = createNetwork(spec, { seed: 8, threads: 1 });
    expect(maxAbsDiff(softmaxRows(res.data, 1, 3), net.predict(x, 1))).toBeLessThan(TOL);
  });
});
