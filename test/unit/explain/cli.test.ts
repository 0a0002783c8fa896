// `cnn explain`: the --json shape and values, the PNG overlays written beside the input (an .npy and an image
// file), a multi-label network's label, and the requests refused before anything is computed. In-process
// through main(), as the command line runs; the maps themselves are checked against PyTorch in torch.test.ts.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { tensorToPng } from '../../../src/data/image';
import { writeNpy } from '../../../src/data';
import { createNetwork, saveCheckpoint } from '../../../src/engine';
import { explain } from '../../../src/explain';
import { example, randomInput, specOf, tempDir } from '../export/helpers';

async function cnn(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const dir = tempDir('cnn-explain-cli-');

/** A .cnn file, a checkpoint of its freshly initialised network, and `n` random inputs as an .npy. */
function fixture(name: string, text: string, n: number) {
  const file = join(dir, `${name}.cnn`);
  writeFileSync(file, text);
  const spec = specOf(text, file);
  const net = createNetwork(spec, { seed: 5, threads: 1 });
  const weights = join(dir, `${name}.safetensors`);
  saveCheckpoint(weights, net, { source: spec.source });
  const { h, w, c } = spec.input;
  const x = randomInput(n * h * w * c, 9);
  const input = join(dir, `${name}.npy`);
  writeFileSync(input, writeNpy(x, [n, h, w, c], 'f4'));
  return { file, weights, input, spec, net, x };
}

const lecture = fixture('lecture', example('lecture'), 2);

const MULTILABEL = `network Findings
input 8x8x1
classes effusion nodule mass
conv filters=4 size=3 pad=1 activation=relu
pool max size=2
dense units=3
sigmoid
`;

describe('cnn explain --json', () => {
  it('Grad-CAM of the default layer (the last pool): method, line, the predicted classes and N maps of h×w rows', async () => {
    const r = await cnn(['explain', lecture.file, '--weights', lecture.weights, '--input', lecture.input, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['method', 'line', 'classes', 'maps']);
    expect(j.method).toBe('gradcam');
    expect(j.line).toBe(12); // `pool size=2`, 8×8×32
    const probs = lecture.net.predict(lecture.x, 2);
    const predicted = [0, 1].map((i) => [0, 1, 2].reduce((b, k) => (probs[i * 3 + k]! > probs[i * 3 + b]! ? k : b), 0));
    expect(j.classes).toEqual(predicted);
    expect(j.maps).toHaveLength(2);
    for (const m of j.maps) {
      expect(m).toHaveLength(8);
      for (const row of m) expect(row).toHaveLength(8);
    }
    // The raw values of the engine's map (no normalisation, no upsampling).
    const want = explain(lecture.net, lecture.x, 2, { method: 'gradcam', layer: 5 });
    expect(Float32Array.from(j.maps[1].flat())).toEqual(want.maps[1]!.data);
  });

  it('saliency (the input\'s H×W, no line) and occlusion with a window and stride, for a class by name or index', async () => {
    const s = await cnn(['explain', lecture.file, '--weights', lecture.weights, '--input', lecture.input, '--method', 'saliency', '--class', 'stair', '--json']);
    expect(s.code, s.err).toBe(0);
    const js = JSON.parse(s.out);
    expect([js.method, js.line, js.classes]).toEqual(['saliency', null, [1, 1]]);
    expect(js.maps[0]).toHaveLength(32);
    expect(js.maps[0][0]).toHaveLength(32);
    const o = await cnn(['explain', lecture.file, '--weights', lecture.weights, '--input', lecture.input, '--method', 'occlusion', '--class', '2', '--window', '8', '--stride', '8', '--json']);
    expect(o.code, o.err).toBe(0);
    const jo = JSON.parse(o.out);
    expect(jo.classes).toEqual([2, 2]);
    const want = explain(lecture.net, lecture.x, 2, { method: 'occlusion', cls: 2, occlusion: { window: 8, stride: 8 } });
    expect(Float32Array.from(jo.maps[0].flat())).toEqual(want.maps[0]!.data);
  });

  it('a multi-label network explains the label named by --class with that label\'s logit', async () => {
    const ml = fixture('findings', MULTILABEL, 1);
    const r = await cnn(['explain', ml.file, '--weights', ml.weights, '--input', ml.input, '--class', 'nodule', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect([j.line, j.classes]).toEqual([5, [1]]);
    const want = explain(ml.net, ml.x, 1, { method: 'gradcam', layer: 1, cls: 1 });
    expect(Float32Array.from(j.maps[0].flat())).toEqual(want.maps[0]!.data);
  });
});

describe('cnn explain overlays', () => {
  it('writes one PNG per sample beside an .npy input, the input coloured where the map is large', async () => {
    const r = await cnn(['explain', lecture.file, '--weights', lecture.weights, '--input', lecture.input, '--method', 'saliency']);
    expect(r.code, r.err).toBe(0);
    const paths = [0, 1].map((i) => join(dir, `lecture.saliency.${i}.png`));
    // Each path, then the class it explains (the predicted one).
    const probs = lecture.net.predict(lecture.x, 2);
    const names = [0, 1].map((i) => lecture.spec.classes[[0, 1, 2].reduce((b, k) => (probs[i * 3 + k]! > probs[i * 3 + b]! ? k : b), 0)]);
    expect(r.out).toBe(paths.map((p, i) => `${p}  ${names[i]}\n`).join(''));
    const png = PNG.sync.read(readFileSync(paths[0]!));
    // 32×32 enlarged to 256×256 so it can be seen.
    expect([png.width, png.height]).toEqual([256, 256]);
    const plain = PNG.sync.read(Buffer.from(tensorToPng(lecture.x, 0, 32, 32, 3, 8)));
    let changed = 0;
    for (let i = 0; i < png.data.length; i++) if (png.data[i] !== plain.data[i]) changed++;
    expect(changed).toBeGreaterThan(png.data.length / 10);
  });

  it('an image file gets `NAME.gradcam.png` beside it', async () => {
    const img = join(dir, 'door.png');
    writeFileSync(img, tensorToPng(randomInput(20 * 24 * 3, 4), 0, 20, 24, 3));
    const r = await cnn(['explain', lecture.file, '--weights', lecture.weights, '--input', img, '--line', '10']);
    expect(r.code, r.err).toBe(0);
    expect(r.out.startsWith(`${join(dir, 'door.gradcam.png')}  `)).toBe(true);
    expect(existsSync(join(dir, 'door.gradcam.png'))).toBe(true);
  });
});

describe('cnn explain refuses, before computing anything', () => {
  // A missing input file: each request error must come first.
  const base = ['explain', lecture.file, '--weights', lecture.weights, '--input', join(dir, 'missing.npy')];
  const cases: [string, string[], number, RegExp][] = [
    ['--line on a dense layer', ['--line', '13'], 1, /line 13 is a dense layer: its output is a vector of 3, and Grad-CAM needs rows and columns \(layers with a spatial output are on lines 7, 8, 9, 10, 11, 12\)/],
    ['--line with no layer', ['--line', '6'], 1, /line 6 holds no layer statement/],
    ['a class that does not exist', ['--class', 'window'], 1, /has no class 'window'; its classes are door \(0\), stair \(1\), sign \(2\)/],
    ['a class index out of range', ['--class', '3'], 1, /has no class '3'/],
    ['an occlusion window larger than the image', ['--method', 'occlusion', '--window', '33'], 1, /an occlusion window of 33×33 is larger than the 32×32 input; use --window 32 or less/],
    ['an unknown method', ['--method', 'lime'], 2, /--method must be one of gradcam, saliency, occlusion, not 'lime'/],
    ['--line for saliency', ['--method', 'saliency', '--line', '7'], 2, /--line chooses the layer of Grad-CAM/],
    ['--window for Grad-CAM', ['--window', '4'], 2, /--window and --stride are occlusion's/],
  ];
  for (const [name, extra, code, message] of cases) {
    it(name, async () => {
      const r = await cnn([...base, ...extra]);
      expect(r.err).toMatch(message);
      expect(r.code).toBe(code);
      expect(r.out).toBe('');
    });
  }

  it('a missing --weights or --input is a usage error', async () => {
    expect((await cnn(['explain', lecture.file, '--input', lecture.input])).code).toBe(2);
    expect((await cnn(['explain', lecture.file, '--weights', lecture.weights])).code).toBe(2);
  });
});
