// The epoch loop of a prepared run: train in steps with progress, answer the inspector's requests between
// steps, validate each epoch (loss, accuracy, AUC), append metrics.jsonl, write model.safetensors and keep
// best.safetensors, stop gracefully at the next step when asked; at the end, the test split's figures.

import { host } from '../platform/host';
import { Batcher } from '../data';
import { augmenterFor } from '../data/augment';
import type { DoneMessage, EpochMessage, StartedMessage, TestFigures, TrainJob } from '../protocol/trainer';
import { BestCheckpoint, writeCheckpoint } from './checkpoints';
import { divergence } from './divergence';
import { TrainError } from './errors';
import { evaluate, evaluationMessage } from './evaluation';
import type { RunHooks } from './hooks';
import { runFiles } from './paths';
import type { Prepared } from './prepare';
import { continuesRun } from './runClaim';
import { Snapshots } from './snapshots';
import { HealthRecorder } from './healthRecorder';
import { createYielder, nextTurn } from './yielder';
import type { Yielder } from '../engine';

export function startedMessage(p: Prepared, stepsPerEpoch: number): StartedMessage {
  return {
    type: 'started',
    epochs: p.epochs,
    stepsPerEpoch,
    trainSize: p.data.train.size,
    valSize: p.data.val?.size ?? 0,
    classes: p.data.classNames.slice(),
    params: p.net.paramCount,
    backend: 'builtin',
    warnings: p.warnings.slice(),
    task: p.task,
    classCounts: p.classCounts.slice(),
    classWeights: p.classWeights ? Array.from(p.classWeights) : null,
    threads: p.net.threads,
  };
}

/** One metrics.jsonl line: the message's fields without `type`, and the time. */
function metricsLine(fields: object): string {
  return JSON.stringify({ ...fields, type: undefined, time: new Date().toISOString() }) + '\n';
}

export async function trainPrepared(job: TrainJob, hooks: RunHooks, p: Prepared): Promise<DoneMessage> {
  const { spec, net, data, epochs, batch, seed, task } = p;
  const train = data.train;
  const val = data.val;
  // metrics.jsonl is appended to (a continued run keeps the earlier lines) and created by the first epoch.
  const { checkpoint, metrics: metricsFile, best: bestFile } = runFiles(job.outDir);
  const stepsPerEpoch = Math.ceil(train.size / batch);
  hooks.emit(startedMessage(p, stepsPerEpoch));

  // Only the training batches are augmented (validation, test, predictions and snapshots see the data as it is).
  const batcher = new Batcher(train, { batchSize: batch, seed, augment: augmenterFor(spec, seed) });
  // Multi-label data fills `t` (n×L 0/1), single-label `y` (class indices); the network checks they fit its task.
  const targets = batcher.t ?? batcher.y;
  const best = new BestCheckpoint(bestFile, continuesRun(job.outDir, job.init));
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
  const evalBatch = Math.max(batch, 64);
  // Training health (healthRecorder.ts): sent as it is measured, written to metrics.jsonl with each epoch's line.
  const health = new HealthRecorder(net, val && val.size > 0 ? { data: val, split: 'validation' } : { data: train, split: 'training' }, net.optimizer.lr);
  let healthLines = '';
  let globalStep = 0;

  const serviceRequests = async () => {
    // A macrotask turn, so stop and snapshot messages from the parent are received between steps.
    await nextTurn();
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
      health.beforeStep(++globalStep, step === stepsPerEpoch);
      const r = await net.trainStepCooperative(batcher.x, targets, n, yielder);
      if (!r) {
        stopped = true;
        break outer;
      }
      const hm = health.afterStep(globalStep, epoch, step === stepsPerEpoch);
      if (hm) {
        hooks.emit(hm);
        healthLines += metricsLine({ health: { ...hm, type: undefined } });
      }
      if (Number.isNaN(firstLoss)) firstLoss = r.loss;
      // Guessing costs ln(K) for K classes, ln 2 per label for multi-label.
      const diverged = divergence(r.loss, firstLoss, task === 'multilabel' ? 2 : net.classes);
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
    const v = validate ? await evaluate(net, val, evalBatch, yielder, { task, weights: p.classWeights }) : null;
    const m: EpochMessage = {
      type: 'epoch',
      epoch,
      epochs,
      trainLoss: lossSum / Math.max(seen, 1),
      trainAccuracy: correct / Math.max(seen, 1),
      valLoss: v?.loss ?? null,
      valAccuracy: v?.accuracy ?? null,
      valAuc: v?.auc.mean ?? null,
      seconds: (Date.now() - t0) / 1000,
    };
    hooks.emit(m);
    if (v) hooks.emit(evaluationMessage(v, data.classNames, 'validation'));
    host().files.appendFile(metricsFile, healthLines + metricsLine(m));
    healthLines = '';
    if (!validate || v) {
      const hm = health.epochEnd(globalStep, epoch);
      hooks.emit(hm);
      host().files.appendFile(metricsFile, metricsLine({ health: { ...hm, type: undefined } }));
    }
    final = { trainLoss: m.trainLoss, trainAccuracy: m.trainAccuracy, valLoss: m.valLoss, valAccuracy: m.valAccuracy };
    epochsRun = epoch;
    writeCheckpoint(net, spec, checkpoint, { ...final, valAuc: m.valAuc }, epochsRun);
    best.offer(net, spec, { ...final, valAuc: m.valAuc }, epoch);
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
  const test = stopped || hooks.stopRequested() ? null : await testFigures(p, evalBatch, yielder);
  if (test) host().files.appendFile(metricsFile, metricsLine({ test }));
  data.close();
  const done: DoneMessage = { type: 'done', checkpoint, metricsFile, stopped, epochsRun, final, test, best: best.written };
  hooks.emit(done);
  return done;
}

/**
 * The test split's figures with the run's last weights, when the data has a test split of its own that is not
 * also the validation split (that one was reported every epoch); null otherwise or when stopped meanwhile.
 */
async function testFigures(p: Prepared, batch: number, yielder: Yielder): Promise<TestFigures | null> {
  const { data, net, task } = p;
  const test = data.test;
  if (!test || test === data.val || test.size === 0) return null;
  const v = await evaluate(net, test, batch, yielder, { task, weights: p.classWeights, keepWrong: 0 });
  return v && { samples: v.samples, loss: v.loss, accuracy: v.accuracy, auc: v.auc.mean };
}

function formatLr(x: number): string {
  return Number(x.toPrecision(2)).toString();
}
