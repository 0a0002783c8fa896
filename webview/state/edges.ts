// The architecture drawing's connectors: how each one runs between two boxes (along a lane, down or up between
// lanes, over boxes in a channel above a lane, to the next row, or down the right margin to a later row), the
// tracks of the runs that share a channel, and the SVG path of each, in straight runs. Pure.

import type { BoxLayout } from './architecture';

/**
 * `next` along a lane to the next box; `branch`/`merge` down or up between lanes; `skip` over boxes in between;
 * `wrap` from the end of a row into the next; `long` down the right margin to a later row (a run cut between rows).
 */
export type EdgeRoute = 'next' | 'branch' | 'merge' | 'skip' | 'wrap' | 'long';

/** Spacing of the connectors that run side by side. */
export const TRACK = 6;

/** A horizontal run above a lane (row, lane), from x0 to x1, and the track it got there. */
export interface ChannelRun {
  row: number;
  lane: number;
  track: number;
  x0: number;
  x1: number;
}

/** A connector between two boxes (their positions in the layout's list), routed but not yet drawn. */
export interface Pending {
  from: number;
  to: number;
  route: EdgeRoute;
  /** Its run above a lane, for skips, for branches and merges that cannot run along a lane, and for `long`. */
  channel: ChannelRun | null;
  /** The track of a connector to a later row in the gap under its own row, and in the right margin (none: to the next row). */
  long: { gapTrack: number; margin: number | null } | null;
}

/**
 * Gives every run a track in its channel: interval colouring with the shortest runs first, so track 0 (nearest
 * the boxes) holds the shortest and nested skips never cross. Returns the number of tracks of each channel
 * (`row:lane`).
 */
export function assignTracks(runs: ChannelRun[]): Map<string, number> {
  const byChannel = new Map<string, ChannelRun[]>();
  for (const c of runs) byChannel.set(`${c.row}:${c.lane}`, [...(byChannel.get(`${c.row}:${c.lane}`) ?? []), c]);
  const counts = new Map<string, number>();
  for (const [key, list] of byChannel) {
    const taken: [number, number][][] = [];
    for (const c of [...list].sort((p, q) => p.x1 - p.x0 - (q.x1 - q.x0))) {
      let t = taken.findIndex((spans) => spans.every(([a, b]) => c.x1 < a - 2 || c.x0 > b + 2));
      if (t < 0) t = taken.push([]) - 1;
      taken[t]!.push([c.x0, c.x1]);
      c.track = t;
    }
    counts.set(key, taken.length);
  }
  return counts;
}

/** Where a connector's runs go, besides its two boxes. */
export interface EdgeGeometry {
  /** The gap right after the source's column and right before the target's. */
  after: number;
  before: number;
  /** Between the target's row and the one above it (for `wrap`). */
  gapY: number;
  /** Just under the source's figures (for `wrap`). */
  under: number;
  /** Its channel run's height, if it has one. */
  channelY: number | null;
  /** A connector's run under its row to a later row, and its line in the right margin (null: into the next row). */
  long: { y: number; x: number | null } | null;
}

/** Middle of a box's front face, its right end (behind the receding side) and its left edge. */
function anchor(b: BoxLayout): { y: number; right: number; left: number } {
  return { y: b.fy + b.size.height / 2, right: b.fx + b.size.front + b.size.depth + 2, left: b.fx - 3 };
}

/**
 * A connector's path, in straight runs, ending at the left of the target's front face: along a lane; down or up
 * in the gap between two columns; over boxes in a channel above a lane; from one row to the next, down from under
 * the last box, back left and into the box; from a row cut between columns, down the gap after the source and
 * along the gap under its row into the next; or down the right margin and back left above the target's lane.
 */
export function edgePath(route: EdgeRoute, a: BoxLayout, b: BoxLayout, at: EdgeGeometry): string {
  const p = anchor(a);
  const q = anchor(b);
  const n = (v: number) => Math.round(v * 10) / 10;
  const start = `M${p.right},${n(p.y)}`;
  const end = `V${n(q.y)}H${q.left}`;
  if (at.long && at.long.x === null) return `${start}H${at.after}V${at.long.y}H${at.before}${end}`;
  if (route === 'wrap') {
    // Between the rows: below the figures of row a, above everything of row b.
    const out = Math.round(a.x + a.width / 2);
    const entry = Math.max(2, b.x - 6);
    return `M${out},${at.under}V${at.gapY}H${entry}${end}`;
  }
  if (at.long && at.long.x !== null && at.channelY !== null) return `${start}H${at.after}V${at.long.y}H${n(at.long.x)}V${at.channelY}H${at.before}${end}`;
  if (at.channelY !== null) return `${start}H${at.after}V${at.channelY}H${at.before}${end}`;
  if (route === 'next') return `${start}L${q.left},${n(q.y)}`;
  // Down into the gap after a, then along b's lane; or along a's lane, then up in the gap before b.
  if (route === 'branch') return `${start}H${at.after}${end}`;
  return `${start}H${at.before}${end}`;
}
