// The checker's look at a data folder (`cnn check`, the editor's diagnostics): E040 on the data line when the
// folder holds DICOM files that cannot be used, the refusal `cnn train` gives (src/data/folder.ts), answered
// from a cache per folder so that a keystroke does not read the folder again.

import { host } from '../platform/host';
import { DicomRefusal, listFolder } from './folder';

/** The checker's last answers, per folder: the folder's and its class folders' modification times, and the answer. */
const dicomIssues = new Map<string, { stamp: string; issue: string | null }>();
const DICOM_ISSUES_KEPT = 8;

/** The modification times of `dir` and its entries: a file added, removed or renamed in a class folder changes it. */
function folderStamp(dir: string): string {
  const { files, path } = host();
  const st = files.stat(dir);
  if (!st) throw new Error(`${dir} is gone`);
  const parts = [String(st.mtimeMs)];
  for (const name of files.readDir(dir).map((e) => e.name).sort()) {
    const entry = files.stat(path.join(dir, name));
    parts.push(entry ? `${name}:${entry.mtimeMs}` : `${name}:-`);
  }
  return parts.join('|');
}

/**
 * E040's message when the folder holds DICOM files that cannot be used (the refusal `cnn train` gives), for
 * the checker's data line; null otherwise, and for problems the checker does not look for (a folder with one
 * class, an empty class: training reports those). Reads only the DICOM files' headers (and the first bytes of
 * files that are neither .png, .jpg nor .jpeg), again only when a folder's or a class folder's modification
 * time changed (a file rewritten in place keeps the old answer until then; `cnn train` reads it anew).
 */
export function folderDicomIssue(dir: string): string | null {
  let stamp: string;
  try {
    stamp = folderStamp(dir);
  } catch {
    return null;
  }
  const known = dicomIssues.get(dir);
  if (known?.stamp === stamp) return known.issue;
  let issue: string | null = null;
  try {
    listFolder(dir, true);
  } catch (err) {
    if (err instanceof DicomRefusal) issue = err.message;
  }
  dicomIssues.delete(dir);
  dicomIssues.set(dir, { stamp, issue });
  if (dicomIssues.size > DICOM_ISSUES_KEPT) dicomIssues.delete(dicomIssues.keys().next().value!);
  return issue;
}
