// Where an export may write (src/export/target.ts): a new or empty folder, or this network's own earlier export
// as the export left it; a missing file, or CNN Studio's graph of the same network. Anything else needs force.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNetwork } from '../../../src/engine';
import { onnxModel, pytorchTarget, writePytorchPackage } from '../../../src/export';
import { decideFile, decidePackage, EXPORT_MARKER, markerText, onnxIdentity, parseMarker, refusalText, type FolderFound } from '../../../src/export/target';
import { observeFile } from '../../../src/export/targetFs';
import { specOf, tempDir, TINY } from './helpers';

const WANT = { network: 'Tiny', source: '/w/tiny.cnn', writes: ['README.md', 'model.py', EXPORT_MARKER] };
const marker = (over: Partial<{ network: string; source: string; files: Record<string, string> }> = {}) =>
  markerText({ network: 'Tiny', source: '/w/tiny.cnn', files: { 'README.md': 'h-readme', 'model.py': 'h-model' }, ...over });
const folder = (entries: string[], m: string | null, hashes: Record<string, string> = {}): FolderFound => ({ kind: 'folder', entries, marker: m, hashes });

describe('decidePackage', () => {
  it('writes into a missing or empty folder', () => {
    expect(decidePackage({ kind: 'missing' }, WANT, false)).toEqual({ write: true, replaces: false });
    expect(decidePackage(folder([], null), WANT, false)).toEqual({ write: true, replaces: false });
  });

  it('refuses a non-empty folder without a marker, naming what it holds; force writes', () => {
    const d = decidePackage(folder(['train.py', 'notes.txt'], null), WANT, false);
    expect(d).toEqual({ write: false, refusal: { kind: 'foreign', entries: ['notes.txt', 'train.py'] } });
    if (!d.write) expect(refusalText(d.refusal)).toBe('is not empty and is not a CNN Studio export (it holds "notes.txt", "train.py")');
    expect(decidePackage(folder(['train.py'], null), WANT, true)).toEqual({ write: true, replaces: true });
  });

  it('a marker that is not ours (not JSON, another tool, missing fields) is no marker', () => {
    for (const m of ['{', '[]', '{"exportedBy":"other","network":"Tiny","source":"/w/tiny.cnn","files":{}}', '{"exportedBy":"CNN Studio","network":"Tiny"}']) {
      expect(decidePackage(folder([EXPORT_MARKER], m), WANT, false)).toMatchObject({ write: false, refusal: { kind: 'foreign' } });
    }
  });

  it("recognises this network's earlier export and replaces it, other files in the folder included", () => {
    const found = folder(['README.md', 'model.py', 'runs', EXPORT_MARKER], marker(), { 'README.md': 'h-readme', 'model.py': 'h-model' });
    expect(decidePackage(found, WANT, false)).toEqual({ write: true, replaces: true });
  });

  it('refuses the export of another network or of another .cnn file', () => {
    const other = decidePackage(folder([EXPORT_MARKER], marker({ network: 'Other' })), WANT, false);
    expect(other).toEqual({ write: false, refusal: { kind: 'other-network', network: 'Other', source: '/w/tiny.cnn' } });
    if (!other.write) expect(refusalText(other.refusal)).toBe('holds the export of another network ("Other" from /w/tiny.cnn)');
    expect(decidePackage(folder([EXPORT_MARKER], marker({ source: '/elsewhere/tiny.cnn' })), WANT, false)).toMatchObject({ write: false, refusal: { kind: 'other-network' } });
    expect(decidePackage(folder([EXPORT_MARKER], marker({ network: 'Other' })), WANT, true)).toEqual({ write: true, replaces: true });
  });

  it('refuses when one of its files was changed since, or put there by hand; force writes', () => {
    const edited = decidePackage(folder(['README.md', 'model.py', EXPORT_MARKER], marker(), { 'README.md': 'h-readme', 'model.py': 'changed' }), WANT, false);
    expect(edited).toEqual({ write: false, refusal: { kind: 'edited', files: ['model.py'] } });
    if (!edited.write) expect(refusalText(edited.refusal)).toBe("holds this network's earlier export, but model.py was changed since");
    const added = decidePackage(folder(['model.py', EXPORT_MARKER], marker({ files: {} }), { 'model.py': 'x' }), WANT, false);
    expect(added).toMatchObject({ write: false, refusal: { kind: 'edited', files: ['model.py'] } });
    expect(decidePackage(folder(['model.py', EXPORT_MARKER], marker(), { 'model.py': 'changed' }), WANT, true)).toEqual({ write: true, replaces: true });
  });

  it('never writes a folder over a file, even with force', () => {
    expect(decidePackage({ kind: 'not-a-folder' }, WANT, true)).toEqual({ write: false, refusal: { kind: 'not-a-folder' } });
  });

  it('markers round-trip any name', () => {
    const m = { network: 'a"""\n\ud800 é', source: '/x/$(y)/a.cnn', files: { 'model.py': 'ab' } };
    expect(parseMarker(markerText(m))).toEqual({ exportedBy: 'CNN Studio', ...m });
  });
});

describe('decideFile (ONNX)', () => {
  it('writes a missing file and its own graph of the network; refuses anything else unless forced', () => {
    expect(decideFile({ kind: 'missing' }, { network: 'Tiny' }, false)).toEqual({ write: true, replaces: false });
    expect(decideFile({ kind: 'file', ours: true, network: 'Tiny' }, { network: 'Tiny' }, false)).toEqual({ write: true, replaces: true });
    expect(decideFile({ kind: 'file', ours: false, network: null }, { network: 'Tiny' }, false)).toEqual({ write: false, refusal: { kind: 'foreign-file' } });
    expect(decideFile({ kind: 'file', ours: true, network: 'Other' }, { network: 'Tiny' }, false)).toEqual({ write: false, refusal: { kind: 'other-network-file', network: 'Other' } });
    expect(decideFile({ kind: 'file', ours: false, network: null }, { network: 'Tiny' }, true)).toEqual({ write: true, replaces: true });
    expect(decideFile({ kind: 'folder' }, { network: 'Tiny' }, true)).toEqual({ write: false, refusal: { kind: 'folder-for-file' } });
    // A lone surrogate is stored as U+FFFD: still the same network.
    expect(decideFile({ kind: 'file', ours: true, network: 'a\ufffd' }, { network: 'a\ud800' }, false)).toEqual({ write: true, replaces: true });
  });

  it('onnxIdentity recognises our graphs and their network, and nothing else', () => {
    const spec = specOf(TINY);
    const bytes = onnxModel(spec, { tensors: createNetwork(spec, { seed: 1, threads: 1 }).params() });
    expect(onnxIdentity(bytes)).toEqual({ ours: true, network: 'Tiny' });
    expect(onnxIdentity(new TextEncoder().encode('just some text, not protobuf'))).toEqual({ ours: false, network: null });
    expect(onnxIdentity(new Uint8Array(0))).toEqual({ ours: false, network: null });
    expect(onnxIdentity(bytes.subarray(0, bytes.length - 7))).toEqual({ ours: false, network: null });
  });
});

describe('pytorchTarget and observeFile on disk', () => {
  it('an export leaves a marker that the next export of the network recognises; an edit or a foreign folder is refused', () => {
    const dir = tempDir();
    const file = join(dir, 'tiny.cnn');
    const spec = specOf(TINY, file);
    const outDir = join(dir, 'pkg');
    expect(pytorchTarget(spec, { file, outDir })).toEqual({ write: true, replaces: false });
    writePytorchPackage(spec, { file, outDir });
    const m = parseMarker(readFileSync(join(outDir, EXPORT_MARKER), 'utf8'))!;
    expect(m).toMatchObject({ network: 'Tiny', source: file });
    expect(Object.keys(m.files).sort()).toEqual(['README.md', 'arrays.py', 'augment.py', 'control.py', 'data.py', 'datasets.py', 'dicom.py', 'distributed.py', 'health.py', 'images.py', 'inspection.py', 'metrics.py', 'model.py', 'network.cnn', 'objective.py', 'report.py', 'runs.py', 'safetensors_io.py', 'shapes.py', 'train.py']);
    mkdirSync(join(outDir, 'runs'));
    expect(pytorchTarget(spec, { file, outDir })).toEqual({ write: true, replaces: true });
    writeFileSync(join(outDir, 'train.py'), '# my own changes\n');
    expect(pytorchTarget(spec, { file, outDir })).toEqual({ write: false, refusal: { kind: 'edited', files: ['train.py'] } });
    expect(pytorchTarget(specOf(TINY.replace('network Tiny', 'network Other'), file), { file, outDir })).toMatchObject({ write: false, refusal: { kind: 'other-network' } });
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'README.md'), 'my notes');
    expect(pytorchTarget(spec, { file, outDir: mine })).toEqual({ write: false, refusal: { kind: 'foreign', entries: ['README.md'] } });
    expect(pytorchTarget(spec, { file, outDir: mine }, true)).toEqual({ write: true, replaces: true });
  });

  it('observeFile tells our ONNX graph from another file', () => {
    const dir = tempDir();
    const spec = specOf(TINY);
    const ours = join(dir, 'Tiny.onnx');
    writeFileSync(ours, onnxModel(spec, { tensors: createNetwork(spec, { seed: 1, threads: 1 }).params() }));
    expect(observeFile(ours)).toEqual({ kind: 'file', ours: true, network: 'Tiny' });
    const theirs = join(dir, 'notes.onnx');
    writeFileSync(theirs, 'my notes');
    expect(observeFile(theirs)).toEqual({ kind: 'file', ours: false, network: null });
    expect(observeFile(join(dir, 'none.onnx'))).toEqual({ kind: 'missing' });
    expect(observeFile(dir)).toEqual({ kind: 'folder' });
  });
});
