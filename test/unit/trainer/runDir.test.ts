// Run folders: exclusive creation with suffixes, the safe-name rule with its byte cap, and the claim a run
// holds on its folder (a second run refused, a stale lock taken over, an earlier run kept, stale temp files
// of a killed checkpoint write removed).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunDir, isRunFolderOf, removeEmptyRunDir, runFiles, safeName, SAFE_NAME_MAX_BYTES } from '../../../src/trainer/paths';
import { claimRunDir, continuesRun } from '../../../src/trainer/runClaim';
import { tempDir } from './helpers';

const AT = new Date(2026, 10, 30, 19, 5, 7);

/** The pid of a process that has exited: nobody holds it now. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('createRunDir', () => {
  it('gives runs started in the same second their own folders: -2, -3, …', () => {
    const dir = tempDir();
    const file = join(dir, 'net.cnn');
    const a = createRunDir(file, 'Tiny', AT);
    const b = createRunDir(file, 'Tiny', AT);
    const c = createRunDir(file, 'Tiny', AT);
    expect(basename(a)).toBe('Tiny-20261130-190507');
    expect(basename(b)).toBe('Tiny-20261130-190507-2');
    expect(basename(c)).toBe('Tiny-20261130-190507-3');
    for (const d of [a, b, c]) expect(readdirSync(d)).toEqual([]);
    expect(isRunFolderOf(basename(c), 'Tiny')).toBe(true);
    expect(isRunFolderOf(basename(c), 'Tin')).toBe(false);
    expect(isRunFolderOf('Tiny-big-20261130-190507', 'Tiny')).toBe(false);
  });

  it('creates a folder for a 300-character network name (no ENAMETOOLONG)', () => {
    const dir = tempDir();
    const long = 'N'.repeat(300);
    const d = createRunDir(join(dir, 'net.cnn'), long, AT);
    expect(existsSync(d)).toBe(true);
    expect(Buffer.byteLength(basename(d))).toBeLessThan(100);
    expect(isRunFolderOf(basename(d), long)).toBe(true);
  });

  it('removeEmptyRunDir removes an empty folder and keeps one with anything in it', () => {
    const dir = tempDir();
    const empty = createRunDir(join(dir, 'net.cnn'), 'A', AT);
    const full = createRunDir(join(dir, 'net.cnn'), 'A', AT);
    writeFileSync(runFiles(full).checkpoint, 'x');
    expect(removeEmptyRunDir(empty)).toBe(true);
    expect(existsSync(empty)).toBe(false);
    expect(removeEmptyRunDir(full)).toBe(false);
    expect(existsSync(runFiles(full).checkpoint)).toBe(true);
    expect(existsSync(join(dir, 'runs'))).toBe(true);
  });

  it('a first run that failed leaves no runs/ folder either, and the next run makes it again', () => {
    const dir = tempDir();
    const only = createRunDir(join(dir, 'net.cnn'), 'A', AT);
    expect(removeEmptyRunDir(only)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(createRunDir(join(dir, 'net.cnn'), 'A', AT))).toBe(true);
  });
});

describe('safeName', () => {
  it('keeps letters of any script, digits, _ . -, and replaces the rest', () => {
    expect(safeName('LeNet-5')).toBe('LeNet-5');
    expect(safeName('a b/c\\d"e')).toBe('a_b_c_d_e');
    expect(safeName('Réseau_分类器')).toBe('Réseau_分类器');
    expect(safeName('..')).toBe('network');
    expect(safeName('.hidden')).toBe('hidden');
    expect(safeName('')).toBe('network');
  });

  it('caps the name in UTF-8 bytes at a character boundary, with a hash that keeps long names apart', () => {
    for (const unit of ['a', 'é', '分', '𝒜']) {
      const name = unit.repeat(300);
      const s = safeName(name);
      expect(Buffer.byteLength(s, 'utf8')).toBeLessThanOrEqual(SAFE_NAME_MAX_BYTES);
      // Cut between characters: the bytes decode back to the same text, without U+FFFD.
      expect(Buffer.from(s, 'utf8').toString('utf8')).toBe(s);
      expect(s).not.toContain('\uFFFD');
      expect(s).toMatch(/-[0-9a-f]{8}$/);
      expect(s.startsWith(unit.repeat(3))).toBe(true);
    }
    const a = safeName('x'.repeat(200) + 'A');
    const b = safeName('x'.repeat(200) + 'B');
    expect(a).not.toBe(b);
    expect(safeName('x'.repeat(200) + 'A')).toBe(a);
  });
});

describe('claimRunDir', () => {
  it('keeps a second run out of a claimed folder, and lets it in once released', () => {
    const dir = join(tempDir(), 'out');
    const first = claimRunDir(dir, { continues: false });
    expect(() => claimRunDir(dir, { continues: false })).toThrow(/is in use by another training \(process \d+\)/);
    first.release();
    const second = claimRunDir(dir, { continues: false });
    second.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes over the lock of a run whose process is gone', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.cnn-run.lock'), JSON.stringify({ pid: deadPid(), host: hostname() }));
    const c = claimRunDir(dir, { continues: false });
    expect(JSON.parse(readFileSync(join(dir, '.cnn-run.lock'), 'utf8')).pid).toBe(process.pid);
    c.release();
    expect(existsSync(join(dir, '.cnn-run.lock'))).toBe(false);
  });

  it('refuses a folder that holds a run unless this run continues it', () => {
    const dir = tempDir();
    const { checkpoint, metrics } = runFiles(dir);
    writeFileSync(checkpoint, 'weights');
    writeFileSync(metrics, '{"epoch":1}\n');
    expect(() => claimRunDir(dir, { continues: false })).toThrow(/already holds a run \(model\.safetensors, metrics\.jsonl\).*--init .*model\.safetensors --out /);
    // The refusal leaves the folder as it was, lock included.
    expect(readdirSync(dir).sort()).toEqual(['metrics.jsonl', 'model.safetensors']);
    expect(continuesRun(dir, checkpoint)).toBe(true);
    expect(continuesRun(dir, join(dir, 'other.safetensors'))).toBe(false);
    expect(continuesRun(dir, undefined)).toBe(false);
    claimRunDir(dir, { continues: true }).release();
    expect(readFileSync(metrics, 'utf8')).toBe('{"epoch":1}\n');
  });

  it('removes the temp files of a checkpoint write that was killed, and nothing else', () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const stale = `.model.safetensors.${deadPid()}.m3x9k2a.tmp`;
    writeFileSync(join(dir, stale), Buffer.alloc(3 * 1024 * 1024));
    writeFileSync(join(dir, 'notes.tmp'), 'mine');
    writeFileSync(join(dir, '.keep'), '');
    const c = claimRunDir(dir, { continues: false });
    expect(c.removed).toEqual({ temps: [join(dir, stale)], folders: [] });
    expect(readdirSync(dir).sort()).toEqual(['.cnn-run.lock', '.keep', 'notes.tmp']);
    c.release();
  });

  it('tidies the folders of killed runs beside it, and leaves live, finished and lock-less runs alone', () => {
    const runs = join(tempDir(), 'runs');
    const host = hostname();
    const tmp = (pid: number) => `.model.safetensors.${pid}.m3x9k2a.tmp`;
    const folder = (name: string, files: Record<string, string | Buffer>) => {
      mkdirSync(join(runs, name), { recursive: true });
      for (const [f, text] of Object.entries(files)) writeFileSync(join(runs, name, f), text);
      return join(runs, name);
    };
    const dead = deadPid();
    // Killed during its first checkpoint write: nothing but the lock and the temp file.
    const killedEarly = folder('A-20260101-000001', { '.cnn-run.lock': JSON.stringify({ pid: dead, host }), [tmp(dead)]: Buffer.alloc(2 * 1024 * 1024) });
    // Killed during a later write: its checkpoint and metrics stay.
    const killedLate = folder('A-20260101-000002', { '.cnn-run.lock': JSON.stringify({ pid: dead, host }), [tmp(dead)]: 'x', 'model.safetensors': 'w', 'metrics.jsonl': '{}\n' });
    // Running now (this process holds it): untouched.
    const live = folder('A-20260101-000003', { '.cnn-run.lock': JSON.stringify({ pid: process.pid, host }), [tmp(process.pid)]: 'x' });
    // No lock (a PyTorch run, or one from before locks): untouched.
    const lockless = folder('A-20260101-000004', { [tmp(dead)]: 'x' });
    const c = claimRunDir(join(runs, 'A-20260101-000005'), { continues: false, sweep: runs });
    expect(c.removed.folders).toEqual([killedEarly]);
    expect([...c.removed.temps].sort()).toEqual([join(killedEarly, tmp(dead)), join(killedLate, tmp(dead))].sort());
    expect(existsSync(killedEarly)).toBe(false);
    expect(readdirSync(killedLate).sort()).toEqual(['metrics.jsonl', 'model.safetensors']);
    expect(readdirSync(live).sort()).toEqual(['.cnn-run.lock', tmp(process.pid)].sort());
    expect(readdirSync(lockless)).toEqual([tmp(dead)]);
    c.release();
  });
});
