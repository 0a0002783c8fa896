// `cnn export FILE --format pytorch|onnx [-o PATH] [--weights CKPT] [--seed N] [--layout nhwc|nchw]`:
//   pytorch  a self-contained Python package (model.py, data.py, train.py, …) in PATH (default
//            <network>-pytorch/ beside the file);
//   onnx     the inference graph as PATH (default <network>.onnx beside the file), weights from --weights
//            or freshly initialised with --seed (default: the file's train seed).
// Neither writes over the user's files: a non-empty folder that is not this network's earlier export, or a file
// that is not its ONNX graph, is refused (exit 1) unless --force (src/export/target.ts decides).

import { existsSync, mkdirSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import pkg from '../../package.json';
import { createNetwork, loadCheckpoint } from '../engine';
import { decideFile, defaultPytorchDir, EXPORT_MARKER, observeFile, onnxModel, type OnnxLayout, pytorchTarget, refusalText, writePytorchPackage } from '../export';
import { safeName } from '../export/py/common';
import { exportable, noClassScores } from '../export/exportable';
import { fileStem } from '../trainer/paths';
import { type FlagSpec, intFlag, type ParsedArgs, stringFlag, UsageError } from './args';
import { checkFile, DiagnosticPrinter, diagnosticsJson, type Io } from './check';
import { UserError } from './errors';

export const EXPORT_USAGE = 'cnn export FILE --format pytorch|onnx [-o PATH] [--weights CKPT] [--seed N] [--layout nhwc|nchw] [--force]';
export const EXPORT_SUMMARY =
  'Export for PyTorch (a Python package with model.py, data.py and train.py; default DIR <network>-pytorch/) or as an ONNX inference graph (default <network>.onnx, weights from --weights or fresh with --seed, input N×H×W×C unless --layout nchw). Never writes over other files: only into a new or empty folder or over its own earlier export of the network, unless --force.';
export const EXPORT_FLAGS: Record<string, FlagSpec> = {
  format: { value: true },
  out: { value: true, short: 'o' },
  weights: { value: true },
  seed: { value: true },
  layout: { value: true },
  force: {},
};

/** The whole command, ready for COMMANDS in main.ts. */
export const EXPORT_COMMAND = { usage: EXPORT_USAGE, summary: EXPORT_SUMMARY, flags: EXPORT_FLAGS, run: runExport };

function display(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}

export function runExport(args: ParsedArgs, io: Io): number {
  if (args.positional.length !== 1) throw new UsageError('export needs exactly one .cnn file');
  const format = stringFlag(args, 'format');
  if (!format) throw new UsageError('export needs --format pytorch or --format onnx');
  if (format !== 'pytorch' && format !== 'onnx') throw new UsageError(`--format must be pytorch or onnx, not '${format}'`);
  const layout = stringFlag(args, 'layout');
  if (layout !== undefined && layout !== 'nhwc' && layout !== 'nchw') throw new UsageError(`--layout must be nhwc or nchw, not '${layout}'`);
  if (format === 'pytorch') {
    for (const f of ['weights', 'seed', 'layout']) {
      if (args.flags.has(f)) throw new UsageError(`--${f} is for --format onnx (train.py takes --init CKPT and --seed N)`);
    }
  }
  const seedFlag = intFlag(args, 'seed', 0, 2 ** 31 - 1);
  const force = args.flags.has('force');

  const fileArg = args.positional[0]!;
  const file = resolve(fileArg);
  const result = checkFile(fileArg);
  const ex = exportable(result, fileStem(file));
  const diagnostics = diagnosticsJson(result);
  if (!ex.ok) {
    const errors = ex.errors;
    if (!errors.length) throw new UserError(`${fileArg} has no input line; nothing was exported. Run: cnn check ${fileArg}`);
    // The diagnostics as `cnn check` prints them, then the one-line refusal.
    const printer = new DiagnosticPrinter(io.err);
    for (const d of diagnostics) printer.print(fileArg, d);
    printer.finish();
    const first = diagnostics.find((d) => d.severity === 'error')!;
    throw new UserError(
      `${fileArg} has ${errors.length} error${errors.length === 1 ? '' : 's'} (first: line ${first.line}, ${first.code}: ${first.message}); nothing was exported. Run: cnn check ${fileArg}`,
    );
  }
  const spec = ex.spec;
  if (ex.missingData.length && format === 'pytorch') {
    const printer = new DiagnosticPrinter(io.err);
    for (const d of diagnostics.filter((x) => x.code === 'E040' && x.severity === 'error')) {
      printer.print(fileArg, d, `${d.message} Exported anyway: run train.py with --data PATH where the data is.`, 'warning');
    }
    printer.finish();
  }
  const outFlag = stringFlag(args, 'out');

  if (format === 'pytorch') {
    // A network the engine cannot build (no layers, no class scores at the end) has nothing for train.py to train.
    const noScores = noClassScores(spec);
    if (noScores) throw new UserError(`cannot export ${fileArg} for PyTorch: ${noScores}; nothing was written.`);
    const outDir = resolve(outFlag ?? defaultPytorchDir(file, spec.name));
    if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new UsageError(`${outFlag ?? outDir} is a file; -o needs a folder for the package`);
    const decision = pytorchTarget(spec, { file, outDir }, force);
    if (!decision.write) {
      throw new UserError(`${display(outDir)} ${refusalText(decision.refusal)}; nothing was written. Export to a new or empty folder with -o DIR, or add --force to write the package there (its files are replaced, others are kept).`);
    }
    let written: string[];
    try {
      written = writePytorchPackage(spec, { file, outDir });
    } catch (err) {
      throw new UserError(`cannot write the package to ${outDir}: ${(err as Error).message}`);
    }
    const shown = display(outDir);
    const names = written.map((p) => p.slice(outDir.length + 1)).filter((n) => n !== EXPORT_MARKER);
    io.out(`Wrote ${shown}/ (${names.join(', ')}).\n`);
    io.out(`Train it: cd ${shown} && python3 train.py   (torchrun --nproc_per_node=2 train.py for several processes; see README.md)\n`);
    return 0;
  }

  const outFile = resolve(outFlag ?? join(dirname(file), `${safeName(spec.name)}.onnx`));
  if (existsSync(outFile) && statSync(outFile).isDirectory()) throw new UsageError(`${outFlag ?? outFile} is a folder; -o needs a file name for the ONNX model`);
  const decision = decideFile(observeFile(outFile), { network: spec.name }, force);
  if (!decision.write) {
    throw new UserError(`${display(outFile)} ${refusalText(decision.refusal)}; nothing was written. Choose another file with -o FILE, or add --force to replace it.`);
  }
  const weights = stringFlag(args, 'weights');
  let tensors;
  let from: string;
  if (weights) {
    if (seedFlag !== undefined) throw new UsageError('--seed is for fresh weights; leave it out with --weights');
    try {
      tensors = loadCheckpoint(resolve(weights), spec).tensors;
    } catch (err) {
      throw new UserError(`cannot load ${weights}: ${(err as Error).message}`);
    }
    from = `weights from ${weights}`;
  } else {
    const seed = seedFlag ?? spec.train.seed;
    try {
      tensors = createNetwork(spec, { seed, threads: 1 }).params();
    } catch (err) {
      // A network the engine cannot build (no layers, no class scores at the end) has no graph to export.
      throw new UserError(`cannot export ${fileArg} as ONNX: ${(err as Error).message}; nothing was written.`);
    }
    from = `fresh weights (seed ${seed}; give --weights CKPT for trained ones)`;
  }
  const bytes = onnxModel(spec, { tensors, layout: (layout ?? 'nhwc') as OnnxLayout, producerVersion: pkg.version });
  try {
    mkdirSync(dirname(outFile), { recursive: true });
    const tmp = `${outFile}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, outFile);
  } catch (err) {
    throw new UserError(`cannot write ${outFile}: ${(err as Error).message}`);
  }
  const { h, w, c } = spec.input;
  const last = spec.layers[spec.layers.length - 1];
  const outName = last?.spec.kind === 'softmax' ? 'probabilities' : 'logits';
  const inShape = (layout ?? 'nhwc') === 'nhwc' ? `N×${h}×${w}×${c} (NHWC)` : `N×${c}×${h}×${w} (NCHW)`;
  io.out(`Wrote ${display(outFile)} (${bytes.length.toLocaleString('en-US')} bytes, ONNX opset 13): input 'input' float32 ${inShape}, output '${outName}' N×${spec.classes.length}; ${from}.\n`);
  return 0;
}
