// DICOM images (src/data/dicom.ts) on files written by Debian's pydicom (test/fixtures/dicom/make_dicom.py),
// compared exactly with numpy's values for the same rescale and window; DICOM in `data folder`; `cnn train`
// on a folder of them.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../../src/data/dataset';
import { dicomInfo, dicomToTensor, looksLikeDicom } from '../../../src/data/dicom';
import { folderDicomIssue } from '../../../src/data/folderCheck';
import { pixelsToTensor } from '../../../src/data/image';
import { openData, probeData, type OpenDataOptions } from '../../../src/data/index';
import type { DataSpec } from '../../../src/language/model';
import { buildOnce, root, writeModel } from '../trainer/helpers';
import { noisePng, tmpDir } from './helpers';

interface Expected {
  height: number;
  width: number;
  channels: 1 | 3;
  values: number[];
}

let dir = '';
let expected: Record<string, Expected> = {};
const file = (name: string): Buffer => fs.readFileSync(path.join(dir, name));

beforeAll(() => {
  dir = tmpDir('cnn-dicom-');
  // No skip without pydicom: CI installs python3-pydicom, and a missing one fails here.
  execFileSync('/usr/bin/python3', [path.join(root, 'test/fixtures/dicom/make_dicom.py'), dir], { stdio: 'pipe' });
  expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')).images;
});

/** Decodes a fixture at its own size (no resize) with `c` channels. */
function decode(name: string, c: number, h = 6, w = 5): Float32Array {
  const out = new Float32Array(h * w * c);
  dicomToTensor(file(name), h, w, c, out, 0);
  return out;
}

/** The DataError a fixture's decoding throws (fails when it decodes). */
function refusal(name: string): DataError {
  try {
    decode(name, 1);
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error(`${name} decoded`);
}

describe('DICOM decoding (pydicom fixtures, numpy values)', () => {
  const readable = [
    'mono8_window.dcm',
    'mono8_deflated.dcm',
    'mono16_implicit.dcm',
    'signed16.dcm',
    'signed12_junk.dcm',
    'mono1.dcm',
    'mono8_minmax.dcm',
    'mono16_big_endian.dcm',
    'rgb8.dcm',
    'rgb8_planar.dcm',
    'ybr_full.dcm',
    'IM000001',
  ];

  it.each(readable)('%s decodes to exactly numpy\'s rescaled, windowed values', (name) => {
    const e = expected[name]!;
    expect(e).toBeDefined();
    const got = decode(name, e.channels, e.height, e.width);
    expect(Array.from(got)).toEqual(Array.from(Float32Array.from(e.values)));
    // Windows clip and min–max spans: every value in [0, 1], and not all one value.
    expect(Math.min(...got)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...got)).toBeLessThanOrEqual(1);
    expect(new Set(got).size).toBeGreaterThan(3);
  });

  it('reads colour for a grey network as luminance and grey for a colour network repeated, as for PNGs', () => {
    expect(Array.from(decode('rgb8.dcm', 1))).toEqual(Array.from(Float32Array.from(expected['rgb8.dcm as grey']!.values)));
    const grey = Float32Array.from(expected['mono1.dcm']!.values);
    const rgb = decode('mono1.dcm', 3);
    for (let p = 0; p < grey.length; p++) expect([rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2]]).toEqual([grey[p], grey[p], grey[p]]);
  });

  it('resizes to the input with the folder images\' resampler', () => {
    const e = expected['mono16_implicit.dcm']!;
    const want = new Float32Array(12 * 10);
    pixelsToTensor({ width: e.width, height: e.height, channels: 1, data: Float32Array.from(e.values), scale: 1 }, 12, 10, 1, want, 0);
    expect(Array.from(decode('mono16_implicit.dcm', 1, 12, 10))).toEqual(Array.from(want));
    const shrunk = decode('mono16_implicit.dcm', 1, 3, 2);
    expect(shrunk.length).toBe(6);
  });

  it('refuses compressed transfer syntaxes with an E040 naming the syntax\'s UID and name', () => {
    const jpeg = refusal('jpeg.dcm');
    expect(jpeg.code).toBe('E040');
    expect(jpeg.message).toBe(
      'is compressed (transfer syntax 1.2.840.10008.1.2.4.50, JPEG Baseline (Process 1)) and CNN Studio cannot decode it; convert it to uncompressed DICOM first, e.g. with dcmtk\'s "dcmdjpeg in.dcm out.dcm" or GDCM\'s "gdcmconv --raw in.dcm out.dcm"',
    );
    expect(refusal('j2k.dcm').message).toMatch(/^is compressed \(transfer syntax 1\.2\.840\.10008\.1\.2\.4\.90, JPEG 2000 \(Lossless Only\)\) and /);
    // The listing sees it from the header alone.
    expect(() => dicomInfo(file('jpeg.dcm'), true)).toThrow(/1\.2\.840\.10008\.1\.2\.4\.50, JPEG Baseline \(Process 1\)/);
  });

  it('refuses a file with no pixel data, a 0-byte file, a non-DICOM .dcm, several frames and cut-short pixels', () => {
    expect(refusal('no_pixels.dcm').message).toBe('has no pixel data (no 7FE0,0010 element): it holds no image');
    expect(refusal('empty.dcm').message).toBe('is empty (0 bytes), not a DICOM image');
    expect(refusal('notes.dcm').message).toBe('is not a DICOM file (no "DICM" marker at byte 128)');
    expect(refusal('multiframe.dcm').message).toBe('holds 3 frames; CNN Studio reads one 2-D image per file (save each frame as its own file)');
    expect(refusal('truncated.dcm').message).toBe('has pixel data that ends early (23 of the 30 bytes of a 5×6 image)');
  });

  it('reads the size and colour from the header, and asks for more bytes when the first ones end inside it', () => {
    expect(dicomInfo(file('mono16_implicit.dcm'), true)).toEqual({ width: 5, height: 6, color: false });
    expect(dicomInfo(file('rgb8_planar.dcm'), true)).toEqual({ width: 5, height: 6, color: true });
    expect(dicomInfo(file('rgb8.dcm').subarray(0, 200), false)).toBeNull();
    expect(() => dicomInfo(file('rgb8.dcm').subarray(0, 200), true)).toThrow(DataError);
  });

  it('takes a .dcm name or the DICM marker as DICOM, never a PNG', () => {
    expect(looksLikeDicom('x.DCM', Buffer.alloc(0))).toBe(true);
    expect(looksLikeDicom('IM000001', file('IM000001'))).toBe(true);
    expect(looksLikeDicom('notes.txt', Buffer.from('hello'))).toBe(false);
    const png = noisePng(40, 40, 1);
    png.write('DICM', 128, 'latin1');
    expect(looksLikeDicom('a.png', png)).toBe(false);
  });
});

describe('the exported PyTorch package\'s dicom.py (pydicom) on the same files', () => {
  it('gives the same values and refuses the same files in the same words', () => {
    const names = [...Object.keys(expected).filter((n) => !n.includes(' ')), 'jpeg.dcm', 'j2k.dcm', 'no_pixels.dcm', 'empty.dcm', 'notes.dcm', 'multiframe.dcm', 'truncated.dcm'];
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(path.join(root, 'src/export/py/templates'))})`,
      'from datasets import DataError',
      'from dicom import decode_dicom',
      'out = {}',
      'for name, c in json.loads(sys.argv[2]):',
      '    try:',
      '        out[name] = [float(v) for v in decode_dicom(sys.argv[1] + "/" + name, 6, 5, c, None).reshape(-1)]',
      '    except DataError as e:',
      '        out[name] = str(e)',
      'print(json.dumps(out))',
    ].join('\n');
    const jobs = names.map((n) => [n, expected[n]?.channels ?? 1]);
    const theirs = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, dir, JSON.stringify(jobs)], { encoding: 'utf8' }));
    for (const [name, c] of jobs as [string, number][]) {
      let ours: number[] | string;
      try {
        ours = Array.from(decode(name, c));
      } catch (err) {
        ours = (err as Error).message;
      }
      expect([name, theirs[name]]).toEqual([name, ours]);
    }
  });
});

const spec = (p: string): DataSpec => ({ kind: 'folder', path: p, val: null, samples: null, line: 0 });
const opts = (baseDir: string, c: number): OpenDataOptions => ({ baseDir, input: { h: 6, w: 5, c }, numClasses: 2, seed: 5, valFraction: 0 });

function folder(classes: Record<string, string[]>): string {
  const base = tmpDir('cnn-dicom-folder-');
  for (const [cls, names] of Object.entries(classes)) {
    fs.mkdirSync(path.join(base, 'scans', cls), { recursive: true });
    for (const n of names) fs.copyFileSync(path.join(dir, n), path.join(base, 'scans', cls, n));
  }
  return base;
}

/** The E040 that probing (the checker's data check) gives for `base`'s scans folder; fails when it passes. */
function probeRefusal(base: string): DataError {
  try {
    probeData(spec('scans'), base);
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).code).toBe('E040');
    return err as DataError;
  }
  throw new Error('the folder was accepted');
}

const JPEG_REASON =
  'is compressed (transfer syntax 1.2.840.10008.1.2.4.50, JPEG Baseline (Process 1)) and CNN Studio cannot decode it; convert it to uncompressed DICOM first, e.g. with dcmtk\'s "dcmdjpeg in.dcm out.dcm" or GDCM\'s "gdcmconv --raw in.dcm out.dcm"';
const NOT_SKIPPED = '(unlike PNG and JPEG images, a DICOM file that cannot be used is not skipped).';

describe('DICOM in data folder', () => {
  it('refuses a folder with unusable DICOMs in one E040 that counts them and names the first five, before training', () => {
    const base = folder({
      effusion: ['mono8_window.dcm', 'mono1.dcm', 'IM000001', 'jpeg.dcm', 'empty.dcm'],
      normal: ['signed16.dcm', 'rgb8.dcm', 'no_pixels.dcm', 'multiframe.dcm', 'notes.dcm', 'truncated.dcm'],
    });
    const err = probeRefusal(base);
    expect(err.message).toBe(
      `6 DICOM files in '${path.join(base, 'scans')}' cannot be used: effusion/empty.dcm is empty (0 bytes), not a DICOM image; effusion/jpeg.dcm ${JPEG_REASON}; ` +
        'normal/multiframe.dcm holds 3 frames; CNN Studio reads one 2-D image per file (save each frame as its own file); ' +
        'normal/no_pixels.dcm has no pixel data (no 7FE0,0010 element): it holds no image; normal/notes.dcm is not a DICOM file (no "DICM" marker at byte 128); ' +
        `and 1 more. Fix or remove them ${NOT_SKIPPED}`,
    );
    expect(() => openData(spec('scans'), opts(base, 1))).toThrow(err.message);
  });

  it('names one unusable DICOM with its reason, cut-short pixels included, even when its class has no other image', () => {
    const base = folder({ a: ['mono8_window.dcm'], b: ['truncated.dcm'] });
    expect(probeRefusal(base).message).toBe(
      `1 DICOM file in '${path.join(base, 'scans')}' cannot be used: b/truncated.dcm has pixel data that ends early (23 of the 30 bytes of a 5×6 image). Fix or remove it ${NOT_SKIPPED}`,
    );
  });

  it('keeps the header\'s text from the file printable in the refusal', () => {
    const base = folder({ a: ['mono8_window.dcm'], b: ['mono1.dcm'] });
    execFileSync('/usr/bin/python3', ['-c', [
      'import sys, pydicom',
      'ds = pydicom.dcmread(sys.argv[1])',
      'ds.PhotometricInterpretation = "PALETTE\\x1b[2J\\nCOLOR"',
      'ds.save_as(sys.argv[2])',
    ].join('\n'), path.join(dir, 'mono1.dcm'), path.join(base, 'scans', 'b', 'odd.dcm')], { stdio: 'pipe' });
    const msg = probeRefusal(base).message;
    expect(msg).toContain('b/odd.dcm has 1 sample per pixel with the photometric interpretation PALETTE\\u001b[2J\\u000aCOLOR; ');
    expect(msg).not.toMatch(/[\u0000-\u001f]/);
  });

  it('gives the checker the refusal, and looks again once a class folder changes', () => {
    const base = folder({ a: ['mono8_window.dcm', 'empty.dcm'], b: ['mono1.dcm'] });
    const scans = path.join(base, 'scans');
    fs.writeFileSync(path.join(scans, 'b', 'x.png'), 'not read by the checker: counted by its name');
    expect(folderDicomIssue(scans)).toBe(`1 DICOM file in '${scans}' cannot be used: a/empty.dcm is empty (0 bytes), not a DICOM image. Fix or remove it ${NOT_SKIPPED}`);
    fs.rmSync(path.join(scans, 'a', 'empty.dcm'));
    expect(folderDicomIssue(scans)).toBeNull();
    // Problems of another kind are training's to report.
    fs.rmSync(path.join(scans, 'b'), { recursive: true });
    expect(folderDicomIssue(scans)).toBeNull();
  });

  it('still skips PNG, JPEG and other files with a warning, and reads the DICOMs', () => {
    const base = folder({
      effusion: ['mono8_window.dcm', 'mono1.dcm', 'IM000001'],
      normal: ['signed16.dcm', 'rgb8.dcm'],
    });
    fs.writeFileSync(path.join(base, 'scans', 'normal', 'notes.txt'), 'not an image');
    const probe = probeData(spec('scans'), base);
    expect(probe).toMatchObject({ kind: 'folder', classNames: ['effusion', 'normal'], trainSize: 4, valSize: 1, h: 6, w: 5, c: 3 });
    expect(probe.warnings).toEqual(['skipped normal/notes.txt: not a PNG, JPEG or DICOM image']);
    const d = openData(spec('scans'), opts(base, 1));
    expect(d.train.size).toBe(5);
    const names = ['IM000001', 'mono1.dcm', 'mono8_window.dcm', 'rgb8.dcm as grey', 'signed16.dcm'];
    names.forEach((n, i) => {
      const out = new Float32Array(30);
      d.train.read(i, out, 0);
      expect(Array.from(out)).toEqual(Array.from(Float32Array.from(expected[n]!.values)));
      expect(d.train.label(i)).toBe(i < 3 ? 0 : 1);
    });
  });

  it('refuses pixel data cut short in a file larger than the listing reads, from the header and the file\'s size', () => {
    const base = folder({ a: ['mono8_window.dcm'], b: ['mono1.dcm'] });
    const cut = path.join(base, 'scans', 'b', 'cut.dcm');
    execFileSync('/usr/bin/python3', ['-c', [
      'import sys, pydicom',
      'ds = pydicom.dcmread(sys.argv[1])',
      'ds.Rows = 300',
      'ds.Columns = 300',
      'ds.PixelData = bytes(300 * 300 * ds.BitsAllocated // 8)',
      'ds.save_as(sys.argv[2])',
    ].join('\n'), path.join(dir, 'mono16_implicit.dcm'), cut]);
    fs.truncateSync(cut, fs.statSync(cut).size - 1000);
    expect(fs.statSync(cut).size).toBeGreaterThan(64 * 1024);
    expect(probeRefusal(base).message).toBe(
      `1 DICOM file in '${path.join(base, 'scans')}' cannot be used: b/cut.dcm has pixel data that ends early (179,000 of the 180,000 bytes of a 300×300 image). Fix or remove it ${NOT_SKIPPED}`,
    );
  });

  it('reads a DICOM whose header is longer than the listing\'s first bytes', () => {
    // 100 KB of a private text element before the pixels: the listing's 64 KB head ends inside the header.
    const big = tmpDir('cnn-dicom-big-');
    execFileSync('/usr/bin/python3', ['-c', [
      'import sys, pydicom',
      'ds = pydicom.dcmread(sys.argv[1])',
      'ds.add_new(0x00091010, "LO", "x")',
      'ds.add_new(0x00090010, "LO", "CNN STUDIO TEST")',
      'ds.add_new(0x00091011, "UT", "y" * 100000)',
      'ds.save_as(sys.argv[2])',
    ].join('\n'), path.join(dir, 'mono8_window.dcm'), path.join(big, 'big.dcm')]);
    fs.mkdirSync(path.join(big, 'scans', 'a'), { recursive: true });
    fs.mkdirSync(path.join(big, 'scans', 'b'), { recursive: true });
    fs.renameSync(path.join(big, 'big.dcm'), path.join(big, 'scans', 'a', 'big.dcm'));
    fs.copyFileSync(path.join(dir, 'mono1.dcm'), path.join(big, 'scans', 'b', 'm.dcm'));
    expect(fs.statSync(path.join(big, 'scans', 'a', 'big.dcm')).size).toBeGreaterThan(100_000);
    const probe = probeData(spec('scans'), big);
    expect(probe.warnings).toEqual([]);
    const d = openData(spec('scans'), opts(big, 1));
    const out = new Float32Array(30);
    d.train.read(0, out, 0);
    expect(Array.from(out)).toEqual(Array.from(Float32Array.from(expected['mono8_window.dcm']!.values)));
  });
});

describe('cnn train and predict on DICOM', () => {
  beforeAll(() => buildOnce());

  const cnn = (args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/cnn'), ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('trains one epoch on a folder of DICOMs in class sub-folders and predicts a .dcm', () => {
    const base = folder({
      effusion: ['mono8_window.dcm', 'mono16_implicit.dcm', 'signed16.dcm', 'IM000001'],
      normal: ['mono1.dcm', 'mono8_minmax.dcm', 'mono16_big_endian.dcm', 'signed12_junk.dcm', 'rgb8.dcm'],
    });
    const model = writeModel(
      base,
      [
        'network Scans',
        'input 8x8x1',
        'classes effusion normal',
        'conv filters=2 size=3 pad=1 activation=relu',
        'pool max size=2',
        'dense units=2',
        'softmax',
        'data folder scans val=0',
        'train epochs=1 batch=4 optimizer=adam lr=0.01 seed=3',
        '',
      ].join('\n'),
      'scans.cnn',
    );
    const out = path.join(base, 'run');
    const r = cnn(['train', model, '--epochs', '1', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Training on 9 samples/);
    expect(r.err).toBe('');
    expect(fs.existsSync(path.join(out, 'model.safetensors'))).toBe(true);

    const p = cnn(['predict', model, '--weights', path.join(out, 'model.safetensors'), '--input', path.join(dir, 'mono1.dcm'), '--json']);
    expect(p.code).toBe(0);
    const probs: number[][] = JSON.parse(p.out).probabilities;
    expect(probs).toHaveLength(1);
    expect(probs[0]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const bad = cnn(['predict', model, '--weights', path.join(out, 'model.safetensors'), '--input', path.join(dir, 'no_pixels.dcm')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(`cnn: ${path.join(dir, 'no_pixels.dcm')} has no pixel data (no 7FE0,0010 element): it holds no image\n`);
  });

  it('cnn train refuses a folder with a compressed DICOM with E040 before training and writes nothing; cnn check shows it on the data line', () => {
    const base = folder({ effusion: ['mono8_window.dcm', 'IM000001', 'jpeg.dcm'], normal: ['mono1.dcm', 'signed16.dcm'] });
    const model = writeModel(
      base,
      ['network Scans', 'input 8x8x1', 'classes effusion normal', 'dense units=2', 'softmax', 'data folder scans val=0', 'train epochs=1 batch=2 seed=3', ''].join('\n'),
      'scans.cnn',
    );
    const refusal = `1 DICOM file in '${path.join(base, 'scans')}' cannot be used: effusion/jpeg.dcm ${JPEG_REASON}. Fix or remove it ${NOT_SKIPPED}`;
    const out = path.join(base, 'run');
    const r = cnn(['train', model, '--epochs', '1', '--out', out]);
    expect(r.code).toBe(1);
    // The check before training finds it (as it finds a missing folder); the data layer refuses it too (above).
    expect(r.err).toBe(`cnn: setup error E040: ${model}:6: E040: ${refusal}\n`);
    expect(r.out).not.toMatch(/Training on|epoch 1/);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(base).sort()).toEqual(['scans', 'scans.cnn']);

    const c = cnn(['check', '--json', model]);
    expect(c.code).toBe(1);
    const diags: { code: string; severity: string; line: number; column: number; message: string }[] = JSON.parse(c.out).diagnostics;
    expect(diags.filter((d) => d.severity !== 'hint')).toEqual([expect.objectContaining({ code: 'E040', severity: 'error', line: 6, column: 13, message: refusal })]);
    // Fixed (the compressed file removed): the check is clean again.
    fs.rmSync(path.join(base, 'scans', 'effusion', 'jpeg.dcm'));
    expect(cnn(['check', model]).code).toBe(0);
  });
});

