// What an export's target holds, for target.ts's decisions: the package folder's entries, marker and file hashes,
// or whether an ONNX file is CNN Studio's graph of a network.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORT_MARKER, type FileFound, type FolderFound, onnxIdentity } from './target';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function statOf(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** The package folder as target.decidePackage wants it; `writes` are the files the export would write. */
export function observeFolder(dir: string, writes: readonly string[]): FolderFound {
  const st = statOf(dir);
  if (!st) return { kind: 'missing' };
  if (!st.isDirectory()) return { kind: 'not-a-folder' };
  const entries = readdirSync(dir);
  let marker: string | null = null;
  const hashes: Record<string, string> = {};
  if (entries.includes(EXPORT_MARKER)) {
    try {
      marker = readFileSync(join(dir, EXPORT_MARKER), 'utf8');
    } catch {
      marker = null;
    }
    for (const f of writes) {
      if (!entries.includes(f)) continue;
      try {
        hashes[f] = sha256(readFileSync(join(dir, f)));
      } catch {
        hashes[f] = 'unreadable';
      }
    }
  }
  return { kind: 'folder', entries, marker, hashes };
}

/** The ONNX file path as target.decideFile wants it. */
export function observeFile(path: string): FileFound {
  const st = statOf(path);
  if (!st) return { kind: 'missing' };
  if (st.isDirectory()) return { kind: 'folder' };
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    return { kind: 'file', ours: false, network: null };
  }
  return { kind: 'file', ...onnxIdentity(bytes) };
}
