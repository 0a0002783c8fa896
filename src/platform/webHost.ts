// The web worker trainer's host: files in memory (MemoryFiles, preloaded by the extension through
// vscode.workspace.fs, whose writes go back to it as FsOps), POSIX paths, fflate's inflate and deflate, a pure SHA-256, and
// what the browser says of the machine. No Node module is imported here or below.

import { deflateSync, Gunzip, Inflate } from 'fflate';
import type { Host, InflateOptions } from './host';
import type { MemoryFiles } from './memory';
import { posixPath } from './posixPath';
import { sha256Hex } from './sha256';

export interface WebHostOptions {
  /** The folder relative paths are taken from (the workspace folder's path; '/' when not given). */
  cwd?: string;
  /** The memory the engine may plan for (the page's budget), in bytes; 2 GiB when not given. */
  totalMemoryBytes?: number;
  /** The processor count (navigator.hardwareConcurrency when not given, 1 when the browser says nothing). */
  cpus?: number;
}

function tooLarge(max: number): Error {
  return Object.assign(new Error(`Cannot create a Buffer larger than ${max} bytes`), { code: 'ERR_BUFFER_TOO_LARGE' });
}

/**
 * Inflates `data` with a streaming fflate decoder: with `partial`, a stream cut off before its end gives what
 * was decoded so far (as Node's Z_SYNC_FLUSH does); output beyond `maxOutputLength` fails as Node's does.
 */
function inflateWith(format: 'gzip' | 'raw', data: Uint8Array, opts: InflateOptions | undefined): Uint8Array {
  const max = opts?.maxOutputLength ?? Number.MAX_SAFE_INTEGER;
  const chunks: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  /** Where the last gzip member's output starts (`cat a.gz b.gz` is one stream of two members). */
  let memberStart = 0;
  const stream = format === 'gzip' ? new Gunzip() : new Inflate();
  if (stream instanceof Gunzip) stream.onmember = () => void (memberStart = length);
  stream.ondata = (chunk, final) => {
    length += chunk.length;
    if (length > max) throw tooLarge(max);
    chunks.push(chunk.slice());
    if (final) ended = true;
  };
  if (opts?.partial) {
    stream.push(data, false);
    // Either the stream ended inside `data`, or it was cut off: what was decoded stands.
    if (!ended) {
      try {
        stream.push(new Uint8Array(0), true);
      } catch (e) {
        // Cut off: keep what came out (but too much output is still too much).
        if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw e;
      }
    }
  } else {
    stream.push(data, true);
    if (!ended && length === 0 && data.length > 0) throw new Error('unexpected end of file');
    // fflate's gunzip stream lets some cut-off streams through: the last member's trailer (its length mod 2^32)
    // must be there and agree, as zlib requires.
    const n = data.length;
    const isize = n >= 18 ? (data[n - 4]! | (data[n - 3]! << 8) | (data[n - 2]! << 16) | (data[n - 1]! << 24)) >>> 0 : -1;
    if (format === 'gzip' && isize !== (length - memberStart) % 2 ** 32) throw new Error('unexpected end of file');
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function webHost(files: MemoryFiles, opts: WebHostOptions = {}): Host {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return {
    kind: 'web',
    files,
    path: posixPath(opts.cwd ?? '/'),
    gunzip: (data, o) => inflateWith('gzip', data, o),
    inflateRaw: (data, o) => inflateWith('raw', data, o),
    deflateRaw: (data) => deflateSync(data),
    sha256Hex,
    cpus: () => Math.max(1, Math.floor(opts.cpus ?? nav?.hardwareConcurrency ?? 1)),
    totalMemoryBytes: () => opts.totalMemoryBytes ?? 2 * 1024 ** 3,
    hostname: () => 'browser',
    pid: () => 1,
    // A lock another worker left cannot be asked about; run folders are created exclusively, so none is shared.
    processAlive: (pid) => pid === 1,
    // A worker is terminated, never told: a run releases its lock when it ends.
    onExit: () => () => {},
  };
}
