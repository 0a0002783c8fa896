// Where `CNN: Show Model Summary` opens its table, as a pure function of the editor groups (unit-tested;
// summary.ts reads the groups from the window and carries the answer out).
//
// The table is about 80 columns wide. Beside the .cnn editor is where a companion view belongs, unless the group
// there is the inspector's: then the summary would either hide the inspector or squeeze into a third, narrow
// group where the table is clipped. In that case it goes below the .cnn editor, with that editor's width, and
// the inspector stays in view. A summary already open anywhere is shown where it is instead of opening twice.

export interface GroupView {
  /** The group's ViewColumn (1-based, in the order VS Code numbers the groups). */
  column: number;
  /** The CNN Inspector is one of its tabs. */
  inspector: boolean;
  /** This file's summary is one of its tabs. */
  summary: boolean;
}

export type SummaryPlacement =
  /** Show the summary in the group that already has it. */
  | { kind: 'reveal'; column: number }
  /** In the group to the right of the .cnn editor (ViewColumn.Beside), made if there is none. */
  | { kind: 'beside' }
  /** In a new group below the .cnn editor's group. */
  | { kind: 'below' };

/** Where the summary of the file shown in group `source` (undefined: not shown in any) goes. */
export function summaryPlacement(groups: readonly GroupView[], source: number | undefined): SummaryPlacement {
  const open = groups.find((g) => g.summary);
  if (open) return { kind: 'reveal', column: open.column };
  if (source === undefined) return { kind: 'beside' };
  const next = groups.find((g) => g.column === source + 1);
  return next?.inspector ? { kind: 'below' } : { kind: 'beside' };
}
