// `cnn export` through bin/cnn: the package folder, refusals (exit 1 with the diagnostics), usage errors (exit 2).

import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../trainer/helpers';
import { cnn, example, tempDir } from './helpers';

beforeAll(() => buildOnce());

describe('cnn export', () => {
  const dir = tempDir();
  const file = join(dir, 'lecture.cnn');
  writeFileSync(file, example('lecture'));

  it('--format pytorch writes the package beside the file by default', () => {
    const r = cnn(['export', file, '--format', 'pytorch']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const pkg = join(dir, 'DoorStairSign-pytorch');
    expect(readdirSync(pkg).sort()).toEqual(['README.md', 'data.py', 'model.py', 'network.cnn', 'safetensors_io.py', 'train.py']);
    expect(r.out).toContain('train.py');
    expect(r.out).toContain('torchrun');
  });

  it('-o DIR puts it elsewhere (and --format=onnx -o FILE writes one file)', () => {
    const out = join(dir, 'elsewhere', 'pkg');
    expect(cnn(['export', file, '--format', 'pytorch', '-o', out]).code).toBe(0);
    expect(existsSync(join(out, 'model.py'))).toBe(true);
    const onnx = join(dir, 'm.onnx');
    expect(cnn(['export', file, '--format=onnx', '-o', onnx]).code).toBe(0);
    expect(existsSync(onnx)).toBe(true);
  });

  it('refuses a file with errors: exit 1, the diagnostics, nothing written', () => {
    const bad = join(dir, 'bad.cnn');
    writeFileSync(bad, 'network Bad\ninput 8x8x1\nclasses a b\nconv filters=2 size=3 stride=2\ndense units=3\n');
    const r = cnn(['export', bad, '--format', 'pytorch', '-o', join(dir, 'bad-out')]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/bad\.cnn:4:\d+: error E020: /);
    expect(r.err).toMatch(/nothing was exported/);
    expect(existsSync(join(dir, 'bad-out'))).toBe(false);
  });

  it('exports a file whose only errors are data paths missing here, with warnings (the data may live on the GPU server)', () => {
    const away = join(dir, 'away.cnn');
    writeFileSync(away, example('lenet').replace(/^data .*$/m, 'data idx /data/on/the/server/mnist'));
    const out = join(dir, 'away-out');
    const r = cnn(['export', away, '--format', 'pytorch', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/away\.cnn:\d+:\d+: warning E040: The folder '\/data\/on\/the\/server\/mnist' does not exist.*--data PATH/);
    expect(existsSync(join(out, 'train.py'))).toBe(true);
    // Errors besides the missing data still refuse.
    writeFileSync(away, example('lenet').replace(/^data .*$/m, 'data idx /data/on/the/server/mnist').replace(/^input .*$/m, 'input 28x28x1\nconv filters=2 size=3 stride=2'));
    const r2 = cnn(['export', away, '--format', 'pytorch', '-o', join(dir, 'away-out-2')]);
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/error E020/);
    expect(existsSync(join(dir, 'away-out-2'))).toBe(false);
  });

  it.each([
    [['export'], /export needs exactly one \.cnn file/],
    [['export', 'FILE'], /export needs --format pytorch or --format onnx/],
    [['export', 'FILE', '--format', 'keras'], /--format must be pytorch or onnx, not 'keras'/],
    [['export', 'FILE', '--format', 'pytorch', '--weights', 'w.safetensors'], /--weights is for --format onnx/],
    [['export', 'FILE', '--format', 'onnx', '--layout', 'nwhc'], /--layout must be nhwc or nchw/],
    [['export', 'FILE', '--format', 'onnx', '--seed', 'x'], /--seed needs a whole number/],
    [['export', 'FILE', '--format', 'onnx', '--bogus'], /unknown option '--bogus'/],
    [['export', join('no', 'such.cnn'), '--format', 'onnx'], /no such file/],
  ])('usage error %j: exit 2 with one line', (args, message) => {
    const r = cnn(args.map((a) => (a === 'FILE' ? file : a)));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
  });

  it('-o that is a file (pytorch) or a folder (onnx) is a usage error', () => {
    const f = join(dir, 'plain.txt');
    writeFileSync(f, 'x');
    expect(cnn(['export', file, '--format', 'pytorch', '-o', f]).code).toBe(2);
    const d = join(dir, 'adir');
    mkdirSync(d);
    expect(cnn(['export', file, '--format', 'onnx', '-o', d]).code).toBe(2);
  });

  it('is in --help, and export --help shows its usage', () => {
    expect(cnn(['--help']).out).toContain('cnn export FILE --format pytorch|onnx');
    const r = cnn(['export', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: cnn export FILE --format pytorch\|onnx \[-o PATH\]/);
  });
});
