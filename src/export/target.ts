// Whether an export may write where it was asked to: never over the user's files. Pure decisions on what was
// found there (targetFs.ts looks); the CLI and the editor only word the answer and ask.
//
// A PyTorch package folder may be written when it is missing or empty, or when it holds this network's earlier
// export (the marker file says so: the network's name and .cnn file) whose files are as the export left them
// (their hashes are in the marker). An ONNX file may be written when it is missing, or when it is CNN Studio's
// graph of the same network. Anything else needs `force` (the CLI's --force, the editor's "Overwrite").

import { readFields } from './protobuf';
import { assertNever } from '../language/assertNever';

/** The marker file an export leaves in the package folder. */
export const EXPORT_MARKER = '.cnn-studio-export.json';

export interface ExportMarker {
  exportedBy: 'CNN Studio';
  /** The network's name. */
  network: string;
  /** The absolute path of the .cnn file it was exported from. */
  source: string;
  /** Every file the export wrote, with the SHA-256 (hex) of the bytes it wrote. */
  files: Record<string, string>;
}

/** What the package folder holds, as targetFs.observeFolder finds it. */
export type FolderFound =
  | { kind: 'missing' }
  | { kind: 'not-a-folder' }
  | {
      kind: 'folder';
      /** The folder's entries (names), the marker's included. */
      entries: string[];
      /** The marker's text, when the folder has one. */
      marker: string | null;
      /** SHA-256 (hex) of each file the export would write that is there now. */
      hashes: Record<string, string>;
    };

/** What the ONNX file path holds, as targetFs.observeFile finds it. */
export type FileFound =
  | { kind: 'missing' }
  | { kind: 'folder' }
  | { kind: 'file'; /** CNN Studio's graph of this network name, else null. */ network: string | null; ours: boolean };

export type Refusal =
  | { kind: 'not-a-folder' }
  | { kind: 'folder-for-file' }
  | { kind: 'foreign'; entries: string[] }
  | { kind: 'other-network'; network: string; source: string }
  | { kind: 'edited'; files: string[] }
  | { kind: 'foreign-file' }
  | { kind: 'other-network-file'; network: string };

export type Decision = { write: true; replaces: boolean } | { write: false; refusal: Refusal };

/** The marker from its text, or null when it is not one. */
export function parseMarker(text: string): ExportMarker | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const m = v as Record<string, unknown>;
  if (m.exportedBy !== 'CNN Studio' || typeof m.network !== 'string' || typeof m.source !== 'string') return null;
  if (!m.files || typeof m.files !== 'object' || Array.isArray(m.files)) return null;
  if (!Object.values(m.files).every((h) => typeof h === 'string')) return null;
  return { exportedBy: 'CNN Studio', network: m.network, source: m.source, files: m.files as Record<string, string> };
}

export function markerText(m: Omit<ExportMarker, 'exportedBy'>): string {
  return `${JSON.stringify({ exportedBy: 'CNN Studio', network: m.network, source: m.source, files: m.files }, null, 2)}\n`;
}

/**
 * May the package for `network` (from the .cnn file `source`) be written into the folder found? `writes` are the
 * names of the files the export writes (the marker's too).
 */
export function decidePackage(found: FolderFound, want: { network: string; source: string; writes: string[] }, force: boolean): Decision {
  if (found.kind === 'missing') return { write: true, replaces: false };
  if (found.kind === 'not-a-folder') return { write: false, refusal: { kind: 'not-a-folder' } };
  if (found.entries.length === 0) return { write: true, replaces: false };
  if (force) return { write: true, replaces: true };
  const marker = found.marker === null ? null : parseMarker(found.marker);
  if (!marker) return { write: false, refusal: { kind: 'foreign', entries: [...found.entries].sort() } };
  if (marker.network !== want.network || marker.source !== want.source) {
    return { write: false, refusal: { kind: 'other-network', network: marker.network, source: marker.source } };
  }
  // This network's export: its files may be replaced, unless one of them is not as the export left it (or is
  // there but was not written by it).
  const edited = want.writes.filter((f) => f !== EXPORT_MARKER && found.hashes[f] !== undefined && found.hashes[f] !== marker.files[f]);
  if (edited.length) return { write: false, refusal: { kind: 'edited', files: edited } };
  return { write: true, replaces: true };
}

/** May the ONNX graph for `network` be written at the path found? */
export function decideFile(found: FileFound, want: { network: string }, force: boolean): Decision {
  if (found.kind === 'missing') return { write: true, replaces: false };
  if (found.kind === 'folder') return { write: false, refusal: { kind: 'folder-for-file' } };
  if (force) return { write: true, replaces: true };
  if (!found.ours) return { write: false, refusal: { kind: 'foreign-file' } };
  // The file holds the name as UTF-8 (a lone surrogate became U+FFFD): compare it so.
  if (found.network !== new TextDecoder().decode(new TextEncoder().encode(want.network))) return { write: false, refusal: { kind: 'other-network-file', network: found.network ?? '' } };
  return { write: true, replaces: true };
}

/**
 * Whether ONNX model bytes are a graph CNN Studio exported (producer_name "CNN Studio"), and of which network (the
 * "network" metadata, else the graph's name).
 */
export function onnxIdentity(bytes: Uint8Array): { ours: boolean; network: string | null } {
  const top = readFields(bytes);
  if (!top) return { ours: false, network: null };
  const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : null);
  const ours = top.some((f) => f.field === 2 && text(f.bytes) === 'CNN Studio');
  if (!ours) return { ours: false, network: null };
  for (const f of top.filter((x) => x.field === 14 && x.bytes)) {
    const kv = readFields(f.bytes!);
    if (kv && text(kv.find((x) => x.field === 1)?.bytes) === 'network') return { ours, network: text(kv.find((x) => x.field === 2)?.bytes) ?? '' };
  }
  const graph = top.find((f) => f.field === 7 && f.bytes);
  const name = graph ? readFields(graph.bytes!)?.find((x) => x.field === 2)?.bytes : undefined;
  return { ours, network: text(name) };
}

function list(names: string[], max = 4): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** What was found, for a message: "<where> <this>". */
export function refusalText(r: Refusal): string {
  switch (r.kind) {
    case 'not-a-folder':
      return 'is a file, not a folder';
    case 'folder-for-file':
      return 'is a folder, not a file';
    case 'foreign':
      return `is not empty and is not a CNN Studio export (it holds ${list(r.entries.map((e) => JSON.stringify(e)))})`;
    case 'other-network':
      return `holds the export of another network (${JSON.stringify(r.network)} from ${r.source})`;
    case 'edited':
      return `holds this network's earlier export, but ${list(r.files)} ${r.files.length === 1 ? 'was' : 'were'} changed since`;
    case 'foreign-file':
      return 'already exists and is not an ONNX graph exported by CNN Studio';
    case 'other-network-file':
      return `is CNN Studio's ONNX graph of another network (${JSON.stringify(r.network)})`;
    default:
      return assertNever(r);
  }
}

