// The training-health diagnostics W301–W304 of one epoch, from its figures (pure): each names the layer
// statement, says what was measured and what to try. Thresholds (README, "Training health"):
//   W301  over half of a relu's units dead on every sample of the validation batch (leakyrelu keeps a gradient
//         through its slope, so it never makes one);
//   W302  over half of a sigmoid's or tanh's units saturated on every sample;
//   W303  a layer's weight-gradient norm over 1000× below or above the median of the other layers' (at least
//         two other parameterised layers);
//   W304  a layer's update/weight ratio ‖Δw‖/‖w‖ below 1e-5 or above 1e-1 (healthy is around 1e-3; Karpathy's
//         rule of thumb, CS231n "ratio of weights:updates").

import type { HealthDiagnostic, LayerHealth } from '../protocol/health';

export const DEAD_LIMIT = 0.5;
export const SATURATED_LIMIT = 0.5;
export const GRAD_FACTOR = 1000;
export const UPDATE_LOW = 1e-5;
export const UPDATE_HIGH = 1e-1;

export interface HealthContext {
  /** Samples the dead/saturated shares were measured on, and their split (training when there is no validation). */
  samples: number;
  split?: 'validation' | 'training';
  /** The run's learning rate (for the advice). */
  lr: number;
}

function pct(x: number): string {
  return `${Math.round(100 * x)}%`;
}

/** A figure in a message: 3 significant digits, exponent form outside [1e-3, 1e4). */
export function fig(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e4) return Number(x.toPrecision(3)).toString();
  return x.toExponential(2).replace('e+', 'e');
}

function times(x: number): string {
  return x >= 1e4 ? fig(x) : Math.round(x).toLocaleString('en-US');
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function lrText(lr: number): string {
  return Number(lr.toPrecision(2)).toString();
}

/**
 * The diagnostics of an epoch. `layers`: per layer statement, the gradient norm and update ratio to judge (the
 * epoch's median over its records: one step is noisy) and the dead/saturated shares of the epoch's end.
 */
export function healthDiagnostics(layers: readonly LayerHealth[], ctx: HealthContext): HealthDiagnostic[] {
  const out: HealthDiagnostic[] = [];
  const add = (l: LayerHealth, code: HealthDiagnostic['code'], message: string) => out.push({ code, index: l.index, line: l.line, message });
  const on = `on the ${ctx.samples} ${ctx.split ?? 'validation'} sample${ctx.samples === 1 ? '' : 's'}`;
  const withGrad = layers.filter((l) => l.gradNorm !== null);
  for (const l of layers) {
    const what = l.kind === l.activation ? `this ${l.kind}'s units` : `this layer's ${l.activation ?? ''} units`;
    if (l.dead !== undefined && l.activation === 'relu' && l.dead > DEAD_LIMIT) {
      add(l, 'W301', `${pct(l.dead)} of ${what} never fire ${on} (output 0 for every one), so they pass no gradient and stop learning. Try a smaller learning rate (lr=${lrText(ctx.lr / 10)}), leakyrelu, or batchnorm before it.`);
    }
    if (l.saturated !== undefined && l.saturated > SATURATED_LIMIT) {
      const tail = l.activation === 'tanh' ? '|output| above 0.99' : 'output below 0.01 or above 0.99';
      add(l, 'W302', `${pct(l.saturated)} of ${what} are saturated ${on} (${tail} for every one), where almost no gradient passes. Try batchnorm before it, relu instead, or a smaller learning rate or initialisation.`);
    }
    if (l.gradNorm !== null && withGrad.length >= 3) {
      const others = withGrad.filter((o) => o !== l).map((o) => o.gradNorm!);
      const med = median(others);
      if (med > 0 && l.gradNorm * GRAD_FACTOR < med) {
        const factor = l.gradNorm > 0 ? `${times(med / l.gradNorm)}× below` : 'far below';
        add(l, 'W303', `Vanishing gradient: its weight-gradient norm ${fig(l.gradNorm)} is ${factor} the median of the other layers (${fig(med)}), so this layer barely learns. Try relu instead of sigmoid/tanh, batchnorm, or fewer layers between it and the loss (or a skip connection with add).`);
      } else if (med > 0 && l.gradNorm > GRAD_FACTOR * med) {
        add(l, 'W303', `Exploding gradient: its weight-gradient norm ${fig(l.gradNorm)} is ${times(l.gradNorm / med)}× above the median of the other layers (${fig(med)}). Try a smaller learning rate (lr=${lrText(ctx.lr / 10)}) or batchnorm.`);
      }
    }
    if (l.updateRatio !== null && l.gradNorm !== 0) {
      if (l.updateRatio > UPDATE_HIGH) {
        add(l, 'W304', `Each optimizer step changes this layer's weights by ${pct(l.updateRatio)} (update/weight ratio ${fig(l.updateRatio)}; healthy is around 1e-3): the learning rate is too high. Try lr=${lrText(ctx.lr / 100)}.`);
      } else if (l.updateRatio < UPDATE_LOW) {
        add(l, 'W304', `The weights barely move: the update/weight ratio is ${fig(l.updateRatio)} (healthy is around 1e-3), so the learning rate is too low for this layer. Try lr=${lrText(ctx.lr * 100)}.`);
      }
    }
  }
  return out;
}
