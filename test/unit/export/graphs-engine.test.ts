// The built-in engine against both exports on graphs, the layers of version 2 and the examples with branches
// and merges (resnet, unet-classifier, mobilenet): the engine's checkpoints
// (batchnorm's running statistics and its I64 num_batches_tracked included) load into the exported model.py
// and predict the same, layer by layer; one SGD step of model.py in training mode (batch statistics, PyTorch's
// momentum rule for the running ones) ends where the engine's does; model.py's checkpoints load back into the
// engine exactly; the ONNX graph of the engine's tensors predicts as the engine; model.py starts its weights
// by the engine's rule (He or Glorot, and which fans); train.py's inspector snapshots have the engine's layout.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../../src/data';
import { createNetwork, loadCheckpoint, saveCheckpoint, type NamedTensor } from '../../../src/engine';
import { initBound } from '../../../src/engine/init';
import { buildPlan, feedsRelu } from '../../../src/engine/plan';
import { onnxModel, writePytorchPackage } from '../../../src/export';
import type { ModelSpec } from '../../../src/language/model';
import { snapshot } from '../../../src/trainer/run';
import { GRAPHS, UNET } from './graphs';
import { example, maxAbsDiff, python, PYTHON, randomInput, RUN_TORCH, specOf, tempDir } from './helpers';

const TOL = 1e-4;
const N = 3;
const LR = 0.1;

/** The test graphs, and the examples that ship with branches and merges. */
const CASES: { name: string; spec: ModelSpec }[] = [
  ...GRAPHS.map((g) => ({ name: g.name, spec: specOf(g.text) })),
  ...['resnet', 'unet-classifier', 'mobilenet'].map((e) => ({ name: `examples/${e}.cnn`, spec: specOf(example(e)) })),
];

/** The engine's tensors with every value made distinct: biases, batchnorm's scale, shift and statistics. */
function varied(tensors: NamedTensor[], k: number): NamedTensor[] {
  const norms = new Set(tensors.filter((t) => t.name.endsWith('.running_var')).map((t) => t.name.replace(/running_var$/, '')));
  return tensors.map((t) => {
    const f = (g: (i: number) => number) => ({ ...t, data: t.data.map((_, i) => g(i)) });
    if (t.name.endsWith('num_batches_tracked')) return f(() => 5);
    if (t.name.endsWith('running_var')) return f((i) => 0.6 + 0.4 * Math.abs(Math.sin(i + k)));
    if (t.name.endsWith('running_mean')) return f((i) => 0.3 * Math.cos(2 * i + k));
    if (t.name.endsWith('bias')) return f((i) => 0.1 * Math.cos(i + k));
    if (norms.has(t.name.replace(/weight$/, ''))) return f((i) => 0.8 + 0.4 * Math.abs(Math.cos(3 * i + k))); // the scale: around 1
    return t;
  });
}

/**
 * Per job: the engine's checkpoint in model.py (probabilities and every layer's output, evaluation mode), a
 * save_file of it to read back in the engine, one SGD step in training mode from it, and the largest starting
 * weight per layer of a fresh model.
 */
const ENGINE_PY = String.raw`
import json, sys
import numpy as np, torch
import torch.nn.functional as F
torch.set_num_threads(1)
out = []
for job in json.loads(sys.argv[1]):
    sys.path.insert(0, job["dir"])
    for m in ("model", "safetensors_io"):
        sys.modules.pop(m, None)
    import model, safetensors_io
    x = torch.from_numpy(np.load(job["x"])).permute(0, 3, 1, 2).contiguous()
    net = model.build_model()
    safetensors_io.load_into(net, job["ckpt"])
    res = {
        "probabilities": net.predict(x).flatten().tolist(),
        "activations": [t[0].flatten().tolist() for _, t in net.activations(x[:1])],
    }
    safetensors_io.save_file(net.state_dict(), job["back"], {"source": "from model.py"})
    net.train()
    sgd = torch.optim.SGD(net.parameters(), lr=job["lr"])
    loss = F.cross_entropy(net(x), torch.tensor(job["labels"]))
    loss.backward()
    sgd.step()
    res["loss"] = float(loss)
    res["trained"] = {k: v.flatten().tolist() for k, v in net.state_dict().items()}
    torch.manual_seed(job["seed"])
    fresh = model.build_model()
    res["largest"] = {k: float(v.abs().max()) for k, v in fresh.state_dict().items() if k.endswith(".weight")}
    res["counts"] = {k: v.numel() for k, v in fresh.state_dict().items() if k.endswith(".weight")}
    out.append(res)
    sys.path.remove(job["dir"])
print(json.dumps(out))
`;

interface PyResult {
  probabilities: number[];
  activations: number[][];
  loss: number;
  trained: Record<string, number[]>;
  largest: Record<string, number>;
  counts: Record<string, number>;
}

describe.skipIf(!RUN_TORCH)(`the engine against model.py (${PYTHON}) and ONNX on graphs`, () => {
  const dir = tempDir();
  const setups: { net: ReturnType<typeof createNetwork>; x: Float32Array; labels: Int32Array; tensors: NamedTensor[] }[] = [];
  let results: PyResult[] = [];
  const figures = { predict: [] as string[], step: [] as string[] };

  beforeAll(() => {
    const jobs = CASES.map((c, k) => {
      const net = createNetwork(c.spec, { seed: 60 + k, threads: 1, optimizer: { kind: 'sgd', lr: LR, momentum: 0, weightDecay: 0 } });
      net.setParams(varied(net.params(), k));
      const ckpt = join(dir, `engine${k}.safetensors`);
      saveCheckpoint(ckpt, net, { source: c.spec.source });
      const pkg = join(dir, `case${k}`);
      writePytorchPackage(c.spec, { file: join(dir, `case${k}.cnn`), outDir: pkg });
      const { h, w, c: ch } = c.spec.input;
      const x = randomInput(N * h * w * ch, 500 + k);
      const npy = join(dir, `x${k}.npy`);
      writeFileSync(npy, writeNpy(x, [N, h, w, ch], 'f4'));
      const labels = Int32Array.from({ length: N }, (_, i) => (i + k) % c.spec.classes.length);
      setups.push({ net, x, labels, tensors: net.params() });
      return { dir: pkg, ckpt, back: join(dir, `back${k}.safetensors`), x: npy, labels: [...labels], lr: LR, seed: k };
    });
    results = JSON.parse(python(ENGINE_PY, [JSON.stringify(jobs)])) as PyResult[];
  }, 120_000);

  for (const [k, c] of CASES.entries()) {
    describe(c.name, () => {
      it("the engine's checkpoint predicts the same in model.py, every layer's output too", () => {
        const { net, x } = setups[k]!;
        const r = results[k]!;
        const diff = maxAbsDiff(r.probabilities, net.predict(x, N));
        figures.predict.push(`${c.name} ${diff.toExponential(2)}`);
        expect(diff).toBeLessThan(TOL);
        const acts = net.activations(x.subarray(0, x.length / N));
        expect(r.activations).toHaveLength(acts.length);
        for (const [j, a] of acts.entries()) expect(maxAbsDiff(r.activations[j]!, a.data), `layer ${a.index} (${a.kind})`).toBeLessThan(TOL);
      });

      it('one SGD step in training mode ends where the engine\'s does (batchnorm statistics included)', () => {
        const { net, x, labels, tensors } = setups[k]!;
        const r = results[k]!;
        net.setParams(tensors);
        const step = net.trainStep(x, labels, N);
        expect(Math.abs(step.loss - r.loss)).toBeLessThan(TOL);
        const after = net.params();
        expect(after.map((t) => t.name)).toEqual(Object.keys(r.trained));
        const diffs = after.map((t) => maxAbsDiff(r.trained[t.name]!, t.data));
        figures.step.push(`${c.name} ${Math.max(...diffs).toExponential(2)}`);
        for (const [j, t] of after.entries()) expect(diffs[j], t.name).toBeLessThan(TOL);
        const tracked = after.filter((t) => t.name.endsWith('num_batches_tracked'));
        for (const t of tracked) expect([...t.data]).toEqual([6]);
      });

      it("model.py's checkpoint loads back into the engine exactly", () => {
        const { tensors } = setups[k]!;
        const back = loadCheckpoint(join(dir, `back${k}.safetensors`), c.spec);
        expect(back.metadata.source).toBe('from model.py');
        expect(back.tensors.map((t) => [t.name, t.shape, t.dtype ?? 'F32'])).toEqual(tensors.map((t) => [t.name, t.shape, t.dtype ?? 'F32']));
        for (const [j, t] of back.tensors.entries()) expect([...t.data], t.name).toEqual([...tensors[j]!.data]);
      });

      it("the ONNX graph of the engine's tensors predicts as the engine", async () => {
        const { net, x, tensors } = setups[k]!;
        const { h, w, c: ch } = c.spec.input;
        const session = await ort.InferenceSession.create(onnxModel(c.spec, { tensors }));
        try {
          const out = await session.run({ input: new ort.Tensor('float32', x, [N, h, w, ch]) });
          const y = out[session.outputNames[0]!]!.data as Float32Array;
          net.setParams(tensors);
          const probs = c.spec.layers.at(-1)?.spec.kind === 'softmax' ? y : softmaxRows(y, c.spec.classes.length);
          expect(maxAbsDiff(probs, net.predict(x, N))).toBeLessThan(TOL);
        } finally {
          await session.release();
        }
      });

      it("model.py draws its starting weights by the engine's rule (He or Glorot, the engine's fans)", () => {
        const plan = buildPlan(c.spec);
        const r = results[k]!;
        for (const node of plan.nodes) {
          const w = node.params.find((p) => p.decl.name === 'weight');
          if (!w || node.spec.kind === 'batchnorm' || !('fanIn' in w.decl.init)) continue;
          const name = `layers.${node.info.index}.weight`;
          const bound = initBound(feedsRelu(plan, node) ? 'he' : 'glorot', w.decl.init.fanIn, w.decl.init.fanOut);
          expect(r.largest[name], name).toBeLessThanOrEqual(bound);
          // The largest of n ≥ 100 uniform draws lies within 15% of the bound (all below: odds 0.85^100 ≈ 1e-7),
          // which tells He from Glorot (√(fan_in / (fan_in + fan_out)) apart) and the fans apart.
          if (r.counts[name]! >= 100) expect(r.largest[name], name).toBeGreaterThan(0.85 * bound);
        }
      });
    });
  }

  it('reports the figures', () => {
    console.log(`max |model.py − engine| of the probabilities: ${figures.predict.join(', ')}`);
    console.log(`max |model.py − engine| of any tensor after one SGD step: ${figures.step.join(', ')}`);
    expect(figures.predict).toHaveLength(CASES.length);
    expect(figures.step).toHaveLength(CASES.length);
  });
});

describe.skipIf(!RUN_TORCH)("train.py's inspector snapshots of a graph", () => {
  it("have the built-in trainer's layout: every layer's output, the conv and deconv filters", () => {
    const spec = specOf(UNET);
    const dir = tempDir();
    const pkg = join(dir, 'pkg');
    writePytorchPackage(spec, { file: join(dir, 'unet.cnn'), outDir: pkg });
    // inspection.Snapshots on one sample of a stand-in dataset, as train.py sends them.
    const script = String.raw`
import json, sys
import numpy as np, torch
sys.path.insert(0, sys.argv[1])
import model, inspection
sent = []
class Data:
    val = None
    train = [(np.full(tuple(model.INPUT_SHAPE[1:]) + (model.INPUT_SHAPE[0],), 0.5, np.float32), 0)]
    class_names = model.CLASSES
class Report:
    def emit(self, m):
        sent.append(m)
inspection.Snapshots(model.build_model(), Data(), torch.device("cpu"), Report(), 0).send()
m = sent[0]
print(json.dumps({"activations": [[a["index"], a["kind"], a["line"], a["shape"]] for a in m["activations"]],
                  "filters": [[f["index"], f["line"], f["shape"]] for f in m["filters"]]}))
`;
    const theirs = JSON.parse(python(script, [pkg])) as { activations: unknown[]; filters: unknown[] };
    const net = createNetwork(spec, { threads: 1 });
    const ours = snapshot(net, spec, new Float32Array(spec.input.h * spec.input.w * spec.input.c).fill(0.5), 'x', 0, spec.classes);
    expect(theirs.activations).toEqual(ours.activations.map((a) => [a.index, a.kind, a.line, a.shape]));
    expect(theirs.filters).toEqual(ours.filters.map((f) => [f.index, f.line, f.shape]));
    // The U-Net's deconv is among them, in its own layout [C, K, F_h, F_w].
    expect(theirs.filters).toContainEqual([5, 7, [8, 6, 2, 2]]);
  });
});

function softmaxRows(x: Float32Array, k: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let s = 0; s < x.length / k; s++) {
    const row = x.subarray(s * k, s * k + k);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, b) => a + b, 0);
    out.set(e.map((v) => v / sum), s * k);
  }
  return out;
}
