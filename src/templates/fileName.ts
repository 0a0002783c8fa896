// The name of a new network's file: a free default beside the existing files, and what the user types checked.

/** `lecture.cnn`, or `lecture-2.cnn`, `lecture-3.cnn`… when taken (`taken` answers for a name in the folder). */
export function freeFileName(fileName: string, taken: (name: string) => boolean): string {
  if (!taken(fileName)) return fileName;
  const stem = fileName.replace(/\.cnn$/i, '');
  for (let i = 2; ; i++) {
    const candidate = `${stem}-${i}.cnn`;
    if (!taken(candidate)) return candidate;
  }
}

/** The name as it will be written: trimmed, with `.cnn` added when it has no extension of its own. */
export function normalizeFileName(input: string): string {
  const name = input.trim();
  return /\.cnn$/i.test(name) ? name : `${name}.cnn`;
}

/**
 * Why a typed name cannot be used (for the input box), or null when it can. A name may contain folders
 * (`nets/lecture.cnn`, created as needed) but never leave the workspace folder.
 */
export function fileNameProblem(input: string, taken: (name: string) => boolean): string | null {
  const trimmed = input.trim();
  if (trimmed === '') return 'Type a file name, e.g. lecture.cnn.';
  if (/[\u0000-\u001f<>:"|?*\\]/.test(trimmed)) return 'A file name cannot contain control characters or any of < > : " | ? * \\.';
  if (trimmed.startsWith('/')) return 'Give a name relative to the workspace folder, not an absolute path.';
  const parts = trimmed.split('/');
  if (parts.some((p) => p === '..')) return 'The file must stay inside the workspace folder (no "..").';
  if (parts.some((p) => p === '' || p === '.')) return 'The name has an empty folder in it.';
  const name = normalizeFileName(trimmed);
  if (taken(name)) return `${name} already exists: choose another name (nothing is overwritten).`;
  return null;
}
