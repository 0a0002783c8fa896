// MemoryFiles: the same operations on it and on Node's files in a temporary folder give the same results and the
// same error codes; every write is recorded as an FsOp, in order, and takeOps drains them.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Files } from '../../../src/platform/host';
import { MemoryFiles } from '../../../src/platform/memory';
import { nodeHost } from '../../../src/platform/node';

const bytes = (s: string) => new TextEncoder().encode(s);

/** What an operation gave: its value, or the error's code. */
function outcome(f: () => unknown): unknown {
  try {
    const v = f();
    if (v instanceof Uint8Array) return { bytes: Array.from(v) };
    return { value: v ?? null };
  } catch (e) {
    return { code: (e as { code?: string }).code ?? (e as Error).message };
  }
}

/** A script of operations on a folder `root`; each step's outcome, with stats made comparable (no times). */
function script(fs: Files, root: string): unknown[] {
  const p = (rel: string) => join(root, rel);
  const stat = (rel: string) => {
    const s = fs.stat(p(rel));
    return s ? { kind: s.kind, size: s.kind === 'file' ? s.size : 0 } : null;
  };
  const dir = (rel: string) => fs.readDir(p(rel)).map((e) => `${e.name}:${e.kind}`).sort();
  return [
    outcome(() => fs.mkdir(p('runs'))),
    outcome(() => fs.mkdir(p('runs'))), // EEXIST
    outcome(() => fs.mkdir(p('runs'), { recursive: true })), // fine
    outcome(() => fs.mkdir(p('a/b/c'))), // ENOENT
    outcome(() => fs.mkdir(p('a/b/c'), { recursive: true })),
    outcome(() => stat('a/b')),
    outcome(() => stat('nothing')),
    outcome(() => fs.writeFile(p('runs/x.txt'), 'hello')),
    outcome(() => fs.writeFile(p('missing/x.txt'), 'hello')), // ENOENT
    outcome(() => fs.writeFile(p('runs'), 'hello')), // EISDIR
    outcome(() => fs.writeFileExclusive(p('runs/x.txt'), 'again')), // EEXIST
    outcome(() => fs.writeFileExclusive(p('runs/lock'), '{"pid":1}')),
    outcome(() => fs.readText(p('runs/lock'))),
    outcome(() => fs.readFile(p('runs/x.txt'))),
    outcome(() => fs.readFile(p('runs/none.txt'))), // ENOENT
    outcome(() => fs.readFile(p('runs/x.txt/below'))), // ENOTDIR
    outcome(() => fs.readRange(p('runs/x.txt'), 1, 3)),
    outcome(() => fs.readRange(p('runs/x.txt'), 3, 100)),
    outcome(() => fs.readRange(p('runs/x.txt'), 10, 4)),
    outcome(() => fs.appendFile(p('runs/m.jsonl'), '{"epoch":1}\n')),
    outcome(() => fs.appendFile(p('runs/m.jsonl'), '{"epoch":2}\n')),
    outcome(() => fs.readText(p('runs/m.jsonl'))),
    outcome(() => fs.writeFileAtomic(p('runs/model.safetensors'), bytes('weights'))),
    outcome(() => fs.writeFileAtomic(p('runs/model.safetensors'), bytes('better weights'))),
    outcome(() => stat('runs/model.safetensors')),
    outcome(() => dir('runs')),
    outcome(() => dir('runs/x.txt')), // ENOTDIR
    outcome(() => dir('nothing')), // ENOENT
    outcome(() => fs.rename(p('runs/lock'), p('runs/lock.stale'))),
    outcome(() => fs.rename(p('runs/lock'), p('runs/lock.2'))), // ENOENT
    outcome(() => fs.rename(p('runs/x.txt'), p('a'))), // EISDIR
    outcome(() => fs.rename(p('a'), p('runs/x.txt'))), // ENOTDIR
    outcome(() => fs.rename(p('a'), p('runs'))), // ENOTEMPTY
    outcome(() => fs.rename(p('a'), p('moved'))),
    outcome(() => dir('moved/b')),
    outcome(() => stat('a')),
    outcome(() => fs.remove(p('runs/lock.stale'))),
    outcome(() => fs.remove(p('runs/lock.stale'))), // ENOENT
    outcome(() => fs.rmdir(p('moved/b'))), // ENOTEMPTY
    outcome(() => fs.rmdir(p('moved/b/c'))),
    outcome(() => fs.rmdir(p('moved/b/c'))), // ENOENT
    outcome(() => fs.rmdir(p('runs/x.txt'))), // ENOTDIR
    outcome(() => fs.realPath(p('moved/./b/../b'))),
    outcome(() => fs.realPath(p('gone'))), // ENOENT
    outcome(() => {
      const h = fs.openRead(p('runs/m.jsonl'));
      const buf = new Uint8Array(8);
      const n = [h.read(buf, 0, 5, 2), h.read(buf, 5, 3, 100)];
      h.close();
      h.close();
      return { size: h.size, n, text: new TextDecoder().decode(buf.subarray(0, 5)) };
    }),
    outcome(() => fs.openRead(p('runs/none'))), // ENOENT
    outcome(() => dir('')),
  ];
}

const tmp = mkdtempSync(join(tmpdir(), 'cnn-memory-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('MemoryFiles', () => {
  it('behaves as Node’s files do, error codes included', () => {
    const mem = new MemoryFiles({ dirs: [tmp] });
    const expected = script(nodeHost.files, tmp);
    expect(script(mem, tmp)).toEqual(expected);
    // A sample of the errors' form, which callers print.
    expect(() => mem.readFile(join(tmp, 'none'))).toThrow(`ENOENT: no such file or directory, open '${join(tmp, 'none')}'`);
    expect(() => mem.mkdir(join(tmp, 'runs'))).toThrow(`EEXIST: file already exists, mkdir '${join(tmp, 'runs')}'`);
  });

  it('records every write in order, with paths made absolute, and takeOps drains them', () => {
    const mem = new MemoryFiles({ cwd: '/ws', files: { 'data/x.npz': new Uint8Array([1, 2]) }, dirs: ['out'] });
    expect(mem.stat('/ws/data/x.npz')).toMatchObject({ kind: 'file', size: 2 });
    expect(mem.stat('/ws/out')).toMatchObject({ kind: 'dir' });
    expect(mem.takeOps()).toEqual([]); // preloading is not a write
    mem.mkdir('runs/net-1', { recursive: true });
    mem.writeFileExclusive('runs/net-1/.cnn-run.lock', '{"pid":1,"host":"browser"}');
    const weights = new Uint8Array([9, 8, 7]);
    mem.writeFileAtomic('runs/net-1/model.safetensors', weights);
    weights[0] = 0; // the caller's buffer changes later: neither the file nor the op does
    mem.appendFile('runs/net-1/metrics.jsonl', '{"epoch":1}\n');
    mem.rename('runs/net-1/.cnn-run.lock', 'runs/net-1/.cnn-run.lock.1.stale');
    mem.remove('runs/net-1/.cnn-run.lock.1.stale');
    mem.mkdir('runs/net-2');
    mem.rmdir('runs/net-2');
    const ops = mem.takeOps();
    expect(ops).toEqual([
      { op: 'mkdir', path: '/ws/runs' },
      { op: 'mkdir', path: '/ws/runs/net-1' },
      { op: 'write', path: '/ws/runs/net-1/.cnn-run.lock', data: new TextEncoder().encode('{"pid":1,"host":"browser"}') },
      { op: 'write', path: '/ws/runs/net-1/model.safetensors', data: new Uint8Array([9, 8, 7]) },
      { op: 'append', path: '/ws/runs/net-1/metrics.jsonl', text: '{"epoch":1}\n' },
      { op: 'rename', from: '/ws/runs/net-1/.cnn-run.lock', to: '/ws/runs/net-1/.cnn-run.lock.1.stale' },
      { op: 'remove', path: '/ws/runs/net-1/.cnn-run.lock.1.stale' },
      { op: 'mkdir', path: '/ws/runs/net-2' },
      { op: 'rmdir', path: '/ws/runs/net-2' },
    ]);
    expect(mem.takeOps()).toEqual([]);
    // An op's bytes are its own: handing them on (a transfer) leaves the file whole.
    (ops[3] as { data: Uint8Array }).data.fill(0);
    expect(Array.from(mem.readFile('/ws/runs/net-1/model.safetensors'))).toEqual([9, 8, 7]);
    // Failed writes record nothing.
    expect(() => mem.mkdir('runs')).toThrow(/EEXIST/);
    expect(() => mem.writeFile('nowhere/x', 'x')).toThrow(/ENOENT/);
    expect(mem.takeOps()).toEqual([]);
  });

  it('keeps modification times from its clock and refuses a path given as both a file and a folder', () => {
    let t = 1000;
    const mem = new MemoryFiles({ now: () => t, dirs: ['/r'] });
    mem.writeFile('/r/a', 'x');
    t = 2000;
    mem.appendFile('/r/a', 'y');
    expect(mem.stat('/r/a')).toEqual({ kind: 'file', size: 2, mtimeMs: 2000 });
    expect(mem.stat('/r')?.mtimeMs).toBe(2000);
    expect(() => new MemoryFiles({ files: { '/a/b': 'x', '/a/b/c': 'y' } })).toThrow(/both a folder and a file/);
  });
});
