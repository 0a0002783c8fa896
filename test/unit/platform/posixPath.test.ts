// posixPath against Node's own path.posix, on the paths the trainer builds and on odd ones (dots, repeated and
// trailing slashes, empty parts), with process.cwd() as the working folder both sides resolve against.

import { posix } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { posixPath } from '../../../src/platform/posixPath';

const CASES = [
  '', '.', '..', '/', '//', '///', 'a', '/a', 'a/', '/a/', 'a/b', '/a/b/c', 'a//b', 'a/./b', 'a/../b', '../a', '../../a/b',
  '/..', '/../a', 'a/b/../../..', './', '.a', '..a', 'a.', 'a..', '.a.b', 'a.b.c', 'a/b.c/', 'a/.b', '/a/b.tar.gz', 'a/b/.',
  'a/b/..', '//a//b//', '/a/./b/../c/', 'runs/net-20261201-120000', 'data/train-images-idx3-ubyte.gz', '/ws/x/.model.safetensors.12.abc.tmp',
  '...', 'a/...', '.../b', 'é/ü.ß', ' a /b ',
];

describe('posixPath', () => {
  const p = posixPath(process.cwd());

  it('matches path.posix on single paths: dirname, basename, extname, isAbsolute, resolve', () => {
    for (const c of CASES) {
      expect(p.dirname(c), `dirname ${c}`).toBe(posix.dirname(c));
      expect(p.basename(c), `basename ${c}`).toBe(posix.basename(c));
      expect(p.extname(c), `extname ${c}`).toBe(posix.extname(c));
      expect(p.isAbsolute(c), `isAbsolute ${c}`).toBe(posix.isAbsolute(c));
      expect(p.resolve(c), `resolve ${c}`).toBe(posix.resolve(c));
      for (const ext of ['', '.gz', 'b', '.c', 'a', '/', 'b.c']) expect(p.basename(c, ext), `basename ${c} ${ext}`).toBe(posix.basename(c, ext));
    }
  });

  it('matches path.posix on pairs: join, resolve, relative', () => {
    for (const a of CASES) {
      for (const b of CASES) {
        expect(p.join(a, b), `join ${a} ${b}`).toBe(posix.join(a, b));
        expect(p.resolve(a, b), `resolve ${a} ${b}`).toBe(posix.resolve(a, b));
        expect(p.relative(a, b), `relative ${a} ${b}`).toBe(posix.relative(a, b));
      }
    }
    expect(p.join()).toBe(posix.join());
    expect(p.join('a', '', 'b', '..', 'c')).toBe(posix.join('a', '', 'b', '..', 'c'));
    expect(p.resolve('/x', 'y', '/z', 'w')).toBe(posix.resolve('/x', 'y', '/z', 'w'));
  });

  it('matches path.posix on random paths made of /, ., a and b', () => {
    const seg = fc.stringMatching(/^[/.ab]{0,8}$/);
    fc.assert(
      fc.property(seg, seg, (a, b) => {
        expect(p.join(a, b)).toBe(posix.join(a, b));
        expect(p.resolve(a, b)).toBe(posix.resolve(a, b));
        expect(p.relative(a, b)).toBe(posix.relative(a, b));
        expect(p.dirname(a)).toBe(posix.dirname(a));
        expect(p.basename(a, b)).toBe(posix.basename(a, b));
        expect(p.extname(a)).toBe(posix.extname(a));
      }),
      { numRuns: 3000 },
    );
  });

  it('resolves against its own working folder, not the process', () => {
    const ws = posixPath('/workspace/course');
    expect(ws.sep).toBe('/');
    expect(ws.resolve('nets/lecture.cnn')).toBe('/workspace/course/nets/lecture.cnn');
    expect(ws.resolve('../data', 'mnist')).toBe('/workspace/data/mnist');
    expect(ws.resolve('')).toBe('/workspace/course');
    expect(ws.relative('nets', '/workspace/course/runs/a')).toBe('../runs/a');
    expect(() => posixPath('relative/cwd')).toThrow(/must be absolute/);
  });
});
