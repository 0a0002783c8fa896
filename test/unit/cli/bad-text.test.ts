// Text that is not a .cnn file, through bin/cnn: a UTF-16 file is one line that says so (it was 134 errors,
// one per character), and a random 5 MB file prints its first 100 diagnostics and a count of the rest (it
// printed 1.6 million lines, 164 MB); --json lists up to 10,000 per file and says how many it left out.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, root, tempDir } from '../trainer/helpers';

function cnn(args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/cnn'), ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, CI: 'true', CNN_DEBUG: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = tempDir('cnn-bad-text-');
const lecture = readFileSync(join(root, 'examples/lecture.cnn'), 'utf8');

beforeAll(() => buildOnce());

describe('a UTF-16 .cnn file', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['little-endian with a byte-order mark', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lecture, 'utf16le')]), /UTF-16 \(little-endian, with a byte-order mark\)/],
    ['big-endian with a byte-order mark', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(lecture, 'utf16le').swap16()]), /UTF-16 \(big-endian, with a byte-order mark\)/],
    ['little-endian without one', Buffer.from(lecture, 'utf16le'), /UTF-16 \(little-endian\)/],
    ['big-endian without one', Buffer.from(lecture, 'utf16le').swap16(), /UTF-16 \(big-endian\)/],
  ];
  for (const [name, bytes, what] of cases) {
    it(`${name}: check and train say so in one line and exit 1`, () => {
      const file = join(dir, 'u16.cnn');
      writeFileSync(file, bytes);
      for (const cmd of ['check', 'train']) {
        const r = cnn([cmd, file]);
        expect(r.code).toBe(1);
        expect(r.out).toBe('');
        expect(r.err.trimEnd().split('\n')).toHaveLength(1);
        expect(r.err).toMatch(what);
        expect(r.err).toMatch(/save it as UTF-8/);
      }
    });
  }
});

describe('a file full of errors', () => {
  // Random bytes: ~1.5 diagnostics per 5 bytes. 2 MB keeps the test quick and still gives hundreds of thousands.
  const file = join(dir, 'random.cnn');
  let seed = 7;
  const bytes = Buffer.alloc(2_000_000);
  for (let i = 0; i < bytes.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    bytes[i] = seed >>> 24;
  }
  writeFileSync(file, bytes);

  it('prints the first 100 diagnostics and one line counting the rest', () => {
    const r = cnn(['check', file]);
    expect(r.code).toBe(1);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(101);
    for (const l of lines.slice(0, 100)) expect(l).toMatch(/^.*random\.cnn:\d+:\d+: (error|warning) [EW]\d{3}: /);
    const total = Number(r.err.match(/^([\d,]+) errors?/)![1]!.replace(/,/g, ''));
    expect(total).toBeGreaterThan(10_000);
    expect(lines[100]).toBe(`… and ${(total - 100).toLocaleString('en-US')} more (only the first 100 are printed; --json lists up to 10,000 per file)`);
  });

  it('--json lists up to 10,000 and says how many it left out', () => {
    const r = cnn(['check', file, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.diagnostics).toHaveLength(10_000);
    expect(j.omitted).toBeGreaterThan(0);
    const clean = cnn(['check', join(root, 'examples/lecture.cnn'), '--json']);
    expect(JSON.parse(clean.out)).not.toHaveProperty('omitted');
  });
});
