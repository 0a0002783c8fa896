// The exported train.py's run folders (issue 11): a default folder is created exclusively (two runs started in
// the same second get `<name>-<time>` and `<name>-<time>-2`); `--out DIR` is refused while another training
// holds it or when it already holds a run (two runs into one DIR at once: one trains, one is refused); a run
// that continues DIR's checkpoint appends to its metrics; a run that fails before its first epoch leaves no
// folder. Debian's python3 with python3-torch.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePytorchPackage } from '../../../src/export';
import { PY_ENV, PYTHON, RUN_TORCH, specOf, tempDir, TINY } from './helpers';

/** Runs train.py with the local clock pinned to `clock` (seconds) when given, so two runs share one time stamp. */
const PINNED = String.raw`
import os, runpy, sys, time
fixed = time.localtime(float(sys.argv[1]))
strftime, localtime = time.strftime, time.localtime
time.strftime = lambda fmt, t=None: strftime(fmt, fixed if t is None else t)
time.localtime = lambda s=None: fixed if s is None else localtime(s)
sys.argv = sys.argv[2:]
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
runpy.run_path(sys.argv[0], run_name="__main__")
`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  messages: Record<string, unknown>[];
}

function trainPy(pkg: string, args: string[], clock?: number): Promise<Run> {
  const argv = clock === undefined ? [join(pkg, 'train.py'), ...args] : ['-c', PINNED, String(clock), join(pkg, 'train.py'), ...args];
  return new Promise((done, fail) => {
    const child = spawn(PYTHON, argv, { cwd: pkg, env: PY_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.on('error', fail);
    child.on('close', (code) => {
      const messages = stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      done({ code, stdout, stderr, messages });
    });
  });
}

function ok(r: Run): Run {
  if (r.code !== 0) throw new Error(`train.py failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r;
}

/** metrics.jsonl's epoch lines (its training-health records between them left out). */
function lines(path: string): string[] {
  return readFileSync(path, 'utf8').trim().split('\n').filter((l) => !l.startsWith('{"health"'));
}

function newPackage(): { dir: string; pkg: string } {
  const dir = tempDir('cnn-rundir-');
  const file = join(dir, 'tiny.cnn');
  writeFileSync(file, TINY);
  const pkg = join(dir, 'Tiny-pytorch');
  writePytorchPackage(specOf(TINY, file), { file, outDir: pkg });
  return { dir, pkg };
}

describe.skipIf(!RUN_TORCH)("train.py's run folders", () => {
  it('two runs started in the same second without --out train into two separate, complete folders', async () => {
    const { pkg } = newPackage();
    const clock = Math.floor(Date.now() / 1000);
    const [a, b] = await Promise.all([trainPy(pkg, ['--device', 'cpu'], clock), trainPy(pkg, ['--device', 'cpu'], clock)]);
    ok(a);
    ok(b);
    const names = readdirSync(join(pkg, 'runs')).sort();
    expect(names).toHaveLength(2);
    expect(names[0]).toMatch(/^Tiny-\d{8}-\d{6}$/);
    expect(names[1]).toBe(`${names[0]}-2`);
    const done = [a, b].map((r) => r.messages.at(-1)!);
    expect(done.map((m) => m.type)).toEqual(['done', 'done']);
    expect(done.map((m) => m.checkpoint).sort()).toEqual(names.map((n) => join(pkg, 'runs', n, 'model.safetensors')).sort());
    for (const n of names) {
      const run = join(pkg, 'runs', n);
      expect(readdirSync(run).sort()).toEqual(['best.safetensors', 'metrics.jsonl', 'model.safetensors']);
      expect(lines(join(run, 'metrics.jsonl'))).toHaveLength(1);
    }
  });

  it('refuses --out DIR that holds a run, and a run that continues its checkpoint appends to its metrics', async () => {
    const { dir, pkg } = newPackage();
    const out = join(dir, 'run');
    const ckpt = join(out, 'model.safetensors');
    const metrics = join(out, 'metrics.jsonl');
    ok(await trainPy(pkg, ['--out', out, '--device', 'cpu']));
    const first = lines(metrics);
    const weights = readFileSync(ckpt);
    expect(first).toHaveLength(1);

    const again = await trainPy(pkg, ['--out', out, '--device', 'cpu']);
    expect(again.code).toBe(1);
    const refusal = again.messages.at(-1)!;
    expect(refusal).toMatchObject({ type: 'error', stage: 'setup' });
    expect(refusal.message).toBe(
      `${out} already holds a run (model.safetensors, metrics.jsonl); a new run there would overwrite it. Train into another folder, or continue that run from its checkpoint: python3 train.py --init ${ckpt} --out ${out}`,
    );
    expect(again.messages.some((m) => m.type === 'started')).toBe(false);
    expect(lines(metrics)).toEqual(first);
    expect(readFileSync(ckpt).equals(weights)).toBe(true);

    const resumed = ok(await trainPy(pkg, ['--out', out, '--init', ckpt, '--device', 'cpu']));
    expect(resumed.messages.at(-1)).toMatchObject({ type: 'done', checkpoint: ckpt, epochsRun: 1 });
    const both = lines(metrics);
    expect(both).toHaveLength(2);
    expect(both[0]).toBe(first[0]);
    expect(readdirSync(out).sort()).toEqual(['best.safetensors', 'metrics.jsonl', 'model.safetensors']);
  });

  it('two runs into one --out DIR at the same moment: one trains there, the other is refused', async () => {
    const { dir, pkg } = newPackage();
    const out = join(dir, 'shared');
    const runs = await Promise.all([trainPy(pkg, ['--out', out, '--device', 'cpu']), trainPy(pkg, ['--out', out, '--device', 'cpu'])]);
    expect(runs.map((r) => r.code).sort()).toEqual([0, 1]);
    const refused = runs.find((r) => r.code === 1)!;
    expect(refused.messages.at(-1)).toMatchObject({ type: 'error', stage: 'setup' });
    expect(refused.messages.at(-1)!.message).toMatch(/is in use by another training|already holds a run/);
    expect(refused.messages.some((m) => m.type === 'started')).toBe(false);
    expect(lines(join(out, 'metrics.jsonl'))).toHaveLength(1);
    expect(readdirSync(out).sort()).toEqual(['best.safetensors', 'metrics.jsonl', 'model.safetensors']);
  });

  it("refuses --out DIR while a live training holds its lock, and takes over a killed run's lock", async () => {
    const { dir, pkg } = newPackage();
    const live = join(dir, 'live');
    const liveLock = join(live, '.cnn-run.lock');
    const holder = JSON.stringify({ pid: process.pid, host: hostname() });
    mkdirSync(live);
    writeFileSync(liveLock, holder);
    const refused = await trainPy(pkg, ['--out', live, '--device', 'cpu']);
    expect(refused.code).toBe(1);
    expect(refused.messages.at(-1)).toMatchObject({ type: 'error', stage: 'setup' });
    expect(refused.messages.at(-1)!.message).toContain(`${live} is in use by another training (process ${process.pid})`);
    expect(readFileSync(liveLock, 'utf8')).toBe(holder);
    expect(readdirSync(live)).toEqual(['.cnn-run.lock']);

    // A lock whose process has exited (SIGKILL skips the release): the next run takes it over and removes it.
    const gone = spawnSync(PYTHON, ['-c', 'import os; print(os.getpid())'], { encoding: 'utf8' });
    const stale = join(dir, 'stale');
    mkdirSync(stale);
    writeFileSync(join(stale, '.cnn-run.lock'), JSON.stringify({ pid: Number(gone.stdout.trim()), host: hostname() }));
    ok(await trainPy(pkg, ['--out', stale, '--device', 'cpu']));
    expect(readdirSync(stale).sort()).toEqual(['best.safetensors', 'metrics.jsonl', 'model.safetensors']);
  });

  it('leaves no folder behind for a run that fails before its first epoch', async () => {
    const { pkg } = newPackage();
    const r = await trainPy(pkg, ['--device', 'cpu', '--optimizer', 'sgd', '--lr', '1e38']);
    expect(r.code).toBe(1);
    expect(r.messages.at(-1)).toMatchObject({ type: 'error', stage: 'train' });
    expect(existsSync(join(pkg, 'runs')) ? readdirSync(join(pkg, 'runs')) : []).toEqual([]);
  });
});
