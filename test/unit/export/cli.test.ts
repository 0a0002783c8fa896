// `cnn export` through bin/cnn: the package folder, refusals (exit 1 with the diagnostics), usage errors (exit 2).

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    expect(readdirSync(pkg).sort()).toEqual(['.cnn-studio-export.json', 'README.md', 'arrays.py', 'augment.py', 'control.py', 'data.py', 'datasets.py', 'dicom.py', 'distributed.py', 'health.py', 'images.py', 'inspection.py', 'metrics.py', 'model.py', 'network.cnn', 'objective.py', 'report.py', 'runs.py', 'safetensors_io.py', 'shapes.py', 'train.py']);
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

  it("never writes over the user's files: a foreign folder is refused (exit 1, one line) unless --force", () => {
    const out = join(dir, 'mine');
    mkdirSync(out);
    writeFileSync(join(out, 'README.md'), 'my notes');
    writeFileSync(join(out, 'train.py'), 'print("my training")');
    const r = cnn(['export', file, '--format', 'pytorch', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/mine is not empty and is not a CNN Studio export \(it holds "README\.md", "train\.py"\); nothing was written\. .*-o DIR.*--force/);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toBe('my notes');
    expect(readFileSync(join(out, 'train.py'), 'utf8')).toBe('print("my training")');
    expect(existsSync(join(out, 'model.py'))).toBe(false);
    // --force writes the package there; the user's other files stay.
    writeFileSync(join(out, 'notes.txt'), 'keep me');
    const f = cnn(['export', file, '--format', 'pytorch', '-o', out, '--force']);
    expect(f.err).toBe('');
    expect(f.code).toBe(0);
    expect(readFileSync(join(out, 'train.py'), 'utf8')).toContain('import argparse');
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it("exports again over its own earlier export (the marker), but not over an edited one or another network's", () => {
    const out = join(dir, 'again');
    expect(cnn(['export', file, '--format', 'pytorch', '-o', out]).code).toBe(0);
    mkdirSync(join(out, 'runs'));
    const again = cnn(['export', file, '--format', 'pytorch', '-o', out]);
    expect(again.err).toBe('');
    expect(again.code).toBe(0);
    writeFileSync(join(out, 'model.py'), '# tuned by hand\n');
    const edited = cnn(['export', file, '--format', 'pytorch', '-o', out]);
    expect(edited.code).toBe(1);
    expect(edited.err).toMatch(/again holds this network's earlier export, but model\.py was changed since; nothing was written\./);
    expect(readFileSync(join(out, 'model.py'), 'utf8')).toBe('# tuned by hand\n');
    const other = join(dir, 'other.cnn');
    writeFileSync(other, example('lecture').replace('network DoorStairSign', 'network Other'));
    const r = cnn(['export', other, '--format', 'pytorch', '-o', out, '--force']);
    expect(r.code).toBe(0);
    const back = cnn(['export', file, '--format', 'pytorch', '-o', out]);
    expect(back.code).toBe(1);
    expect(back.err).toMatch(/again holds the export of another network \("Other" from .*other\.cnn\); nothing was written\./);
  });

  it('--format onnx replaces its own graph of the network, but refuses another file unless --force', () => {
    const onnx = join(dir, 'graph.onnx');
    expect(cnn(['export', file, '--format', 'onnx', '-o', onnx]).code).toBe(0);
    expect(cnn(['export', file, '--format', 'onnx', '-o', onnx, '--seed', '4']).code).toBe(0);
    const notes = join(dir, 'notes.onnx');
    writeFileSync(notes, 'my notes');
    const r = cnn(['export', file, '--format', 'onnx', '-o', notes]);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/notes\.onnx already exists and is not an ONNX graph exported by CNN Studio; nothing was written\. .*--force/);
    expect(readFileSync(notes, 'utf8')).toBe('my notes');
    expect(cnn(['export', file, '--format', 'onnx', '-o', notes, '--force']).code).toBe(0);
    expect(readFileSync(notes).subarray(0, 8).toString()).not.toBe('my notes');
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

  it.each([
    ['no dense layer at the end', 'network NoScores\ninput 8x8x1\nclasses a b\nconv filters=2 size=3\n', 'the network must end in a vector (a dense layer) to be trained on classes'],
    ['no layers', 'network Empty\ninput 8x8x1\ndata shapes samples=30\n', 'the model has no layers'],
  ])('--format pytorch refuses a network with %s in one line, as --format onnx does, and writes nothing', (_, text, reason) => {
    const f = join(dir, 'noscores.cnn');
    writeFileSync(f, text);
    const out = join(dir, 'noscores-out');
    const r = cnn(['export', f, '--format', 'pytorch', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(`cnn: cannot export ${f} for PyTorch: ${reason}; nothing was written.\n`);
    expect(existsSync(out)).toBe(false);
    const onnx = cnn(['export', f, '--format', 'onnx', '-o', join(dir, 'noscores.onnx')]);
    expect(onnx.code).toBe(1);
    expect(onnx.err).toBe(`cnn: cannot export ${f} as ONNX: ${reason}; nothing was written.\n`);
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
