import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { checkDataAgainstModel, openData, probeData, type OpenDataOptions } from '../../../src/data/index';
import type { DataSpec } from '../../../src/language/model';
import { corruptBody, noiseJpg, noisePng, tmpDir } from './helpers';

const spec = (p: string, extra: Partial<{ val: number | null; samples: number | null }> = {}): DataSpec => ({ kind: 'folder', path: p, val: null, samples: null, line: 0, ...extra });
const opts = (baseDir: string, extra: Partial<OpenDataOptions> = {}): OpenDataOptions => ({ baseDir, input: { h: 4, w: 4, c: 3 }, numClasses: 2, seed: 5, valFraction: 0, ...extra });

/** A solid-colour PNG (optionally grey or with alpha). */
function png(w: number, h: number, rgba: [number, number, number, number], colorType: 0 | 2 | 6 = 6): Buffer {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) p.data.set(rgba, 4 * i);
  return PNG.sync.write(p, { colorType, inputColorType: 6, inputHasAlpha: true });
}

function jpg(w: number, h: number, rgb: [number, number, number]): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([...rgb, 255], 4 * i);
  return jpeg.encode({ width: w, height: h, data }, 95).data;
}

function makeFolder(): string {
  const base = tmpDir();
  const root = path.join(base, 'imgs');
  for (const c of ['red', 'blue']) fs.mkdirSync(path.join(root, c), { recursive: true });
  fs.writeFileSync(path.join(root, 'red', 'a.png'), png(8, 8, [255, 0, 0, 255]));
  fs.writeFileSync(path.join(root, 'red', 'b.jpg'), jpg(16, 12, [250, 10, 10]));
  fs.writeFileSync(path.join(root, 'red', 'notes.txt'), 'not an image');
  fs.writeFileSync(path.join(root, 'blue', 'a.png'), png(4, 4, [0, 0, 255, 128]));
  fs.writeFileSync(path.join(root, 'blue', 'grey.png'), png(2, 2, [128, 128, 128, 255], 0));
  fs.writeFileSync(path.join(root, 'blue', 'c.jpeg'), jpg(3, 5, [10, 10, 240]));
  fs.writeFileSync(path.join(root, 'stray.png'), png(4, 4, [0, 0, 0, 255]));
  fs.writeFileSync(path.join(root, '.DS_Store'), 'junk');
  return base;
}

describe('data folder', () => {
  it('lists sorted class folders, skips odd files with warnings and converts to RGB at the input size', () => {
    const base = makeFolder();
    const probe = probeData(spec('imgs'), base);
    expect(probe).toMatchObject({ kind: 'folder', fixedSize: false, numClasses: 2, classNames: ['blue', 'red'], trainSize: 4, valSize: 1 });
    expect(probe.warnings).toEqual([
      'skipped stray.png: files directly in the data folder are ignored (put images in one sub-folder per class)',
      'skipped red/notes.txt: not a PNG, JPEG or DICOM image',
    ]);
    const d = openData(spec('imgs'), opts(base));
    expect(d.classNames).toEqual(['blue', 'red']);
    expect(d.train.size).toBe(5);
    expect(d.warnings).toHaveLength(2);
    const labels = Array.from({ length: 5 }, (_, i) => d.train.label(i));
    expect(labels).toEqual([0, 0, 0, 1, 1]);
    const out = new Float32Array(48);
    // blue/a.png 4×4 RGBA: alpha is dropped.
    d.train.read(0, out, 0);
    expect(Array.from(out.subarray(0, 3))).toEqual([0, 0, 1]);
    // blue/grey.png 2×2 grey → RGB by repetition, enlarged bilinearly (constant stays constant).
    d.train.read(2, out, 0);
    for (const v of out) expect(v).toBeCloseTo(128 / 255, 5);
    // red/b.jpg 16×12 → 4×4 by area averaging.
    d.train.read(4, out, 0);
    expect(out[0]).toBeGreaterThan(0.9);
    expect(out[1]).toBeLessThan(0.12);
  });

  it('converts colour to grey by luminance for one-channel models', () => {
    const base = makeFolder();
    const d = openData(spec('imgs'), opts(base, { input: { h: 3, w: 2, c: 1 } }));
    const out = new Float32Array(6);
    d.train.read(3, out, 0); // red/a.png
    for (const v of out) expect(v).toBeCloseTo(0.299, 5);
  });

  it('resizes by area when shrinking and bilinearly when enlarging', () => {
    const base = tmpDir();
    const root = path.join(base, 'd');
    fs.mkdirSync(path.join(root, 'a'), { recursive: true });
    fs.mkdirSync(path.join(root, 'b'), { recursive: true });
    // 4×4 grey image with columns 0, 0, 255, 255 → 2×2 area average gives 0 and 1; 1×4 ramp enlarged to 1×8.
    const p = new PNG({ width: 4, height: 4 });
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) p.data.set([x < 2 ? 0 : 255, x < 2 ? 0 : 255, x < 2 ? 0 : 255, 255], 4 * (y * 4 + x));
    fs.writeFileSync(path.join(root, 'a', 'cols.png'), PNG.sync.write(p));
    fs.writeFileSync(path.join(root, 'b', 'x.png'), png(4, 4, [0, 0, 0, 255]));
    const small = openData(spec('d'), opts(base, { input: { h: 2, w: 2, c: 1 } }));
    const out = new Float32Array(4);
    small.train.read(0, out, 0);
    expect(Array.from(out)).toEqual([0, 1, 0, 1]);
    const big = openData(spec('d'), opts(base, { input: { h: 8, w: 8, c: 1 } }));
    const o8 = new Float32Array(64);
    big.train.read(0, o8, 0);
    const row = Array.from(o8.subarray(0, 8), (v) => Math.round(v * 1000) / 1000);
    expect(row).toEqual([0, 0, 0, 0.25, 0.75, 1, 1, 1]);
  });

  it('needs at least two classes and no empty class folder', () => {
    const base = tmpDir();
    const root = path.join(base, 'd');
    fs.mkdirSync(path.join(root, 'only'), { recursive: true });
    fs.writeFileSync(path.join(root, 'only', 'a.png'), png(2, 2, [1, 2, 3, 255]));
    expect(() => probeData(spec('d'), base)).toThrow("'" + root + "' has only one class sub-folder (only); 'data folder' needs one sub-folder of images per class, at least two.");
    fs.mkdirSync(path.join(root, 'empty'));
    fs.writeFileSync(path.join(root, 'empty', 'readme.md'), '# nothing');
    expect(() => probeData(spec('d'), base)).toThrow(`The class folder 'empty' in '${root}' holds no PNG, JPEG or DICOM images; add some or remove the folder.`);
    expect(() => probeData(spec('nowhere'), base)).toThrow(/The folder 'nowhere' does not exist/);
    fs.mkdirSync(path.join(base, 'none'));
    expect(() => probeData(spec('none'), base)).toThrow(/has no class sub-folders/);
  });

  it('decodes every image before training: a PNG and a JPEG with valid headers and garbage bodies are skipped with one warning that counts them', () => {
    const base = tmpDir();
    const root = path.join(base, 'd');
    fs.mkdirSync(path.join(root, 'a'), { recursive: true });
    fs.mkdirSync(path.join(root, 'b'), { recursive: true });
    const goodPng = noisePng(12, 10, 1);
    const goodJpg = noiseJpg(16, 16, 2);
    fs.writeFileSync(path.join(root, 'a', 'bad.png'), corruptBody(goodPng, 7));
    fs.writeFileSync(path.join(root, 'a', 'bad.jpg'), corruptBody(goodJpg, 8));
    fs.writeFileSync(path.join(root, 'a', 'cut.jpg'), goodJpg.subarray(0, goodJpg.length - 40)); // a download cut short
    fs.writeFileSync(path.join(root, 'a', 'ok.png'), goodPng);
    fs.writeFileSync(path.join(root, 'b', 'ok.jpg'), goodJpg);
    fs.writeFileSync(path.join(root, 'b', 'ok2.png'), noisePng(5, 5, 3));
    // The checker's probe reads headers only, and the headers are fine.
    expect(probeData(spec('d'), base, { valFraction: 0 }).trainSize).toBe(6);
    const d = openData(spec('d'), opts(base));
    expect(d.train.size).toBe(3);
    expect(Array.from({ length: 3 }, (_, i) => d.train.label(i))).toEqual([0, 1, 1]);
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0]).toMatch(/^skipped 3 of 6 images that cannot be decoded: /);
    expect(d.warnings[0]).toMatch(/a\/bad\.jpg cannot be decoded as a JPEG image \(.+\)/);
    expect(d.warnings[0]).toMatch(/a\/bad\.png cannot be decoded as a PNG image \(.+\)/);
    expect(d.warnings[0]).toMatch(/a\/cut\.jpg cannot be decoded as a JPEG image \(.+\)/);
    // What is left is the real pictures (noise, never a blank stand-in).
    const out = new Float32Array(48);
    for (let i = 0; i < 3; i++) {
      d.train.read(i, out, 0);
      expect(out.some((v) => v > 0)).toBe(true);
    }
  });

  it('names five undecodable images and counts the rest; a class with none left is an error', () => {
    const base = tmpDir();
    const root = path.join(base, 'd');
    fs.mkdirSync(path.join(root, 'a'), { recursive: true });
    fs.mkdirSync(path.join(root, 'b'), { recursive: true });
    for (let k = 0; k < 8; k++) fs.writeFileSync(path.join(root, 'a', `bad${k}.png`), corruptBody(noisePng(6, 6, k), 100 + k));
    fs.writeFileSync(path.join(root, 'a', 'ok.png'), noisePng(6, 6, 50));
    fs.writeFileSync(path.join(root, 'b', 'bad.png'), corruptBody(noisePng(6, 6, 60), 61));
    fs.writeFileSync(path.join(root, 'b', 'ok.png'), noisePng(6, 6, 62));
    const d = openData(spec('d'), opts(base));
    const w = d.warnings[0]!;
    expect(w).toMatch(/^skipped 9 of 11 images that cannot be decoded: .*; and 4 more$/);
    expect(w.match(/cannot be decoded as a PNG image/g)).toHaveLength(5);
    fs.rmSync(path.join(root, 'b', 'ok.png'));
    expect(() => openData(spec('d'), opts(base))).toThrow(/^No image in the class folder 'b' in '.*' can be decoded \(b\/bad\.png cannot be decoded as a PNG image \(.+\)\); replace the damaged files\.$/);
  });

  it('an image damaged after the start stops training with a data error instead of reading as blank', () => {
    const base = tmpDir();
    const root = path.join(base, 'd');
    fs.mkdirSync(path.join(root, 'a'), { recursive: true });
    fs.mkdirSync(path.join(root, 'b'), { recursive: true });
    fs.writeFileSync(path.join(root, 'a', 'x.png'), noisePng(4, 4, 1));
    fs.writeFileSync(path.join(root, 'b', 'y.png'), noisePng(4, 4, 2));
    const d = openData(spec('d'), opts(base, { cacheBytes: 0 }));
    fs.writeFileSync(path.join(root, 'a', 'x.png'), corruptBody(noisePng(4, 4, 1), 3));
    expect(() => d.train.read(0, new Float32Array(48), 0)).toThrow(/^a\/x\.png cannot be decoded as a PNG image \(.+\); it was readable when training started \(did it change\?\)$/);
  });

  it('symbolic links: loops and broken links are skipped with a warning, links to folders and files elsewhere are followed; odd names are escaped', () => {
    const base = tmpDir();
    const root = path.join(base, 'd');
    const elsewhere = path.join(base, 'elsewhere');
    fs.mkdirSync(path.join(root, 'a'), { recursive: true });
    fs.mkdirSync(elsewhere);
    fs.writeFileSync(path.join(root, 'a', 'x.png'), noisePng(4, 4, 1));
    fs.writeFileSync(path.join(elsewhere, 'y.png'), noisePng(4, 4, 2));
    fs.writeFileSync(path.join(base, 'z.png'), noisePng(4, 4, 3));
    fs.symlinkSync('loop', path.join(root, 'loop')); // points at itself
    fs.symlinkSync('nowhere', path.join(root, 'broken'));
    fs.symlinkSync('.', path.join(root, 'self')); // the data folder itself
    fs.symlinkSync('..', path.join(root, 'up'));
    fs.symlinkSync(elsewhere, path.join(root, 'b'));
    fs.symlinkSync(path.join(base, 'z.png'), path.join(root, 'a', 'z.png'));
    fs.symlinkSync('w.png', path.join(root, 'a', 'w.png'));
    fs.writeFileSync(path.join(root, 'a', 'evil\n\u001b[31m.txt'), 'a name that would break the line and colour the terminal');
    const probe = probeData(spec('d'), base);
    expect(probe.classNames).toEqual(['a', 'b']);
    expect(probe.warnings).toEqual([
      'skipped broken: a broken symbolic link (its target does not exist)',
      'skipped loop: a symbolic link loop',
      'skipped self: a symbolic link to the data folder or a folder above it (a loop)',
      'skipped up: a symbolic link to the data folder or a folder above it (a loop)',
      'skipped a/evil\\u000a\\u001b[31m.txt: not a PNG, JPEG or DICOM image',
      'skipped a/w.png: a symbolic link loop',
    ]);
    const d = openData(spec('d'), opts(base));
    expect(d.train.size).toBe(3);
  });

  it('keeps converted samples in a cache: a cached sample does not read its file again', () => {
    const base = makeFolder();
    const d = openData(spec('imgs'), opts(base));
    const file = path.join(base, 'imgs', 'blue', 'a.png');
    const a = new Float32Array(48);
    d.train.read(0, a, 0);
    fs.writeFileSync(file, png(4, 4, [255, 255, 255, 255])); // a cached sample does not read the file again
    const b = new Float32Array(48);
    d.train.read(0, b, 0);
    expect(b).toEqual(a);
    const fresh = openData(spec('imgs'), opts(base, { cacheBytes: 0 }));
    fresh.train.read(0, b, 0);
    expect(b[0]).toBe(1);
  });

  it('follows the model class order when its names are the folder names', () => {
    const base = makeFolder();
    const d = openData(spec('imgs'), opts(base, { classNames: ['red', 'blue'] }));
    expect(d.classNames).toEqual(['red', 'blue']);
    expect(Array.from({ length: 5 }, (_, i) => d.train.label(i))).toEqual([1, 1, 1, 0, 0]);
    const issues = checkDataAgainstModel(probeData(spec('imgs'), base), { input: { h: 8, w: 8, c: 3 }, numClasses: 3, hasClassesLine: true });
    expect(issues.map((i) => i.message)).toEqual(['the data has 2 classes (blue, red) but the last dense layer has 3 units: set units=2 and list 2 names on the classes line (classes blue red).']);
    expect(d.warnings.filter((w) => w.startsWith('W105'))).toEqual([]);
  });

  it('warns (W105), and still trains, when the class names are not the folder names: they rename the folders in sorted order', () => {
    const base = makeFolder();
    const d = openData(spec('imgs'), opts(base, { classNames: ['cat', 'dog'] }));
    expect(d.classNames).toEqual(['cat', 'dog']);
    // blue/ (3 images) is label 0, named 'cat'; red/ is 'dog'.
    expect(Array.from({ length: 5 }, (_, i) => d.train.label(i))).toEqual([0, 0, 0, 1, 1]);
    const w105 = d.warnings.filter((w) => w.startsWith('W105'));
    expect(w105).toHaveLength(1);
    expect(w105[0]).toContain("W105: The images in blue/ would train as 'cat', those in red/ as 'dog': ");
    const issues = checkDataAgainstModel(probeData(spec('imgs'), base), { input: { h: 4, w: 4, c: 3 }, numClasses: 2, classNames: ['cat', 'dog'], hasClassesLine: true });
    expect(issues).toEqual([expect.objectContaining({ code: 'W105', severity: 'warning', target: 'classes', suggestion: 'classes blue red' })]);
    // No classes line (the names are the label numbers): nothing to warn about.
    const plain = openData(spec('imgs'), opts(base, { classNames: ['0', '1'] }));
    expect(plain.warnings.filter((w) => w.startsWith('W105'))).toEqual([]);
    // Capitals only, in the folders' order: every folder keeps its class, no warning.
    const caps = openData(spec('imgs'), opts(base, { classNames: ['Blue', 'RED'] }));
    expect(caps.warnings.filter((w) => w.startsWith('W105'))).toEqual([]);
  });
});
