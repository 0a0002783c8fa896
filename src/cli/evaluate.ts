// `cnn evaluate FILE --weights CKPT [--split val|test] [--json]`: a trained network's figures on a split of its
// data — accuracy, balanced accuracy, per-class precision/recall/F1, the confusion matrix and the one-vs-rest
// AUC — computed by src/metrics (equal to scikit-learn's). `val` is the validation split training used (same
// seed, same rule); `test` the source's own test split (MedMNIST's test_*, MNIST's t10k).

import { DataError, type Dataset, type OpenedData } from '../data';
import type { ModelSpec } from '../language';
import { singleLabelReport, type SingleLabelReport } from '../metrics';
import { predictSplit } from '../trainer/predictions';
import { openModelData, TrainError } from '../trainer/run';
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
  if (isMultiLabel(spec)) {
    throw new UserError(`cannot evaluate ${fileArg}: it ends in sigmoid (multi-label), and the built-in engine trains and evaluates single-label networks (dense + softmax) only so far.`);
  }
  const data = openSplitData(spec, fileArg, split);
  try {
    const set = chosenSplit(data, split, fileArg, spec);
    for (const w of data.warnings) io.err(`warning: ${w}\n`);
    const net = trainedNetwork(spec, fileArg, weights, Math.min(set.size, Math.max(spec.train.batch, 64)), 'evaluate');
    let report: SingleLabelReport;
    try {
      const { probs, labels } = predictSplit(net, set, Math.max(spec.train.batch, 64));
      report = singleLabelReport(split, data.classNames, labels, probs);
    } finally {
      await net.dispose();
    }
    if (args.flags.has('json')) io.out(JSON.stringify(report) + '\n');
    else io.out(formatReport(report, { network: spec.name, weights, note: split === 'test' ? data.testNote : null }));
    return 0;
  } finally {
    data.close();
  }
}

/** A network whose last layer is a sigmoid gives one probability per label (spec: Version 2 → Tasks). */
function isMultiLabel(spec: ModelSpec): boolean {
  const last = spec.layers[spec.layers.length - 1]?.spec;
  return last?.kind === 'sigmoid' || (last?.kind === 'dense' && last.activation === 'sigmoid');
}

function openSplitData(spec: ModelSpec, fileArg: string, split: SplitName): OpenedData {
  try {
    return openModelData(spec, fileArg, { withTest: split === 'test' });
  } catch (err) {
    if (err instanceof TrainError || err instanceof DataError) throw new UserError(err.message);
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
