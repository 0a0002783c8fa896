#!/usr/bin/env node
// Engine benchmark: train and inference samples/s and peak RSS for LeNet-5, the lecture net, TinyVGG and a
// ResNet-style graph (two residual stages with batch norm on 32×32×3, resnetSpec in src/engine/specs.ts) at
// batch 64 on 1 and 2 threads, beside PyTorch CPU measured in the same run with torch.set_num_threads(the
// same; its inference in evaluation mode) (when /usr/bin/python3 or python3 can import torch; otherwise ours
// only), ours and PyTorch alternating so that load from elsewhere hits both. Usage: node scripts/bench-engine.mjs [--json] [--seconds S]
//   [--repeat R] [--threads 1,2] [--models lenet5,lecture,tinyvgg,resnet] [--backend auto|wasm-relaxed|wasm-simd|js]
// CNN_BENCH_PYTHON=/path/to/python3 picks the interpreter; CNN_BENCH_PYTHON=none measures ours only.
// It bundles src/engine with esbuild into build/engine-bench.cjs (next to build/engine-*.wasm, which
// `npm run build` makes) and runs each measurement in a child process so peak RSS is per model.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { argv, flag, textOption } from './benchArgs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BATCH = 64;
const seconds = Number(textOption('--seconds', '2'));
const repeat = Math.max(1, Number(textOption('--repeat', '3')));
const models = textOption('--models', 'lenet5,lecture,tinyvgg,resnet').split(',');
const backend = textOption('--backend', 'auto');
const threads = textOption('--threads', '1,2').split(',').map(Number);

const bundle = join(root, 'build', 'engine-bench.cjs');

async function buildBundle() {
  mkdirSync(join(root, 'build'), { recursive: true });
  await esbuild.build({
    stdin: {
      contents: "import { installEngineRuntime } from './src/engine/runtime'; import { nodeEngineRuntime } from './src/engine/runtime-node'; installEngineRuntime(nodeEngineRuntime()); export * from './src/engine/index'; export { BENCH_MODELS } from './src/engine/specs';",
      resolveDir: root,
      sourcefile: 'bench-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: bundle,
    logLevel: 'warning',
  });
  if (!existsSync(join(root, 'build', 'engine-simd.wasm'))) {
    console.error('build/engine-simd.wasm is missing: run `npm run build` first');
    process.exit(1);
  }
}

/** Child: measure one model with our engine; prints one JSON line. */
function child(model, threads) {
  const require = createRequire(import.meta.url);
  const eng = require(bundle);
  const spec = eng.BENCH_MODELS[model]();
  const net = eng.createNetwork(spec, { seed: 1, batch: BATCH, backend, threads, optimizer: { kind: 'sgd', lr: 0.01, momentum: 0.9 } });
  const size = spec.input.h * spec.input.w * spec.input.c;
  const rng = new eng.Rng(7);
  const x = new Float32Array(BATCH * size).map(() => rng.uniform());
  const labels = new Int32Array(BATCH).map(() => rng.int(net.classes));
  /** [samples per wall second, samples per CPU second of this process] */
  const time = (fn) => {
    for (let i = 0; i < 3; i++) fn();
    let steps = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < seconds * 500 || steps < 5) {
      fn();
      steps++;
      t = performance.now();
    }
    const c = process.cpuUsage(c0);
    return [(steps * BATCH) / ((t - t0) / 1000), (steps * BATCH) / ((c.user + c.system) / 1e6)];
  };
  const [train, trainCpu] = time(() => net.trainStep(x, labels, BATCH));
  const [infer, inferCpu] = time(() => net.predict(x, BATCH));
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ model, backend: net.backendName, threads: net.threads, train, infer, trainCpu, inferCpu, rssMiB }) + '\n');
  net.dispose();
}

const PY = String.raw`
import sys, time, json, resource, torch, torch.nn as nn
model, T, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
torch.set_num_threads(T)
torch.manual_seed(0)
R = nn.ReLU
if model == 'lenet5':
    net = nn.Sequential(nn.Conv2d(1,6,5,padding=2), R(), nn.MaxPool2d(2), nn.Conv2d(6,16,5), R(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400,120), R(), nn.Linear(120,84), R(), nn.Linear(84,10)); shape=(1,28,28); k=10
elif model == 'lecture':
    net = nn.Sequential(nn.Conv2d(3,16,3,padding=1), R(), nn.MaxPool2d(2), nn.Conv2d(16,32,3,padding=1), R(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(2048,3)); shape=(3,32,32); k=3
elif model == 'tinyvgg':
    net = nn.Sequential(nn.Conv2d(3,10,3), R(), nn.Conv2d(10,10,3), R(), nn.MaxPool2d(2), nn.Conv2d(10,10,3), R(),
        nn.Conv2d(10,10,3), R(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1690,3)); shape=(3,64,64); k=3
else:
    # resnet: the same graph as resnetSpec() in src/engine/specs.ts.
    C, BN = nn.Conv2d, nn.BatchNorm2d
    class ResNet(nn.Module):
        def __init__(s):
            super().__init__()
            s.stem = nn.Sequential(C(3,16,3,padding=1), BN(16), R())
            s.b1 = nn.Sequential(C(16,16,3,padding=1), BN(16), R(), C(16,16,3,padding=1), BN(16))
            s.b2 = nn.Sequential(C(16,32,3,stride=2,padding=1), BN(32), R(), C(32,32,3,padding=1), BN(32))
            s.proj = nn.Sequential(C(16,32,1,stride=2), BN(32))
            s.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32,10))
        def forward(s, x):
            x = s.stem(x); x = torch.relu(s.b1(x) + x); x = torch.relu(s.b2(x) + s.proj(x)); return s.head(x)
    net = ResNet(); shape=(3,32,32); k=10
B = 64
x = torch.rand(B, *shape); y = torch.randint(0, k, (B,))
opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9); lossf = nn.CrossEntropyLoss()
def step():
    opt.zero_grad(); loss = lossf(net(x), y); loss.backward(); opt.step()
def infer():
    with torch.no_grad(): torch.softmax(net(x), 1)
def timeit(fn):
    for _ in range(3): fn()
    n = 0; c0 = time.process_time(); t0 = time.perf_counter(); t = t0
    while t - t0 < seconds / 2 or n < 5:
        fn(); n += 1; t = time.perf_counter()
    return n * B / (t - t0), n * B / (time.process_time() - c0)
tr, trc = timeit(step); net.eval(); inf, infc = timeit(infer)
print(json.dumps({'train': tr, 'infer': inf, 'trainCpu': trc, 'inferCpu': infc, 'rssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'version': torch.__version__}))
`;

/** The better of two measurements (higher throughput; RSS from the same run as the better train figure). */
function best(a, b) {
  if (!b) return a;
  if (!a) return b;
  return {
    ...(b.train > a.train ? b : a),
    infer: Math.max(a.infer, b.infer),
    trainCpu: Math.max(a.trainCpu, b.trainCpu),
    inferCpu: Math.max(a.inferCpu, b.inferCpu),
  };
}

/** A python3 that imports torch: $CNN_BENCH_PYTHON (`none` for ours only), else /usr/bin/python3, else python3. */
function findPython() {
  const want = process.env.CNN_BENCH_PYTHON;
  if (want === 'none') return null;
  for (const py of want ? [want] : ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

function torchBench(py, model, t) {
  const r = spawnSync(py, ['-c', PY, model, String(t), String(seconds)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(t) } });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

let torchVersion = null;

async function main() {
  if (argv[0] === '--child') return child(argv[1], Number(argv[2]));
  await buildBundle();
  const py = findPython();
  const rows = [];
  for (const model of models) {
    for (const t of threads) {
      let ours = null;
      let torch = null;
      for (let r = 0; r < repeat; r++) {
        const c = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', model, String(t), ...argv], { encoding: 'utf8' });
        if (c.status !== 0) {
          console.error(c.stderr);
          process.exit(1);
        }
        const o = JSON.parse(c.stdout.trim().split('\n').pop());
        ours = best(ours, o);
        if (py) {
          const tb = torchBench(py, model, t);
          if (tb?.version) torchVersion = tb.version;
          torch = best(torch, tb);
        }
      }
      rows.push({
        model,
        threads: t,
        backend: ours.backend,
        train: ours.train,
        infer: ours.infer,
        rssMiB: ours.rssMiB,
        torchTrain: torch?.train ?? null,
        torchInfer: torch?.infer ?? null,
        torchRssMiB: torch?.rssMiB ?? null,
        trainRatio: torch ? ours.train / torch.train : null,
        inferRatio: torch ? ours.infer / torch.infer : null,
        trainCpu: ours.trainCpu,
        torchTrainCpu: torch?.trainCpu ?? null,
        trainCpuRatio: torch ? ours.trainCpu / torch.trainCpu : null,
      });
    }
  }
  const load = loadavg().map((v) => v.toFixed(1)).join(' ');
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  if (flag('--json')) {
    console.log(JSON.stringify({ batch: BATCH, repeat, seconds, python: py, torch: torchVersion, cpu, node: process.version, loadavg: loadavg(), cpus: cpus().length, rows }, null, 2));
    return;
  }
  const f = (v, d = 0) => (v === null ? '–' : v.toFixed(d));
  const head = ['model', 'thr', 'backend', 'train/s', 'infer/s', 'RSS MiB', 'torch train/s', 'torch infer/s', 'torch RSS', 'train ratio', 'infer ratio', 'train/cpu-s', 'torch /cpu-s', 'cpu ratio'];
  const lines = rows.map((r) => [
    r.model, String(r.threads), r.backend, f(r.train), f(r.infer), f(r.rssMiB), f(r.torchTrain), f(r.torchInfer), f(r.torchRssMiB),
    f(r.trainRatio, 2), f(r.inferRatio, 2), f(r.trainCpu), f(r.torchTrainCpu), f(r.trainCpuRatio, 2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (l) => l.map((c, i) => c.padStart(widths[i])).join('  ');
  console.log(`${cpu}, ${cpus().length} CPUs, Node ${process.version}${torchVersion ? `, PyTorch ${torchVersion}` : ''}; load average ${load}`);
  console.log(`batch ${BATCH}, samples/s, best of ${repeat}, ${py ? 'ours and PyTorch alternating' : 'ours only (no python3 with torch found: no comparison)'}`);
  console.log(fmt(head));
  for (const l of lines) console.log(fmt(l));
  console.log('ratio = ours / PyTorch; /cpu-s = samples per CPU-second of the process (less sensitive to other load; with 2 threads it counts both).');
}

await main();
