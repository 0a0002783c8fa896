// `cnn evaluate FILE --weights CKPT [--split val|test] [--json]`: a trained network's figures on a split of its
// data, computed by src/metrics (equal to scikit-learn's). Single-label: accuracy, balanced accuracy,
// per-class precision/recall/F1, the confusion matrix and the one-vs-rest AUC. Multi-label (a sigmoid ending):
// accuracy at 0.5 averaged over labels, AUC per label and their mean, and per label precision/recall/F1 at 0.5
// in the text. `val` is the validation split training used (same seed, same rule); `test` the source's own
// test split (MedMNIST's test_*, MNIST's t10k).

import { DataError, type Dataset, type OpenedData } from '../data';
import type { ModelSpec } from '../language';
import { multiLabelReport, perLabelAccuracy, perLabelScores, singleLabelReport, type ClassScores, type MultiLabelReport, type SingleLabelReport } from '../metrics';
import { predictSplit } from '../trainer/predictions';
import { TrainError } from '../trainer/errors';
import { openModelData } from '../trainer/prepare';
import { type ParsedArgs, stringFlag, UsageError } from './args';
import type { Io } from './check';
import { UserError } from './errors';
import { checkedModel, trainedNetwork } from './trained';

export type SplitName = 'val' | 'test';

const SPLIT_WORDS: Record<SplitName, string> = { val: 'validation', test: 'test' };

export async function runEvaluate(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positional.length !== 1) throw new UsageError('evaluate needs exactly one .cnn file');
  const weights = stringFlag(args, 'weights');
  if (!weights) throw new UsageError('evaluate needs --weights CKPT (a .safetensors checkpoint from cnn train)');
  const split = stringFlag(args, 'split') ?? 'val';
  if (split !== 'val' && split !== 'test') throw new UsageError(`--split is val or test, not '${split}'`);
  const fileArg = args.positional[0]!;
  const spec = checkedModel(fileArg);
  const data = openSplitData(spec, fileArg, split);
  try {
    const set = chosenSplit(data, split, fileArg, spec);
    for (const w of data.warnings) io.err(`warning: ${w}\n`);
    const net = trainedNetwork(spec, fileArg, weights, Math.min(set.size, Math.max(spec.train.batch, 64)), 'evaluate');
    let p: ReturnType<typeof predictSplit>;
    try {
      p = predictSplit(net, set, Math.max(spec.train.batch, 64), spec.task);
    } finally {
      await net.dispose();
    }
    const ctx = { network: spec.name, weights, note: split === 'test' ? data.testNote : null };
    const json = args.flags.has('json');
    if (p.targets instanceof Float32Array) {
      const k = data.classNames.length;
      const report = multiLabelReport(split, k, p.targets, p.probs);
      const n = report.samples;
      io.out(json ? JSON.stringify(report) + '\n' : formatMultiLabelReport(report, data.classNames, perLabelScores(p.targets, p.probs, n, k), perLabelAccuracy(p.targets, p.probs, n, k), ctx));
    } else {
      const report = singleLabelReport(split, data.classNames, p.targets, p.probs);
      io.out(json ? JSON.stringify(report) + '\n' : formatReport(report, ctx));
    }
    return 0;
  } finally {
    data.close();
  }
}

function openSplitData(spec: ModelSpec, fileArg: string, split: SplitName): OpenedData {
  try {
    return openModelData(spec, fileArg, { withTest: split === 'test' });
  } catch (err) {
    // With the code (E040, E055), as `cnn train` and `cnn check` say it.
    if (err instanceof TrainError || err instanceof DataError) throw new UserError(err.code ? `${err.code}: ${err.message}` : err.message);
    throw err;
  }
}

function chosenSplit(data: OpenedData, split: SplitName, fileArg: string, spec: ModelSpec): Dataset {
  if (split === 'test') {
    if (!data.test) throw new UserError(`${fileArg}: ${data.testNote ?? 'the data has no test split'}; evaluate the validation split with --split val.`);
    return data.test;
  }
  if (!data.val || data.val.size === 0) {
    const why = spec.train.val === 0 ? 'train val=0 turns it off' : 'the data is too small to carve one off';
    throw new UserError(`${fileArg}: the data has no validation split (${why})${data.probe.kind === 'npz' || data.probe.kind === 'idx' ? '; try --split test' : ''}.`);
  }
  return data.val;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function fixed(x: number | null): string {
  return x === null ? '–' : x.toFixed(4);
}

function table(rows: string[][], rightFrom: number): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => [...r[j]!].length)));
  return rows.map((r) => r.map((cell, j) => (j >= rightFrom ? cell.padStart(widths[j]!) : cell.padEnd(widths[j]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** The report for people: the figures, the per-class table and the confusion matrix. */
export function formatReport(r: SingleLabelReport, ctx: { network: string; weights: string; note: string | null }): string {
  const names = r.perClass.map((c) => c.class);
  const left = names.filter((_, c) => r.auc.perClass[c] === null);
  const lines = [
    `${ctx.network} on the ${SPLIT_WORDS[r.split as SplitName] ?? r.split} split (${r.samples.toLocaleString('en-US')} samples), weights ${ctx.weights}`,
    ...(ctx.note ? [`note: ${ctx.note}.`] : []),
    '',
    table(
      [
        ['accuracy', pct(r.accuracy)],
        ['balanced accuracy', pct(r.balancedAccuracy)],
        ['AUC (one-vs-rest, macro)', fixed(r.auc.macro)],
      ],
      1,
    ).trimEnd(),
    ...(left.length ? [`(AUC left out for ${left.join(', ')}: the split has ${left.length === 1 ? 'no sample of it' : 'no samples of them'}, or only those.)`] : []),
    '',
    table(
      [['class', 'precision', 'recall', 'F1', 'support', 'AUC'], ...r.perClass.map((c, k) => [c.class, fixed(c.precision), fixed(c.recall), fixed(c.f1), String(c.support), fixed(r.auc.perClass[k] ?? null)])],
      1,
    ).trimEnd(),
    '',
    'confusion matrix (rows: true class, columns: predicted)',
    table([['', ...names], ...r.confusion.map((row, k) => [names[k]!, ...row.map(String)])], 1).trimEnd(),
  ];
  return lines.join('\n') + '\n';
}

/** The multi-label report for people: the figures, then per label its positives, precision/recall/F1 and accuracy at 0.5, and AUC. */
export function formatMultiLabelReport(r: MultiLabelReport, names: readonly string[], scores: ClassScores[], accuracy: number[], ctx: { network: string; weights: string; note: string | null }): string {
  const left = names.filter((_, l) => r.auc.perClass[l] === null);
  const lines = [
    `${ctx.network} on the ${SPLIT_WORDS[r.split as SplitName] ?? r.split} split (${r.samples.toLocaleString('en-US')} samples, ${names.length} labels), weights ${ctx.weights}`,
    ...(ctx.note ? [`note: ${ctx.note}.`] : []),
    '',
    table(
      [
        ['accuracy (labels at 0.5, averaged)', pct(r.accuracy)],
        ['AUC (mean over labels)', fixed(r.auc.mean)],
      ],
      1,
    ).trimEnd(),
    ...(left.length ? [`(AUC left out for ${left.join(', ')}: the split has no positive or no negative sample of ${left.length === 1 ? 'it' : 'them'}.)`] : []),
    '',
    table(
      [
        ['label', 'positives', 'precision', 'recall', 'F1', 'accuracy', 'AUC'],
        ...scores.map((c, l) => [names[l]!, String(c.support), fixed(c.precision), fixed(c.recall), fixed(c.f1), pct(accuracy[l]!), fixed(r.auc.perClass[l] ?? null)]),
      ],
      1,
    ).trimEnd(),
  ];
  return lines.join('\n') + '\n';
}
