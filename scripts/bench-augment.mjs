#!/usr/bin/env node
// The augmentation benchmark: figures, not a test (nothing here fails on a slow machine).
//
//   node scripts/bench-augment.mjs [--runs N] [--json]
//
// Milliseconds per batch of src/data/augment.ts (bundled with esbuild, as the trainer bundles it) on a
// 64×28×28×1 batch (MNIST/MedMNIST size) and a 64×64×64×3 batch (MedMNIST+ 64), for each operation alone and for
// everything at once (flip both, rotate 15, shift 2, zoom 0.9-1.1, brightness 0.1, contrast 0.1), on one thread.

import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag, median, numberOption, round } from './benchArgs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = numberOption('--runs', 100);
const WARMUP = 20;


const OFF = { flip: 'none', rotate: 0, shift: 0, zoom: null, brightness: 0, contrast: 0, line: 0 };
const CASES = {
  'flip both': { flip: 'both' },
  'shift 2': { shift: 2 },
  'rotate 15': { rotate: 15 },
  'zoom 0.9-1.1': { zoom: [0.9, 1.1] },
  'brightness+contrast 0.1': { brightness: 0.1, contrast: 0.1 },
  everything: { flip: 'both', rotate: 15, shift: 2, zoom: [0.9, 1.1], brightness: 0.1, contrast: 0.1 },
};
const BATCHES = [
  [64, 28, 28, 1],
  [64, 64, 64, 3],
];

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'cnn-bench-augment-'));
  const results = {};
  try {
    const bundle = join(tmp, 'augment.cjs');
    await esbuild.build({ entryPoints: [join(root, 'src/data/augment.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: bundle, logLevel: 'warning' });
    const { Augmenter } = createRequire(import.meta.url)(bundle);
    for (const [n, h, w, c] of BATCHES) {
      const key = `${n}x${h}x${w}x${c}`;
      results[key] = {};
      const x = new Float32Array(n * h * w * c);
      for (const [name, settings] of Object.entries(CASES)) {
        const aug = new Augmenter({ ...OFF, ...settings }, h, w, c, 1);
        const samples = [];
        for (let i = 0; i < WARMUP + RUNS; i++) {
          for (let j = 0; j < x.length; j++) x[j] = ((j * 2654435761) >>> 0) / 4294967296; // fresh pixels each batch
          const t0 = process.hrtime.bigint();
          aug.apply(x, n, 1, i);
          if (i >= WARMUP) samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
        results[key][name] = { medianMs: round(median(samples)), minMs: round(Math.min(...samples)), runs: RUNS };
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (flag('--json')) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  console.log(`Node ${process.version}; ms per batch (median of ${RUNS}, one thread)`);
  for (const [batch, cases] of Object.entries(results)) {
    console.log(`batch ${batch}`);
    for (const [name, r] of Object.entries(cases)) console.log(`  ${name.padEnd(26)} median ${String(r.medianMs).padStart(8)} ms   min ${String(r.minMs).padStart(8)} ms`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench-augment: ${err?.stack ?? err}`);
    process.exit(1);
  },
);
