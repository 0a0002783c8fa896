// When a run measures its training health (src/engine/health.ts) and what it sends: every HEALTH_EVERY steps
// and at each epoch's last step the gradient and weight norms and the update/weight ratio of that step (a copy
// of the parameters is taken just before it, so only recorded steps cost anything); at each epoch's end, in
// addition, the dead/saturated shares over a fixed batch of up to HEALTH_SAMPLES validation samples (training
// samples when there is no validation split) and the epoch's diagnostics (healthDiagnostics.ts), judged on the
// median gradient norm and update ratio of the epoch's records.

import type { Dataset } from '../data';
import type { HealthLayout, Network } from '../engine';
import { layerNorms, updateRatios } from '../engine';
import type { HealthMessage, LayerHealth } from '../protocol/health';
import { healthDiagnostics, median } from './healthDiagnostics';

export const HEALTH_EVERY = 20;
export const HEALTH_SAMPLES = 256;

export class HealthRecorder {
  private readonly layout: HealthLayout;
  private before: Float32Array | null = null;
  private armed = false;
  private pending: LayerHealth[] | null = null;
  /** The parameterised layers' figures of every record of the epoch so far. */
  private epoch: LayerHealth[][] = [];

  constructor(
    private readonly net: Network,
    /** The split the dead/saturated shares are measured on (its first HEALTH_SAMPLES samples). */
    private readonly probe: { data: Dataset; split: 'validation' | 'training' } | null,
    private readonly lr: number,
    private readonly every = HEALTH_EVERY,
  ) {
    this.layout = net.healthLayout();
  }

  /** Call just before optimizer step `step` (1-based over the run); `last`: the epoch's last step. */
  beforeStep(step: number, last: boolean): void {
    this.armed = last || step % this.every === 0;
    if (!this.armed || this.layout.params.length === 0) return;
    const p = this.net.flatParams();
    if (!this.before || this.before.length !== p.length) this.before = new Float32Array(p.length);
    this.before.set(p);
  }

  /**
   * Call right after the step (its gradients are still in place). A message for a step within the epoch; the
   * epoch's last step is kept for epochEnd (null then, and for steps not recorded).
   */
  afterStep(step: number, epoch: number, last: boolean): HealthMessage | null {
    if (!this.armed) return null;
    this.armed = false;
    const params = this.net.flatParams();
    const norms = layerNorms(this.layout.params, this.before ?? params, this.net.flatGrads());
    const ratios = this.before ? updateRatios(this.layout.params, this.before, params) : this.layout.params.map(() => null);
    const layers: LayerHealth[] = this.layout.params.map((l, k) => ({
      index: l.index,
      line: l.line,
      kind: l.kind,
      gradNorm: finite(norms[k]!.gradNorm),
      paramGradNorm: finite(norms[k]!.paramGradNorm),
      weightNorm: finite(norms[k]!.weightNorm),
      updateRatio: finite(ratios[k] ?? null),
    }));
    this.epoch.push(layers);
    if (last) {
      this.pending = layers;
      return null;
    }
    return { type: 'health', step, epoch, layers, diagnostics: null, samples: 0 };
  }

  /** At the end of an epoch (after its last step): the last step's figures, the unit activity and the diagnostics. */
  epochEnd(step: number, epoch: number): HealthMessage {
    const params = this.pending ?? [];
    const { samples, activity } = this.activity();
    const byIndex = new Map<number, LayerHealth>();
    for (const l of params) byIndex.set(l.index, { ...l });
    for (const a of activity) {
      const l = this.layout.activations.find((x) => x.index === a.index)!;
      const row = byIndex.get(a.index) ?? { index: l.index, line: l.line, kind: l.kind, gradNorm: null, paramGradNorm: null, weightNorm: null, updateRatio: null };
      row.activation = a.act;
      if (a.dead !== null) row.dead = finite(a.dead)!;
      if (a.saturated !== null) row.saturated = finite(a.saturated)!;
      byIndex.set(a.index, row);
    }
    const layers = [...byIndex.values()].sort((a, b) => a.index - b.index);
    // Judge gradients and updates on the epoch's medians (one step is noisy).
    const judged = layers.map((l) => {
      const rows = this.epoch.map((r) => r.find((x) => x.index === l.index)).filter((x): x is LayerHealth => x !== undefined);
      const med = (pick: (x: LayerHealth) => number | null) => {
        const xs = rows.map(pick).filter((v): v is number => v !== null);
        return xs.length ? median(xs) : null;
      };
      return { ...l, gradNorm: l.gradNorm === null ? null : med((x) => x.gradNorm), updateRatio: l.updateRatio === null ? null : med((x) => x.updateRatio) };
    });
    const diagnostics = healthDiagnostics(judged, { samples, lr: this.lr, split: this.probe?.split ?? 'validation' });
    this.epoch = [];
    this.pending = null;
    return { type: 'health', step, epoch, layers, diagnostics, samples };
  }

  private activity(): { samples: number; activity: ReturnType<Network['unitActivity']> } {
    const ds = this.probe?.data;
    if (!ds || ds.size === 0 || this.layout.activations.length === 0) return { samples: 0, activity: [] };
    const n = Math.min(HEALTH_SAMPLES, ds.size);
    const size = ds.height * ds.width * ds.channels;
    const x = new Float32Array(n * size);
    for (let i = 0; i < n; i++) ds.read(i, x, i * size);
    return { samples: n, activity: this.net.unitActivity(x, n) };
  }
}

/**
 * A figure as sent and written: 6 significant digits (float32 sums carry no more; metrics.jsonl stays small); a
 * non-finite norm (a diverged step) is null, as JSON and the validators take finite numbers only.
 */
function finite(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? Number(x.toPrecision(6)) : null;
}
