// `cnn check` and `cnn summary` end to end through bin/cnn (the bundle in dist/, as installed), plus the
// command line's help, version and usage errors.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, root, tempDir } from '../trainer/helpers';

function cnn(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [join(root, 'bin/cnn'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true', CNN_DEBUG: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A usage error: nothing on stdout, exactly one line on stderr naming the problem, no stack trace, exit 2. */
function expectUsageError(r: ReturnType<typeof cnn>, fragment: string | RegExp) {
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  expect(r.err.endsWith('\n')).toBe(true);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(/^cnn: /);
  expect(r.err).toMatch(fragment);
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(r.err).not.toMatch(/Error:/);
}

const dir = tempDir('cnn-lang-cli-');
const files = {
  bad: 'input 7x7x1\nconv filters=1 size=3 stride=3\ndense units=3\n',
  clean: 'input 8x8x1\nconv filters=2 size=3\nflatten\ndense units=3\nsoftmax\n',
  warning: 'input 8x8x1\nconv filters=2 size=2 stride=3\nflatten\ndense units=3\n',
  graph: 'input 8x8x1\nstem: conv filters=2 size=3 pad=1\nconv filters=2 size=3 pad=1\nmain: batchnorm\nfrom stem\nconv filters=2 size=1\nadd main\ngap\ndense units=3\n',
};
const path = (name: keyof typeof files) => join(dir, `${name}.cnn`);
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, `${name}.cnn`), text);

beforeAll(() => buildOnce());

describe('cnn check', () => {
  it('prints compiler-style lines, file:line:col: severity CODE: message, and exits 1 on an error', () => {
    const r = cnn(['check', path('bad')]);
    expect(r.code).toBe(1);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `${path('bad')}:2:23: error E020: Output height and width: (7 − 3 + 2·0) / 3 + 1 = 2.33 is not a whole number. Try stride=2 (gives 3×3) or pad=1 (gives 3×3) or stride=1 (gives 5×5).`,
    );
    expect(r.err).toBe('1 error, 0 warnings in 1 file\n');
  });

  it('prints the file name as given, relative to the working directory', () => {
    const r = cnn(['check', 'bad.cnn'], dir);
    expect(r.out.split('\n')[0]).toMatch(/^bad\.cnn:2:23: error E020: /);
  });

  it('exits 0 for a clean file (nothing printed) and for one with only warnings', () => {
    const clean = cnn(['check', path('clean')]);
    expect(clean).toEqual({ code: 0, out: '', err: '' });
    const warn = cnn(['check', path('warning')]);
    expect(warn.code).toBe(0);
    expect(warn.out).toMatch(/:2:23: warning W102: The stride \(3\) is larger than the filter \(2\)/);
    expect(warn.err).toBe('0 errors, 1 warning in 1 file\n');
  });

  it('several files: each line names its file; exit 1 when any has an error', () => {
    const r = cnn(['check', path('clean'), path('bad'), path('warning')]);
    expect(r.code).toBe(1);
    const names = r.out.trimEnd().split('\n').map((l) => l.slice(0, l.indexOf('.cnn:') + 4));
    expect(names).toEqual([path('bad'), path('warning')]);
    expect(r.err).toBe('1 error, 1 warning in 3 files\n');
    expect(cnn(['check', path('clean'), path('warning')]).code).toBe(0);
  });

  it('--json prints exactly {"diagnostics":[{code, severity, line, column, endLine, endColumn, message}]}', () => {
    const r = cnn(['check', '--json', path('bad')]);
    expect(r.code).toBe(1);
    expect(r.err).toBe('');
    expect(r.out.endsWith('\n')).toBe(true);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['diagnostics']);
    expect(j.diagnostics).toHaveLength(1);
    for (const d of j.diagnostics) expect(Object.keys(d)).toEqual(['code', 'severity', 'line', 'column', 'endLine', 'endColumn', 'message']);
    expect(j.diagnostics[0]).toEqual({
      code: 'E020',
      severity: 'error',
      line: 2,
      column: 23,
      endLine: 2,
      endColumn: 31,
      message: 'Output height and width: (7 − 3 + 2·0) / 3 + 1 = 2.33 is not a whole number. Try stride=2 (gives 3×3) or pad=1 (gives 3×3) or stride=1 (gives 5×5).',
    });
    // The dense layer's input is unknown after the E020, so there is no flatten to note (I201).
  });

  it('prints nothing for a clean file whose dense layer flattens a volume: that note (I201) is a hint, in --json only', () => {
    const file = join(dir, 'flattens.cnn');
    writeFileSync(file, 'input 8x8x1\ndense units=3\n');
    expect(cnn(['check', file])).toEqual({ code: 0, out: '', err: '' });
    expect(JSON.parse(cnn(['check', '--json', file]).out).diagnostics).toMatchObject([{ code: 'I201', severity: 'hint', line: 2 }]);
  });

  it('--json on a clean file is {"diagnostics":[]} with exit 0, whatever the flag\'s position', () => {
    const r = cnn(['check', path('clean'), '--json']);
    expect(r).toEqual({ code: 0, out: '{"diagnostics":[]}\n', err: '' });
  });

  it('--json with several files: one object per file under "files"', () => {
    const r = cnn(['check', '--json', path('clean'), path('bad')]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['files']);
    expect(j.files.map((f: { file: string }) => f.file)).toEqual([path('clean'), path('bad')]);
    for (const f of j.files) expect(Object.keys(f)).toEqual(['file', 'diagnostics']);
    expect(j.files[0].diagnostics).toEqual([]);
    expect(j.files[1].diagnostics.map((d: { code: string }) => d.code)).toEqual(['E020']);
  });

  it('reads bytes that are not UTF-8 as U+FFFD and reports E003 at the right column', () => {
    const file = join(dir, 'latin1.cnn');
    // "classes caf\xe9 tea": Latin-1 é is not valid UTF-8.
    writeFileSync(file, Buffer.concat([Buffer.from('input 8x8x1\nclasses caf'), Buffer.from([0xe9]), Buffer.from(' tea\ndense units=2\n')]));
    const r = cnn(['check', '--json', file]);
    expect(r.code).toBe(1);
    const d = JSON.parse(r.out).diagnostics.filter((x: { code: string }) => x.code === 'E003');
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ line: 2, column: 12, endLine: 2, endColumn: 13 });
    expect(d[0].message).toContain('not valid UTF-8');
  });

  it('a byte-order mark and CRLF line ends do not shift the positions', () => {
    const file = join(dir, 'bom-crlf.cnn');
    writeFileSync(file, `\ufeff${files.bad.replace(/\n/g, '\r\n')}`);
    const j = JSON.parse(cnn(['check', '--json', file]).out);
    expect(j.diagnostics[0]).toMatchObject({ code: 'E020', line: 2, column: 23, endLine: 2, endColumn: 31 });
  });

  it('resolves data paths relative to the .cnn file, not the working directory', () => {
    const sub = join(dir, 'project');
    mkdirSync(join(sub, 'images'), { recursive: true });
    const text = (p: string) => `input 8x8x1\ndense units=3\ndata folder ${p}\n`;
    writeFileSync(join(sub, 'ok.cnn'), text('images'));
    writeFileSync(join(sub, 'missing.cnn'), text('pictures'));
    expect(cnn(['check', join(sub, 'ok.cnn')]).code).toBe(0);
    const r = cnn(['check', join(sub, 'missing.cnn')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/:3:13: error E040: The folder 'pictures' does not exist/);
  });

  it('checks every example in examples/ clean, the graphs of version 2 (resnet, unet-classifier, mobilenet) included', () => {
    const names = readdirSync(join(root, 'examples')).filter((n) => n.endsWith('.cnn'));
    expect(names).toEqual(expect.arrayContaining(['lecture.cnn', 'lenet.cnn', 'pathmnist.cnn', 'chestmnist.cnn', 'tinyvgg.cnn', 'resnet.cnn', 'unet-classifier.cnn', 'mobilenet.cnn']));
    const j = JSON.parse(cnn(['check', '--json', ...names.map((n) => join(root, 'examples', n))]).out);
    expect(j.files).toHaveLength(names.length);
    for (const f of j.files) {
      // lenet, pathmnist and chestmnist point at data that is not in the repository (E040); nothing else may show.
      const missingData = /(^|\/)(lenet|pathmnist|chestmnist)\.cnn$/.test(f.file);
      expect(f.diagnostics.filter((d: { severity: string; code: string }) => (d.severity === 'error' || d.severity === 'warning') && !(missingData && d.code === 'E040')), f.file).toEqual([]);
    }
  });
});

describe('cnn summary', () => {
  it('--json prints {"layers":[{line, kind, inputs, output, params, macs, receptiveField}], params, macs, task}', () => {
    const r = cnn(['summary', path('clean'), '--json']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['layers', 'params', 'macs', 'task']);
    for (const l of j.layers) expect(Object.keys(l)).toEqual(['line', 'kind', 'inputs', 'output', 'params', 'macs', 'receptiveField']);
    // conv 2 filters 3×3 on 8×8×1: 6×6×2, params 2·(9 + 1) = 20, MACs 6·6·2·9 = 648; flatten 72; dense 3·73 = 219, MACs 216.
    expect(j).toEqual({
      layers: [
        { line: 2, kind: 'conv', inputs: [1], output: [6, 6, 2], params: 20, macs: 648, receptiveField: 3 },
        { line: 3, kind: 'flatten', inputs: [2], output: [72], params: 0, macs: 0, receptiveField: 3 },
        { line: 4, kind: 'dense', inputs: [3], output: [3], params: 219, macs: 216, receptiveField: 8 },
        { line: 5, kind: 'softmax', inputs: [4], output: [3], params: 0, macs: 0, receptiveField: 8 },
      ],
      params: 239,
      macs: 864,
      task: 'single',
    });
  });

  it('--json gives a graph\'s layers their labels and the lines that flow in (a branch, a merge)', () => {
    const r = cnn(['summary', path('graph'), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    // stem 8×8×2 (20 params), conv 8×8×2 (38), main: bn (4), the 1×1 branch from stem (6), add, gap, dense 3·3 = 9.
    expect(j.layers.map((l: { line: number; label?: string; inputs: number[] }) => [l.line, l.label ?? null, l.inputs])).toEqual([
      [2, 'stem', [1]],
      [3, null, [2]],
      [4, 'main', [3]],
      [6, null, [2]],
      [7, null, [6, 4]],
      [8, null, [7]],
      [9, null, [8]],
    ]);
    expect(j.params).toBe(20 + 38 + 4 + 6 + 9);
    const table = cnn(['summary', path('graph')]);
    expect(table.out).toMatch(/add of 2 +7 +← 6, 4 +8×8×2/);
    const check = cnn(['check', path('graph')]);
    expect(check).toEqual({ code: 0, out: '', err: '' });
  });

  it('--json for a file with errors still prints every shape it can, and exits 1', () => {
    const r = cnn(['summary', '--json', path('bad')]);
    expect(r.code).toBe(1);
    // (7 − 3)/3 + 1 = 2.33 is no size: the conv has no output (never the rounded-down 2×2×1) and the dense
    // layer's inputs are unknown; the conv's own weights, 1·(9 + 1) = 10, are known.
    expect(JSON.parse(r.out)).toEqual({
      layers: [{ line: 3, kind: 'dense', inputs: [2], output: [3], params: null, macs: null, receptiveField: null }],
      params: 10,
      macs: 0,
      task: 'single',
    });
  });

  it('without --json prints the table with totals; with errors it says so on stderr', () => {
    const ok = cnn(['summary', path('clean')]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('Total params: 239');
    expect(ok.out).toMatch(/0: conv 2 filters 3×3 +2 +6×6×2 +20 +648 +3/);
    expect(ok.err).toBe('');
    const bad = cnn(['summary', path('bad')]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/0: conv 1 filter 3×3, stride 3 \(!\) +2 +2\.33×2\.33×1 +10 +\? +\?/);
    expect(bad.err).toBe(`${path('bad')} has 1 error; shapes after it may be unknown (?). Run: cnn check ${path('bad')}\n`);
  });
});

describe('the command line', () => {
  it('--help lists every command and exits 0', () => {
    const r = cnn(['--help']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    for (const c of ['check FILE... [--json]', 'summary FILE [--json]', 'train FILE', 'predict FILE', 'bench FILE']) expect(r.out).toContain(`cnn ${c}`);
    expect(r.out).not.toMatch(/ +\n/); // no trailing spaces
    expect(cnn(['-h']).out).toBe(r.out);
    expect(cnn(['help']).out).toBe(r.out);
  });

  it('COMMAND --help prints that command\'s usage and exits 0', () => {
    const r = cnn(['check', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: cnn check FILE\.\.\. \[--json\]\n/);
  });

  it('--version prints the package version', () => {
    const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
    expect(cnn(['--version'])).toEqual({ code: 0, out: `${version}\n`, err: '' });
    expect(cnn(['-v']).out).toBe(`${version}\n`);
  });

  it('no command: the help on stderr, nothing on stdout, exit 2', () => {
    const r = cnn([]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('Usage:');
  });

  it('usage errors are one line on stderr with exit 2 and no stack trace', () => {
    expectUsageError(cnn(['frobnicate']), /unknown command 'frobnicate'/);
    expectUsageError(cnn(['--frob']), /unknown option '--frob'/);
    expectUsageError(cnn(['check', '--frob', path('bad')]), /unknown option '--frob'/);
    expectUsageError(cnn(['check', '-x', path('bad')]), /unknown option '-x'/);
    expectUsageError(cnn(['check', '--json=yes', path('bad')]), /takes no value/);
    expectUsageError(cnn(['check', '--json', '--json', path('bad')]), /given twice/);
    expectUsageError(cnn(['check']), /at least one \.cnn file/);
    expectUsageError(cnn(['summary']), /exactly one \.cnn file/);
    expectUsageError(cnn(['summary', path('bad'), path('clean')]), /exactly one \.cnn file/);
    expectUsageError(cnn(['summary', '--frob', path('bad')]), /unknown option '--frob'/);
  });

  it('a missing file or a folder is a usage error, before anything is printed', () => {
    const missing = join(dir, 'nope.cnn');
    expectUsageError(cnn(['check', missing]), new RegExp(`${escape(missing)}: no such file`));
    // With a good file first, still nothing on stdout: every file is read before anything is printed.
    expectUsageError(cnn(['check', path('bad'), missing]), /no such file/);
    expectUsageError(cnn(['summary', '--json', missing]), /no such file/);
    expectUsageError(cnn(['check', dir]), /is a folder/);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
