// Class names against an image folder's class folders (pure text rules, no imports): the order a folder's
// classes take (one home for it: the folder listing in src/data, the checker's hosts, the browser's), W105's
// message when a classes line names them otherwise (the checker's rule, classFolders.ts, and training's warning,
// src/data/check.ts), and how a class name is written on a classes line.

/** Sorting that does not depend on the locale: plain code-unit order. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An image folder's sub-folder names in label order: hidden ones (a leading dot) left out, the rest in code-unit order. */
export function inLabelOrder(names: readonly string[]): string[] {
  return names.filter((n) => !n.startsWith('.')).sort(byCodeUnit);
}

/** Pairs listed in the message before "…". */
const PAIRS_SHOWN = 5;

/**
 * The mismatch between a classes line's names and the data folder's class folders (label order), as a message;
 * null when they are the same names in any order (training renumbers the labels to the line's order), when they
 * differ only in capitals in the folders' own order (each folder keeps its class), or when the counts differ
 * (E040 says that when training starts, with the numbers).
 */
export function folderNamesMismatch(classes: readonly string[], folders: readonly string[]): string | null {
  if (classes.length !== folders.length || classes.length === 0) return null;
  const folderSet = new Set(folders);
  if (classes.every((n) => folderSet.has(n)) && new Set(classes).size === classes.length) return null;
  const lower = (s: string) => s.toLowerCase();
  if (folders.every((f, k) => lower(f) === lower(classes[k]!))) return null;
  const pairs = folders.map((f, k) => `${k === 0 ? 'The images in ' : 'those in '}${f}/ ${k === 0 ? 'would train ' : ''}as '${classes[k]}'`);
  const shown = pairs.slice(0, PAIRS_SHOWN).join(', ') + (pairs.length > PAIRS_SHOWN ? `, … (${pairs.length - PAIRS_SHOWN} more)` : '');
  const folderLower = new Set(folders.map(lower));
  const capitals = classes.every((n) => folderLower.has(lower(n)));
  return (
    // The consequence first: the Problems panel shows a message's start.
    `${shown}: the class names are not the data folder's class folders (${folders.join(', ')}), so they only rename the folders in their sorted order. ` +
    (capitals
      ? 'The names match the folders apart from capitals, but not in their order: write them as the folders are named.'
      : 'Name the classes after the folders, in any order, so that every prediction is labelled with what its images show.')
  );
}

/** A class name as the classes line reads it back: bare when it is one plain word, else quoted; null when it cannot be written. */
export function className(name: string): string | null {
  if (/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/.test(name)) return name;
  // The scanner refuses control characters in strings; only \" and \\ are escapes.
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if ((ch < 32 && ch !== 9) || ch === 127) return null;
  }
  return `"${name.replace(/[\\"]/g, (m) => `\\${m}`)}"`;
}
