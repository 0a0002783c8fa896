// MemoryFiles as the browser's mirror of the workspace's run folders (src/features/runMirror.ts): what it learns
// from the workspace records no write, a file known by its size only cannot be read, and the web trainer's
// writes replayed into it are not recorded again while the mirror's own writes stay to be taken.

import { describe, expect, it } from 'vitest';
import { MemoryFiles } from '../../../src/platform/memory';
import { latestRunMetrics, runsFolder } from '../../../src/trainer/paths';

describe('MemoryFiles.learn', () => {
  it('records folders and files that exist elsewhere without a write, sizes and times as given', () => {
    const m = new MemoryFiles();
    m.learn('/w/runs/net-20261201-070000', { kind: 'dir' });
    m.learn('/w/runs/net-20261201-070000/metrics.jsonl', { kind: 'file', data: new TextEncoder().encode('{"epoch":1}\n'), size: 12, mtimeMs: 5 });
    m.learn('/w/runs/net-20261201-070000/model.safetensors', { kind: 'file', data: null, size: 123456, mtimeMs: 6 });
    expect(m.takeOps()).toEqual([]);
    expect(m.stat('/w/runs/net-20261201-070000/model.safetensors')).toEqual({ kind: 'file', size: 123456, mtimeMs: 6 });
    expect(m.readText('/w/runs/net-20261201-070000/metrics.jsonl')).toBe('{"epoch":1}\n');
    expect(() => m.readFile('/w/runs/net-20261201-070000/model.safetensors')).toThrow(/EIO.*size only/);
    expect(m.readDir('/w/runs/net-20261201-070000').map((e) => e.name)).toEqual(['metrics.jsonl', 'model.safetensors']);
  });

  it('is what "the latest run on disk" reads: the newest metrics.jsonl by time among the network\u2019s runs', async () => {
    const { installHost, host } = await import('../../../src/platform/host');
    const { webHost } = await import('../../../src/platform/webHost');
    const before = host();
    const m = new MemoryFiles();
    try {
      installHost(webHost(m));
      const runs = runsFolder('/w/net.cnn');
      m.learn(`${runs}/net-20261201-070000/metrics.jsonl`, { kind: 'file', data: new Uint8Array(0), size: 0, mtimeMs: 100 });
      m.learn(`${runs}/net-20261201-080000/metrics.jsonl`, { kind: 'file', data: new Uint8Array(0), size: 0, mtimeMs: 50 });
      m.learn(`${runs}/other-20261201-090000/metrics.jsonl`, { kind: 'file', data: new Uint8Array(0), size: 0, mtimeMs: 999 });
      expect(latestRunMetrics('/w/net.cnn', 'net')).toBe(`${runs}/net-20261201-070000/metrics.jsonl`);
    } finally {
      installHost(before);
    }
  });
});

describe('MemoryFiles.replay', () => {
  it('applies another memory\u2019s writes in order without recording them, and keeps its own pending writes', () => {
    const worker = new MemoryFiles({ dirs: ['/w/runs/a'] });
    worker.takeOps();
    worker.appendFile('/w/runs/a/metrics.jsonl', 'one\n');
    worker.writeFileAtomic('/w/runs/a/model.safetensors', new Uint8Array([1, 2, 3]));
    worker.appendFile('/w/runs/a/metrics.jsonl', 'two\n');
    worker.rename('/w/runs/a/model.safetensors', '/w/runs/a/best.safetensors');
    const mirror = new MemoryFiles();
    mirror.mkdir('/w/runs/b', { recursive: true }); // the mirror's own write, not yet flushed
    mirror.replay(worker.takeOps());
    expect(mirror.readText('/w/runs/a/metrics.jsonl')).toBe('one\ntwo\n');
    expect([...mirror.readFile('/w/runs/a/best.safetensors')]).toEqual([1, 2, 3]);
    expect(mirror.stat('/w/runs/a/model.safetensors')).toBeNull();
    expect(mirror.takeOps().map((o) => [o.op, 'path' in o ? o.path : o.from])).toEqual([
      ['mkdir', '/w'],
      ['mkdir', '/w/runs'],
      ['mkdir', '/w/runs/b'],
    ]);
  });

  it('skips a write that no longer fits (the folder was removed meanwhile) and goes on', () => {
    const mirror = new MemoryFiles();
    mirror.replay([
      { op: 'rmdir', path: '/gone' },
      { op: 'append', path: '/w/m.txt', text: 'x' },
    ]);
    expect(mirror.readText('/w/m.txt')).toBe('x');
    expect(mirror.takeOps()).toEqual([]);
  });
});
