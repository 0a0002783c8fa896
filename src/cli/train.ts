// `cnn train FILE [--epochs N] [--init CKPT] [--out DIR] [--threads T] [--json]`: trains in this process with
// the same loop as the editor's trainer child; a progress bar on a terminal, plain lines otherwise.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TrainerMessage, TrainJob } from '../protocol/trainer';
import { classCountText, preparingText, testFiguresText } from '../protocol/messageText';
import { createRunDir, removeEmptyRunDir } from '../trainer/paths';
import { TrainError } from '../trainer/errors';
import { modelFromJob } from '../trainer/prepare';
import { runTraining } from '../trainer/run';
import { intFlag, type ParsedArgs, stringFlag, UsageError } from './args';
import { UserError } from './errors';
import type { Io } from './check';
import { readSource } from './source';
import { HealthReport } from './trainHealth';

export async function runTrain(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positional.length !== 1) throw new UsageError('train needs exactly one .cnn file');
  const file = resolve(args.positional[0]!);
  const source = readSource(args.positional[0]!);
  const json = args.flags.has('json');
  const epochs = intFlag(args, 'epochs', 1, 100_000);
  const threads = intFlag(args, 'threads', 1, 64);
  const init = stringFlag(args, 'init');
  let name = 'network';
  try {
    name = modelFromJob({ file, source, outDir: '' }).name;
  } catch (err) {
    if (!(err instanceof TrainError)) throw err;
    // Reported by runTraining below, in the chosen output format.
  }
  // A folder of our own (created here, or by --out naming one that does not exist yet) goes again when the run
  // fails before writing anything into it.
  const out = stringFlag(args, 'out');
  let outDir: string;
  let ours: boolean;
  if (out !== undefined) {
    outDir = resolve(out);
    ours = !existsSync(outDir);
  } else {
    try {
      outDir = createRunDir(file, name);
    } catch (err) {
      throw new UserError(`cannot create a run folder beside ${file}: ${(err as Error).message}`);
    }
    ours = true;
  }
  const job: TrainJob = { file, source, outDir, ...(epochs ? { epochs } : {}), ...(init ? { init: resolve(init) } : {}), ...(threads ? { threads } : {}) };

  let stop = io.closed?.aborted ?? false;
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = stop = true;
    io.err('\nStopping… (Ctrl+C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  // Nobody reads the output any more (`cnn train … | head -1`): stop as after Ctrl+C, so the checkpoint of the
  // weights so far is written, and finish silently.
  const onClosed = () => {
    stop = true;
  };
  io.closed?.addEventListener('abort', onClosed);
  const tty = !json && Boolean((process.stdout as { isTTY?: boolean }).isTTY) && !process.env.CI;
  const printer = json ? jsonPrinter(io) : tty ? barPrinter(io) : linePrinter(io);
  // Training-health warnings as they appear, and the last epoch's list at the end (--json: the health messages).
  const health = new HealthReport(args.positional[0]!);
  try {
    const result = await runTraining(job, {
      emit: (m) => {
        printer(m);
        if (!json) for (const line of health.take(m)) io.err(line);
      },
      stopRequested: () => stop,
      takeRequest: () => null,
    });
    // Failed or stopped before anything was written: no empty folder stays behind.
    if (ours) removeEmptyRunDir(outDir);
    if (!json && result.type === 'done') io.out(health.summary());
    return result.type === 'done' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    io.closed?.removeEventListener('abort', onClosed);
  }
}

function pct(x: number | null): string {
  return x === null ? '–' : `${(100 * x).toFixed(1)}%`;
}

function eta(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  const s = Math.round(sec);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function common(io: Io, m: TrainerMessage): boolean {
  switch (m.type) {
    case 'preparing':
      io.out(`${preparingText(m)}\n`);
      return true;
    case 'started':
      io.out(`Training on ${m.trainSize} samples, validating on ${m.valSize}; ${m.params.toLocaleString('en-US')} parameters; ${m.epochs} epoch${m.epochs === 1 ? '' : 's'} of ${m.stepsPerEpoch} steps.\n`);
      io.out(classCountText(m));
      for (const w of m.warnings) io.err(`warning: ${w}\n`);
      return true;
    case 'epoch':
      io.out(
        `epoch ${m.epoch}/${m.epochs}  train loss ${m.trainLoss.toFixed(4)} acc ${pct(m.trainAccuracy)}` +
          (m.valLoss !== null ? `  val loss ${m.valLoss.toFixed(4)} acc ${pct(m.valAccuracy)} AUC ${m.valAuc === null ? '–' : m.valAuc.toFixed(4)}` : '') +
          `  (${m.seconds.toFixed(1)}s)\n`,
      );
      return true;
    case 'done':
      if (!m.checkpoint) {
        io.out('Stopped before training started; nothing was written.\n');
        return true;
      }
      io.out(`${m.stopped ? 'Stopped' : 'Done'} after ${m.epochsRun} epoch${m.epochsRun === 1 ? '' : 's'}. Checkpoint: ${m.checkpoint}\n`);
      if (m.best) io.out(`Best validation checkpoint: ${m.best}\n`);
      if (m.test) io.out(`${testFiguresText(m.test)}\n`);
      io.out(`Metrics: ${m.metricsFile}\n`);
      return true;
    case 'error':
      io.err(`cnn: ${m.stage === 'data' ? 'data' : m.stage} error${m.code ? ` ${m.code}` : ''}: ${m.message}\n`);
      return true;
    case 'log':
      io.err(`${m.message}\n`);
      return true;
    default:
      return false;
  }
}

function jsonPrinter(io: Io) {
  return (m: TrainerMessage) => {
    if (m.type === 'snapshot') return;
    io.out(JSON.stringify(m) + '\n');
  };
}

function linePrinter(io: Io) {
  let last = 0;
  return (m: TrainerMessage) => {
    if (common(io, m)) return;
    if (m.type === 'progress') {
      const now = Date.now();
      if (now - last < 5000 && m.step !== m.steps) return;
      last = now;
      io.out(`epoch ${m.epoch}/${m.epochs} step ${m.step}/${m.steps}  loss ${m.loss.toFixed(4)} acc ${pct(m.accuracy)}  ${Math.round(m.samplesPerSec)} samples/s  eta ${eta(m.etaSec)}\n`);
    }
  };
}

function barPrinter(io: Io) {
  let drawn = false;
  const clear = () => {
    if (drawn) io.out('\r\x1b[2K');
    drawn = false;
  };
  return (m: TrainerMessage) => {
    if (m.type === 'progress') {
      const width = 28;
      const filled = Math.round((width * m.step) / m.steps);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      clear();
      io.out(`epoch ${m.epoch}/${m.epochs} ${bar} ${m.step}/${m.steps}  loss ${m.loss.toFixed(4)}  acc ${pct(m.accuracy)}  ${Math.round(m.samplesPerSec)}/s  eta ${eta(m.etaSec)}`);
      drawn = true;
      return;
    }
    clear();
    common(io, m);
  };
}
