// Checkpoints: safetensors written atomically, validated on read, interchangeable with PyTorch.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src/language/model';
import { createNetwork, decodeSafetensors, encodeSafetensors, loadCheckpoint, saveCheckpoint } from '../../../src/engine';
import { BENCH_MODELS, conv, dense, modelSpec } from '../../../src/engine/specs';
import { maxRelDiff, nchwToNhwc } from './helpers';

const ROOT = join(__dirname, '..', '..', '..');
const FIX = join(ROOT, 'test', 'fixtures', 'engine');
const network = JSON.parse(readFileSync(join(FIX, 'network.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'cnn-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

describe('safetensors checkpoints', () => {
  it('round-trips every tensor and the metadata, leaving no temporary file', () => {
    const spec = BENCH_MODELS.lenet5();
    const net = createNetwork(spec, { seed: 5, batch: 2 });
    const path = join(dir, 'lenet.safetensors');
    saveCheckpoint(path, net, { source: spec.source, metrics: '{"acc":0.5}' });
    expect(readdirSync(dir)).toEqual(['lenet.safetensors']);
    const cp = loadCheckpoint(path, spec);
    expect(cp.metadata).toEqual({ source: spec.source, metrics: '{"acc":0.5}' });
    const params = net.params();
    expect(cp.tensors.map((t) => t.name)).toEqual(params.map((t) => t.name));
    cp.tensors.forEach((t, i) => {
      expect(t.shape).toEqual(params[i]!.shape);
      expect(Array.from(t.data)).toEqual(Array.from(params[i]!.data));
    });
    expect(params.map((t) => `${t.name}:${t.shape.join('x')}`)).toEqual([
      'layers.0.weight:6x1x5x5', 'layers.0.bias:6', 'layers.3.weight:16x6x5x5', 'layers.3.bias:16',
      'layers.6.weight:120x400', 'layers.6.bias:120', 'layers.8.weight:84x120', 'layers.8.bias:84',
      'layers.10.weight:10x84', 'layers.10.bias:10',
    ]);
    const other = createNetwork(spec, { seed: 99, batch: 2 });
    other.setParams(cp.tensors);
    const x = new Float32Array(2 * 28 * 28).map((_, i) => Math.sin(i));
    expect(Array.from(other.predict(x, 2))).toEqual(Array.from(net.predict(x, 2)));
  });

  it('writes the documented layout: u64 header length, padded JSON, F32 little-endian data', () => {
    const bytes = encodeSafetensors([{ name: 'layers.0.bias', shape: [2], data: new Float32Array([1.5, -2]) }], { source: 'x' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8'));
    expect(header).toEqual({ __metadata__: { source: 'x' }, 'layers.0.bias': { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
    expect(new DataView(bytes.buffer).getFloat32(8 + n, true)).toBe(1.5);
    expect(bytes.length).toBe(8 + n + 8);
  });

  it('overwrites an existing checkpoint in place', () => {
    const path = join(dir, 'over.safetensors');
    writeFileSync(path, 'old');
    saveCheckpoint(path, [{ name: 'a', shape: [1], data: new Float32Array([3]) }]);
    expect(decodeSafetensors(readFileSync(path)).tensors[0]!.data[0]).toBe(3);
  });

  it('names the tensor, its shape and the needed shape when they disagree', () => {
    const small = modelSpec('a', { h: 8, w: 8, c: 3 }, [conv(16, 5), dense(2)]);
    const big = modelSpec('b', { h: 8, w: 8, c: 3 }, [conv(16, 3), dense(2)]);
    const path = join(dir, 'shape.safetensors');
    saveCheckpoint(path, createNetwork(small, { batch: 1 }));
    expect(() => loadCheckpoint(path, big)).toThrow(`${path}: layers.0.weight has shape [16,3,5,5] but the model needs [16,3,3,3]`);
    expect(() => createNetwork(big, { batch: 1 }).setParams(loadCheckpoint(path).tensors)).toThrow('layers.0.weight has shape [16,3,5,5] but the model needs [16,3,3,3]');
  });

  it('reports missing and unknown tensors', () => {
    const spec = modelSpec('a', { h: 4, w: 4, c: 1 }, [dense(2)]);
    const p1 = join(dir, 'missing.safetensors');
    saveCheckpoint(p1, [{ name: 'layers.0.weight', shape: [2, 16], data: new Float32Array(32) }]);
    expect(() => loadCheckpoint(p1, spec)).toThrow('layers.0.bias is missing');
    const p2 = join(dir, 'extra.safetensors');
    saveCheckpoint(p2, [...createNetwork(spec, { batch: 1 }).params(), { name: 'layers.1.weight', shape: [1], data: new Float32Array(1) }]);
    expect(() => loadCheckpoint(p2, spec)).toThrow('layers.1.weight is not a tensor of this model');
  });

  it('rejects malformed files with clear errors', () => {
    const good = encodeSafetensors([{ name: 't', shape: [2], data: new Float32Array([1, 2]) }]);
    expect(() => decodeSafetensors(new Uint8Array(3), 'f')).toThrow('f is not a safetensors file: it is only 3 bytes long');
    expect(() => decodeSafetensors(good.subarray(0, good.length - 4), 'f')).toThrow("t's data [0, 8) lies outside the 4 data bytes");
    const huge = good.slice();
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => decodeSafetensors(huge, 'f')).toThrow('does not fit');
    const withHeader = (h: object, data = 8): Uint8Array => {
      const j = Buffer.from(JSON.stringify(h));
      const out = new Uint8Array(8 + j.length + data);
      new DataView(out.buffer).setBigUint64(0, BigInt(j.length), true);
      out.set(j, 8);
      return out;
    };
    expect(() => decodeSafetensors(withHeader({ t: { dtype: 'F16', shape: [4], data_offsets: [0, 8] } }), 'f')).toThrow('t has dtype F16; only F32 and I64 are supported');
    expect(() => decodeSafetensors(withHeader({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }), 'f')).toThrow('t has shape [3] (12 bytes) but 8 data bytes');
    expect(() => decodeSafetensors(withHeader({ t: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }), 'f')).toThrow('leaves a gap');
    expect(() => decodeSafetensors(withHeader({ __metadata__: { a: 1 } }, 0), 'f')).toThrow('__metadata__.a is not a string');
    // Names from a damaged header reach the message escaped, never as raw control characters.
    expect(() => decodeSafetensors(withHeader({ '_meta\u0001data\n': {} }, 0), 'f')).toThrow('_meta\\u0001data\\u000a has no dtype');
    expect(() => decodeSafetensors(withHeader({ __metadata__: { 'a\u001b[31m': 1 } }, 0), 'f')).toThrow('__metadata__.a\\u001b[31m is not a string');
    const bad = withHeader({}, 0);
    bad[8] = 0x7b;
    bad[9] = 0x7b;
    expect(() => decodeSafetensors(bad, 'f')).toThrow('its header is not JSON');
    // Damaged header bytes are never quoted into the message (they would reach the terminal raw).
    const binary = withHeader({ t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
    binary.set([0x00, 0x1b, 0x0a, 0xff, 0x07], 20);
    expect(() => decodeSafetensors(binary, 'f')).toThrow(/^f is not a safetensors file: its header is not JSON \(a syntax error at character \d+ of its \d+-byte header\)$/);
    expect(() => decodeSafetensors(withHeader({ t: { shape: [2], data_offsets: [0, 8] } }), 'f')).toThrow('t has no dtype; only F32 and I64 are supported');
  });

  it('reads a checkpoint PyTorch wrote (test/fixtures/engine/network.safetensors)', () => {
    const spec = modelSpec('fixture', network.input, network.layers as LayerSpec[]);
    const cp = loadCheckpoint(join(FIX, 'network.safetensors'), spec);
    expect(cp.metadata['metrics']).toBe('{"from":"torch"}');
    for (const t of cp.tensors) {
      expect(t.shape).toEqual(network.shapes[t.name]);
      expect(maxRelDiff(t.data, network.params[t.name])).toBeLessThan(1e-7);
    }
    const net = createNetwork(spec, { batch: 4 });
    net.setParams(cp.tensors);
    const { h, w, c } = network.input;
    expect(maxRelDiff(net.predict(nchwToNhwc(network.x, 4, c, h * w), 4), network.probs)).toBeLessThan(1e-4);
  });

  it.skipIf(!hasTorch)('a checkpoint we write loads in PyTorch with load_state_dict(strict=True) (needs /usr/bin/python3 with torch)', () => {
    const spec = modelSpec('fixture', network.input, network.layers as LayerSpec[]);
    const net = createNetwork(spec, { seed: 21, batch: 4 });
    const path = join(dir, 'for-torch.safetensors');
    saveCheckpoint(path, net, { source: 'conv 3 3 pad=1', metrics: '{"epochs":0}' });
    const r = spawnSync('/usr/bin/python3', [join(ROOT, 'scripts', 'make-engine-fixtures.py'), '--check-load', path], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.metadata).toEqual({ source: 'conv 3 3 pad=1', metrics: '{"epochs":0}' });
    const { h, w, c } = network.input;
    expect(maxRelDiff(out.probs, net.predict(nchwToNhwc(network.x, 4, c, h * w), 4))).toBeLessThan(1e-5);
  });
});
