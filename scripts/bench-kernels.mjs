#!/usr/bin/env node
// Kernel benchmark: GFLOP/s (2 flops per multiply-add) of the engine's convolution family, forward and
// backward (input and weight gradients: twice the forward's multiply-adds), layer by layer at batch 64, beside
// plain convolutions of comparable shape, and PyTorch CPU on the same layers in the same run (when
// /usr/bin/python3 or python3 imports torch). Upsampling is memory-bound: its rows give output values per
// second (M/s) instead. Each figure is given per wall-clock second (median call) and per CPU second of the
// process (all its threads): on a shared, loaded machine the second is the steadier one. Figures, not tests:
// nothing fails because something is slow.
//
//   node scripts/bench-kernels.mjs [--json] [--seconds S] [--threads 1,2] [--backend auto|wasm-simd|js]
//
// It bundles src/engine with esbuild into build/kernels-bench.cjs (next to build/engine-*.wasm, which
// `npm run build` makes). CNN_BENCH_PYTHON=/path/to/python3 picks the interpreter; `none` measures ours only.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { argv, flag, textOption } from './benchArgs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BATCH = 64;
const seconds = Number(textOption('--seconds', '1'));
const backend = textOption('--backend', 'auto');
const threadList = textOption('--threads', '1,2').split(',').map(Number);
const bundle = join(root, 'build', 'kernels-bench.cjs');

const conv = (c, hw, k, f, o = {}) => ({ op: 'conv', c, h: hw, w: hw, k, fh: f, fw: f, sh: o.s ?? 1, sw: o.s ?? 1, ph: o.p ?? 0, pw: o.p ?? 0, dh: o.d ?? 1, dw: o.d ?? 1, groups: o.g ?? 1 });
const deconv = (c, hw, k, f, o = {}) => ({ op: 'deconv', c, h: hw, w: hw, k, fh: f, fw: f, sh: o.s ?? 1, sw: o.s ?? 1, ph: o.p ?? 0, pw: o.p ?? 0, oph: o.op ?? 0, opw: o.op ?? 0 });

/** [name, layer, the plain conv it is compared with] */
const LAYERS = [
  ['conv 32→32 3x3 on 16x16 (plain)', conv(32, 16, 32, 3, { p: 1 })],
  ['conv 32→32 3x3 groups 4', conv(32, 16, 32, 3, { p: 1, g: 4 })],
  ['conv 32→32 3x3 groups 2', conv(32, 16, 32, 3, { p: 1, g: 2 })],
  ['conv 32→32 3x3 dilation 2', conv(32, 16, 32, 3, { p: 2, d: 2 })],
  ['depthwise 32 3x3 on 16x16', conv(32, 16, 32, 3, { p: 1, g: 32 })],
  ['depthwise 32 3x3 stride 2 on 32x32', conv(32, 32, 32, 3, { p: 1, s: 2, g: 32 })],
  ['depthwise 64 3x3 on 32x32', conv(64, 32, 64, 3, { p: 1, g: 64 })],
  ['conv 16→32 3x3 stride 2 on 16x16 (plain)', conv(16, 16, 32, 3, { p: 1, s: 2 })],
  ["conv 6→16 5x5 on 14x14 (LeNet-5's second)", conv(6, 14, 16, 5)],
  ['conv 16→16 5x5 on 32x32', conv(16, 32, 16, 5, { p: 2 })],
  ['deconv 32→16 3x3 stride 2 on 8x8', deconv(32, 8, 16, 3, { s: 2, p: 1, op: 1 })],
  ['deconv 32→16 2x2 stride 2 on 8x8', deconv(32, 8, 16, 2, { s: 2 })],
  ['upsample nearest x2, 32 on 16x16', { op: 'upsample', mode: 'nearest', c: 32, h: 16, w: 16, scale: 2 }],
  ['upsample bilinear x2, 32 on 16x16', { op: 'upsample', mode: 'bilinear', c: 32, h: 16, w: 16, scale: 2 }],
];

function macs(L, eng) {
  if (L.op === 'conv') {
    const g = eng.convGeom(BATCH, L, L.k, L);
    return g.k * g.n * g.oh * g.ow * (g.c / g.groups) * g.fh * g.fw;
  }
  if (L.op === 'deconv') return L.c * L.k * L.fh * L.fw * BATCH * L.h * L.w;
  return L.c * BATCH * L.h * L.w * L.scale * L.scale; // output values
}

async function buildBundle() {
  mkdirSync(join(root, 'build'), { recursive: true });
  await esbuild.build({
    stdin: {
      contents:
        "import { installEngineRuntime } from './src/engine/runtime'; import { nodeEngineRuntime } from './src/engine/runtime-node'; installEngineRuntime(nodeEngineRuntime()); export { createBackend } from './src/engine/backend'; export { convGeom } from './src/engine/kernels'; export { deconvGeom } from './src/engine/kernels-deconv'; export { Rng } from './src/engine/rng';",
      resolveDir: root,
      sourcefile: 'kernels-bench-entry.ts',
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

/**
 * Seconds per call of fn over about `budget` seconds (at least 5 calls, after 3 warm-ups): the median wall
 * time, and the process's CPU time (user + system, every thread) per call.
 */
function time(fn, budget) {
  for (let i = 0; i < 3; i++) fn();
  const ts = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < budget * 1000 || ts.length < 5) {
    const a = performance.now();
    fn();
    ts.push((performance.now() - a) / 1000);
  }
  const c = process.cpuUsage(c0);
  ts.sort((a, b) => a - b);
  return { wall: ts[ts.length >> 1], cpu: (c.user + c.system) / 1e6 / ts.length };
}

function ours(eng, threads) {
  const be = eng.createBackend(backend, { threads });
  const rng = new eng.Rng(3);
  const rows = [];
  for (const [name, L] of LAYERS) {
    const mark = be.mark();
    let fwd;
    let bwd;
    if (L.op === 'upsample') {
      const g = { n: BATCH, c: L.c, h: L.h, w: L.w, scale: L.scale };
      const xl = L.c * BATCH * L.h * L.w;
      const yl = xl * L.scale * L.scale;
      const offs = [xl, yl, yl, xl].map((l) => be.allocate(l * 4));
      const [x, y, dy, dx] = offs.map((o, i) => new Float32Array(be.buffer(), o, [xl, yl, yl, xl][i]));
      x.forEach((_, i) => (x[i] = rng.normal()));
      dy.forEach((_, i) => (dy[i] = rng.normal()));
      fwd = time(() => be.upsampleForward(y, x, g, L.mode), seconds / 2);
      bwd = time(() => be.upsampleBackward(dx, dy, g, L.mode), seconds / 2);
    } else {
      const deconv = L.op === 'deconv';
      const g = deconv ? eng.deconvGeom(BATCH, L, L.k, L) : eng.convGeom(BATCH, L, L.k, L);
      const wl = deconv ? L.c * L.k * L.fh * L.fw : L.k * (L.c / L.groups) * L.fh * L.fw;
      const xl = L.c * BATCH * L.h * L.w;
      const yl = L.k * BATCH * g.oh * g.ow;
      be.reserveScratch(deconv ? be.deconvColFloats(g) : be.colFloats(g), wl + L.k);
      const lens = [xl, wl, L.k, yl, yl, xl, wl, L.k];
      const offs = lens.map((l) => be.allocate(l * 4));
      const [x, w, b, y, dy, dx, dw, db] = offs.map((o, i) => new Float32Array(be.buffer(), o, lens[i]));
      for (const a of [x, w, b, dy]) a.forEach((_, i) => (a[i] = rng.normal() * 0.1));
      if (deconv) {
        fwd = time(() => be.deconvForward(y, x, w, b, g, 'none'), seconds / 2);
        bwd = time(() => be.deconvBackward(dx, dw, db, dy, y, x, w, g, 'none'), seconds / 2);
      } else {
        fwd = time(() => be.convForward(y, x, w, b, g, 'none'), seconds / 2);
        bwd = time(() => be.convBackward(dx, dw, db, dy, y, x, w, g, 'none'), seconds / 2);
      }
    }
    be.release(mark);
    rows.push({ name, fwd, bwd });
  }
  void be.dispose();
  return { backend: be.name, rows };
}

const PY = String.raw`
import sys, json, time, torch, torch.nn.functional as F
layers, T, seconds, B = json.loads(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(T)
def med(fn, budget):
    for _ in range(3): fn()
    ts = []; t0 = time.perf_counter(); c0 = time.process_time()
    while time.perf_counter() - t0 < budget or len(ts) < 5:
        a = time.perf_counter(); fn(); ts.append(time.perf_counter() - a)
    cpu = (time.process_time() - c0) / len(ts)
    ts.sort(); return {'wall': ts[len(ts) // 2], 'cpu': cpu}
out = []
for L in layers:
    x = torch.randn(B, L['c'], L['h'], L['w'], requires_grad=True)
    if L['op'] == 'conv':
        w = torch.randn(L['k'], L['c'] // L['groups'], L['fh'], L['fw'], requires_grad=True); b = torch.randn(L['k'], requires_grad=True)
        f = lambda: F.conv2d(x, w, b, (L['sh'], L['sw']), (L['ph'], L['pw']), (L['dh'], L['dw']), L['groups'])
    elif L['op'] == 'deconv':
        w = torch.randn(L['c'], L['k'], L['fh'], L['fw'], requires_grad=True); b = torch.randn(L['k'], requires_grad=True)
        f = lambda: F.conv_transpose2d(x, w, b, (L['sh'], L['sw']), (L['ph'], L['pw']), (L['oph'], L['opw']))
    else:
        f = lambda: F.interpolate(x, scale_factor=L['scale'], mode=L['mode'], **({} if L['mode'] == 'nearest' else {'align_corners': False}))
    with torch.no_grad():
        fwd = med(f, seconds / 2)
    y = f(); dy = torch.randn_like(y)
    bwd = med(lambda: torch.autograd.grad(y, [x], dy, retain_graph=True) if L['op'] == 'upsample' else torch.autograd.grad(y, [x, w, b], dy, retain_graph=True), seconds / 2)
    out.append({'fwd': fwd, 'bwd': bwd})
print(json.dumps({'version': torch.__version__, 'rows': out}))
`;

function findPython() {
  const want = process.env.CNN_BENCH_PYTHON;
  if (want === 'none') return null;
  for (const py of want ? [want] : ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) return py;
  }
  return null;
}

async function main() {
  if (argv[0] === '--child') {
    const eng = createRequire(import.meta.url)(bundle);
    process.stdout.write(JSON.stringify(ours(eng, Number(argv[1]))) + '\n');
    return;
  }
  await buildBundle();
  const eng = createRequire(import.meta.url)(bundle);
  const py = findPython();
  const results = [];
  for (const t of threadList) {
    const c = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', String(t), ...argv], { encoding: 'utf8' });
    if (c.status !== 0) {
      console.error(c.stderr);
      process.exit(1);
    }
    const o = JSON.parse(c.stdout.trim().split('\n').pop());
    let torch = null;
    if (py) {
      const r = spawnSync(py, ['-c', PY, JSON.stringify(LAYERS.map(([, L]) => L)), String(t), String(seconds), String(BATCH)], {
        encoding: 'utf8',
        env: { ...process.env, OMP_NUM_THREADS: String(t) },
      });
      if (r.status === 0) torch = JSON.parse(r.stdout.trim().split('\n').pop());
    }
    results.push({ threads: t, backend: o.backend, torch: torch?.version ?? null, rows: o.rows.map((r, i) => ({ ...r, torch: torch?.rows[i] ?? null })) });
  }
  const rate = (L, secs, backward) => {
    const m = macs(L, eng) * (backward && L.op !== 'upsample' ? 2 : 1);
    return L.op === 'upsample' ? m / secs / 1e6 : (2 * m) / secs / 1e9;
  };
  if (flag('--json')) {
    console.log(JSON.stringify({ batch: BATCH, cpu: cpus()[0]?.model?.trim(), node: process.version, results }, null, 2));
    return;
  }
  const f = (v) => (v === null || v === undefined ? '–' : v.toFixed(1));
  for (const r of results) {
    console.log(`\n${r.backend}, ${r.threads} thread(s), batch ${BATCH}${r.torch ? `; PyTorch ${r.torch}` : ''}: GFLOP/s (upsample: M outputs/s)`);
    const head = ['layer', 'fwd', 'bwd', 'fwd/cpu-s', 'bwd/cpu-s', 'torch fwd', 'torch bwd', 'torch fwd/cpu-s', 'torch bwd/cpu-s'];
    const lines = r.rows.map((row, i) => {
      const L = LAYERS[i][1];
      const t = row.torch;
      return [
        row.name,
        f(rate(L, row.fwd.wall, false)), f(rate(L, row.bwd.wall, true)), f(rate(L, row.fwd.cpu, false)), f(rate(L, row.bwd.cpu, true)),
        f(t && rate(L, t.fwd.wall, false)), f(t && rate(L, t.bwd.wall, true)), f(t && rate(L, t.fwd.cpu, false)), f(t && rate(L, t.bwd.cpu, true)),
      ];
    });
    const widths = head.map((h, j) => Math.max(h.length, ...lines.map((l) => l[j].length)));
    const fmt = (l) => l.map((v, j) => (j === 0 ? v.padEnd(widths[j]) : v.padStart(widths[j]))).join('  ');
    console.log(fmt(head));
    for (const l of lines) console.log(fmt(l));
  }
}

await main();
