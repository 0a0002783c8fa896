// A run's start-up: check the job's model, check the data against it and the memory it needs, open the data,
// count the training split's classes and resolve `train class_weights`, build the network (from a checkpoint
// when asked). Each stage begins with `startup.stage()`: news for a slow start-up, and StoppedBeforeStart
// when a stop came.

import { host } from '../platform/host';
import { checkModelData, dataErrors, openData, type OpenedData } from '../data';
import { classCounts, imbalanceWarning, resolveClassWeights } from '../data/classCounts';
import { createNetwork, loadCheckpoint, type Network } from '../engine';
import { check, type ModelSpec, toModelSpec } from '../language';
import type { Task } from '../language/model';
import type { TrainJob } from '../protocol/trainer';
import { noDataLine, TrainError } from './errors';
import { ENGINE_MEMORY_LIMIT, memoryProblem } from './memory';
import { fileStem } from './paths';
import { trainingHost } from './trainingHost';
import { LONG_SOURCE, type Startup } from './startup';

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
  const result = check(job.source, trainingHost(job.file));
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

/**
 * The model's data as training splits it: checked against the model (TrainError with the data check's code,
 * E040 or E055), opened with the file's seed and validation rule, so `cnn evaluate --split val` sees the
 * samples that training validated on.
 */
export function openModelData(spec: ModelSpec, file: string, opts: { withTest?: boolean } = {}): OpenedData {
  if (!spec.data) throw noDataLine(file);
  const baseDir = host().path.dirname(host().path.resolve(file));
  // Warnings (W105) are openData's to give, among its own.
  const errors = dataErrors(checkModelData(spec, baseDir));
  if (errors.length) throw new TrainError('data', errors.map((i) => i.message).join(' '), errors[0]!.code);
  return openData(spec.data, {
    baseDir,
    input: spec.input,
    numClasses: spec.classes.length,
    classNames: spec.classes,
    task: spec.task,
    seed: spec.train.seed,
    valFraction: spec.train.val,
    ...(opts.withTest ? { withTest: true } : {}),
  });
}

export interface Prepared {
  spec: ModelSpec;
  net: Network;
  data: OpenedData;
  epochs: number;
  batch: number;
  seed: number;
  task: Task;
  /** Samples per class (multi-label: positives per label) of the training split. */
  classCounts: number[];
  /** The loss's weights from `train class_weights` (set on the network), or null. */
  classWeights: Float32Array | null;
  /** The data's warnings and the class-imbalance warning. */
  warnings: string[];
}

export async function prepare(job: TrainJob, startup: Startup): Promise<Prepared> {
  await startup.stage('checking the model', job.source.length >= LONG_SOURCE);
  const spec = modelFromJob(job);
  startup.layers = spec.layers.length;
  if (!spec.data) throw noDataLine(job.file);
  // Before anything is built or written: which layer is too big, or which batch fits (memory.ts).
  const tooBig = memoryProblem(spec, Math.min(ENGINE_MEMORY_LIMIT, host().totalMemoryBytes() * 0.6));
  if (tooBig) throw new TrainError('setup', tooBig);
  const seed = spec.train.seed;
  await startup.stage('opening the data');
  // Training also opens the test split, for its figures at the end of the run (a bad test file fails here, before training).
  const data = openModelData(spec, job.file, { withTest: job.mode !== 'inspect' });
  let counts: number[];
  let weights: Float32Array | null;
  try {
    if (data.train.size === 0) throw new TrainError('data', 'The training set is empty.', 'E040');
    counts = classCounts(data.train);
    // A wrong count or a class without samples for `balanced`: a DataError (E040) here, before training.
    weights = resolveClassWeights(spec.train.classWeights, counts, data.train.size, spec.task, data.classNames);
    await startup.stage('building the network');
  } catch (err) {
    data.close();
    throw err;
  }
  const imbalance = imbalanceWarning(counts, data.classNames, spec.task, weights !== null, data.train.size);
  const warnings = [...data.warnings, ...(imbalance ? [imbalance] : [])];
  let net: Network;
  try {
    // More threads than cores only makes the engine's spinning workers fight each other.
    const threads = Math.max(1, Math.min(job.threads ?? 1, host().cpus()));
    net = createNetwork(spec, { seed, threads });
  } catch (err) {
    data.close();
    // The check above leaves out the engine's scratch space: with a margin for it, say what to change.
    throw new TrainError('setup', memoryProblem(spec, ENGINE_MEMORY_LIMIT * 0.75) ?? `The built-in engine cannot build this network: ${(err as Error).message}.`);
  }
  try {
    net.setLossWeights(weights);
    if (job.init) {
      try {
        net.setParams(loadCheckpoint(job.init, spec).tensors);
      } catch (err) {
        throw new TrainError('setup', `cannot start from ${job.init}: ${(err as Error).message}`);
      }
    }
    await startup.stage(job.mode === 'inspect' ? 'computing the feature maps' : 'the first step');
  } catch (err) {
    data.close();
    await net.dispose();
    throw err;
  }
  return { spec, net, data, epochs: job.epochs ?? spec.train.epochs, batch: spec.train.batch, seed, task: spec.task, classCounts: counts, classWeights: weights, warnings };
}
