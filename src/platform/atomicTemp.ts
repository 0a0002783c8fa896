// The name of the temporary file an atomic write goes through (Files.writeFileAtomic): a hidden file beside the
// target, unique to the writing process and moment. The one home of this rule: the Node host writes these, and a
// run folder's owner removes the ones a killed write left (engine/checkpoint.ts isCheckpointTemp).

/** `.<name>.<pid>.<base-36 milliseconds>.tmp` for the file `fileName` (a name, not a path). */
export function atomicTempName(fileName: string, pid: number, nowMs: number): string {
  return `.${fileName}.${pid}.${nowMs.toString(36)}.tmp`;
}

/** True for a name atomicTempName gives: what a write cut short (SIGKILL, power loss) leaves behind. */
export function isAtomicTemp(fileName: string): boolean {
  return /^\..+\.[0-9]+\.[0-9a-z]+\.tmp$/.test(fileName);
}
