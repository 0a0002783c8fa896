// A run's checkpoints: the last weights (model.safetensors, written after every epoch) and the weights of the
// best validation figure (best.safetensors): validation AUC when the epoch has one, else validation accuracy.
// Both written atomically (saveCheckpoint: a temp file, fsync, rename), with the figures in the metadata.

import { host } from '../platform/host';
import { loadCheckpoint, saveCheckpoint, type Network } from '../engine';
import type { ModelSpec } from '../language';
import type { DoneMessage } from '../protocol/trainer';
import { TrainError } from './errors';

export function writeCheckpoint(net: Network, spec: ModelSpec, path: string, metrics: object | null, epochs: number): void {
  try {
    saveCheckpoint(path, net, { source: spec.source, metrics: JSON.stringify({ epochs, ...(metrics ?? {}) }) });
  } catch (err) {
    throw new TrainError('checkpoint', `cannot write ${path}: ${(err as Error).message}`);
  }
}

/** The figure that picks the best epoch: AUC when the validation gave one, else accuracy. */
export interface BestFigure {
  metric: 'valAuc' | 'valAccuracy';
  value: number;
}

export function bestFigure(valAuc: number | null, valAccuracy: number | null): BestFigure | null {
  if (valAuc !== null) return { metric: 'valAuc', value: valAuc };
  if (valAccuracy !== null) return { metric: 'valAccuracy', value: valAccuracy };
  return null;
}

/** Whether `f` beats `best`: a higher value of the same figure; AUC beats accuracy (it is preferred when known). */
export function isBetter(f: BestFigure, best: BestFigure | null): boolean {
  if (!best) return true;
  if (f.metric !== best.metric) return f.metric === 'valAuc';
  return f.value > best.value;
}

/** Keeps best.safetensors: the weights of the epoch with the best validation figure so far. */
export class BestCheckpoint {
  private best: BestFigure | null = null;
  /** The path once this run (or the run it continues) has written it. */
  written: string | null = null;

  /** `continues`: this run resumes the folder's run, so an earlier best.safetensors there is the one to beat. */
  constructor(
    readonly path: string,
    continues: boolean,
  ) {
    if (continues && host().files.stat(path)) {
      try {
        const m = JSON.parse(loadCheckpoint(path).metadata.metrics ?? '{}') as { best?: BestFigure };
        if (m.best && (m.best.metric === 'valAuc' || m.best.metric === 'valAccuracy') && typeof m.best.value === 'number') {
          this.best = m.best;
          this.written = path;
        }
      } catch {
        // an unreadable best.safetensors is replaced by this run's best
      }
    }
  }

  /** After an epoch: writes the weights when the epoch's figure is the best so far; true when it did. */
  offer(net: Network, spec: ModelSpec, figures: NonNullable<DoneMessage['final']> & { valAuc: number | null }, epoch: number): boolean {
    const f = bestFigure(figures.valAuc, figures.valAccuracy);
    if (!f || !isBetter(f, this.best)) return false;
    writeCheckpoint(net, spec, this.path, { ...figures, best: f }, epoch);
    this.best = f;
    this.written = this.path;
    return true;
  }
}
