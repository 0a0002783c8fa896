// The notification for a training run's data warnings (files skipped, images that cannot be decoded): one
// line with the count, leading with the warning that matters most. Pure, so it is tested without an editor.

/** Undecodable images change what the network learns from; the other warnings are about stray files. */
const DECODE = /images? that cannot be decoded/;

export function dataWarningsNotice(name: string, warnings: readonly string[]): string | null {
  if (warnings.length === 0) return null;
  const lead = warnings.find((w) => DECODE.test(w)) ?? warnings[0]!;
  const rest = warnings.length - 1;
  return `CNN: training ${name} with ${warnings.length} data warning${warnings.length === 1 ? '' : 's'}: ${lead}${rest > 0 ? ` (and ${rest} more in the log)` : ''}`;
}
