// The data readers and the trainer's run-folder code on the web worker's host (MemoryFiles, fflate, POSIX paths):
// the same samples as on Node's host from the same bytes on disk, and every write the run makes comes back as an
// FsOp for the workspace, in order.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { openData, writeNpy, type Dataset } from '../../../src/data';
import { loadCheckpoint, saveCheckpoint } from '../../../src/engine/checkpoint';
import type { DataSpec } from '../../../src/language/model';
import { installHost, type FsOp } from '../../../src/platform/host';
import { MemoryFiles } from '../../../src/platform/memory';
import { nodeHost } from '../../../src/platform/node';
import { webHost } from '../../../src/platform/webHost';
import { createRunDir, latestRunMetrics, runFiles } from '../../../src/trainer/paths';
import { claimRunDir } from '../../../src/trainer/runClaim';
import { idxPair, tmpDir, zipBytes } from '../data/helpers';

afterEach(() => installHost(nodeHost));

/** Every sample and label of a dataset, for comparing two opens of the same data. */
function contents(d: Dataset): { x: number[]; y: number[] } {
  const per = d.height * d.width * d.channels;
  const x = new Float32Array(d.size * per);
  const y: number[] = [];
  for (let i = 0; i < d.size; i++) {
    d.read(i, x, i * per);
    y.push(d.label(i));
  }
  return { x: Array.from(x), y };
}

/** The data folder's files, written to a temporary folder for Node and preloaded under /ws for the web. */
function bothHosts(files: Record<string, Uint8Array>): { disk: string; memory: MemoryFiles } {
  const disk = tmpDir('cnn-web-data-');
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(join(disk, rel, '..'), { recursive: true });
    writeFileSync(join(disk, rel), data);
  }
  return { disk, memory: new MemoryFiles({ cwd: '/ws', files: Object.entries(files).map(([rel, d]) => [`/ws/${rel}`, d]) }) };
}

function openBoth(spec: DataSpec, files: Record<string, Uint8Array>, numClasses: number, input: { h: number; w: number; c: number }) {
  const { disk, memory } = bothHosts(files);
  const opts = (baseDir: string) => ({ baseDir, input, numClasses, seed: 3, withTest: true });
  installHost(nodeHost);
  const node = openData(spec, opts(disk));
  installHost(webHost(memory, { cwd: '/ws' }));
  const web = openData(spec, opts('/ws'));
  return { node, web, memory };
}

describe('the data readers on the web host', () => {
  it('read gzipped IDX files as Node does', () => {
    const train = idxPair(40, 6, 5, 4);
    const test = idxPair(10, 6, 5, 4);
    const { node, web, memory } = openBoth(
      { kind: 'idx', path: 'mnist', val: null, samples: null, line: 0 },
      {
        'mnist/train-images-idx3-ubyte.gz': zlib.gzipSync(train.images),
        'mnist/train-labels-idx1-ubyte.gz': zlib.gzipSync(train.labels),
        'mnist/t10k-images-idx3-ubyte': test.images,
        'mnist/t10k-labels-idx1-ubyte': test.labels,
      },
      4,
      { h: 6, w: 5, c: 1 },
    );
    expect(contents(web.train)).toEqual(contents(node.train));
    expect(contents(web.val!)).toEqual(contents(node.val!));
    expect(contents(web.test!)).toEqual(contents(node.test!));
    expect(memory.takeOps()).toEqual([]); // reading writes nothing
  });

  it('read a deflated .npz as Node does, and refuse a damaged one with the same words', () => {
    const n = 12;
    const images = Uint8Array.from({ length: n * 4 * 4 * 3 }, (_, i) => (i * 31) & 255);
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
    const npz = zipBytes([
      { name: 'train_images.npy', data: writeNpy(images, [n, 4, 4, 3]), method: 'deflate' },
      { name: 'train_labels.npy', data: writeNpy(labels, [n]), method: 'store' },
    ]);
    const spec: DataSpec = { kind: 'npz', path: 'd/set.npz', val: 0.25, samples: null, line: 0 };
    const { node, web } = openBoth(spec, { 'd/set.npz': npz }, 3, { h: 4, w: 4, c: 3 });
    expect(contents(web.train)).toEqual(contents(node.train));
    expect(contents(web.val!)).toEqual(contents(node.val!));
    // A flipped byte in the deflated images: the checksum (or the inflate) says so on both hosts alike.
    const bad = Uint8Array.from(npz);
    bad[60] ^= 0xff;
    const errors = [nodeHost, null].map((h) => {
      const { disk, memory } = bothHosts({ 'd/set.npz': bad });
      installHost(h ?? webHost(memory, { cwd: '/ws' }));
      try {
        openData(spec, { baseDir: h ? disk : '/ws', input: { h: 4, w: 4, c: 3 }, numClasses: 3, seed: 3 });
        return 'opened';
      } catch (e) {
        return (e as Error).message.replace(/'[^']*set\.npz'|\S*set\.npz/g, 'set.npz');
      }
    });
    expect(errors[1]).toBe(errors[0]);
    expect(errors[0]).not.toBe('opened');
  });
});

describe('a run folder on the web host', () => {
  it('is created, claimed, written and released through FsOps the workspace can apply in order', () => {
    const memory = new MemoryFiles({ cwd: '/ws', files: { '/ws/nets/lecture.cnn': 'network lecture' } });
    installHost(webHost(memory, { cwd: '/ws' }));
    const dir = createRunDir('nets/lecture.cnn', 'lecture', new Date(2026, 11, 1, 8, 0, 0));
    expect(dir).toBe('/ws/nets/runs/lecture-20261201-080000');
    const claim = claimRunDir(dir, { continues: false, sweep: '/ws/nets/runs' });
    const { checkpoint, metrics } = runFiles(dir);
    saveCheckpoint(checkpoint, [{ name: 'layers.0.bias', shape: [2], data: new Float32Array([0.5, -1]) }], { source: 'network lecture' });
    memory.appendFile(metrics, '{"epoch":1}\n');
    claim.release();
    expect(Array.from(loadCheckpoint(checkpoint).tensors[0]!.data)).toEqual([0.5, -1]);
    expect(latestRunMetrics('/ws/nets/lecture.cnn', 'lecture')).toBe(`${dir}/metrics.jsonl`);
    const ops = memory.takeOps().map((o: FsOp) => (o.op === 'write' ? { op: o.op, path: o.path } : o));
    expect(ops).toEqual([
      { op: 'mkdir', path: '/ws/nets/runs' },
      { op: 'mkdir', path: dir },
      { op: 'write', path: `${dir}/.cnn-run.lock` },
      { op: 'write', path: `${dir}/model.safetensors` },
      { op: 'append', path: `${dir}/metrics.jsonl`, text: '{"epoch":1}\n' },
      { op: 'remove', path: `${dir}/.cnn-run.lock` },
    ]);
  });

  it('refuses a folder another run holds, naming the browser', () => {
    const memory = new MemoryFiles({ dirs: ['/ws/runs/a'], files: { '/ws/runs/a/.cnn-run.lock': JSON.stringify({ pid: 1, host: 'browser' }) } });
    installHost(webHost(memory, { cwd: '/ws' }));
    expect(() => claimRunDir('/ws/runs/a', { continues: false })).toThrow(/is in use by another training \(process 1\)/);
    expect(memory.takeOps()).toEqual([]);
  });
});
