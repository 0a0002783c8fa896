// W105: a `classes` line whose names are not the class folders of its `data folder`. An image folder's labels
// are numbered in the sorted order of its sub-folders; when the classes line lists those same names in any
// order, training renumbers the labels to the line's order (src/data/index.ts), but when its names are other
// words the line only renames the folders in that sorted order, so `classes pneumonia normal` over NORMAL/ and
// PNEUMONIA/ would train the normal scans as 'pneumonia'. The checker says so with the folders' names as the
// quick fix, and training repeats it as a warning (the same message: classNames.ts's folderNamesMismatch).

import type { Checker } from './checker';
import { className, folderNamesMismatch } from './classNames';
import type { Fix } from './diagnostics';

/** W105 on the classes line's names, with the folders' names as the quick fix (when they can all be written). */
export function classFoldersRule(c: Checker): void {
  const stmt = c.classesStmt;
  if (!stmt || !c.classes || c.data?.kind !== 'folder' || !c.host?.dataClasses) return;
  const folders = c.host.dataClasses(c.data);
  if (!folders) return;
  const message = folderNamesMismatch(c.classes, folders);
  if (!message) return;
  const listed = stmt.args.filter((a) => !a.name);
  // Only a line whose every name was read (a repeated or empty name is E003's, and changes the count).
  if (listed.length !== c.classes.length) return;
  const first = listed[0]!;
  const last = listed[listed.length - 1]!;
  const span = { offset: first.offset, length: last.offset + last.length - first.offset };
  const written = folders.map(className);
  const fixes: Fix[] = written.every((w): w is string => w !== null)
    ? [{ title: `Name the classes after the folders (classes ${written.join(' ')})`, edits: [{ ...span, newText: written.join(' ') }], preferred: true }]
    : [];
  c.report('W105', span, message, fixes);
}
