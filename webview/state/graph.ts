// Where each node of the network's graph goes in the architecture drawing: a column (its longest path from the
// input, so a straight chain is one column per layer, as before) and a lane (branches side by side: a layer
// carries on its input's lane unless another layer already did, a new branch takes a free lane below, a merge
// goes back to the topmost lane among its inputs), and the columns after which the drawing may wrap onto a new
// row without cutting a branch. Pure.

export interface Placement {
  /** Column of each node, from 0. */
  column: number[];
  /** Lane of each node, from 0 (the top). */
  lane: number[];
  columns: number;
  lanes: number;
  /**
   * `breakAfter[c]`: the drawing may wrap between columns c and c + 1: column c holds a single node and every
   * edge that crosses there leaves from it (a chain may wrap anywhere; a residual block or a U-Net skip stays whole).
   */
  breakAfter: boolean[];
}

/**
 * Places the nodes of a graph given in a topological order: `inputs[i]` are the nodes whose outputs flow into
 * node i, the current flow first. Inputs that are not earlier nodes are ignored (a broken file draws, never loops).
 */
export function placeGraph(inputs: readonly (readonly number[])[]): Placement {
  const n = inputs.length;
  const ins = inputs.map((list, i) => list.filter((j) => Number.isInteger(j) && j >= 0 && j < i));
  const column: number[] = [];
  for (let i = 0; i < n; i++) {
    const from = ins[i]!;
    column.push(from.length ? Math.max(...from.map((j) => column[j]!)) + 1 : i === 0 ? 0 : column[i - 1]! + 1);
  }

  const lane: number[] = [];
  /** The last column taken on each lane, and the node there. */
  const laneEnd: number[] = [];
  const lastOn: number[] = [];
  const continued = new Set<number>();
  const free = (t: number, c: number) => (laneEnd[t] ?? -1) < c;
  for (let i = 0; i < n; i++) {
    const from = ins[i]!;
    const c = column[i]!;
    // A node that ends its lane and has not been carried on yet, and whose lane is free up to this column.
    const open = (j: number) => lastOn[lane[j]!] === j && free(lane[j]!, c);
    let t = -1;
    if (from.length > 1) {
      const lanes = from.filter(open).map((j) => lane[j]!);
      if (lanes.length) t = Math.min(...lanes);
    } else if (from.length === 1 && !continued.has(from[0]!) && open(from[0]!)) t = lane[from[0]!]!;
    if (t < 0) {
      // A new branch: the first lane below its input's that is free here.
      t = from.length ? lane[from[0]!]! + 1 : 0;
      while (!free(t, c)) t++;
    } else {
      const carried = from.find((j) => lane[j] === t);
      if (carried !== undefined) continued.add(carried);
    }
    lane.push(t);
    laneEnd[t] = c;
    lastOn[t] = i;
  }

  const columns = n ? Math.max(...column) + 1 : 0;
  const count = new Array<number>(columns).fill(0);
  const only = new Array<number>(columns).fill(-1);
  column.forEach((c, i) => {
    count[c]!++;
    only[c] = i;
  });
  const breakAfter = count.map((k, c) => k === 1 && c < columns - 1);
  ins.forEach((from, i) => {
    for (const j of from) for (let c = column[j]!; c < column[i]!; c++) if (only[c] !== j || count[c] !== 1) breakAfter[c] = false;
  });
  return { column, lane, columns, lanes: n ? Math.max(...lane) + 1 : 0, breakAfter };
}
