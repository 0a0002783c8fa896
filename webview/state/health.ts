// The Training tab's gradient-flow chart as state: per parameterised layer statement its weight-gradient norm
// over the run's steps, from the trainer's health messages (pure; the reducer in inspector.ts calls it).

import type { HealthMessage } from '../../src/protocol/trainer';

export interface GradientSeries {
  index: number;
  line: number;
  kind: string;
  /** (step, ‖∂L/∂w‖) with the norm > 0 (a log scale has no place for 0). */
  points: { x: number; y: number }[];
}

export interface HealthState {
  series: GradientSeries[];
  /** The latest epoch-end message (its diagnostics and dead/saturated shares), or null. */
  latest: HealthMessage | null;
}

/** Points kept per layer: past this, every other point is dropped (the chart is ~600 px wide). */
export const MAX_HEALTH_POINTS = 400;

export const emptyHealth = (): HealthState => ({ series: [], latest: null });

function thin<T>(points: T[]): T[] {
  return points.length > MAX_HEALTH_POINTS ? points.filter((_, i) => i % 2 === 0 || i === points.length - 1) : points;
}

/** One health message into the chart: a point per parameterised layer; a step that goes back starts again. */
export function reduceHealth(h: HealthState, m: HealthMessage): HealthState {
  const lastStep = Math.max(-Infinity, ...h.series.map((s) => s.points[s.points.length - 1]?.x ?? -Infinity));
  const base = m.step < lastStep ? [] : h.series;
  const byIndex = new Map(base.map((s) => [s.index, s]));
  for (const l of m.layers) {
    if (l.gradNorm === null) continue;
    const s = byIndex.get(l.index) ?? { index: l.index, line: l.line, kind: l.kind, points: [] };
    const points = s.points[s.points.length - 1]?.x === m.step ? s.points : thin([...s.points, ...(l.gradNorm > 0 ? [{ x: m.step, y: l.gradNorm }] : [])]);
    byIndex.set(l.index, { ...s, line: l.line, kind: l.kind, points });
  }
  const series = [...byIndex.values()].sort((a, b) => a.index - b.index);
  return { series, latest: m.diagnostics !== null ? m : m.step < lastStep ? null : h.latest };
}
