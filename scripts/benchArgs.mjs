// The benchmark scripts' command line and the figures they print (one home for both): `--name value` options,
// of which the last given wins (so `npm run bench -- engine --repeat 1` overrides scripts/bench.mjs's
// defaults), `--flag` switches, and the median and rounding of the timings.

/** The script's arguments (a child run of a benchmark gets them too). */
export const argv = process.argv.slice(2);

/** The value after the last `name`, else `dflt`. */
export function textOption(name, dflt) {
  const i = argv.lastIndexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
}

/** textOption as a number. */
export function numberOption(name, dflt) {
  const v = textOption(name, undefined);
  return v === undefined ? dflt : Number(v);
}

export function flag(name) {
  return argv.includes(name);
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function round(x, d = 3) {
  return Math.round(x * 10 ** d) / 10 ** d;
}
