// The class folders of a `data folder DIR`: its sub-folders (symbolic links to folders followed), in plain
// code-unit order (language/classNames.ts), which is the order their labels are numbered in. The image folder
// listing (folder.ts) reads the classes from it, and the checker's hosts (the editor's, `cnn check`'s) ask it
// which folders the classes line is naming (W105). Needs only the host's file system, none of the decoders.

import { inLabelOrder } from '../language/classNames';
import { host, type FileStat } from '../platform/host';
import { DataError, printable } from './dataset';

export function errCode(err: unknown): string {
  return (err as { code?: string })?.code ?? (err as Error)?.message ?? String(err);
}

/** What a path is, following symbolic links; a reason to skip it when it is a broken link or a link loop. */
export function followLink(full: string): FileStat | string {
  const st = host().files.stat(full);
  if (st) return st;
  // Why it cannot be reached: resolving the links says (ELOOP, ENOENT).
  let code: string;
  try {
    host().files.realPath(full);
    code = 'EACCES';
  } catch (err) {
    code = errCode(err);
  }
  if (code === 'ELOOP') return 'a symbolic link loop';
  if (code === 'ENOENT') return 'a broken symbolic link (its target does not exist)';
  return `cannot be read (${code})`;
}

/** True when the folder link `full` resolves to `dir` itself or a folder that holds it. */
function linksAbove(full: string, dir: string): boolean {
  const { files, path } = host();
  try {
    const target = files.realPath(full);
    const here = files.realPath(dir);
    const rel = path.relative(target, here);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  } catch {
    return false;
  }
}

/**
 * The class folders of the data folder `dir` in label order (hidden ones left out), and a warning for each
 * entry skipped: a file directly in the folder, a broken link, a link loop, a link back to the folder or above
 * it. Throws DataError when `dir` is missing, unreadable or a file.
 */
export function classFolders(dir: string): { names: string[]; warnings: string[] } {
  const { files: fs, path } = host();
  let entries;
  try {
    const st = fs.stat(dir);
    if (!st) throw new Error('missing');
    if (st.kind !== 'dir') throw new DataError(`'${dir}' is a file, but 'data folder' needs a folder with one sub-folder of images per class.`);
    entries = fs.readDir(dir);
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`The folder '${dir}' does not exist or cannot be read (paths are relative to the .cnn file).`);
  }
  const warnings: string[] = [];
  const names: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    let isDir = e.kind === 'dir';
    if (e.kind === 'link') {
      const target = followLink(full);
      if (typeof target === 'string') {
        warnings.push(`skipped ${printable(e.name)}: ${target}`);
        continue;
      }
      isDir = target.kind === 'dir';
      if (isDir && linksAbove(full, dir)) {
        warnings.push(`skipped ${printable(e.name)}: a symbolic link to the data folder or a folder above it (a loop)`);
        continue;
      }
    }
    if (isDir) names.push(e.name);
    else warnings.push(`skipped ${printable(e.name)}: files directly in the data folder are ignored (put images in one sub-folder per class)`);
  }
  return { names: inLabelOrder(names), warnings };
}

/** The class folders' names in label order for the checker (W105), or null when the folder cannot be read. */
export function classFolderNames(dir: string): string[] | null {
  try {
    return classFolders(dir).names;
  } catch {
    return null;
  }
}
