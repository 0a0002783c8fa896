// The tables of `cnn bench --profile`: a training step's and an inference pass's time per layer
// (src/engine/profile.ts works the rows out), as text a user reads in a terminal.

import type { Profile, ProfileRow } from '../engine/profile';

const DASH = '–';

/** Milliseconds with about three significant digits; a dash where the row has no such part. */
export function fmtMs(ms: number | null): string {
  if (ms === null) return DASH;
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

export function fmtRate(gflops: number | null): string {
  return gflops === null ? DASH : gflops.toFixed(1);
}

interface Column {
  title: string;
  right: boolean;
  cell(r: ProfileRow): string;
}

const col = (title: string, right: boolean, cell: (r: ProfileRow) => string): Column => ({ title, right, cell });

const TRAIN_COLUMNS: Column[] = [
  col('line', true, (r) => (r.line === null ? '' : `${r.line}`)),
  col('layer', false, (r) => r.layer),
  col('output', false, (r) => r.output ?? ''),
  col('forward ms', true, (r) => fmtMs(r.forwardMs)),
  col('GFLOP/s', true, (r) => fmtRate(r.forwardGflops)),
  col('input grad ms', true, (r) => fmtMs(r.inputGradMs)),
  col('GFLOP/s', true, (r) => fmtRate(r.inputGradGflops)),
  col('weight grad ms', true, (r) => fmtMs(r.weightGradMs)),
  col('GFLOP/s', true, (r) => fmtRate(r.weightGradGflops)),
  col('ms', true, (r) => fmtMs(r.ms)),
  col('share', true, (r) => `${r.share.toFixed(1)}%`),
];

const INFER_COLUMNS: Column[] = [TRAIN_COLUMNS[0]!, TRAIN_COLUMNS[1]!, TRAIN_COLUMNS[2]!, col('ms', true, (r) => fmtMs(r.ms)), TRAIN_COLUMNS[4]!, TRAIN_COLUMNS[10]!];

/** Layers show a dash for a part they lack; the step's own rows (loss, optimizer…) only their time and share. */
const STEP_CELLS = new Set(['layer', 'ms', 'share']);

function table(rows: readonly ProfileRow[], columns: readonly Column[]): string[] {
  const cells = rows.map((r) => columns.map((c) => (r.part === 'layer' || STEP_CELLS.has(c.title) ? c.cell(r) : '')));
  const widths = columns.map((c, k) => Math.max(c.title.length, ...cells.map((row) => row[k]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, k) => (columns[k]!.right ? v.padStart(widths[k]!) : v.padEnd(widths[k]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), ...cells.map(line)];
}

const rate = (p: Profile): string => Math.round(p.samplesPerSec).toLocaleString('en-US');

/** The training step's table, with its total and the fused activations. */
export function formatTrainProfile(p: Profile): string {
  const out = [
    `Training step by layer (median of ${p.steps} step${p.steps === 1 ? '' : 's'} at batch ${p.batch}, ms per step):`,
    ...table(p.rows, TRAIN_COLUMNS).map((l) => `  ${l}`),
    `  total ${fmtMs(p.totalMs)} ms per step, ${rate(p)} samples/s under profiling`,
  ];
  return out.join('\n') + '\n';
}

/** The inference pass's table, with its total. */
export function formatInferProfile(p: Profile): string {
  const out = [
    `Inference by layer (evaluation mode, median of ${p.steps} pass${p.steps === 1 ? '' : 'es'} at batch ${p.batch}):`,
    ...table(p.rows, INFER_COLUMNS).map((l) => `  ${l}`),
    `  total ${fmtMs(p.totalMs)} ms per pass, ${rate(p)} samples/s under profiling`,
  ];
  return out.join('\n') + '\n';
}

const runsIn = (notes: Profile['fused']): string => notes.map((f) => `line ${f.line} ${f.layer} runs in line ${f.into}`).join('; ');

/** What the tables' figures mean, and which statements run inside another layer (training's; inference's folds). */
export function profileNotes(p: Profile, infer?: Profile): string {
  const notes = [];
  if (p.fused.length > 0) notes.push(`Fused (no row of their own): ${runsIn(p.fused)}.`);
  if (infer && infer.folded.length > 0) {
    const why = 'its running statistics scale the filters of the conv before it and shift its bias';
    notes.push(`Folded into a conv in inference (no row of their own there; ${why}): ${runsIn(infer.folded)}.`);
  }
  notes.push(
    'Input grad: the backward less the same backward run again without the input gradient (that re-run, the weight grad, is left out of the total).',
    'GFLOP/s only where a layer multiplies (conv, deconv, dense); the rest is memory-bound.',
    'Profiling reads a clock around every layer and each figure is a median over the steps, so the totals are not the',
    'throughput: quote the samples/s figures at the top.',
  );
  return notes.join('\n') + '\n';
}
