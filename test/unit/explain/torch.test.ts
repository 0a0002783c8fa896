// Grad-CAM, saliency and occlusion from the built-in engine against PyTorch on the exported model (the same
// checkpoint; the definitions computed by test/fixtures/explain/reference.py in double precision): equal
// within 1e-4 of each map's largest value, with the same class per sample. Networks: the lecture's, a conv
// with a fused activation= and dropout, batch norm with running statistics that are not the defaults, a
// small ResNet (residual adds, projection shortcut), and a multi-label network (a label's logit).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNpy } from '../../../src/data';
import { createNetwork, saveCheckpoint, type BackendName, type Network } from '../../../src/engine';
import { explain, occlusionWindow, type ExplainMethod } from '../../../src/explain';
import { writePytorchPackage } from '../../../src/export';
import type { ModelSpec } from '../../../src/language/model';
import { example, PY_ENV, PYTHON, randomInput, RUN_TORCH, root, specOf, tempDir } from '../export/helpers';
import { spawnSync } from 'node:child_process';

const TOL = 1e-4;
const REFERENCE = join(root, 'test/fixtures/explain/reference.py');

const FUSED = `network Fused
input 13x13x2
classes a b c d
conv filters=6 size=3 pad=1 activation=relu
conv filters=5 size=3 stride=2 activation=tanh
dropout rate=0.5
conv filters=4 size=2 activation=sigmoid
dense units=4
softmax
`;

const BATCHNORM = `network Normed
input 10x10x3
classes a b c
conv filters=6 size=3 pad=1
batchnorm
relu
pool avg size=2
conv filters=4 size=3 pad=1
batchnorm
dense units=3
softmax
`;

const MULTILABEL = `network Findings
input 8x8x1
classes effusion nodule mass
conv filters=4 size=3 pad=1 activation=relu
pool max size=2
dense units=3
sigmoid
`;

interface Case {
  name: string;
  text: string;
  /** Grad-CAM layers by 1-based line. */
  lines: number[];
  cls?: number | null;
}

const lecture = example('lecture');
const CASES: Case[] = [
  // Line 7: a conv whose relu is the next statement (fused in the engine's run, written apart);
  // line 8: that relu; line 12: the last pool (the default).
  { name: 'lecture', text: lecture, lines: [7, 8, 12] },
  { name: 'fused', text: FUSED, lines: [4, 5, 6, 7] },
  { name: 'batchnorm', text: BATCHNORM, lines: [4, 5, 6, 9], cls: 2 },
  { name: 'resnet', text: example('resnet').replace('input 32x32x3', 'input 12x12x3'), lines: [9, 18, 26, 28, 31] },
  { name: 'multilabel', text: MULTILABEL, lines: [4, 5], cls: 1 },
];

interface Job {
  dir: string;
  ckpt: string;
  x: string;
  method: ExplainMethod;
  layer: number;
  cls: number | null;
  window: number;
  stride: number;
}

interface Engine {
  name: string;
  /** Index into the reference's jobs. */
  job: number;
  classes: number[];
  maps: Float32Array[];
}

/** A network with weights that show mistakes: biases and batch norm's statistics away from their defaults. */
function network(spec: ModelSpec, seed: number, backend: BackendName = 'js'): Network {
  const net = createNetwork(spec, { seed, threads: 1, backend });
  net.setParams(
    net.params().map((t) => {
      if (t.name.endsWith('.bias')) return { ...t, data: t.data.map((_, i) => 0.1 * Math.sin(i + seed)) };
      if (t.name.endsWith('.running_mean')) return { ...t, data: t.data.map((_, i) => 0.2 * Math.cos(i + seed)) };
      if (t.name.endsWith('.running_var')) return { ...t, data: t.data.map((_, i) => 0.5 + 0.3 * Math.sin(2 * i + seed) ** 2) };
      if (spec.layers[Number(t.name.split('.')[1])]?.spec.kind === 'batchnorm' && t.name.endsWith('.weight')) return { ...t, data: t.data.map((_, i) => 0.8 + 0.1 * i) };
      return t;
    }),
  );
  return net;
}

function reference(jobs: Job[], dir: string): { classes: number[]; maps: number[][][] }[] {
  const file = join(dir, 'jobs.json');
  writeFileSync(file, JSON.stringify(jobs));
  const r = spawnSync(PYTHON, [REFERENCE, file], { cwd: root, encoding: 'utf8', env: PY_ENV, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`reference.py failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe.skipIf(!RUN_TORCH)(`explanations against PyTorch (${PYTHON})`, () => {
  it('Grad-CAM, saliency and occlusion equal the definitions computed on the exported model', () => {
    const dir = tempDir('cnn-explain-');
    const jobs: Job[] = [];
    const engine: Engine[] = [];
    for (const [k, c] of CASES.entries()) {
      const file = join(dir, `${c.name}.cnn`);
      writeFileSync(file, c.text);
      const spec = specOf(c.text, file);
      const net = network(spec, 21 + k);
      const ckpt = join(dir, `${c.name}.safetensors`);
      saveCheckpoint(ckpt, net, { source: spec.source });
      const n = 3;
      const { h, w, c: ch } = spec.input;
      const x = randomInput(n * h * w * ch, 300 + k);
      const npy = join(dir, `${c.name}.npy`);
      writeFileSync(npy, writeNpy(x, [n, h, w, ch], 'f4'));
      const pkg = join(dir, `${c.name}-pytorch`);
      writePytorchPackage(spec, { file, outDir: pkg });
      const occ = occlusionWindow(spec);
      const cls = c.cls ?? null;
      // The same weights on the WebAssembly kernels (the ones the CLI and the editor run) and on the JS ones.
      const wasm = network(spec, 21 + k, 'wasm-simd');
      expect(wasm.backendName).toBe('wasm-simd');
      const run = (method: ExplainMethod, line: number | null, label: string) => {
        const layer = line === null ? -1 : spec.layers.find((l) => l.line + 1 === line)!.index;
        jobs.push({ dir: pkg, ckpt, x: npy, method, layer, cls, window: occ.window, stride: occ.stride });
        for (const on of [net, wasm]) {
          const r = explain(on, x, n, line === null ? { method, cls, occlusion: occ } : { method, layer, cls });
          engine.push({ name: `${c.name} ${label} (${on.backendName})`, job: jobs.length - 1, classes: r.classes, maps: r.maps.map((m) => m.data) });
        }
      };
      for (const line of c.lines) run('gradcam', line, `Grad-CAM line ${line} (${spec.layers.find((l) => l.line + 1 === line)!.spec.kind})`);
      run('saliency', null, 'saliency');
      run('occlusion', null, `occlusion ${occ.window}/${occ.stride}`);
    }
    const ref = reference(jobs, dir);
    const report: string[] = [];
    for (const e of engine) {
      const r = ref[e.job]!;
      expect(e.classes, e.name).toEqual(r.classes);
      const want = r.maps.map((m) => m.flat());
      const largest = Math.max(...want.flat().map(Math.abs));
      // A map of zeros everywhere would pass without testing anything.
      expect(largest, `${e.name}: the reference map is all zeros`).toBeGreaterThan(0);
      let worst = 0;
      for (const [i, m] of e.maps.entries()) {
        expect(m.length, e.name).toBe(want[i]!.length);
        for (let p = 0; p < m.length; p++) worst = Math.max(worst, Math.abs(m[p]! - want[i]![p]!));
      }
      report.push(`${e.name}: ${(worst / largest).toExponential(1)}`);
      expect(worst / largest, e.name).toBeLessThanOrEqual(TOL);
    }
    console.log(`largest difference / largest value:\n  ${report.join('\n  ')}`);
  }, 120_000);
});
