#!/usr/bin/env node
// The training-health benchmark: figures, not a test (nothing here fails on a slow machine).
//
//   node scripts/bench-health.mjs [--runs N] [--json]
//
// What measuring training health costs a run (src/engine/health.ts, src/trainer/healthRecorder.ts, bundled with
// esbuild as the trainer bundles them), at each example network's batch on one thread: a training step alone, the
// record a recorded step adds (a copy of the parameters before it, the norms and update ratios after it; one
// step in 20 is recorded), and the epoch-end pass over 256 samples (dead and saturated units, the diagnostics).

import * as esbuild from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag, median, numberOption, round } from './benchArgs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = numberOption('--runs', 20);
const EXAMPLES = ['examples/lenet-shapes.cnn', 'examples/lecture.cnn', 'examples/tinyvgg.cnn'];

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'cnn-bench-health-'));
  const results = {};
  try {
    const bundle = join(tmp, 'health.cjs');
    await esbuild.build({
      stdin: {
        contents: "import { installEngineRuntime } from './src/engine/runtime'; import { nodeEngineRuntime } from './src/engine/runtime-node'; installEngineRuntime(nodeEngineRuntime()); export { createNetwork } from './src/engine'; export { check, toModelSpec } from './src/language'; export { HealthRecorder } from './src/trainer/healthRecorder';",
        resolveDir: root,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: bundle,
      logLevel: 'warning',
      loader: { '.cnn': 'text' },
    });
    process.env.CNN_ENGINE_WASM_DIR ??= join(root, 'build');
    const { createNetwork, check, toModelSpec, HealthRecorder } = createRequire(import.meta.url)(bundle);
    for (const file of EXAMPLES) {
      const spec = toModelSpec(check(readFileSync(join(root, file), 'utf8')));
      const { h, w, c } = spec.input;
      const batch = spec.train.batch;
      const net = createNetwork(spec, { batch });
      const size = h * w * c;
      const x = new Float32Array(batch * size).map((_, i) => ((i * 2654435761) >>> 0) / 4294967296);
      const y = Int32Array.from({ length: batch }, (_, i) => i % net.classes);
      const probe = { size: 256, height: h, width: w, channels: c, read: (i, out, off) => out.set(x.subarray((i % batch) * size, ((i % batch) + 1) * size), off) };
      const rec = new HealthRecorder(net, { data: probe, split: 'validation' }, spec.train.lr);
      for (let i = 0; i < 3; i++) net.trainStep(x, y, batch);
      const steps = [];
      const records = [];
      for (let i = 0; i < RUNS; i++) {
        let t0 = process.hrtime.bigint();
        net.trainStep(x, y, batch);
        steps.push(ms(t0));
        t0 = process.hrtime.bigint();
        rec.beforeStep(20, false);
        const before = ms(t0);
        net.trainStep(x, y, batch);
        t0 = process.hrtime.bigint();
        rec.afterStep(20, 1, false);
        records.push(before + ms(t0));
      }
      const ends = [];
      for (let i = 0; i < 5; i++) {
        rec.beforeStep(1, true);
        net.trainStep(x, y, batch);
        rec.afterStep(1, 1, true);
        const t0 = process.hrtime.bigint();
        rec.epochEnd(1, 1);
        ends.push(ms(t0));
      }
      const epochEnd = median(ends);
      const step = median(steps);
      const record = median(records);
      results[file] = { params: net.paramCount, batch, stepMs: round(step), recordMs: round(record), recordShare: round(record / step, 4), averageShare: round(record / step / 20, 5), epochEndMs: round(epochEnd, 1), epochEndSteps: round(epochEnd / step, 2) };
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (flag('--json')) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  console.log(`Node ${process.version}; medians of ${RUNS} (epoch ends: of 5), one thread; a step in 20 is recorded, the epoch-end pass reads 256 samples`);
  for (const [file, r] of Object.entries(results)) {
    console.log(
      `${file.padEnd(28)} ${String(r.params).padStart(7)} params, batch ${r.batch}: step ${r.stepMs} ms; a record adds ${r.recordMs} ms (${round(100 * r.recordShare, 2)}% of that step, ${round(100 * r.averageShare, 3)}% on average); epoch end ${r.epochEndMs} ms (${r.epochEndSteps} steps)`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench-health: ${err?.stack ?? err}`);
    process.exit(1);
  },
);
