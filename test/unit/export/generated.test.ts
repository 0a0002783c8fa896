// Generated code is real code, and nothing in a name gets out of its literal: the .py templates compile as shipped;
// network names, class names, file names and data paths full of quotes, backslashes, line breaks, `"""`, `\N`,
// `${}`, `$(...)`, non-ASCII and lone surrogates go through every generator (model.py, data.py, train.py, README,
// ONNX); Debian's python3 compiles and imports the package, trains on a data folder with such a name, reads every
// constant back exactly, and no injected payload runs; onnxruntime loads the graph and its metadata reads back.
// A property test does the same for random strings, batched into one Python process.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import * as ort from 'onnxruntime-node';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNetwork } from '../../../src/engine';
import { onnxModel, pytorchPackage, writePytorchPackage } from '../../../src/export';
import { dataConstants, dataConfig } from '../../../src/export/py/data';
import { modelConstants } from '../../../src/export/py/model';
import { trainConstants } from '../../../src/export/py/train';
import { dataPathFrom } from '../../../src/export/pytorch';
import type { ModelSpec } from '../../../src/language/model';
import { buildOnce } from '../trainer/helpers';
import { cnn, PY_ENV, PYTHON, root, specOf, tempDir, TINY } from './helpers';

const TEMPLATES = join(root, 'src/export/py/templates');
/** The package's Python modules; only model, data and train hold constants that the export writes. */
const PY_MODULES = ['model', 'data', 'datasets', 'shapes', 'arrays', 'images', 'dicom', 'train', 'objective', 'augment', 'runs', 'report', 'inspection', 'metrics', 'health', 'control', 'distributed', 'safetensors_io'];
const WITH_CONSTANTS = ['data.py', 'model.py', 'train.py'];

/** Payloads that would run code (each creates a file named PWNED-…) or break a literal if pasted raw. */
const NASTY = [
  'a"""\nimport os; open("PWNED-1", "w").close()\n"""',
  "b'''; open('PWNED-2', 'w').close(); '''",
  '\\N{', 'a\\N', 'back\\slash\\', '"quote"', "'apos'",
  '${process.exit(1)}', '$(touch PWNED-3)', '`touch PWNED-4`', '%(prog)s %d %',
  '# heading\n## sub\r\nline\rbreak\u2028sep\u2029par', '\t\u0000\u0007\u007f\u0085\ufeff',
  '<script>alert(1)</script> &amp; *em* _u_ [link](http://x) | pipe',
  'Größe 中文 🙂 é', 'lone \ud800 high', 'lone \udfff low', '\udc00\ud800 reversed',
];
const NAME = `Net ${NASTY.join(' ')}`;
const CLASSES = [`c0 ${NASTY[0]}`, `c1 ${NASTY[11]} ${NASTY[15]}`, `c2 ${NASTY[16]} ${NASTY[6]}`];
/** A real folder name (no NUL, no lone surrogate: the file system cannot hold those), for training from it. */
const DATA_DIR = 'da"""ta\n$(touch PWNED-5) ${x} \\N{x} \'q\' é';
const FILE_STEM = 'my """net\\N $(touch PWNED-6)\nx';

/** The text a reader sees for a string: line breaks, controls and lone surrogates as \uXXXX. */
function visible(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]|\p{Cs}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The string as UTF-8 can hold it: each lone surrogate becomes U+FFFD. */
function wellFormed(s: string): string {
  return new TextDecoder().decode(new TextEncoder().encode(s));
}

/** A spec of the tiny network with foreign name, classes and data path (a spec need not come from the parser). */
function nastySpec(name: string, classes: string[], dataPath: string): ModelSpec {
  const base = specOf(TINY.replace('data shapes samples=48', 'data folder "x"'));
  const data = base.data!;
  if (data.kind !== 'folder') throw new Error('expected a folder source');
  return { ...base, name, classes, data: { ...data, path: dataPath, samples: null, val: 0.25 } };
}

/** Runs PYTHON on a script file with args in cwd; throws with its output when it fails. */
function runPy(script: string, args: string[], cwd: string): string {
  const file = join(tempDir('cnn-gen-script-'), 'script.py');
  writeFileSync(file, script);
  const r = spawnSync(PYTHON, [file, ...args], { cwd, encoding: 'utf8', env: PY_ENV, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}):\n${r.stderr}\n${r.stdout.slice(-2000)}`);
  return r.stdout;
}

/** Every file under dir that a payload would create (PWNED-1 …): an injected payload ran. */
function pwned(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /(^|\/)PWNED-\d$/.test(f));
}

// ---- a minimal protobuf reader for the ONNX file's names and metadata --------------------------------------------

type Field = { field: number; wire: number; varint?: bigint; bytes?: Uint8Array };

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let p = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[p++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  while (p < buf.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, wire, varint: varint() });
    else if (wire === 2) {
      const n = Number(varint());
      out.push({ field, wire, bytes: buf.subarray(p, p + n) });
      p += n;
    } else if (wire === 5) p += 4;
    else if (wire === 1) p += 8;
    else throw new Error(`wire type ${wire}`);
  }
  return out;
}

const strict = new TextDecoder('utf-8', { fatal: true });

/** The ONNX model's metadata_props, graph name and graph doc_string, decoded as strict UTF-8. */
function onnxStrings(bytes: Uint8Array): { meta: Record<string, string>; graphName: string; graphDoc: string } {
  const top = fields(bytes);
  const meta: Record<string, string> = {};
  for (const f of top.filter((x) => x.field === 14)) {
    const kv = fields(f.bytes!);
    meta[strict.decode(kv.find((x) => x.field === 1)!.bytes!)] = strict.decode(kv.find((x) => x.field === 2)!.bytes!);
  }
  const graph = fields(top.find((x) => x.field === 7)!.bytes!);
  return { meta, graphName: strict.decode(graph.find((x) => x.field === 2)!.bytes!), graphDoc: strict.decode(graph.find((x) => x.field === 10)!.bytes!) };
}

// ---- the README through the Markdown renderer VS Code's preview uses ---------------------------------------------

const md = new MarkdownIt({ html: true });

/** What the README shows: its h1 text, the text of its code spans, and the count of each kind of element. */
function rendered(readme: string): { h1: string; codes: string[]; shape: string } {
  const tokens = md.parse(readme, {});
  const h1 = tokens.findIndex((t) => t.type === 'heading_open' && t.tag === 'h1');
  const inline = tokens.filter((t) => t.type === 'inline').flatMap((t) => t.children ?? []);
  return {
    h1: tokens[h1 + 1]!.children!.map((c) => c.content).join(''),
    codes: inline.filter((c) => c.type === 'code_inline').map((c) => c.content),
    shape: tokens.map((t) => t.type).join(' ') + ' | ' + inline.map((c) => c.type).filter((t) => t !== 'text').join(' '),
  };
}

const PLAIN_README = (() => {
  const spec = nastySpec('Plain', ['a', 'b', 'c'], 'data/here');
  return pytorchPackage(spec, { file: '/w/plain.cnn', outDir: '/w/pkg' }).find((f) => f.name === 'README.md')!.text;
})();

/** The README of a package says the name, file and paths as they are, with the structure of a plain one. */
function expectReadme(readme: string, spec: ModelSpec, fileName: string, written: string, fromPackage: string): void {
  const r = rendered(readme);
  expect(r.h1).toBe(`${visible(spec.name)} in PyTorch`);
  expect(r.codes).toContain(visible(fileName));
  expect(r.codes).toContain(visible(`data folder ${written}`));
  expect(r.codes).toContain(visible(fromPackage));
  expect(r.shape).toBe(rendered(PLAIN_README).shape);
  expect(readme.split('\n')).toHaveLength(PLAIN_README.split('\n').length);
}

// ---- the tests ------------------------------------------------------------------------------------------------

describe('the .py templates as shipped', () => {
  const names = readdirSync(TEMPLATES).filter((f) => f.endsWith('.py')).sort();

  it('are the modules of the package, and python3 compiles every one', () => {
    expect(names).toEqual(PY_MODULES.map((m) => `${m}.py`).sort());
    const out = runPy(
      'import py_compile, sys, tempfile, os\nd = tempfile.mkdtemp()\nfor f in sys.argv[1:]:\n    py_compile.compile(f, cfile=os.path.join(d, os.path.basename(f) + "c"), doraise=True)\nprint("ok")\n',
      names.map((n) => join(TEMPLATES, n)),
      root,
    );
    expect(out.trim()).toBe('ok');
  });

  it('are each under 400 lines, and only model.py, data.py and train.py have a constants block', () => {
    for (const n of names) expect(readFileSync(join(TEMPLATES, n), 'utf8').split('\n').length, n).toBeLessThan(400);
    expect(names.filter((n) => readFileSync(join(TEMPLATES, n), 'utf8').includes('# BEGIN CONSTANTS'))).toEqual(WITH_CONSTANTS);
  });

  it("hold an example in the export's own form: exporting that network writes the templates unchanged", () => {
    const spec = specOf(TINY, '/w/tiny.cnn');
    const files = pytorchPackage(spec, { file: '/w/tiny.cnn', outDir: '/w/Tiny-pytorch' });
    for (const n of names) expect(files.find((f) => f.name === n)!.text, n).toBe(readFileSync(join(TEMPLATES, n), 'utf8'));
  });
});

describe('names, classes and paths full of code', () => {
  const dir = tempDir('cnn-gen-');
  const file = join(dir, `${FILE_STEM}.cnn`);
  const pkg = join(dir, 'pkg');
  const spec = nastySpec(NAME, CLASSES, DATA_DIR);
  // The data folder with that name: three class folders of small PNGs, so train.py really reads it.
  for (const [k, cls] of ['a', 'b', 'c'].entries()) {
    mkdirSync(join(dir, DATA_DIR, cls), { recursive: true });
    for (let i = 0; i < 4; i++) {
      const png = new PNG({ width: 16, height: 16 });
      png.data.fill(40 * (k + 1) + i);
      writeFileSync(join(dir, DATA_DIR, cls, `${i}.png`), PNG.sync.write(png));
    }
  }
  writePytorchPackage(spec, { file, outDir: pkg });
  const fileName = `${FILE_STEM}.cnn`;
  const fromPackage = dataPathFrom(pkg, file, DATA_DIR);

  it('python3 compiles and imports the package, reads every constant back exactly, and trains on that folder', () => {
    const witness = join(dir, 'cwd');
    mkdirSync(witness);
    const script = String.raw`
import contextlib, io, json, os, py_compile, runpy, sys, tempfile
pkg = sys.argv[1]
d = tempfile.mkdtemp()
for f in sys.argv[2:]:
    py_compile.compile(os.path.join(pkg, f), cfile=os.path.join(d, f + "c"), doraise=True)
sys.path.insert(0, pkg)
import torch
import model, data, train
net = model.build_model()
probs = net.predict(torch.zeros((2,) + model.INPUT_SHAPE))
shown = io.StringIO()
with contextlib.redirect_stdout(shown):
    try:
        train.parse_args(["--help"])
    except SystemExit:
        pass
    runpy.run_path(os.path.join(pkg, "model.py"), run_name="__main__")
print(json.dumps({
    "spec": model.SPEC, "data": data.CONFIG, "train": train.CONFIG, "NAME": model.NAME, "CLASSES": model.CLASSES,
    "data_classes": data.CLASSES, "probs": list(probs.shape), "help": "Train " in shown.getvalue(),
    "state": {k: list(v.shape) for k, v in net.state_dict().items()},
}))
`;
    const r = JSON.parse(runPy(script, [pkg, ...PY_MODULES.map((m) => `${m}.py`)], witness));
    expect(r.spec).toEqual(modelConstants(spec, fileName));
    expect(r.NAME).toBe(NAME);
    expect(r.CLASSES).toEqual(CLASSES);
    expect(r.data_classes).toEqual(CLASSES);
    expect(r.data).toEqual(dataConstants(spec, dataConfig(spec, (p) => dataPathFrom(pkg, file, p))));
    expect(r.data.written).toBe(DATA_DIR);
    expect(r.data.data.path).toBe(fromPackage);
    expect(r.train).toEqual(trainConstants(spec));
    expect(r.probs).toEqual([2, 3]);
    expect(r.help).toBe(true);
    expect(r.state).toEqual({ 'layers.0.weight': [4, 1, 3, 3], 'layers.0.bias': [4], 'layers.2.weight': [3, 256], 'layers.2.bias': [3] });

    // train.py finds the folder by the path it was given, and reports the classes exactly.
    const t = spawnSync(PYTHON, [join(pkg, 'train.py'), '--out', join(dir, 'run'), '--epochs', '1', '--device', 'cpu'], { cwd: witness, encoding: 'utf8', env: PY_ENV });
    expect(t.status, t.stderr + t.stdout).toBe(0);
    const messages = t.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(messages.find((m) => m.type === 'started')).toMatchObject({ trainSize: 9, valSize: 3, classes: CLASSES });
    expect(messages.at(-1)).toMatchObject({ type: 'done', epochsRun: 1 });
    expect([...pwned(dir), ...pwned(pkg)]).toEqual([]);
  });

  it('the README shows the name, the file and the paths as they are, and nothing more', () => {
    expectReadme(readFileSync(join(pkg, 'README.md'), 'utf8'), spec, fileName, DATA_DIR, fromPackage);
  });

  it('the ONNX graph loads in onnxruntime, and its names and metadata read back (strict UTF-8)', async () => {
    const net = createNetwork(spec, { seed: 1, threads: 1 });
    const bytes = onnxModel(spec, { tensors: net.params() });
    const session = await ort.InferenceSession.create(bytes);
    try {
      const out = await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 256), [2, 16, 16, 1]) });
      expect(out.probabilities!.dims).toEqual([2, 3]);
    } finally {
      await session.release();
    }
    const s = onnxStrings(bytes);
    expect(JSON.parse(s.meta.classes!)).toEqual(CLASSES);
    expect(s.meta.network).toBe(wellFormed(NAME));
    expect(s.meta.source).toBe(wellFormed(spec.source));
    expect(s.graphName).toBe(wellFormed(NAME));
    expect(s.graphDoc.startsWith(wellFormed(NAME))).toBe(true);
  });
});

describe('what the language itself lets through, end to end with `cnn export`', () => {
  // Strings take \" and \\; bare words take anything but spaces: both reach the export.
  const TEXT = readFileSync(join(__dirname, 'fixtures', 'odd-names.cnn'), 'utf8');
  const name = 'Net""" $(touch PWNED-7) ${x} \\N{ é';
  const classes = ['a\\N{x}', 'b$(touch`PWNED-8`)', 'c"""\\'];

  beforeAll(() => buildOnce());

  it('the package imports with the names exactly, and the ONNX graph says them', async () => {
    const dir = tempDir('cnn-gen-cli-');
    const file = join(dir, 'odd.cnn');
    writeFileSync(file, TEXT);
    expect(specOf(TEXT)).toMatchObject({ name, classes });
    const out = join(dir, 'pkg');
    const r = cnn(['export', file, '--format', 'pytorch', '-o', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/warning E040/); // the data folder is not here; exported anyway
    const witness = join(dir, 'cwd');
    mkdirSync(witness);
    const script = 'import json, sys\nsys.path.insert(0, sys.argv[1])\nimport model, data, train\nprint(json.dumps([model.NAME, model.CLASSES, data.CONFIG["written"], len(model.build_model().layers)]))\n';
    expect(JSON.parse(runPy(script, [out], witness))).toEqual([name, classes, 'd"""ir $(touch PWNED-9)', 4]);
    const onnx = join(dir, 'odd.onnx');
    expect(cnn(['export', file, '--format', 'onnx', '-o', onnx]).code).toBe(0);
    const bytes = readFileSync(onnx);
    const session = await ort.InferenceSession.create(bytes);
    await session.release();
    const s = onnxStrings(bytes);
    expect([s.meta.network, JSON.parse(s.meta.classes!)]).toEqual([name, classes]);
    expect(pwned(dir)).toEqual([]);
  });
});

describe('property: any strings as names, classes, file and data paths', () => {
  // Any UTF-16 code unit (lone surrogates too), and the pieces that matter most to Python and Markdown.
  const unit = fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('"""', "'''", '\\', '\\N', '\\u', '\n', '\r', '${', '$(', '`', '#', '%', '\u2028', '{', '}', '<', '&', '[', ']'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }),
  );
  const str = fc.string({ unit, minLength: 1, maxLength: 24 });
  const RUNS = 40;

  it(`${RUNS} random packages: python3 reads every constant back exactly; README, ONNX metadata exact`, () => {
    const dir = tempDir('cnn-gen-prop-');
    const cases = fc.sample(fc.record({ name: str, classes: fc.uniqueArray(str, { minLength: 3, maxLength: 3 }), path: str, stem: str }), { numRuns: RUNS, seed: 11 });
    const jobs: { pkg: string; spec: ModelSpec; file: string; fileName: string }[] = [];
    const net = createNetwork(nastySpec('x', ['a', 'b', 'c'], 'x'), { seed: 1, threads: 1 }).params();
    for (const [k, c] of cases.entries()) {
      const spec = nastySpec(c.name, c.classes, c.path);
      const fileName = `${c.stem.replace(/[/\0]/g, '_')}.cnn`;
      const file = join(dir, fileName);
      const pkg = join(dir, `p${k}`);
      const files = pytorchPackage(spec, { file, outDir: pkg });
      mkdirSync(pkg);
      for (const f of files) writeFileSync(join(pkg, f.name), f.text);
      jobs.push({ pkg, spec, file, fileName });
      // README and ONNX in this process.
      expectReadme(files.find((f) => f.name === 'README.md')!.text, spec, fileName, c.path, dataPathFrom(pkg, file, c.path));
      const s = onnxStrings(onnxModel(spec, { tensors: net }));
      expect(JSON.parse(s.meta.classes!)).toEqual(c.classes);
      expect(s.meta.network).toBe(wellFormed(c.name));
      expect(s.graphName).toBe(wellFormed(c.name));
    }
    const script = `MODULES = ${JSON.stringify(PY_MODULES)}\n` + String.raw`
import json, sys
out = []
for pkg in sys.argv[1:]:
    sys.path.insert(0, pkg)
    for m in MODULES:
        sys.modules.pop(m, None)
    import model, data, train
    out.append({"spec": model.SPEC, "data": data.CONFIG, "train": train.CONFIG, "layers": len(model.build_model().layers)})
    sys.path.remove(pkg)
print(json.dumps(out))
`;
    const witness = join(dir, 'cwd');
    mkdirSync(witness);
    const results = JSON.parse(runPy(script, jobs.map((j) => j.pkg), witness)) as { spec: unknown; data: unknown; train: unknown; layers: number }[];
    for (const [k, j] of jobs.entries()) {
      const r = results[k]!;
      expect(r.spec, `case ${k}`).toEqual(modelConstants(j.spec, j.fileName));
      expect(r.data, `case ${k}`).toEqual(dataConstants(j.spec, dataConfig(j.spec, (p) => dataPathFrom(j.pkg, j.file, p))));
      expect(r.train, `case ${k}`).toEqual(trainConstants(j.spec));
      expect(r.layers).toBe(4);
    }
    expect(pwned(dir)).toEqual([]);
  });
});
