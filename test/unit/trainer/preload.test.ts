// Which workspace files the web worker trainer needs preloaded (src/trainer/preload.ts), over a fake workspace.

import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DirEntry } from '../../../src/platform/host';
import type { TrainJob } from '../../../src/protocol/trainer';
import { planPreload, PreloadError, type WorkspaceFiles } from '../../../src/trainer/preload';

/** A workspace from a list of paths: a trailing '/' marks a folder. Records what was asked. */
function workspace(paths: string[]): WorkspaceFiles & { asked: string[] } {
  const files = new Set(paths.filter((p) => !p.endsWith('/')));
  const dirs = new Set<string>(['/']);
  for (const p of paths) {
    let d = p.endsWith('/') ? p.slice(0, -1) : posix.dirname(p);
    while (d && d !== '/') {
      dirs.add(d);
      d = posix.dirname(d);
    }
  }
  const asked: string[] = [];
  return {
    asked,
    stat: async (p) => (asked.push(`stat ${p}`), files.has(p) ? 'file' : dirs.has(p) ? 'dir' : null),
    list: async (p) => {
      asked.push(`list ${p}`);
      const out: DirEntry[] = [];
      for (const f of files) if (posix.dirname(f) === p) out.push({ name: posix.basename(f), kind: 'file' });
      for (const d of dirs) if (d !== p && posix.dirname(d) === p) out.push({ name: posix.basename(d), kind: 'dir' });
      return out;
    },
  };
}

const net = (data: string) => `network N\ninput 8x8x1\nclasses a b\ndense units=2\nsoftmax\n${data}\ntrain epochs=1\n`;
const job = (data: string, extra: Partial<TrainJob> = {}): TrainJob => ({ file: '/w/nets/n.cnn', source: net(data), outDir: '/w/nets/runs/N-20261201-070000', ...extra });

describe('planPreload', () => {
  it('needs nothing for the built-in shapes and a fresh run folder', async () => {
    const ws = workspace(['/w/nets/n.cnn']);
    expect(await planPreload(job('data shapes samples=100'), ws, posix)).toEqual({ files: [], folders: [] });
  });

  it('takes a data file relative to the .cnn file', async () => {
    const ws = workspace(['/w/nets/n.cnn', '/w/data/mnist.npz', '/w/data/other.npz']);
    expect(await planPreload(job('data npz ../data/mnist.npz'), ws, posix)).toEqual({ files: ['/w/data/mnist.npz'], folders: [] });
  });

  it('takes an image folder whole: every file, every folder (empty ones too), parents first', async () => {
    const ws = workspace(['/w/nets/n.cnn', '/w/nets/img/cat/1.png', '/w/nets/img/cat/2.png', '/w/nets/img/dog/sub/3.jpg', '/w/nets/img/empty/', '/w/nets/img/labels.csv', '/w/nets/elsewhere.png']);
    const plan = await planPreload(job('data folder img'), ws, posix);
    expect(plan.files.sort()).toEqual(['/w/nets/img/cat/1.png', '/w/nets/img/cat/2.png', '/w/nets/img/dog/sub/3.jpg', '/w/nets/img/labels.csv']);
    expect(plan.folders).toEqual(['/w/nets/img', '/w/nets/img/cat', '/w/nets/img/dog', '/w/nets/img/empty', '/w/nets/img/dog/sub']);
  });

  it('takes the checkpoint to start from, a picked image, and what the run folder holds already', async () => {
    const out = '/w/nets/runs/N-1';
    const ws = workspace(['/w/nets/n.cnn', `${out}/model.safetensors`, `${out}/metrics.jsonl`, `${out}/best.safetensors`, `${out}/snapshots/`, '/w/pics/cat.png']);
    const plan = await planPreload(job('data shapes', { outDir: out, init: `${out}/model.safetensors` }), ws, posix, ['/w/pics/cat.png', '/w/pics/missing.png']);
    expect(plan.files.sort()).toEqual([`${out}/best.safetensors`, `${out}/metrics.jsonl`, `${out}/model.safetensors`, '/w/pics/cat.png']);
    expect(plan.folders).toEqual([out]);
  });

  it('leaves missing data to the trainer, which reports it in its own words', async () => {
    const ws = workspace(['/w/nets/n.cnn']);
    expect(await planPreload(job('data folder nowhere'), ws, posix)).toEqual({ files: [], folders: [] });
  });

  it('refuses a data folder with an absurd number of folders instead of walking a whole disk', async () => {
    const ws: WorkspaceFiles = {
      stat: async () => 'dir',
      list: async (p) => Array.from({ length: 200 }, (_, i) => ({ name: `${posix.basename(p)}${i}`, kind: 'dir' as const })),
    };
    await expect(planPreload(job('data folder /'), ws, posix)).rejects.toBeInstanceOf(PreloadError);
  });
});
