// What the trainer, the data readers and the engine's checkpoints need from the machine they run on, as one
// object: files, paths, decompression, a hash, the processor count. Node (the trainer child process, the command
// line, the tests) installs `nodeHost` (node.ts); the web worker trainer installs a memory-backed host whose
// inputs the extension preloaded through `vscode.workspace.fs` and whose writes go back to it as `FsOp`s.
// Modules under src/data, src/trainer and src/engine call `host()` instead of importing node built-ins, so the
// browser bundles (esbuild refuses `node:` imports there) cannot pull Node in.
//
// The hosts: node.ts (Node's modules), webHost.ts (memory.ts's files, posixPath.ts, fflate, sha256.ts).

export interface FileStat {
  /** 'other': a socket, a pipe, a device. */
  kind: 'file' | 'dir' | 'other';
  size: number;
  mtimeMs: number;
}

export interface DirEntry {
  name: string;
  /** What the entry itself is: a symbolic link is 'link' (stat its path to follow it). */
  kind: 'file' | 'dir' | 'link' | 'other';
}

/** A file open for reading at offsets: data larger than memory is read sample by sample through one of these. */
export interface ReadHandle {
  readonly size: number;
  /** Reads up to `length` bytes at `position` into `into` at `offset`; returns how many (0 at the end of the file). */
  read(into: Uint8Array, offset: number, length: number, position: number): number;
  /** Idempotent. */
  close(): void;
}

/**
 * Synchronous files (the trainer and the data readers are synchronous today). Paths are the host's own. Failures
 * throw errors with Node's `code` (ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY) and message form, so callers'
 * handling is one for both hosts.
 */
export interface Files {
  /** What is at `path` (links followed), or null when nothing is (or it cannot be reached: realPath says why). */
  stat(path: string): FileStat | null;
  readFile(path: string): Uint8Array;
  readText(path: string): string;
  /** `length` bytes from `offset` (fewer at the end of the file): headers of large files. */
  readRange(path: string, offset: number, length: number): Uint8Array;
  openRead(path: string): ReadHandle;
  /** The entries of a folder, in no particular order. */
  readDir(path: string): DirEntry[];
  /** The path with every link resolved (code ENOENT for a broken link, ELOOP for a loop). */
  realPath(path: string): string;
  writeFile(path: string, data: Uint8Array | string): void;
  /** Fails (code EEXIST) when the file exists: a lock's claim. */
  writeFileExclusive(path: string, data: Uint8Array | string): void;
  /** Written to a temporary file beside it, flushed, then renamed over it: never half a file. */
  writeFileAtomic(path: string, data: Uint8Array): void;
  appendFile(path: string, text: string): void;
  rename(from: string, to: string): void;
  remove(path: string): void;
  /** Fails (code EEXIST) when it exists, unless `recursive`. */
  mkdir(path: string, options?: { recursive?: boolean }): void;
  /** Removes an empty folder. */
  rmdir(path: string): void;
}

export interface PathOps {
  sep: string;
  join(...parts: string[]): string;
  resolve(...parts: string[]): string;
  dirname(path: string): string;
  basename(path: string, ext?: string): string;
  extname(path: string): string;
  relative(from: string, to: string): string;
  isAbsolute(path: string): boolean;
}

/** One write the memory-backed host made, for the extension to apply to the workspace in order. */
export type FsOp =
  | { op: 'write'; path: string; data: Uint8Array }
  | { op: 'append'; path: string; text: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'mkdir'; path: string }
  | { op: 'remove'; path: string }
  | { op: 'rmdir'; path: string };

export interface InflateOptions {
  /** More output than this fails, with `code` 'ERR_BUFFER_TOO_LARGE'. */
  maxOutputLength?: number;
  /** A stream cut off before its end gives the bytes recovered so far instead of failing (headers, truncation reports). */
  partial?: boolean;
}

export interface Host {
  kind: 'node' | 'web';
  files: Files;
  path: PathOps;
  gunzip(data: Uint8Array, opts?: InflateOptions): Uint8Array;
  inflateRaw(data: Uint8Array, opts?: InflateOptions): Uint8Array;
  /** Raw deflate (no zlib header), at the default level: the PNGs the data layer writes. */
  deflateRaw(data: Uint8Array): Uint8Array;
  /** Lower-case hex SHA-256 of the UTF-8 text. */
  sha256Hex(text: string): string;
  cpus(): number;
  totalMemoryBytes(): number;
  hostname(): string;
  pid(): number;
  /** Whether process `pid` of this host may still be running (a run folder's lock names its holder's pid). */
  processAlive(pid: number): boolean;
  /** Runs `fn` when this process exits (a run's lock is given up); returns the function that cancels it. */
  onExit(fn: () => void): () => void;
}

let current: Host | null = null;

/** The machine this code runs on; an entry installs it first. */
export function host(): Host {
  if (!current) throw new Error('CNN Studio: no host installed (an entry point must call installHost first)');
  return current;
}

export function installHost(h: Host): void {
  current = h;
}
