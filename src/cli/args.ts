// A small, strict argument parser: unknown flags and missing values are user errors (exit 2).

export class UsageError extends Error {}

export interface FlagSpec {
  /** Takes a value (`--epochs 3`, `--epochs=3`). */
  value?: boolean;
  /** Short alias, e.g. `-o`. */
  short?: string;
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const shorts = new Map(Object.entries(spec).filter(([, s]) => s.short).map(([name, s]) => [s.short!, name]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      let name: string;
      let inline: string | undefined;
      if (a.startsWith('--')) {
        const eq = a.indexOf('=');
        name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
        inline = eq >= 0 ? a.slice(eq + 1) : undefined;
      } else {
        const long = shorts.get(a.slice(1));
        if (!long) throw new UsageError(`unknown option '${a}'`);
        name = long;
      }
      const s = spec[name];
      if (!s) throw new UsageError(`unknown option '--${name}'`);
      if (flags.has(name)) throw new UsageError(`option '--${name}' is given twice`);
      if (s.value) {
        const v = inline ?? argv[++i];
        if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`option '--${name}' needs a value`);
        flags.set(name, v);
      } else {
        if (inline !== undefined) throw new UsageError(`option '--${name}' takes no value`);
        flags.set(name, true);
      }
      continue;
    }
    positional.push(a);
  }
  return { positional, flags };
}

export function intFlag(args: ParsedArgs, name: string, min: number, max = 1_000_000_000): number | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return undefined;
  if (v === true || !/^\d+$/.test(v)) throw new UsageError(`--${name} needs a whole number, not '${v}'`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`--${name} must be from ${min} to ${max}, not ${v}`);
  return n;
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return v === undefined || v === true ? undefined : v;
}
