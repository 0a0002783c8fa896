// A fuzz test of the whole command line: random and mutated .cnn, .npz, .idx, .safetensors, .npy and image
// files through `cnn check|summary|train|predict|explain|evaluate|export`. Whatever the input, every
// invocation must end within a time limit with exit 0, 1 or 2; a failure must be a short message (no stack
// trace, no "internal error", no "undefined"). Seeded: the seed is printed, CNN_FUZZ_SEED=N reruns one, CNN_FUZZ_CASES=N sets
// how many cases (default 150), CNN_FUZZ_LOG=FILE writes every case's command line and answer as JSON lines.
// The cases run in one worker process (fuzz-worker.cjs, the CLI's main() from the bundle with captured
// output) so a few hundred fit in well under a minute; a sample of them runs again through bin/cnn as a real
// process. A failing case's files stay in the printed folder.

import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../../src/data';
import { corruptBody, idxBytes, zipBytes } from '../data/helpers';
import { buildOnce, root, tempDir } from '../trainer/helpers';
import { rng as mulberry32 } from '../webview/fixtures';

const SEED = Number(process.env.CNN_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CASES = Number(process.env.CNN_FUZZ_CASES ?? 150);
/** A case that runs longer than this is a hang (the slowest legitimate ones take well under a second). */
const CASE_TIMEOUT_MS = 15_000;
/** Cases that run again through bin/cnn as their own process. */
const REAL_PROCESS_CASES = 8;

// ---- seeded randomness ----------------------------------------------------------------------------------------

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---- mutators --------------------------------------------------------------------------------------------------

const INTERESTING_U32 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

/** A few byte-level edits, biased towards the first 256 bytes where the headers are. */
function mutateBytes(rng: Rng, input: Uint8Array): Buffer {
  let b = Buffer.from(input);
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = () => (b.length === 0 ? 0 : rng.chance(0.6) ? rng.int(Math.min(256, b.length)) : rng.int(b.length));
    switch (rng.int(8)) {
      case 0: // flip bits
        if (b.length) b[at()] ^= 1 << rng.int(8);
        break;
      case 1: // an interesting byte
        if (b.length) b[at()] = rng.pick([0, 1, 0x7f, 0x80, 0xfe, 0xff, 0x20, 0x22, 0x27, 0x28]);
        break;
      case 2: {
        // an interesting 32-bit number, either endianness
        const p = at();
        if (p + 4 <= b.length) {
          const v = rng.pick(INTERESTING_U32);
          if (rng.chance(0.5)) b.writeUInt32LE(v >>> 0, p);
          else b.writeUInt32BE(v >>> 0, p);
        }
        break;
      }
      case 3: // truncate
        b = b.subarray(0, rng.int(b.length + 1));
        break;
      case 4: {
        // insert random bytes
        const p = at();
        const chunk = Buffer.from(Array.from({ length: 1 + rng.int(16) }, () => rng.int(256)));
        b = Buffer.concat([b.subarray(0, p), chunk, b.subarray(p)]);
        break;
      }
      case 5: {
        // delete a range
        const p = at();
        b = Buffer.concat([b.subarray(0, p), b.subarray(Math.min(b.length, p + 1 + rng.int(32)))]);
        break;
      }
      case 6: {
        // zero a range
        const p = at();
        b.fill(0, p, Math.min(b.length, p + 1 + rng.int(64)));
        break;
      }
      default: {
        // duplicate a range
        const p = at();
        const q = Math.min(b.length, p + 1 + rng.int(64));
        b = Buffer.concat([b.subarray(0, q), b.subarray(p, q), b.subarray(q)]);
      }
    }
  }
  return Buffer.from(b);
}

const NUMBERS = ['0', '-1', '1', '3', '65536', '2147483647', '99999999999999999999', '1e308', '1e-320', '0.5', '-0', 'NaN', 'inf', '0x10', '1_000', '٣'];
const TOKENS = [
  'conv filters=2 size=3',
  'conv filters=0 size=0 stride=0 pad=-1',
  'pool max size=2',
  'pool avg size=9 stride=9',
  'dense units=3',
  'dense units=0',
  'flatten',
  'softmax',
  'relu',
  'dropout rate=1.5',
  'batchnorm',
  'input 0x0x0',
  'input 4x4x1',
  'input 99999x99999x99999',
  'classes a b c',
  'classes',
  'network "x"',
  'network a\\N',
  'data shapes samples=3',
  'data npz "missing.npz"',
  'data idx ../../../../etc',
  'data folder .',
  'train epochs=1 batch=0 lr=-1',
  'train epochs=1 batch=4 lr=1e308 optimizer=adam',
  'train optimizer=nope seed=-5 val=2',
  '# comment \u202e\u0000',
  '\ufeff',
  '"""',
  '${x}$(rm -rf /)',
  'ü日本語🙂',
];

/** Line-level edits to .cnn text, then sometimes byte-level ones on top. */
function mutateCnn(rng: Rng, text: string): Buffer {
  let lines = text.split('\n');
  const edits = 1 + rng.int(3);
  for (let e = 0; e < edits; e++) {
    const i = rng.int(Math.max(1, lines.length));
    switch (rng.int(8)) {
      case 0:
        lines[i] = (lines[i] ?? '').replace(/\d+(\.\d+)?/, rng.pick(NUMBERS));
        break;
      case 7: // keep only some layers (or none), with the data and train lines
        lines = lines.filter((l) => !/^(conv|pool|flatten|dense|softmax)\b/.test(l) || rng.chance(0.3));
        break;
      case 1:
        lines.splice(i, 1);
        break;
      case 2:
        lines.splice(i, 0, lines[rng.int(lines.length)] ?? '');
        break;
      case 3:
        lines.splice(i, 0, rng.pick(TOKENS));
        break;
      case 4: {
        const j = rng.int(lines.length);
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        break;
      }
      case 5:
        lines = lines.map((l) => l.replace(/\d+/g, () => (rng.chance(0.3) ? rng.pick(NUMBERS) : String(rng.int(9) + 1))));
        break;
      default:
        lines[i] = `${lines[i] ?? ''} ${rng.pick(TOKENS)}`;
    }
  }
  const out = Buffer.from(lines.join(rng.chance(0.2) ? '\r\n' : '\n'), 'utf8');
  if (rng.chance(0.25)) return mutateBytes(rng, out);
  if (rng.chance(0.05)) return Buffer.from(`\ufeff${lines.join('\n')}`, 'utf16le');
  return out;
}

// ---- valid inputs ------------------------------------------------------------------------------------------------

const H = 4;
const W = 4;
const N = 24;

function model(data: string, extra = ''): string {
  return [
    'network Fuzz',
    `input ${H}x${W}x1`,
    'classes a b c',
    'conv filters=2 size=3 pad=1 activation=relu',
    'pool max size=2',
    'flatten',
    'dense units=3',
    'softmax',
    data,
    'train epochs=1 batch=8 optimizer=adam lr=0.01 seed=1',
    extra,
    '',
  ].join('\n');
}

function pixels(n: number, salt: number): Uint8Array {
  const p = new Uint8Array(n * H * W);
  for (let i = 0; i < p.length; i++) p[i] = (i * 31 + salt * 7) & 255;
  return p;
}

function npzFile(): Buffer {
  const labels = Array.from({ length: N }, (_, i) => i % 3);
  return zipBytes([
    { name: 'train_images.npy', data: writeNpy(pixels(N, 1), [N, H, W]), method: 'store' },
    { name: 'train_labels.npy', data: writeNpy(labels, [N, 1], 'u1'), method: 'deflate' },
    { name: 'val_images.npy', data: writeNpy(pixels(6, 2), [6, H, W]), method: 'deflate' },
    { name: 'val_labels.npy', data: writeNpy([0, 1, 2, 0, 1, 2], [6], 'i8'), method: 'store' },
  ]);
}

function noiseRgba(w: number, h: number, seed: number): Buffer {
  const rng = new Rng(seed);
  return Buffer.from(Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : rng.int(256))));
}

function pngFile(seed: number, w = 6, h = 5): Buffer {
  const p = new PNG({ width: w, height: h });
  noiseRgba(w, h, seed).copy(p.data);
  return PNG.sync.write(p);
}

function jpgFile(seed: number, w = 8, h = 8): Buffer {
  return jpeg.encode({ width: w, height: h, data: noiseRgba(w, h, seed) }, 90).data;
}

// ---- the worker ----------------------------------------------------------------------------------------------------

interface Result {
  code: number | string;
  out: string;
  outBytes: number;
  err: string;
  ms: number;
  uncaught: string[];
  hung?: boolean;
}

/** One worker process; restarted after a hang. */
class Worker {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private pending: { id: number; resolve: (r: Result) => void; uncaught: string[]; timer?: NodeJS.Timeout } | null = null;
  private nextId = 0;

  private start(): Promise<void> {
    const child = fork(join(__dirname, 'fuzz-worker.cjs'), [join(root, 'dist/cli.js')], {
      cwd: root,
      env: { ...process.env, CI: 'true', CNN_DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    // Writes that bypass the CLI's io (there should be none) are kept as the running case's output.
    child.stdout!.on('data', (d: Buffer) => this.pending?.uncaught.push(`wrote to the real stdout: ${d.toString().slice(0, 200)}`));
    child.stderr!.on('data', (d: Buffer) => this.pending?.uncaught.push(`wrote to the real stderr: ${d.toString().slice(0, 500)}`));
    return new Promise<void>((resolve, reject) => {
      child.on('message', (m: { type: string; id: number; kind?: string; message?: string } & Result) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'uncaught') this.pending?.uncaught.push(`${m.kind}: ${m.message}`);
        else if (m.type === 'done' && this.pending?.id === m.id) {
          const p = this.pending;
          this.pending = null;
          clearTimeout(p.timer);
          p.resolve({ code: m.code, out: m.out, outBytes: m.outBytes, err: m.err, ms: m.ms, uncaught: p.uncaught });
        }
      });
      child.on('exit', (code, signal) => {
        reject(new Error(`the fuzz worker exited (${code ?? signal}) before it was ready`));
        if (this.pending) {
          const p = this.pending;
          this.pending = null;
          clearTimeout(p.timer);
          p.resolve({ code: `worker exited (${code ?? signal})`, out: '', outBytes: 0, err: '', ms: 0, uncaught: p.uncaught, hung: false });
        }
        if (this.child === child) {
          this.child = null;
          this.ready = null;
        }
      });
    });
  }

  async run(argv: string[]): Promise<Result> {
    if (!this.ready) this.ready = this.start();
    await this.ready;
    const id = this.nextId++;
    return new Promise<Result>((resolve) => {
      const uncaught: string[] = [];
      const timer = setTimeout(() => {
        if (this.pending?.id !== id) return;
        this.pending = null;
        const child = this.child;
        this.child = null;
        this.ready = null;
        child?.kill('SIGKILL');
        resolve({ code: 'timeout', out: '', outBytes: 0, err: '', ms: CASE_TIMEOUT_MS, uncaught, hung: true });
      }, CASE_TIMEOUT_MS);
      this.pending = { id, resolve, uncaught, timer };
      this.child!.send({ id, argv });
    });
  }

  stop(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
  }
}

// ---- the verdict ---------------------------------------------------------------------------------------------------

const DIAGNOSTIC_LINE = /:\d+:\d+: (error|warning|information) [A-Z]\d+: /;

/** What is wrong with one invocation's outcome; empty when it behaved. */
function problems(r: Result): string[] {
  const found: string[] = [];
  if (r.hung) found.push(`no answer within ${CASE_TIMEOUT_MS / 1000} s (a hang)`);
  for (const u of r.uncaught) found.push(`left something unhandled: ${u.slice(0, 400)}`);
  if (r.code !== 0 && r.code !== 1 && r.code !== 2) found.push(`exit ${r.code}`);
  const err = r.err;
  if (/^\s+at \S/m.test(err)) found.push('a stack trace on stderr');
  if (/internal error/i.test(err)) found.push('an internal error');
  if (/\bundefined\b|\[object Object\]/.test(err)) found.push('"undefined" or "[object Object]" in the message');
  // Bytes from a damaged file must not reach the terminal raw (line breaks, escapes, binary).
  if (/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(err)) found.push('control characters in the message');
  if (r.code === 1 || r.code === 2) {
    const message = err.split('\n').filter((l) => l.trim() && !l.startsWith('warning: ') && !DIAGNOSTIC_LINE.test(l));
    if (message.length === 0 && r.out.trim() === '') found.push('failed without saying why');
    if (message.length > 3) found.push(`a ${message.length}-line message`);
  }
  return found;
}

// ---- the cases --------------------------------------------------------------------------------------------------

interface Case {
  what: string;
  argv: string[];
}

describe('cnn fuzz', () => {
  const worker = new Worker();
  const dir = tempDir('cnn-fuzz-');
  let checkpoint = '';
  let failed = false;

  beforeAll(async () => {
    buildOnce();
    console.log(`cnn fuzz: seed ${SEED}, ${CASES} cases (CNN_FUZZ_SEED=${SEED} to rerun), files in ${dir}`);
    // A real checkpoint to mutate: train the valid model once.
    const base = join(dir, 'base');
    mkdirSync(base);
    writeFileSync(join(base, 'data.npz'), npzFile());
    writeFileSync(join(base, 'model.cnn'), model('data npz data.npz'));
    const r = await worker.run(['train', join(base, 'model.cnn'), '--epochs', '1', '--out', join(base, 'run')]);
    expect(r.err, r.err).toBe('');
    expect(r.code).toBe(0);
    checkpoint = join(base, 'run', 'model.safetensors');
  });

  afterAll(() => {
    worker.stop();
    if (!failed) rmSync(dir, { recursive: true, force: true });
  });

  /** Builds case `i`'s files in its own folder and returns its command line. */
  function makeCase(i: number): Case {
    const rng = new Rng(SEED ^ Math.imul(i + 1, 0x9e3779b1));
    const d = join(dir, `case-${i}`);
    mkdirSync(d);
    const at = (name: string) => join(d, name);
    const cnnFile = at('model.cnn');
    const writeValid = () => {
      writeFileSync(at('data.npz'), npzFile());
      writeFileSync(cnnFile, model('data npz data.npz'));
    };
    const kind = rng.pick(['check', 'check', 'summary', 'train-cnn', 'train-data', 'train-data', 'predict', 'predict', 'evaluate', 'init', 'export', 'argv'] as const);
    switch (kind) {
      case 'check':
      case 'summary': {
        const text = model(rng.pick(['data shapes samples=30', 'data npz data.npz', 'data idx mnist', 'data folder imgs']));
        const bytes = rng.chance(0.1) ? Buffer.from(Array.from({ length: rng.int(4000) }, () => rng.int(256))) : mutateCnn(rng, text);
        writeFileSync(cnnFile, bytes);
        return { what: `${kind} of a mutated .cnn`, argv: [kind, cnnFile, ...(rng.chance(0.3) ? ['--json'] : [])] };
      }
      case 'train-cnn': {
        writeFileSync(at('data.npz'), npzFile());
        writeFileSync(cnnFile, mutateCnn(rng, model('data npz data.npz')));
        return { what: 'train a mutated .cnn', argv: ['train', cnnFile, '--epochs', '1', '--out', at('run'), ...(rng.chance(0.3) ? ['--json'] : [])] };
      }
      case 'train-data': {
        const source = rng.pick(['npz', 'idx', 'folder'] as const);
        if (source === 'npz') {
          writeFileSync(at('data.npz'), mutateBytes(rng, npzFile()));
          writeFileSync(cnnFile, model('data npz data.npz'));
        } else if (source === 'idx') {
          const m = at('mnist');
          mkdirSync(m);
          const labels = Uint8Array.from({ length: N }, (_, k) => k % 3);
          let images: Buffer = idxBytes(3, [N, H, W], pixels(N, 3));
          let labs: Buffer = idxBytes(1, [N], labels);
          if (rng.chance(0.6)) images = mutateBytes(rng, images);
          else labs = mutateBytes(rng, labs);
          writeFileSync(join(m, 'train-images-idx3-ubyte'), images);
          writeFileSync(join(m, 'train-labels-idx1-ubyte'), labs);
          writeFileSync(cnnFile, model('data idx mnist'));
        } else {
          for (const [k, cls] of ['a', 'b', 'c'].entries()) {
            mkdirSync(at(`imgs/${cls}`), { recursive: true });
            for (let j = 0; j < 3; j++) {
              const good = rng.chance(0.5) ? pngFile(i * 31 + k * 7 + j) : jpgFile(i * 31 + k * 7 + j);
              const roll = rng.float();
              const bytes = roll < 0.2 ? corruptBody(good, rng.int(1e9)) : roll < 0.45 ? mutateBytes(rng, good) : good;
              writeFileSync(at(`imgs/${cls}/${j}.${good[0] === 0x89 ? 'png' : 'jpg'}`), bytes);
            }
          }
          writeFileSync(cnnFile, model('data folder imgs'));
        }
        return { what: `train on a mutated ${source} source`, argv: ['train', cnnFile, '--epochs', '1', '--out', at('run')] };
      }
      case 'predict': {
        writeValid();
        let weights = checkpoint;
        let input: string;
        const which = rng.pick(['weights', 'npy', 'png', 'jpg'] as const);
        if (which === 'weights') {
          weights = at('w.safetensors');
          writeFileSync(weights, mutateBytes(rng, readFileSync(checkpoint)));
          input = at('x.npy');
          writeFileSync(input, writeNpy(pixels(2, 5), [2, H, W, 1]));
        } else if (which === 'npy') {
          input = at('x.npy');
          const valid = rng.chance(0.5) ? writeNpy(pixels(2, 5), [2, H, W, 1]) : writeNpy(new Float32Array(H * W).fill(0.5), [H, W, 1]);
          writeFileSync(input, mutateBytes(rng, valid));
        } else {
          input = at(`x.${which}`);
          const good = which === 'png' ? pngFile(i) : jpgFile(i);
          writeFileSync(input, rng.chance(0.4) ? corruptBody(good, rng.int(1e9)) : mutateBytes(rng, good));
        }
        // The same inputs through `explain` (one home for reading them) a third of the time.
        const command = rng.chance(0.3) ? 'explain' : 'predict';
        const method = command === 'explain' ? ['--method', rng.pick(['gradcam', 'saliency', 'occlusion'] as const)] : [];
        return { what: `${command} with a mutated ${which}`, argv: [command, cnnFile, '--weights', weights, '--input', input, ...method, ...(rng.chance(0.3) ? ['--json'] : [])] };
      }
      case 'evaluate': {
        writeValid();
        let weights = checkpoint;
        const which = rng.pick(['weights', 'npz'] as const);
        if (which === 'weights') {
          weights = at('w.safetensors');
          writeFileSync(weights, mutateBytes(rng, readFileSync(checkpoint)));
        } else writeFileSync(at('data.npz'), mutateBytes(rng, npzFile()));
        const split = rng.pick([[], ['--split', 'val'], ['--split', 'test']]);
        return { what: `evaluate with a mutated ${which}`, argv: ['evaluate', cnnFile, '--weights', weights, ...split, ...(rng.chance(0.3) ? ['--json'] : [])] };
      }
      case 'init': {
        writeValid();
        const w = at('init.safetensors');
        writeFileSync(w, mutateBytes(rng, readFileSync(checkpoint)));
        return { what: 'train --init a mutated checkpoint', argv: ['train', cnnFile, '--epochs', '1', '--init', w, '--out', at('run')] };
      }
      case 'export': {
        const mutateModel = rng.chance(0.5);
        writeFileSync(at('data.npz'), npzFile());
        writeFileSync(cnnFile, mutateModel ? mutateCnn(rng, model('data npz data.npz')) : model('data npz data.npz'));
        if (rng.chance(0.5)) return { what: 'export --format pytorch', argv: ['export', cnnFile, '--format', 'pytorch', '-o', at('py')] };
        const argv = ['export', cnnFile, '--format', 'onnx', '-o', at('m.onnx')];
        if (!mutateModel) {
          const w = at('w.safetensors');
          writeFileSync(w, mutateBytes(rng, readFileSync(checkpoint)));
          argv.push('--weights', w);
        }
        return { what: `export --format onnx${mutateModel ? ' of a mutated .cnn' : ' with mutated weights'}`, argv };
      }
      case 'argv': {
        writeValid();
        const words = ['check', 'summary', 'train', 'predict', 'export', 'bench', '--json', '--epochs', '0', '-1', '99999999999', '--out', '--weights', '--input', '--format', 'onnx', '-o', '--', '-', '--epochs=', '--json=1', '--nope', cnnFile, at('missing.cnn'), d, ''];
        const argv = Array.from({ length: 1 + rng.int(6) }, () => rng.pick(words));
        // Never a real training of unbounded length, nor a benchmark.
        if (argv[0] === 'train' || argv[0] === 'bench') argv[0] = 'summary';
        return { what: 'a random command line', argv };
      }
    }
  }

  it(`no stack trace, no hang, exit 0/1/2 and a short message for every case`, async () => {
    const bad: string[] = [];
    const outcomes: { c: Case; r: Result }[] = [];
    const t0 = Date.now();
    for (let i = 0; i < CASES; i++) {
      const c = makeCase(i);
      const r = await worker.run(c.argv);
      outcomes.push({ c, r });
      const p = problems(r);
      if (p.length) bad.push(`case ${i} (${c.what}): ${p.join('; ')}\n  cnn ${c.argv.join(' ')}\n  exit ${r.code}, stderr: ${r.err.slice(0, 600)}`);
    }
    // CNN_FUZZ_LOG=FILE keeps every case's command line and answer, to read what the messages say.
    if (process.env.CNN_FUZZ_LOG) writeFileSync(process.env.CNN_FUZZ_LOG, outcomes.map((o) => JSON.stringify({ what: o.c.what, argv: o.c.argv, code: o.r.code, ms: o.r.ms, err: o.r.err, out: o.r.out.slice(0, 300) })).join('\n') + '\n');
    const seconds = (Date.now() - t0) / 1000;
    const codes = outcomes.reduce<Record<string, number>>((m, o) => ((m[String(o.r.code)] = (m[String(o.r.code)] ?? 0) + 1), m), {});
    console.log(`cnn fuzz: ${CASES} cases in ${seconds.toFixed(1)} s; exit codes ${JSON.stringify(codes)}`);

    // A sample again as real processes through bin/cnn: the same exit code, and nothing on stderr that
    // main() did not print (a crash of the process itself, a warning from Node).
    const sample = outcomes.filter((o) => o.r.code !== 'timeout').filter((_, k, all) => k % Math.max(1, Math.floor(all.length / REAL_PROCESS_CASES)) === 0).slice(0, REAL_PROCESS_CASES);
    for (const { c, r } of sample) {
      // Into fresh output paths: the worker's run already wrote its own.
      const argv = c.argv.map((a, k) => (k > 0 && (c.argv[k - 1] === '--out' || c.argv[k - 1] === '-o') ? a.replace(/(\.[a-z]+)?$/, '-real$1') : a));
      const real = spawnSync(process.execPath, [join(root, 'bin/cnn'), ...argv], { cwd: root, encoding: 'utf8', timeout: CASE_TIMEOUT_MS, env: { ...process.env, CI: 'true', CNN_DEBUG: '' } });
      const asReal: Result = { code: real.status ?? `signal ${real.signal}`, out: real.stdout, outBytes: real.stdout.length, err: real.stderr, ms: 0, uncaught: [] };
      const p = problems(asReal);
      if (real.status !== r.code) p.push(`exit ${real.status} as a process but ${r.code} in the worker`);
      if (p.length) bad.push(`real process (${c.what}): ${p.join('; ')}\n  cnn ${c.argv.join(' ')}\n  stderr: ${real.stderr.slice(0, 600)}`);
    }
    if (bad.length) {
      failed = true;
      console.log(`cnn fuzz: seed ${SEED}; the failing cases' files are in ${dir}`);
    }
    expect(bad, `seed ${SEED} (CNN_FUZZ_SEED=${SEED}); files in ${dir}`).toEqual([]);
  });
});
