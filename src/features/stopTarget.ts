// Which run a stop request means, as a pure function (no editor here, so it is unit-tested).

/**
 * The file whose training a stop request stops, or undefined when there is none to stop.
 * - A request that names a file (the inspector's Stop button, an editor's title menu) stops that file's run
 *   only: if that file is not training, nothing is stopped, whatever else is.
 * - A request that names none (the command palette, the status bar) stops the active editor's run, else the
 *   only run there is; with several runs and none in the active editor it is ambiguous and stops nothing.
 */
export function stopTarget(training: readonly string[], requested: string | undefined, active: string | undefined): string | undefined {
  if (requested !== undefined) return training.includes(requested) ? requested : undefined;
  if (active !== undefined && training.includes(active)) return active;
  return training.length === 1 ? training[0] : undefined;
}
