// The training loop, shared by the trainer child process and `cnn train`: check the model, open the data,
// build the network, train with progress, validate each epoch, write metrics and checkpoints, answer
// snapshot requests between steps, and stop gracefully at the next step when asked.

import { appendFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { Batcher, checkModelData, DataError, openData, type Dataset, type OpenedData } from '../data';
import { createNetwork, loadCheckpoint, saveCheckpoint, type Network, type Yielder } from '../engine';
import { check, type ModelSpec, toModelSpec } from '../language';
import { ENGINE_MEMORY_LIMIT, memoryProblem } from './memory';
import { fileHost, fileStem, runFiles, runsFolder } from './paths';
import { claimRunDir, continuesRun, RunDirError, type RunDirClaim } from './runClaim';
import { divergence } from './divergence';
import { LONG_SOURCE, Startup, StoppedBeforeStart } from './startup';
import { createYielder } from './yielder';
import type { StartedMessage, DoneMessage, ErrorMessage, EvaluateRequest, EvaluationMessage, ErrorStage, SnapshotMessage, SnapshotRequest, TrainerMessage, TrainJob } from '../protocol/trainer';

export interface RunHooks {
  emit(m: TrainerMessage): void;
  /** True once a stop was requested; checked before every step. */
  stopRequested(): boolean;
  /** A pending snapshot or evaluation request, taken (and cleared) between steps. */
  takeRequest(): SnapshotRequest | EvaluateRequest | null;
  /** Inspect mode: waits for the next request; null when the parent asked to stop or went away. */
  nextRequest?(): Promise<SnapshotRequest | EvaluateRequest | null>;
  /** Reads an image file into H×W×C at the model's input size (for snapshots of a user's image). */
  readImage?(path: string, spec: ModelSpec): Promise<Float32Array>;
}

export class TrainError extends Error {
  constructor(
    readonly stage: ErrorStage,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}


/** Check the job's source and build the model spec, or explain why not. */
export function modelFromJob(job: TrainJob): ModelSpec {
  // `cnn train` asks once for the run folder's name and again in prepare(): a 50,000-line file is checked once.
  if (lastModel && lastModel.file === job.file && lastModel.source === job.source) return lastModel.spec;
  const spec = checkJob(job);
  lastModel = { file: job.file, source: job.source, spec };
  return spec;
}

let lastModel: { file: string; source: string; spec: ModelSpec } | null = null;

function checkJob(job: TrainJob): ModelSpec {
  const result = check(job.source, fileHost(job.file));
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const first = errors[0]!;
    const line = job.source.slice(0, first.offset).split(/\r\n|\r|\n/).length;
    throw new TrainError('setup', `${job.file}:${line}: ${first.code}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : ''}`, first.code);
  }
  const spec = toModelSpec(result, fileStem(job.file));
  if (!spec) throw new TrainError('setup', `${job.file} has no input line.`);
  return spec;
}

function mean(sum: number, n: number): number {
  return n > 0 ? sum / n : 0;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
  /** confusion[true][predicted] */
  confusion: number[][];
  misclassified: EvaluationMessage['misclassified'];
}

/**
 * Loss (mean cross-entropy), accuracy, confusion matrix and some misclassified samples, in batches; giving way
 * to the event loop when `yielder` says so, and null when it asked to stop.
 */
export async function evaluate(net: Network, data: Dataset, batch: number, yielder: Yielder, keepWrong = 24): Promise<Evaluation | null> {
  const per = data.height * data.width * data.channels;
  const x = new Float32Array(batch * per);
  const labels = new Int32Array(batch);
  let lossSum = 0;
  let correct = 0;
  const classes = net.classes;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const misclassified: Evaluation['misclassified'] = [];
  for (let start = 0; start < data.size; start += batch) {
    const n = Math.min(batch, data.size - start);
    for (let i = 0; i < n; i++) {
      data.read(start + i, x, i * per);
      labels[i] = data.label(start + i);
    }
    const probs = await net.predictCooperative(x.subarray(0, n * per), n, yielder);
    if (!probs) return null;
    for (let i = 0; i < n; i++) {
      const row = probs.subarray(i * classes, (i + 1) * classes);
      let best = 0;
      for (let k = 1; k < classes; k++) if (row[k]! > row[best]!) best = k;
      const label = labels[i]!;
      if (best === label) correct++;
      else if (misclassified.length < keepWrong) {
        misclassified.push({
          index: start + i,
          label,
          predicted: best,
          probabilities: Array.from(row),
          input: { shape: [data.height, data.width, data.channels], data: x.slice(i * per, (i + 1) * per) },
        });
      }
      if (label >= 0 && label < classes) confusion[label]![best]!++;
      lossSum += -Math.log(Math.max(row[label]!, 1e-12));
    }
  }
  return { loss: mean(lossSum, data.size), accuracy: mean(correct, data.size), confusion, misclassified };
}

export async function runTraining(job: TrainJob, hooks: RunHooks): Promise<DoneMessage | ErrorMessage> {
  try {
    return await train(job, hooks);
  } catch (err) {
    return reportError(err, hooks);
  }
}

function reportError(err: unknown, hooks: RunHooks): ErrorMessage {
  {
    const msg: ErrorMessage =
      err instanceof TrainError
        ? { type: 'error', stage: err.stage, message: err.message, ...(err.code ? { code: err.code } : {}) }
        : err instanceof DataError
          ? { type: 'error', stage: 'data', message: err.message, code: 'E040' }
          : { type: 'error', stage: 'train', message: (err as Error)?.message ?? String(err) };
    hooks.emit(msg);
    return msg;
  }
}

function noDataLine(file: string): TrainError {
  return new TrainError('setup', `${file} has no data line. Add one, e.g. "data shapes" (built in) or "data idx mnist/".`, 'E040');
}

/**
 * The model's data as training splits it: checked against the model (TrainError E040), opened with the file's
 * seed and validation rule, so `cnn evaluate --split val` sees the samples that training validated on.
 */
export function openModelData(spec: ModelSpec, file: string, opts: { withTest?: boolean } = {}): OpenedData {
  if (!spec.data) throw noDataLine(file);
  const baseDir = dirname(resolve(file));
  const issues = checkModelData(spec, baseDir);
  if (issues.length) throw new TrainError('data', issues.map((i) => i.message).join(' '), 'E040');
  return openData(spec.data, {
    baseDir,
    input: spec.input,
    numClasses: spec.classes.length,
    classNames: spec.classes,
    seed: spec.train.seed,
    valFraction: spec.train.val,
    ...(opts.withTest ? { withTest: true } : {}),
  });
}

interface Prepared {
  spec: ModelSpec;
  net: Network;
  data: OpenedData;
  epochs: number;
  batch: number;
  seed: number;
}

/**
 * Check the model, the data against it and the memory it needs; open the data; build the network. Each stage
 * begins with `startup.stage()`: news for a slow start-up, and StoppedBeforeStart when a stop came.
 */
async function prepare(job: TrainJob, startup: Startup): Promise<Prepared> {
  await startup.stage('checking the model', job.source.length >= LONG_SOURCE);
  const spec = modelFromJob(job);
  startup.layers = spec.layers.length;
  if (!spec.data) {
    throw noDataLine(job.file);
  }
  // Before anything is built or written: which layer is too big, or which batch fits (memory.ts).
  const tooBig = memoryProblem(spec, Math.min(ENGINE_MEMORY_LIMIT, totalmem() * 0.6));
  if (tooBig) throw new TrainError('setup', tooBig);
  const seed = spec.train.seed;
  await startup.stage('opening the data');
  const data = openModelData(spec, job.file);
  if (data.train.size === 0) throw new TrainError('data', 'The training set is empty.', 'E040');
  try {
    await startup.stage('building the network');
  } catch (err) {
    data.close();
    throw err;
  }
  let net: Network;
  try {
    // More threads than cores only makes the engine's spinning workers fight each other.
    const threads = Math.max(1, Math.min(job.threads ?? 1, availableParallelism()));
    net = createNetwork(spec, { seed, threads });
  } catch (err) {
    // The check above leaves out the engine's scratch space: with a margin for it, say what to change.
    throw new TrainError('setup', memoryProblem(spec, ENGINE_MEMORY_LIMIT * 0.75) ?? `The built-in engine cannot build this network: ${(err as Error).message}.`);
  }
  if (job.init) {
    try {
      net.setParams(loadCheckpoint(job.init, spec).tensors);
    } catch (err) {
      void net.dispose();
      throw new TrainError('setup', `cannot start from ${job.init}: ${(err as Error).message}`);
    }
  }
  try {
    await startup.stage(job.mode === 'inspect' ? 'computing the feature maps' : 'the first step');
  } catch (err) {
    data.close();
    await net.dispose();
    throw err;
  }
  return { spec, net, data, epochs: job.epochs ?? spec.train.epochs, batch: spec.train.batch, seed };
}

/** Snapshots of a sample (from the validation set, else training) or of an image file. */
class Snapshots {
  sample = 0;
  image: string | undefined;
  last = 0;
  constructor(
    private readonly p: Prepared,
    private readonly hooks: RunHooks,
  ) {}

  async send(): Promise<void> {
    const { spec, data, net } = this.p;
    const set = data.val ?? data.train;
    const x = new Float32Array(spec.input.h * spec.input.w * spec.input.c);
    let label: number | null = null;
    let source: string;
    if (this.image && this.hooks.readImage) {
      x.set(await this.hooks.readImage(this.image, spec));
      source = this.image;
    } else {
      const i = Math.min(this.sample, set.size - 1);
      set.read(i, x, 0);
      label = set.label(i);
      source = `${data.val ? 'validation' : 'training'} sample ${i}`;
    }
    this.hooks.emit(snapshot(net, spec, x, source, label, data.classNames));
    this.last = Date.now();
  }

  /** Answer one request; errors go to the host as snapshot errors and do not stop anything. */
  async answer(req: SnapshotRequest | EvaluateRequest): Promise<void> {
    try {
      if (req.type === 'evaluate') {
        const { data, net, batch } = this.p;
        const set = data.val ?? data.train;
        const v = await evaluate(net, set, Math.max(batch, 64), createYielder(() => this.hooks.stopRequested()));
        if (!v) return; // stopped meanwhile
        this.hooks.emit({ type: 'evaluation', classes: data.classNames.slice(), confusion: v.confusion, misclassified: v.misclassified, split: data.val ? 'validation' : 'training' });
        return;
      }
      if (req.imagePath) this.image = req.imagePath;
      else if (req.sample !== undefined) {
        this.image = undefined;
        this.sample = Math.max(0, req.sample);
      }
      await this.send();
    } catch (err) {
      this.hooks.emit({ type: 'error', stage: 'snapshot', message: (err as Error).message });
    }
  }
}

function startedMessage(p: Prepared, stepsPerEpoch: number): StartedMessage {
  return {
    type: 'started',
    epochs: p.epochs,
    stepsPerEpoch,
    trainSize: p.data.train.size,
    valSize: p.data.val?.size ?? 0,
    classes: p.data.classNames.slice(),
    params: p.net.paramCount,
    backend: 'builtin',
    warnings: p.data.warnings.slice(),
  };
}

/** Inspect mode: no training; answer snapshot and evaluation requests until stopped. */
export async function runInspect(job: TrainJob, hooks: RunHooks): Promise<DoneMessage | ErrorMessage> {
  let p: Prepared | null = null;
  try {
    try {
      p = await prepare(job, startupFor(hooks));
    } catch (err) {
      if (err instanceof StoppedBeforeStart) return stoppedBeforeStart(hooks);
      throw err;
    }
    hooks.emit(startedMessage(p, 0));
    const snaps = new Snapshots(p, hooks);
    await snaps.send();
    for (;;) {
      const req = hooks.nextRequest ? await hooks.nextRequest() : null;
      if (!req) break;
      await snaps.answer(req);
    }
    p.data.close();
    const done: DoneMessage = { type: 'done', checkpoint: job.init ?? '', metricsFile: '', stopped: true, epochsRun: 0, final: null };
    hooks.emit(done);
    return done;
  } catch (err) {
    return reportError(err, hooks);
  } finally {
    await p?.net.dispose();
  }
}

async function train(job: TrainJob, hooks: RunHooks): Promise<DoneMessage> {
  const claim = claimOutDir(job);
  const { temps, folders } = claim.removed;
  if (temps.length || folders.length) {
    const what = [temps.length ? `${temps.length} unfinished checkpoint file${temps.length === 1 ? '' : 's'}` : '', folders.length ? `${folders.length} empty run folder${folders.length === 1 ? '' : 's'}` : ''];
    hooks.emit({ type: 'log', message: `Removed ${what.filter(Boolean).join(' and ')} that interrupted runs left: ${[...temps, ...folders].join(', ')}.` });
  }
  try {
    let p: Prepared;
    try {
      p = await prepare(job, startupFor(hooks));
    } catch (err) {
      if (err instanceof StoppedBeforeStart) return stoppedBeforeStart(hooks);
      throw err;
    }
    try {
      return await trainPrepared(job, hooks, p);
    } finally {
      // Stops the engine's worker threads (threads > 1), whether training ended, stopped or failed.
      await p.net.dispose();
    }
  } finally {
    claim.release();
  }
}

function startupFor(hooks: RunHooks): Startup {
  return new Startup(hooks.emit, createYielder(() => hooks.stopRequested()));
}

/** Stopped during start-up: nothing was trained, so nothing is written (no checkpoint, no metrics). */
function stoppedBeforeStart(hooks: RunHooks): DoneMessage {
  const done: DoneMessage = { type: 'done', checkpoint: '', metricsFile: '', stopped: true, epochsRun: 0, final: null };
  hooks.emit(done);
  return done;
}

/** The run folder is this run's alone until it ends (runClaim.ts): claimed before anything is read. */
function claimOutDir(job: TrainJob): RunDirClaim {
  try {
    return claimRunDir(job.outDir, { continues: continuesRun(job.outDir, job.init), sweep: runsFolder(job.file) });
  } catch (err) {
    if (err instanceof RunDirError) throw new TrainError('setup', err.message);
    throw new TrainError('checkpoint', `cannot use ${job.outDir} as the run folder: ${(err as Error).message}`);
  }
}

async function trainPrepared(job: TrainJob, hooks: RunHooks, p: Prepared): Promise<DoneMessage> {
  const { spec, net, data, epochs, batch, seed } = p;
  const train = data.train;
  const val = data.val;
  // metrics.jsonl is appended to (a continued run keeps the earlier lines) and created by the first epoch.
  const { checkpoint, metrics: metricsFile } = runFiles(job.outDir);
  const stepsPerEpoch = Math.ceil(train.size / batch);
  hooks.emit(startedMessage(p, stepsPerEpoch));

  const batcher = new Batcher(train, { batchSize: batch, seed });
  const snaps = new Snapshots(p, hooks);
  let lastProgress = 0;
  const started = Date.now();
  let samplesDone = 0;
  const totalSamples = epochs * train.size;
  let final: DoneMessage['final'] = null;
  let epochsRun = 0;
  let stopped = false;
  let firstLoss = NaN;
  const yielder = createYielder(() => hooks.stopRequested());

  const serviceRequests = async () => {
    // A macrotask turn, so stop and snapshot messages from the parent are received between steps.
    await new Promise<void>((r) => setImmediate(r));
    const req = hooks.takeRequest();
    if (req) await snaps.answer(req);
    else if (job.snapshotIntervalMs && Date.now() - snaps.last >= job.snapshotIntervalMs) await snaps.send().catch(() => undefined);
  };

  outer: for (let epoch = 1; epoch <= epochs; epoch++) {
    const t0 = Date.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let step = 1; step <= stepsPerEpoch; step++) {
      if (hooks.stopRequested()) {
        stopped = true;
        break outer;
      }
      await serviceRequests();
      const n = batcher.fill(epoch, step - 1);
      // In pieces of layers: a stop is honoured within a step of a very deep network (null: stopped mid-step).
      const r = await net.trainStepCooperative(batcher.x, batcher.y, n, yielder);
      if (!r) {
        stopped = true;
        break outer;
      }
      if (Number.isNaN(firstLoss)) firstLoss = r.loss;
      const diverged = divergence(r.loss, firstLoss, net.classes);
      if (diverged) {
        throw new TrainError(
          'train',
          `The loss ${diverged} at epoch ${epoch}, step ${step}: training diverged. Try a lower learning rate (lr=${formatLr(spec.train.lr / 10)} instead of ${formatLr(spec.train.lr)}).`,
        );
      }
      lossSum += r.loss * n;
      correct += r.correct;
      seen += n;
      samplesDone += n;
      const now = Date.now();
      if (now - lastProgress >= 250 || step === stepsPerEpoch) {
        lastProgress = now;
        const elapsed = (now - started) / 1000;
        const rate = samplesDone / Math.max(elapsed, 1e-3);
        hooks.emit({
          type: 'progress',
          epoch,
          epochs,
          step,
          steps: stepsPerEpoch,
          loss: lossSum / seen,
          accuracy: correct / seen,
          samplesPerSec: rate,
          etaSec: (totalSamples - samplesDone) / Math.max(rate, 1e-6),
        });
      }
    }
    const validate = val !== null && val.size > 0;
    // null as well when a stop came during validation: the epoch counts, without its validation figures.
    const v = validate ? await evaluate(net, val, Math.max(batch, 64), yielder) : null;
    const m = {
      type: 'epoch' as const,
      epoch,
      epochs,
      trainLoss: lossSum / Math.max(seen, 1),
      trainAccuracy: correct / Math.max(seen, 1),
      valLoss: v?.loss ?? null,
      valAccuracy: v?.accuracy ?? null,
      seconds: (Date.now() - t0) / 1000,
    };
    hooks.emit(m);
    if (v) hooks.emit({ type: 'evaluation', classes: data.classNames.slice(), confusion: v.confusion, misclassified: v.misclassified, split: 'validation' });
    appendFileSync(metricsFile, JSON.stringify({ ...m, type: undefined, time: new Date().toISOString() }) + '\n');
    final = { trainLoss: m.trainLoss, trainAccuracy: m.trainAccuracy, valLoss: m.valLoss, valAccuracy: m.valAccuracy };
    epochsRun = epoch;
    writeCheckpoint(net, spec, checkpoint, final, epochsRun);
    if (validate && !v) {
      stopped = epoch < epochs;
      break;
    }
  }
  if (epochsRun === 0) {
    // Stopped before the first epoch ended: still leave the weights as they are.
    writeCheckpoint(net, spec, checkpoint, null, 0);
  }
  if (job.snapshotIntervalMs) await snaps.send().catch(() => undefined);
  data.close();
  const done: DoneMessage = { type: 'done', checkpoint, metricsFile, stopped, epochsRun, final };
  hooks.emit(done);
  return done;
}

function writeCheckpoint(net: Network, spec: ModelSpec, path: string, metrics: DoneMessage['final'], epochs: number): void {
  try {
    saveCheckpoint(path, net, { source: spec.source, metrics: JSON.stringify({ epochs, ...(metrics ?? {}) }) });
  } catch (err) {
    throw new TrainError('checkpoint', `cannot write ${path}: ${(err as Error).message}`);
  }
}

function formatLr(x: number): string {
  return Number(x.toPrecision(2)).toString();
}

/** Every layer's activations, every conv layer's filters and the class probabilities, for one sample. */
export function snapshot(net: Network, spec: ModelSpec, x: Float32Array, source: string, label: number | null, classes: readonly string[]): SnapshotMessage {
  const acts = net.activations(x);
  const probs = net.predict(x, 1);
  return {
    type: 'snapshot',
    source,
    label,
    input: { shape: [spec.input.h, spec.input.w, spec.input.c], data: x },
    activations: acts.map((a) => ({
      index: a.index,
      kind: a.kind,
      line: spec.layers[a.index]!.line,
      shape: a.shape.kind === 'volume' ? [a.shape.c, a.shape.h, a.shape.w] : [a.shape.n],
      data: a.data,
    })),
    filters: net.filters().map((f) => ({ index: f.index, line: spec.layers[f.index]!.line, shape: f.shape, data: f.data })),
    probabilities: Array.from(probs),
    classes: classes.slice(),
  };
}
