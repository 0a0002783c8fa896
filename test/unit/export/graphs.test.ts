// Graph networks (labels, from, add, concat) and the layers of version 2 (batchnorm, global pooling, grouped and
// dilated conv, deconv, upsample) through both exports: the PyTorch package's model.py in Debian's python3-torch
// against the ONNX graph in onnxruntime-node on the same weights and inputs; the state_dict names, shapes and
// dtypes a checkpoint holds (batchnorm's buffers included); checkpoints written and read back by
// safetensors_io.py; describe()'s straight-line forward; train.py on a residual network, whose checkpoint
// `cnn predict` and `cnn export --format onnx` take.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../../src/data';
import { onnxModel, writePytorchPackage } from '../../../src/export';
import type { OnnxTensor } from '../../../src/export';
import { readFields } from '../../../src/export/protobuf';
import type { ModelSpec, Shape } from '../../../src/language/model';
import { expectedTensors, GRAPHS, READ_TWICE, RESIDUAL, UNET, WIDE_POOL_PADDING } from './graphs';
import { buildOnce } from '../trainer/helpers';
import { cnn, maxAbsDiff, python, PYTHON, randomInput, RUN_TORCH, specOf, tempDir } from './helpers';

const TOL = 1e-4;
const N = 3;

const CASES: { name: string; text: string; spec: ModelSpec }[] = [
  ...GRAPHS,
  { name: 'an output read twice', text: READ_TWICE },
  { name: 'pool padding wider than half the window', text: WIDE_POOL_PADDING },
].map((g) => ({ ...g, spec: specOf(g.text) }));

/**
 * For each package: a model with random weights and batchnorm statistics (num_batches_tracked 7), saved with
 * safetensors_io.save_file and loaded back into a fresh model with load_into; the logits (or probabilities) of
 * the reloaded model in evaluation mode, its state_dict, each layer's output shape and describe().
 */
const EXPORTED_PY = String.raw`
import json, sys
import numpy as np, torch
torch.set_num_threads(1)
out = []
for job in json.loads(sys.argv[1]):
    sys.path.insert(0, job["dir"])
    for m in ("model", "safetensors_io"):
        sys.modules.pop(m, None)
    import model, safetensors_io
    torch.manual_seed(job["seed"])
    net = model.build_model()
    with torch.no_grad():
        for name, t in net.state_dict().items():
            norm = model.LAYER_KINDS[int(name.split(".")[1])] == "batchnorm"
            if name.endswith("num_batches_tracked"):
                t.fill_(7)
            elif name.endswith("running_var") or (norm and name.endswith("weight")):
                t.uniform_(0.5, 1.5)
            elif name.endswith("running_mean") or name.endswith("bias"):
                t.uniform_(-0.5, 0.5)
    safetensors_io.save_file(net.state_dict(), job["ckpt"], {"source": "x"})
    back = model.build_model()
    meta = safetensors_io.load_into(back, job["ckpt"])
    same = all(torch.equal(a, b) and a.dtype == b.dtype for a, b in zip(net.state_dict().values(), back.state_dict().values()))
    x = torch.from_numpy(np.load(job["x"])).permute(0, 3, 1, 2).contiguous()
    back.eval()
    ends_in_softmax = model.LAYER_KINDS[-1] == "softmax"
    y = back.predict(x) if ends_in_softmax else back(x)
    out.append({
        "same": same, "meta": meta,
        "state": [{"name": k, "shape": list(v.shape), "dtype": str(v.dtype), "data": v.flatten().tolist()} for k, v in back.state_dict().items()],
        "output": y.flatten().tolist(), "output_shape": list(y.shape),
        "activations": [list(t.shape[1:]) for _, t in back.activations(x)],
        "describe": back.describe(),
    })
    sys.path.remove(job["dir"])
print(json.dumps(out))
`;

interface PyResult {
  same: boolean;
  meta: Record<string, string>;
  state: { name: string; shape: number[]; dtype: string; data: number[] }[];
  output: number[];
  output_shape: number[];
  activations: number[][];
  describe: string;
}

function torchShape(s: Shape | null): number[] {
  return !s ? [] : s.kind === 'volume' ? [s.c, s.h, s.w] : [s.n];
}

function nhwcToNchw(x: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let s = 0; s < n; s++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let k = 0; k < c; k++) out[((s * c + k) * h + y) * w + xx] = x[((s * h + y) * w + xx) * c + k]!;
  return out;
}

async function runOnnx(bytes: Uint8Array, input: Float32Array, dims: number[]): Promise<{ data: Float32Array; dims: readonly number[]; name: string }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const name = session.outputNames[0]!;
    const out = await session.run({ input: new ort.Tensor('float32', input, dims) });
    return { data: out[name]!.data as Float32Array, dims: out[name]!.dims, name };
  } finally {
    await session.release();
  }
}

/** The nodes of an ONNX model's graph (ModelProto.graph = 7, GraphProto.node = 1; NodeProto fields 1, 2, 3, 4, 6). */
function onnxNodes(bytes: Uint8Array): { op: string; name: string; inputs: string[]; outputs: string[]; doc: string }[] {
  const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
  const graph = readFields(bytes)!.find((f) => f.field === 7)!.bytes!;
  return readFields(graph)!
    .filter((f) => f.field === 1)
    .map((f) => {
      const fields = readFields(f.bytes!)!;
      const all = (k: number) => fields.filter((g) => g.field === k).map((g) => text(g.bytes));
      return { op: all(4)[0]!, name: all(3)[0]!, inputs: all(1), outputs: all(2), doc: all(6)[0] ?? '' };
    });
}

/** The safetensors header of a file: name → dtype and shape. */
function header(file: string): Record<string, { dtype: string; shape: number[] }> {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const h = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[] }>;
  delete h['__metadata__'];
  return h;
}

describe.skipIf(!RUN_TORCH)(`graphs and the layers of version 2: model.py (${PYTHON}) against ONNX (onnxruntime-node)`, () => {
  const dir = tempDir();
  const inputs: Float32Array[] = [];
  let results: PyResult[] = [];

  beforeAll(() => {
    const jobs = CASES.map((c, k) => {
      const pkg = join(dir, `case${k}`);
      writePytorchPackage(c.spec, { file: join(dir, `case${k}.cnn`), outDir: pkg });
      const { h, w, c: ch } = c.spec.input;
      const x = randomInput(N * h * w * ch, 300 + k);
      inputs.push(x);
      const npy = join(dir, `x${k}.npy`);
      writeFileSync(npy, writeNpy(x, [N, h, w, ch], 'f4'));
      return { dir: pkg, ckpt: join(dir, `case${k}.safetensors`), x: npy, seed: 40 + k };
    });
    results = JSON.parse(python(EXPORTED_PY, [JSON.stringify(jobs)])) as PyResult[];
  }, 120_000);

  const report: string[] = [];
  for (const [k, c] of CASES.entries()) {
    describe(c.name, () => {
      it('has the checkpoint names, shapes and dtypes of the spec, batchnorm buffers included', () => {
        const r = results[k]!;
        const want = expectedTensors(c.spec);
        expect(r.state.map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype === 'torch.int64' ? 'I64' : t.dtype === 'torch.float32' ? 'F32' : t.dtype }))).toEqual(want);
        // The file save_file wrote: F32 tensors and the I64 num_batches_tracked, read back exactly by load_into.
        const onDisk = header(join(dir, `case${k}.safetensors`));
        expect(Object.fromEntries(Object.entries(onDisk).map(([name, e]) => [name, { dtype: e.dtype, shape: e.shape }]))).toEqual(Object.fromEntries(want.map((t) => [t.name, { dtype: t.dtype, shape: t.shape }])));
        expect(r.same).toBe(true);
        expect(r.meta).toEqual({ source: 'x' });
        for (const t of r.state.filter((t) => t.name.endsWith('num_batches_tracked'))) expect(t.data).toEqual([7]);
        // Every layer's output has the shape the .cnn file says (global pooling: 1×1×C).
        expect(r.activations).toEqual(c.spec.layers.map((l) => torchShape(l.output)));
      });

      it(`ONNX gives model.py's outputs within ${TOL} (NHWC and NCHW inputs)`, async () => {
        const r = results[k]!;
        const tensors: OnnxTensor[] = r.state.map((t) => ({ name: t.name, shape: t.shape, data: Float32Array.from(t.data) }));
        const { h, w, c: ch } = c.spec.input;
        const x = inputs[k]!;
        const endsInSoftmax = c.spec.layers.at(-1)?.spec.kind === 'softmax';
        for (const layout of ['nhwc', 'nchw'] as const) {
          const bytes = onnxModel(c.spec, { tensors, layout });
          const out = await runOnnx(bytes, layout === 'nhwc' ? x : nhwcToNchw(x, N, h, w, ch), layout === 'nhwc' ? [N, h, w, ch] : [N, ch, h, w]);
          expect(out.name).toBe(endsInSoftmax ? 'probabilities' : 'logits');
          expect(out.dims).toEqual(r.output_shape);
          const diff = maxAbsDiff(out.data, r.output);
          if (layout === 'nhwc') report.push(`${c.name} ${diff.toExponential(2)}`);
          expect(diff, layout).toBeLessThan(TOL);
        }
      });
    });
  }

  it('reports the figures', () => {
    console.log(`max |onnxruntime − model.py|: ${report.join(', ')}`);
    expect(report).toHaveLength(CASES.length);
  });

  it("describe() writes the residual network's forward as straight-line code, one line per statement", () => {
    const text = results[CASES.findIndex((c) => c.text === RESIDUAL)]!.describe;
    const lines = text.split('\n');
    expect(lines[0]).toBe('def forward(input):  # N×3×10×10');
    expect(lines).toHaveLength(specOf(RESIDUAL).layers.length + 2);
    // The label names the value; an unnamed output is x{i}; from starts from the label; add takes both.
    expect(lines[1]).toMatch(/^ {4}x0 = layers\[0\]\(input\) +# line 3 +conv filters=6 size=3 pad=1 -> N×6×10×10$/);
    expect(lines[3]).toMatch(/^ {4}stem = layers\[2\]\(x1\) +# line 5 +stem: relu -> N×6×10×10$/);
    expect(lines[8]).toMatch(/^ {4}main = layers\[7\]\(x6\) +# line 10 +main: batchnorm eps=0\.001 -> N×8×5×5$/);
    expect(lines[9]).toMatch(/^ {4}x8 = layers\[8\]\(stem\) +# line 12 +conv filters=8 size=1 stride=2 -> N×8×5×5$/);
    expect(lines[11]).toMatch(/^ {4}x10 = layers\[10\]\(x9, main\) +# line 14 +add main -> N×8×5×5$/);
    expect(lines[14]).toMatch(/^ {4}x13 = layers\[13\]\(flatten\(x12\)\) +# line 17 +dense units=4 -> N×4$/);
    expect(lines.at(-1)).toBe('    return x13  # the logits; predict() applies the softmax');
  });

  it("describe() shows fused activations and concat's inputs (U-Net)", () => {
    const text = results[CASES.findIndex((c) => c.text === UNET)]!.describe;
    expect(text).toMatch(/\n {4}e1 = relu\(layers\[0\]\(input\)\) +# line 3 +e1: conv filters=4 size=3 pad=1 activation=relu -> N×4×12×12\n/);
    expect(text).toMatch(/\n {4}x6 = layers\[6\]\(x5, e2\) +# line 9 +concat e2 -> N×12×6×6\n/);
    expect(text).toMatch(/\n {4}x9 = layers\[9\]\(x8, e1\) +# line 12 +concat e1 -> N×10×12×12\n/);
  });
});

describe('the ONNX export of a graph checks the tensors it is given', () => {
  const spec = specOf(RESIDUAL);
  const zeros = expectedTensors(spec).map((t) => ({ name: t.name, shape: t.shape, data: new Float32Array(t.shape.reduce((a, b) => a * b, 1)) }));

  it("takes batchnorm's num_batches_tracked among them (inference does not read it) and runs", async () => {
    const y = await runOnnx(onnxModel(spec, { tensors: zeros }), new Float32Array(10 * 10 * 3), [1, 10, 10, 3]);
    expect(y.dims).toEqual([1, 4]);
    expect(onnxModel(spec, { tensors: zeros.filter((t) => !t.name.endsWith('num_batches_tracked')) }).length).toBeGreaterThan(0);
  });

  it("mirrors the file: the shortcut reads the stem's relu, add reads both batchnorms, each node says its line", () => {
    const nodes = onnxNodes(onnxModel(spec, { tensors: zeros }));
    const find = (name: string) => nodes.find((n) => n.name === name)!;
    expect(find('layers.8.conv')).toMatchObject({ op: 'Conv', inputs: ['layers.2.relu', 'layers.8.weight', 'layers.8.bias'], doc: 'line 12: conv filters=8 size=1 stride=2' });
    expect(find('layers.10.add')).toMatchObject({ op: 'Add', inputs: ['layers.9.batchnorm', 'layers.7.batchnorm'], doc: 'line 14: add main' });
    expect(find('layers.7.batchnorm')).toMatchObject({ op: 'BatchNormalization', doc: 'line 10: main: batchnorm eps=0.001' });
    expect(find('layers.12.globalaveragepool')).toMatchObject({ op: 'GlobalAveragePool', inputs: ['layers.11.relu'] });
    expect(nodes.at(-1)).toMatchObject({ op: 'Softmax', outputs: ['probabilities'] });
  });

  it('names a missing running statistic, a misshapen one and a stranger', () => {
    expect(() => onnxModel(spec, { tensors: zeros.filter((t) => t.name !== 'layers.7.running_var') })).toThrow('layers.7.running_var is missing (the model needs shape [8])');
    expect(() => onnxModel(spec, { tensors: zeros.map((t) => (t.name === 'layers.1.running_mean' ? { ...t, shape: [5] } : t)) })).toThrow('layers.1.running_mean has shape [5] but the model needs [6]');
    expect(() => onnxModel(spec, { tensors: [...zeros, { name: 'layers.0.num_batches_tracked', shape: [], data: new Float32Array(1) }] })).toThrow('layers.0.num_batches_tracked is not a tensor of this model');
  });
});

describe.skipIf(!RUN_TORCH)('train.py on a residual network with batchnorm, and its checkpoint at home', () => {
  beforeAll(() => buildOnce());

  it('trains (a last batch of one sample left out, --batch 1 refused); the checkpoint holds the running statistics and an I64 num_batches_tracked, and `cnn predict` and `cnn export --format onnx` take it', async () => {
    const dir = tempDir();
    // 33 training samples in batches of 8: a last batch of one, which a batchnorm of a vector cannot train on.
    const text = `network ResShapes
input 16x16x1
classes door stair sign
conv filters=4 size=3 pad=1
batchnorm
stem: relu
conv filters=4 size=3 pad=1
batchnorm
add stem
relu
gap
dense units=6
batchnorm
relu
dense units=3
softmax
data shapes samples=44
train epochs=1 batch=8 optimizer=sgd lr=0.05 seed=2 val=0.25
`;
    const file = join(dir, 'res.cnn');
    writeFileSync(file, text);
    const spec = specOf(text, file);
    const pkg = join(dir, 'pkg');
    writePytorchPackage(spec, { file, outDir: pkg });
    const out = join(dir, 'run');
    const x = randomInput(N * 256, 77);
    const npy = join(dir, 'x.npy');
    writeFileSync(npy, writeNpy(x, [N, 16, 16, 1], 'f4'));
    const script = String.raw`
import json, subprocess, sys
import numpy as np
pkg, out, npy = sys.argv[1], sys.argv[2], sys.argv[3]
r = subprocess.run([sys.executable, "train.py", "--out", out, "--text"], cwd=pkg, capture_output=True, text=True)
if r.returncode != 0:
    sys.exit(r.stdout + r.stderr)
one = subprocess.run([sys.executable, "train.py", "--out", out + "-one", "--batch", "1"], cwd=pkg, capture_output=True, text=True)
sys.path.insert(0, pkg)
import torch, model, safetensors_io
tensors, meta = safetensors_io.load_file(out + "/model.safetensors")
net = model.build_model()
safetensors_io.load_into(net, out + "/model.safetensors")
state = net.state_dict()
print(json.dumps({
    "dtypes": {k: str(v.dtype) for k, v in tensors.items()},
    "tracked": int(state["layers.1.num_batches_tracked"]),
    "tracked1d": int(state["layers.9.num_batches_tracked"]),
    "moved": float((state["layers.1.running_mean"]).abs().sum()),
    "equal": all(torch.equal(tensors[k].to(v.dtype), v) for k, v in state.items()),
    "probabilities": net.predict(torch.from_numpy(np.load(npy)).permute(0, 3, 1, 2)).flatten().tolist(),
    "batch_one": [one.returncode, one.stderr.strip().splitlines()[-1]],
}))
`;
    const r = JSON.parse(python(script, [pkg, out, npy])) as { dtypes: Record<string, string>; tracked: number; tracked1d: number; moved: number; equal: boolean; probabilities: number[]; batch_one: [number, string] };
    expect(r.dtypes['layers.1.num_batches_tracked']).toBe('torch.int64');
    expect(r.dtypes['layers.1.running_var']).toBe('torch.float32');
    expect(Object.keys(r.dtypes).sort()).toEqual(expectedTensors(spec).map((t) => t.name).sort());
    // 33 training samples in batches of 8: 4 steps (the last sample is left out), each one update of the statistics.
    expect(r.tracked).toBe(4);
    expect(r.tracked1d).toBe(4);
    expect(r.moved).toBeGreaterThan(0);
    expect(r.equal).toBe(true);
    // --batch 1 cannot train the batchnorm of a vector: a usage error that says why.
    expect(r.batch_one).toEqual([2, expect.stringContaining('--batch must be at least 2: a batchnorm of this network sees one value per channel')]);

    // Back home: the built-in engine predicts with train.py's checkpoint as PyTorch does, and the ONNX export takes it.
    const ckpt = join(out, 'model.safetensors');
    const predicted = cnn(['predict', file, '--weights', ckpt, '--input', npy, '--json']);
    expect(predicted.err).toBe('');
    expect(predicted.code).toBe(0);
    expect(maxAbsDiff((JSON.parse(predicted.out).probabilities as number[][]).flat(), r.probabilities)).toBeLessThan(TOL);
    const onnxFile = join(dir, 'res.onnx');
    const exported = cnn(['export', file, '--format', 'onnx', '--weights', ckpt, '-o', onnxFile]);
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    const y = await runOnnx(readFileSync(onnxFile), x, [N, 16, 16, 1]);
    expect(y.name).toBe('probabilities');
    expect(maxAbsDiff(y.data, r.probabilities)).toBeLessThan(TOL);
  }, 240_000);
});
