// The web worker trainer's own messages (src/protocol/webTrainer.ts) are checked at run time like the others.

import { describe, expect, it } from 'vitest';
import { isFsOp, isWorkerBoot, isWorkerHostMessage, isWorkerMessage, type WorkerBoot } from '../../../src/protocol/webTrainer';

const boot = (): WorkerBoot => ({
  type: 'boot',
  wasm: { 'engine-simd.wasm': new Uint8Array([0, 97, 115, 109]) },
  files: [{ path: '/w/data/a.png', data: new Uint8Array(3) }],
  folders: ['/w/data', '/w/data/cat'],
  cwd: '/w',
  memoryBytes: 2 ** 31,
  threads: true,
});

describe('web trainer boot message', () => {
  it('accepts a complete boot message', () => {
    expect(isWorkerBoot(boot())).toBe(true);
    expect(isWorkerBoot({ ...boot(), wasm: {}, files: [], folders: [] })).toBe(true);
    expect(isWorkerHostMessage(boot())).toBe(true);
  });

  it.each([
    ['no type', { ...boot(), type: undefined }],
    ['wasm bytes as an array', { ...boot(), wasm: { 'engine-simd.wasm': [0, 97] } }],
    ['wasm as a list', { ...boot(), wasm: [new Uint8Array(1)] }],
    ['a file without bytes', { ...boot(), files: [{ path: '/w/a.png' }] }],
    ['a file with an empty path', { ...boot(), files: [{ path: '', data: new Uint8Array(1) }] }],
    ['a folder that is not a string', { ...boot(), folders: [3] }],
    ['no cwd', { ...boot(), cwd: '' }],
    ['a memory budget of zero', { ...boot(), memoryBytes: 0 }],
    ['an infinite memory budget', { ...boot(), memoryBytes: Infinity }],
    ['threads as a string', { ...boot(), threads: 'yes' }],
    ['null', null],
  ])('refuses %s', (_what, v) => {
    expect(isWorkerBoot(v)).toBe(false);
  });

  it('checks the writes of an fs batch, and the exit', () => {
    expect(isFsOp({ op: 'write', path: '/w/runs/a/model.safetensors', data: new Uint8Array(8) })).toBe(true);
    expect(isFsOp({ op: 'append', path: '/w/runs/a/metrics.jsonl', text: '{}\n' })).toBe(true);
    expect(isFsOp({ op: 'rename', from: '/a', to: '/b' })).toBe(true);
    expect(isFsOp({ op: 'write', path: '/a', data: 'text' })).toBe(false);
    expect(isFsOp({ op: 'append', path: '/a' })).toBe(false);
    expect(isFsOp({ op: 'chmod', path: '/a' })).toBe(false);
    expect(isWorkerMessage({ type: 'fs', ops: [{ op: 'mkdir', path: '/w/runs/a' }, { op: 'remove', path: '/w/runs/a/.lock' }] })).toBe(true);
    expect(isWorkerMessage({ type: 'fs', ops: [{ op: 'mkdir' }] })).toBe(false);
    expect(isWorkerMessage({ type: 'exit' })).toBe(true);
    expect(isWorkerMessage({ type: 'exit', error: 'boom' })).toBe(true);
    expect(isWorkerMessage({ type: 'exit', error: 3 })).toBe(false);
    // The trainer protocol passes through.
    expect(isWorkerMessage({ type: 'log', message: 'hi' })).toBe(true);
    expect(isWorkerMessage({ type: 'log' })).toBe(false);
  });

  it('checks a preload and passes the trainer protocol after the boot', () => {
    expect(isWorkerHostMessage({ type: 'preload', files: [{ path: '/w/cat.png', data: new Uint8Array(2) }] })).toBe(true);
    expect(isWorkerHostMessage({ type: 'preload', files: [{ path: '/w/cat.png' }] })).toBe(false);
    expect(isWorkerHostMessage({ type: 'stop' })).toBe(true);
    expect(isWorkerHostMessage({ type: 'reboot' })).toBe(false);
  });
});
