// A trained network for the commands that use one (`cnn predict`, `cnn evaluate`): the checked .cnn file, the
// engine's network built for it and its checkpoint loaded, each failure one line for the user (exit 1).

import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createNetwork, loadCheckpoint, type Network } from '../engine';
import type { ModelSpec } from '../language';
import { TrainError } from '../trainer/errors';
import { modelFromJob } from '../trainer/prepare';
import { UserError } from './errors';
import { readSource } from './source';

/** The checked model of the .cnn file `fileArg` (as typed), or a UserError with its first error. */
export function checkedModel(fileArg: string): ModelSpec {
  try {
    return modelFromJob({ file: resolve(fileArg), source: readSource(fileArg), outDir: '' });
  } catch (err) {
    if (err instanceof TrainError) throw new UserError(err.message);
    throw err;
  }
}

/**
 * The network of `spec` with the weights of the checkpoint `weights`, with buffers for `batch` samples at a time
 * (a very deep network then needs far less memory than training). `verb` says what it is for ("predict with").
 */
export function trainedNetwork(spec: ModelSpec, fileArg: string, weights: string, batch: number, verb: string): Network {
  let net: Network;
  try {
    net = createNetwork(spec, { seed: spec.train.seed, threads: 1, batch: Math.max(1, batch) });
  } catch (err) {
    // A network the engine cannot build (no layers, no class scores at the end).
    throw new UserError(`cannot ${verb} ${fileArg}: ${(err as Error).message}.`);
  }
  const path = resolve(weights);
  const missing = !existsSync(path) ? 'no such file (a .safetensors checkpoint from cnn train)' : statSync(path).isDirectory() ? 'it is a folder; give the model.safetensors in it' : null;
  if (missing) {
    void net.dispose();
    throw new UserError(`cannot load ${weights}: ${missing}.`);
  }
  try {
    net.setParams(loadCheckpoint(path, spec).tensors);
  } catch (err) {
    void net.dispose();
    throw new UserError(`cannot load ${weights}: ${(err as Error).message}`);
  }
  return net;
}
