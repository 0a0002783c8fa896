// Runs never overwrite each other, end to end through bin/cnn: two trainings started together get two
// complete, separate run folders; `--out DIR` named by two runs at once lets one in and refuses the other;
// continuing a run appends to its metrics; a run that fails before writing anything leaves no folder; a
// killed checkpoint write's temp file is cleared at the next start; a 300-character name still trains.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../../src/data';
import { loadCheckpoint } from '../../../src/engine';
import { zipBytes } from '../data/helpers';
import { buildOnce, root, tempDir, tinyModel, writeModel } from './helpers';

interface Result {
  code: number | null;
  out: string;
  err: string;
}

function cnn(args: string[], cwd = root): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/cnn'), ...args], { cwd, env: { ...process.env, CI: 'true' } });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

function lastJson(r: Result): { type: string; checkpoint?: string; metricsFile?: string; message?: string } {
  return JSON.parse(r.out.trim().split('\n').at(-1)!);
}

/** The epoch lines of a metrics.jsonl (the training-health records beside them left out). */
function metricsLines(file: string): { epoch: number }[] {
  return epochLines(readFileSync(file, 'utf8'));
}

function epochLines(text: string): { epoch: number; valAuc?: number }[] {
  return text.trim().split('\n').map((l) => JSON.parse(l)).filter((m) => 'epoch' in m);
}

/** The run-folder stamp for a moment, as `runs/<name>-<stamp>` writes it (local time). */
function stamp(t: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}${p(t.getMonth() + 1)}${p(t.getDate())}-${p(t.getHours())}${p(t.getMinutes())}${p(t.getSeconds())}`;
}

beforeAll(() => buildOnce());

describe('run folders through bin/cnn', () => {
  it('two trainings of one file started at the same moment write two complete, separate runs', async () => {
    const dir = tempDir();
    const file = writeModel(dir, tinyModel({ epochs: 2, samples: 160 }));
    // Make the same-second collision certain, whatever the clock does while the two start: the folders of
    // every second from now to a minute ahead exist already, each holding an earlier run's metrics.
    const now = Date.now();
    const earlier = '{"epoch":1,"earlier":true}\n';
    for (let s = -1; s <= 60; s++) {
      const d = join(dir, 'runs', `Tiny-${stamp(new Date(now + s * 1000))}`);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'metrics.jsonl'), earlier);
    }
    const [a, b] = await Promise.all([cnn(['train', file, '--json']), cnn(['train', file, '--json'])]);
    expect(a.err).toBe('');
    expect(b.err).toBe('');
    expect([a.code, b.code]).toEqual([0, 0]);
    const da = lastJson(a);
    const db = lastJson(b);
    expect(da.type).toBe('done');
    expect(db.type).toBe('done');
    expect(dirname(da.checkpoint!)).not.toBe(dirname(db.checkpoint!));
    for (const d of [da, db]) {
      expect(basename(dirname(d.checkpoint!))).toMatch(/^Tiny-\d{8}-\d{6}-\d+$/);
      expect(() => loadCheckpoint(d.checkpoint!)).not.toThrow();
      // Its own two epochs, in order: nothing of the other run, nothing of the earlier one.
      expect(metricsLines(d.metricsFile!).map((m) => m.epoch)).toEqual([1, 2]);
    }
    // The earlier runs are untouched.
    for (const name of readdirSync(join(dir, 'runs'))) {
      if (/-\d+$/.test(name.slice('Tiny-'.length + 15))) continue;
      expect(readFileSync(join(dir, 'runs', name, 'metrics.jsonl'), 'utf8')).toBe(earlier);
      expect(existsSync(join(dir, 'runs', name, 'model.safetensors'))).toBe(false);
    }
  });

  it('--out DIR named by two runs at once: one trains, the other is refused and changes nothing', async () => {
    const dir = tempDir();
    const file = writeModel(dir, tinyModel({ epochs: 2, samples: 160 }));
    const out = join(dir, 'exp');
    const [a, b] = await Promise.all([cnn(['train', file, '--out', out, '--json']), cnn(['train', file, '--out', out, '--json'])]);
    const [won, lost] = a.code === 0 ? [a, b] : [b, a];
    expect(won.code).toBe(0);
    expect(lost.code).toBe(1);
    expect(lastJson(lost)).toMatchObject({ type: 'error', stage: 'setup' });
    expect(lastJson(lost).message).toMatch(/is in use by another training|already holds a run/);
    expect(lost.out).not.toContain('"started"');
    expect(metricsLines(join(out, 'metrics.jsonl')).map((m) => m.epoch)).toEqual([1, 2]);
    expect(readdirSync(out).sort()).toEqual(['best.safetensors', 'metrics.jsonl', 'model.safetensors']);
  });

  it('--out DIR of an earlier run is refused; continuing it from its checkpoint appends to its metrics', async () => {
    const dir = tempDir();
    const file = writeModel(dir, tinyModel({ epochs: 1, samples: 160 }));
    const out = join(dir, 'exp');
    expect((await cnn(['train', file, '--out', out])).code).toBe(0);
    const before = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
    const again = await cnn(['train', file, '--out', out]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already holds a run .*--init .*model\.safetensors --out /);
    expect(again.err).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe(before);
    // A write killed mid-checkpoint left a hidden temp file of some MB: the continued run clears it.
    const stale = join(out, '.model.safetensors.4194301.m3x9k2a.tmp');
    writeFileSync(stale, Buffer.alloc(4 * 1024 * 1024));
    const resumed = await cnn(['train', file, '--out', out, '--init', join(out, 'model.safetensors')]);
    expect(resumed.code).toBe(0);
    expect(resumed.err).toMatch(/Removed 1 unfinished checkpoint file/);
    const text = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
    expect(text.startsWith(before)).toBe(true);
    expect(epochLines(text)).toHaveLength(2);
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(out).sort()).toEqual(['best.safetensors', 'metrics.jsonl', 'model.safetensors']);
    // The continued run has the earlier best to beat: best.safetensors holds the better of the two epochs.
    const aucs = epochLines(text).map((l) => l.valAuc as number);
    expect(JSON.parse(loadCheckpoint(join(out, 'best.safetensors')).metadata.metrics!).best).toEqual({ metric: 'valAuc', value: Math.max(...aucs) });
  });

  it('the next run tidies what a run killed during a checkpoint write left beside the file', async () => {
    const dir = tempDir();
    const file = writeModel(dir, tinyModel({ epochs: 1, samples: 64 }));
    // What `kill -9` during the first checkpoint write leaves: the run's lock and a hidden temp file of some MB.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const killed = join(dir, 'runs', 'Tiny-20260101-000000');
    mkdirSync(killed, { recursive: true });
    writeFileSync(join(killed, '.cnn-run.lock'), JSON.stringify({ pid: Number(dead), host: hostname() }));
    writeFileSync(join(killed, `.model.safetensors.${dead}.m3x9k2a.tmp`), Buffer.alloc(8 * 1024 * 1024));
    const r = await cnn(['train', file]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/Removed 1 unfinished checkpoint file and 1 empty run folder that interrupted runs left/);
    expect(existsSync(killed)).toBe(false);
    expect(readdirSync(join(dir, 'runs'))).toHaveLength(1);
  });

  it('a run that fails before its first epoch leaves no run folder behind', async () => {
    const dir = tempDir();
    // Pixels that are not numbers: the loss is NaN at the first step (or the data check refuses them).
    const n = 32;
    const x = new Float32Array(n * 16 * 16).fill(0.5);
    x.fill(Number.NaN, 0, 16 * 16 * 4);
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    writeFileSync(
      join(dir, 'nan.npz'),
      zipBytes([
        { name: 'train_images.npy', data: writeNpy(x, [n, 16, 16], 'f4'), method: 'store' },
        { name: 'train_labels.npy', data: writeNpy(labels, [n], 'u1'), method: 'store' },
      ]),
    );
    const file = writeModel(dir, tinyModel({ data: 'data npz nan.npz' }).replace(/seed=3/, 'seed=3 val=0'));
    const r = await cnn(['train', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/NaN|not a number|finite/i);
    expect(existsSync(join(dir, 'runs')) ? readdirSync(join(dir, 'runs')) : []).toEqual([]);
    const out = join(dir, 'exp');
    expect((await cnn(['train', file, '--out', out])).code).toBe(1);
    expect(existsSync(out)).toBe(false);
    // A folder the user made stays, empty as it was.
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    expect((await cnn(['train', file, '--out', mine])).code).toBe(1);
    expect(readdirSync(mine)).toEqual([]);
  });

  it('a network with a 300-character name trains into a run folder with a shortened name', async () => {
    const dir = tempDir();
    const name = `N${'x'.repeat(299)}`;
    const file = writeModel(dir, tinyModel({ epochs: 1, samples: 64 }).replace('network Tiny', `network ${name}`));
    const r = await cnn(['train', file, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const folder = basename(dirname(lastJson(r).checkpoint!));
    expect(Buffer.byteLength(folder)).toBeLessThan(100);
    expect(folder).toMatch(/^Nxxx+-[0-9a-f]{8}-\d{8}-\d{6}$/);
  });
});
