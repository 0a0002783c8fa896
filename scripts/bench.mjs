#!/usr/bin/env node
// `npm run bench`: every benchmark of the project, each in its own child process, one after the other, with
// their figures printed as they come. Figures, not timed tests: nothing here fails because something is slow.
//
//   npm run bench                      all parts
//   npm run bench -- engine            one part (or several: engine webview)
//   npm run bench -- engine --json     the parts' own JSON (one object per part, keyed by part)
//   npm run bench -- --list            the parts and the commands they run
//
// Parts:
//   engine    scripts/bench-engine.mjs: the built-in engine against PyTorch CPU (when /usr/bin/python3 or
//             python3 imports torch; otherwise ours only) on LeNet-5, the lecture net, TinyVGG and a ResNet-style graph at batch 64,
//             on 1 and 2 threads, train and inference samples/s, peak RSS, and the ratio ours / PyTorch.
//   kernels   scripts/bench-kernels.mjs: GFLOP/s of grouped, depthwise, dilated and transposed convolutions
//             (and upsampling) beside plain convolutions and PyTorch CPU on the same layers, batch 64.
//   language  scripts/bench-language.mjs: the language core's speed (printed as missing when the script is not
//             there yet).
//   augment   scripts/bench-augment.mjs: src/data/augment.ts in ms per batch, each operation alone and all at once,
//             on a 64×28×28×1 and a 64×64×64×3 batch.
//   health    scripts/bench-health.mjs: what measuring training health costs a run (a recorded step, the
//             epoch-end pass over 256 samples) on the example networks.
//   webview   scripts/bench-webview.mjs: the inspector's feature-map rendering in chromium (skipped when
//             chromium is not installed).
// Extra arguments after the part names go to every part's script (e.g. `-- engine --seconds 4`).
// Exit status: 0 when every part that ran succeeded (missing or skipped parts do not count), 1 otherwise.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const PARTS = {
  engine: {
    script: 'scripts/bench-engine.mjs',
    // Two runs of each measurement, best kept; about two minutes on 2 cores with PyTorch beside.
    args: ['--threads', '1,2', '--repeat', '2', '--seconds', '2'],
    title: 'Engine: built-in engine vs PyTorch CPU (batch 64)',
  },
  kernels: {
    script: 'scripts/bench-kernels.mjs',
    args: ['--threads', '1,2', '--seconds', '1'],
    title: 'Engine kernels: the convolution family layer by layer, GFLOP/s (batch 64)',
  },
  language: {
    script: 'scripts/bench-language.mjs',
    args: [],
    title: 'Language: scanner, parser, checker',
  },
  augment: {
    script: 'scripts/bench-augment.mjs',
    args: [],
    title: 'Augmentation: ms per training batch (64×28×28×1 and 64×64×64×3)',
  },
  health: {
    script: 'scripts/bench-health.mjs',
    args: [],
    title: 'Training health: the cost of a recorded step and of the epoch-end pass',
  },
  webview: {
    script: 'scripts/bench-webview.mjs',
    args: [],
    title: 'Webview: feature-map rendering in chromium',
    skip: () => (existsSync(process.env.CNN_CHROMIUM ?? '/usr/bin/chromium') ? null : 'chromium is not installed (apt-get install chromium)'),
  },
};

function usage() {
  return `usage: node scripts/bench.mjs [${Object.keys(PARTS).join('|')} ...] [--json] [--list] [extra args for the parts]`;
}

function parse(argv) {
  const parts = [];
  const rest = [];
  let json = false;
  let list = false;
  for (const a of argv) {
    if (a in PARTS) parts.push(a);
    else if (a === '--json') json = true;
    else if (a === '--list') list = true;
    else if (a === '--help' || a === '-h') {
      console.log(usage());
      process.exit(0);
    } else if (!a.startsWith('-') && rest.length === 0) {
      console.error(`bench: unknown part "${a}"\n${usage()}`);
      process.exit(2);
    } else rest.push(a);
  }
  return { parts: parts.length ? parts : Object.keys(PARTS), rest, json, list };
}

/** Runs one script, streaming its output (or collecting it with --json); resolves to { code, stdout }. */
function runPart(script, args, json) {
  return new Promise((resolvePart) => {
    const child = spawn(process.execPath, [join(root, script), ...args], {
      cwd: root,
      stdio: ['ignore', json ? 'pipe' : 'inherit', 'inherit'],
    });
    let stdout = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.on('error', (err) => resolvePart({ code: 1, stdout, error: err.message }));
    child.on('close', (code, signal) => resolvePart({ code: code ?? (signal ? 1 : 0), stdout }));
  });
}

function ensureBuilt() {
  // The engine bench loads build/engine-*.wasm; build once when a fresh checkout has not been built yet.
  if (existsSync(join(root, 'build', 'engine-simd.wasm'))) return Promise.resolve({ code: 0 });
  console.error('bench: build/engine-simd.wasm is missing; running scripts/build.mjs first');
  return runPart('scripts/build.mjs', [], false);
}

async function main() {
  const { parts, rest, json, list } = parse(process.argv.slice(2));
  if (list) {
    for (const [name, p] of Object.entries(PARTS)) {
      console.log(`${name.padEnd(9)} node ${p.script} ${p.args.join(' ')}${existsSync(join(root, p.script)) ? '' : '   (missing)'}`);
    }
    return 0;
  }
  const results = {};
  let failed = false;
  const started = performance.now();
  if (!json) {
    const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU';
    console.log(`CNN Studio benchmarks: ${parts.join(', ')}`);
    console.log(`machine: ${cpu}, ${cpus().length} CPUs, load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}; Node ${process.version}`);
  }
  for (const name of parts) {
    const part = PARTS[name];
    const header = () => !json && console.log(`\n== ${name}: ${part.title}\n   node ${part.script} ${[...part.args, ...rest].join(' ')}`);
    if (!existsSync(join(root, part.script))) {
      header();
      if (!json) console.log(`   ${part.script} is missing: no ${name} figures`);
      results[name] = { status: 'missing' };
      continue;
    }
    const why = part.skip?.();
    if (why) {
      header();
      if (!json) console.log(`   skipped: ${why}`);
      results[name] = { status: 'skipped', reason: why };
      continue;
    }
    if (name === 'engine') {
      const b = await ensureBuilt();
      if (b.code !== 0) {
        failed = true;
        results[name] = { status: 'failed', code: b.code };
        continue;
      }
    }
    header();
    const t0 = performance.now();
    const args = [...part.args, ...rest, ...(json ? ['--json'] : [])];
    const r = await runPart(part.script, args, json);
    const seconds = (performance.now() - t0) / 1000;
    if (r.code !== 0) {
      failed = true;
      if (!json) console.log(`   ${name} failed (exit ${r.code}${r.error ? `: ${r.error}` : ''})`);
      results[name] = { status: 'failed', code: r.code, seconds };
      continue;
    }
    let figures = null;
    if (json) {
      try {
        figures = JSON.parse(r.stdout);
      } catch {
        figures = r.stdout.trim();
      }
    } else {
      console.log(`   (${seconds.toFixed(0)} s)`);
    }
    results[name] = { status: 'ok', seconds, figures };
  }
  const total = (performance.now() - started) / 1000;
  if (json) console.log(JSON.stringify({ parts: results, seconds: total }, null, 2));
  else console.log(`\nall parts done in ${total.toFixed(0)} s${failed ? ' (some failed)' : ''}`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
