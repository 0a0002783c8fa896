// The PyTorch package: model.py, data.py (with datasets.py, shapes.py, arrays.py, images.py), train.py (with
// runs.py, report.py, inspection.py, distributed.py), safetensors_io.py, README.md and network.cnn, generated
// from a checked model, and the marker (.cnn-studio-export.json) by which the next export recognises it. Pure
// text generation (language types and node built-ins only), so the editor can use it without the engine.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ModelSpec } from '../language/model';
import { safeName } from './py/common';
import { dataConfig, dataPy } from './py/data';
import { modelPy } from './py/model';
import { readmeMd } from './py/readme';
import { DATA_MODULES, SAFETENSORS_MODULE, TRAIN_MODULES } from './py/modules';
import { trainPy } from './py/train';
import { type Decision, decidePackage, EXPORT_MARKER, markerText } from './target';
import { observeFolder, sha256 } from './targetFs';

export interface PytorchExportOptions {
  /** Absolute path of the .cnn file: data paths are relative to its folder. */
  file: string;
  /** The package folder (absolute); data paths are rewritten relative to it. */
  outDir: string;
}

export interface ExportedFile {
  name: string;
  text: string;
}

/** The default package folder: `<network>-pytorch/` beside the .cnn file. */
export function defaultPytorchDir(file: string, network: string): string {
  return join(dirname(resolve(file)), `${safeName(network)}-pytorch`);
}

/** A data path of the .cnn file (relative to its folder) as seen from the package folder, with / separators. */
export function dataPathFrom(outDir: string, file: string, p: string): string {
  const abs = isAbsolute(p) ? p : resolve(dirname(resolve(file)), p);
  const rel = relative(resolve(outDir), abs);
  // Different drives on Windows: no relative path; keep it absolute.
  if (isAbsolute(rel)) return abs;
  return (rel || '.').split(sep).join('/');
}

/** The package's files, in the order a reader would open them. */
export function pytorchPackage(spec: ModelSpec, opts: PytorchExportOptions): ExportedFile[] {
  const fileName = basename(opts.file);
  const data = dataConfig(spec, (p) => dataPathFrom(opts.outDir, opts.file, p));
  return [
    { name: 'README.md', text: readmeMd(spec, fileName, data) },
    { name: 'model.py', text: modelPy(spec, fileName) },
    { name: 'data.py', text: dataPy(spec, data) },
    ...DATA_MODULES,
    { name: 'train.py', text: trainPy(spec) },
    ...TRAIN_MODULES,
    SAFETENSORS_MODULE,
    { name: 'network.cnn', text: spec.source },
  ];
}

/**
 * May the package be written into `opts.outDir`? Missing or empty, or this network's earlier export unchanged
 * since (its marker says so); anything else only with `force` (target.ts decides, targetFs.ts looks).
 */
export function pytorchTarget(spec: ModelSpec, opts: PytorchExportOptions, force = false): Decision {
  const writes = [...pytorchPackage(spec, opts).map((f) => f.name), EXPORT_MARKER];
  return decidePackage(observeFolder(opts.outDir, writes), { network: spec.name, source: resolve(opts.file), writes }, force);
}

/**
 * Writes the package into `opts.outDir` (created if needed), each file atomically, and the marker that lets the
 * next export recognise it. Returns the paths written. Callers decide first (pytorchTarget): this overwrites.
 */
export function writePytorchPackage(spec: ModelSpec, opts: PytorchExportOptions): string[] {
  mkdirSync(opts.outDir, { recursive: true });
  const written: string[] = [];
  const hashes: Record<string, string> = {};
  const write = (name: string, text: string) => {
    const path = join(opts.outDir, name);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text, 'utf8');
    renameSync(tmp, path);
    written.push(path);
    hashes[name] = sha256(Buffer.from(text, 'utf8'));
  };
  for (const f of pytorchPackage(spec, opts)) write(f.name, f.text);
  write(EXPORT_MARKER, markerText({ network: spec.name, source: resolve(opts.file), files: hashes }));
  return written;
}
