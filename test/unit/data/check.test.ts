import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, checkDataAgainstModel, checkModelData, openData, probeData } from '../../../src/data/index';
import { TRAIN_DEFAULTS, type ModelSpec } from '../../../src/language/model';
import { idxPair, tmpDir } from './helpers';

function model(data: ModelSpec['data'], input = { h: 28, w: 28, c: 1 }, classes = ['0', '1', '2']): ModelSpec {
  return { name: 'm', input, classes, task: 'single', augment: null, layers: [], data, train: { ...TRAIN_DEFAULTS }, source: '' };
}

describe('checking data against the model', () => {
  it('reports missing paths as E040 issues on the data line', () => {
    const dir = tmpDir();
    const issues = checkModelData(model({ kind: 'idx', path: 'mnist', val: null, samples: null, line: 3 }), dir);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'E040', severity: 'error', target: 'data' });
    expect(issues[0].message).toMatch(/The folder 'mnist' does not exist \(looked for .*mnist; paths are relative to the \.cnn file\)\./);
    expect(() => probeData({ kind: 'npz', path: 'x.npz', val: null, samples: null, line: 0 }, dir)).toThrow(DataError);
    try {
      probeData({ kind: 'npz', path: 'x.npz', val: null, samples: null, line: 0 }, dir);
    } catch (e) {
      expect((e as DataError).code).toBe('E040');
    }
  });

  it('reports size and class-count mismatches with what to change', () => {
    const dir = tmpDir();
    const p = idxPair(10, 28, 28, 10);
    fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), p.images);
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), p.labels);
    const spec = { kind: 'idx', path: '.', val: null, samples: null, line: 0 } as const;
    expect(checkModelData(model(spec), dir).map((i) => [i.target, i.suggestion, i.message])).toEqual([
      ['units', 'units=10', 'the data has 10 classes but the last dense layer has 3 units: set units=10.'],
    ]);
    const named = checkModelData(model(spec, { h: 32, w: 32, c: 3 }, ['door', 'stair', 'sign']), dir);
    expect(named.map((i) => i.message)).toEqual([
      `the images are 28×28×1 but the model's input is 32×32×3: change the input line to "input 28x28x1" (idx data is not resized).`,
      'the data has 10 classes but the last dense layer has 3 units: set units=10 and list 10 names on the classes line.',
    ]);
    expect(checkModelData(model(spec, { h: 28, w: 28, c: 1 }, Array.from({ length: 10 }, (_, k) => String(k))), dir)).toEqual([]);
  });

  it('a stray label names its sample and what the network expects, instead of advising units=label+1', () => {
    const dir = tmpDir();
    const p = idxPair(30, 28, 28, 10); // labels i % 10
    p.labels[8 + 17] = 200; // sample 17 (the IDX labels header is 8 bytes)
    p.labels[8 + 23] = 12;
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), p.images);
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), p.labels);
    const spec = { kind: 'idx', path: '.', val: null, samples: null, line: 0 } as const;
    const ten = Array.from({ length: 10 }, (_, k) => String(k));
    const expected =
      'sample 17 of train-labels-idx1-ubyte has label 200, but the last dense layer has 10 units, so the network expects labels 0…9 ' +
      '(2 samples in all are outside that range; the data uses 12 different labels, so they look like mistakes rather than more classes). Fix those labels.';
    const issues = checkModelData(model(spec, { h: 28, w: 28, c: 1 }, ten), dir);
    expect(issues).toEqual([{ code: 'E040', severity: 'error', target: 'data', message: expected }]);
    expect(() => openData(spec, { baseDir: dir, input: { h: 28, w: 28, c: 1 }, numClasses: 10, seed: 1 })).toThrow(expected);
    // Labels that use every class up to the largest mean the data has more classes: then units= is the fix.
    const q = idxPair(30, 28, 28, 12);
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), q.labels);
    expect(checkModelData(model(spec, { h: 28, w: 28, c: 1 }, ten), dir).map((i) => i.suggestion)).toEqual(['units=12']);
  });

  it('a network without a dense layer at the end is told to add one, not to set units= on a layer it lacks', () => {
    const probe = probeData({ kind: 'shapes', samples: 30, val: null, line: 0 }, '.');
    expect(checkDataAgainstModel(probe, { input: { h: 8, w: 8, c: 1 }, numClasses: 0 })).toEqual([
      { code: 'E040', severity: 'error', target: 'units', message: 'the network gives no class scores: end it with "dense units=3" and "softmax" (the data has 3 classes (door, stair, sign)).' },
    ]);
  });

  it('accepts shapes at any input size and folders at any size with up to 4 channels', () => {
    expect(checkModelData(model({ kind: 'shapes', samples: 30, val: null, line: 0 }, { h: 9, w: 50, c: 1 }, ['door', 'stair', 'sign']), '.')).toEqual([]);
    const probe = { ...probeData({ kind: 'shapes', samples: 30, val: null, line: 0 }, '.'), kind: 'folder' as const };
    expect(checkDataAgainstModel(probe, { input: { h: 64, w: 64, c: 3 }, numClasses: 3 })).toEqual([]);
    expect(checkDataAgainstModel(probe, { input: { h: 64, w: 64, c: 5 }, numClasses: 3 })[0].message).toMatch(/image folders give 1 \(grey\) or 3 \(colour\) channels, but the model's input has 5/);
  });

  it('refuses validation fractions outside [0, 1)', () => {
    expect(() => probeData({ kind: 'shapes', samples: 30, val: 1.5, line: 0 }, '.')).toThrow(/must be at least 0 and below 1, got 1\.5/);
  });
});

describe('src/data import rules', () => {
  it("imports only the platform's host (never a node built-in), the image decoders (pngjs, jpeg-js, dicom-parser), language/model, language/printable, language/classNames and itself", () => {
    const dir = path.resolve(__dirname, '../../../src/data');
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      for (const m of text.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)) {
        const spec = m[1];
        const ok = spec === '../platform/host' || ['pngjs', 'jpeg-js', 'dicom-parser'].includes(spec) || spec === '../language/model' || spec === '../language/printable' || spec === '../language/classNames' || spec.startsWith('./');
        expect(ok, `${f} imports ${spec}`).toBe(true);
      }
    }
  });
});
