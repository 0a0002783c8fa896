// `cnn bench FILE [--steps N] [--threads T] [--profile] [--json]`: training and inference samples per second
// and peak memory of the built-in engine, on random data of the model's input shape, at the file's batch size;
// with --profile, also the time of each layer in a training step and an inference pass (benchProfile.ts).

import { resolve } from 'node:path';
import { createNetwork } from '../engine';
import { inferProfile, trainProfile, type InferTimes, type Profile, type TrainStepTimes } from '../engine/profile';
import { profileInferPass, profileTrainStep } from '../engine/profiler';
import { TrainError } from '../trainer/errors';
import { modelFromJob } from '../trainer/prepare';
import { intFlag, type ParsedArgs, UsageError } from './args';
import { formatInferProfile, formatTrainProfile, profileNotes } from './benchProfile';
import type { Io } from './check';
import { UserError } from './errors';
import { readSource } from './source';

export async function runBench(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positional.length !== 1) throw new UsageError('bench needs exactly one .cnn file');
  const file = resolve(args.positional[0]!);
  const steps = intFlag(args, 'steps', 1, 100_000) ?? 20;
  const threads = intFlag(args, 'threads', 1, 64) ?? 1;
  let spec;
  try {
    spec = modelFromJob({ file, source: readSource(args.positional[0]!), outDir: '' });
  } catch (err) {
    if (err instanceof TrainError) throw new UserError(err.message);
    throw err;
  }
  const batch = spec.train.batch;
  const per = spec.input.h * spec.input.w * spec.input.c;
  const x = new Float32Array(batch * per);
  for (let i = 0; i < x.length; i++) x[i] = Math.random();
  const net = createNetwork(spec, { seed: 1, threads, batch });
  // Class indices, or for a multi-label network (it ends in sigmoid) a 0/1 per label.
  const k = net.classes;
  const labels = net.task === 'single' ? Int32Array.from({ length: batch }, (_, i) => i % k) : Float32Array.from({ length: batch * k }, (_, i) => (i % 3 === 0 ? 1 : 0));
  let trainSec: number;
  let inferSec: number;
  let profile: { train: Profile; infer: Profile } | null = null;
  try {
    const warm = Math.max(2, Math.ceil(steps / 5));
    for (let i = 0; i < warm; i++) net.trainStep(x, labels, batch);
    let t0 = performance.now();
    for (let i = 0; i < steps; i++) net.trainStep(x, labels, batch);
    trainSec = (performance.now() - t0) / 1000;
    for (let i = 0; i < warm; i++) net.predict(x, batch);
    t0 = performance.now();
    for (let i = 0; i < steps; i++) net.predict(x, batch);
    inferSec = (performance.now() - t0) / 1000;
    if (args.flags.has('profile')) {
      // One step and pass unrecorded first, so the profiler's own code paths are warm too.
      const target = net.profileTarget();
      const trainTimes: TrainStepTimes[] = [];
      const inferTimes: InferTimes[] = [];
      for (let i = 0; i <= steps; i++) {
        const t = profileTrainStep(target, x, labels, batch);
        if (i > 0) trainTimes.push(t);
      }
      for (let i = 0; i <= steps; i++) {
        const t = profileInferPass(target, x, labels, batch);
        if (i > 0) inferTimes.push(t);
      }
      const plan = target.rt.plan;
      const task = net.task;
      profile = { train: trainProfile(plan, trainTimes, batch, { task, optimizer: net.optimizer.kind }), infer: inferProfile(plan, inferTimes, batch, { task }) };
    }
  } finally {
    await net.dispose();
  }
  const result = {
    trainSamplesPerSec: Math.round((steps * batch) / trainSec),
    inferSamplesPerSec: Math.round((steps * batch) / inferSec),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    // The threads the engine really ran on (1 where the shared-memory kernels are missing).
    threads: net.threads,
    batch,
  };
  if (args.flags.has('json')) io.out(JSON.stringify(profile ? { ...result, ...profile } : result) + '\n');
  else {
    io.out(`${spec.name}: batch ${batch}, ${net.threads} thread${net.threads === 1 ? '' : 's'} (${net.backendName}), ${steps} steps\n`);
    io.out(`  train      ${result.trainSamplesPerSec.toLocaleString('en-US')} samples/s\n`);
    io.out(`  inference  ${result.inferSamplesPerSec.toLocaleString('en-US')} samples/s\n`);
    io.out(`  peak RSS   ${result.peakRssMB} MB\n`);
    if (profile) io.out(`\n${formatTrainProfile(profile.train)}\n${formatInferProfile(profile.infer)}\n${profileNotes(profile.train, profile.infer)}`);
  }
  return 0;
}
