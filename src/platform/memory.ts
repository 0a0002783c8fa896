// Files held in memory: the web worker trainer's file system. The extension preloads the inputs (the data files,
// a checkpoint to continue from) and the folders the run writes into; every write is kept in the tree, so the run
// reads back what it wrote, and recorded as an FsOp, in order, for the extension to apply to the workspace through
// vscode.workspace.fs (takeOps drains them). Paths are POSIX; relative ones are resolved against `cwd`. Errors
// carry Node's codes and message form (ENOENT: no such file or directory, open '/a/b'), so the code that handles
// Node's errors handles these the same.

import type { DirEntry, FileStat, Files, FsOp, ReadHandle } from './host';
import { assertNever } from '../language/assertNever';
import { posixPath } from './posixPath';

const MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
  ENOTEMPTY: 'directory not empty',
  EINVAL: 'invalid argument',
  EBADF: 'bad file descriptor',
};

/** An error like Node's file system errors: `code`, `syscall`, `path` and the message `CODE: what, syscall 'path'`. */
export function fsError(code: string, syscall: string, path: string, dest?: string): Error & { code: string; syscall: string; path: string } {
  const err = new Error(`${code}: ${MESSAGES[code]}, ${syscall} '${path}'${dest !== undefined ? ` -> '${dest}'` : ''}`) as Error & {
    code: string;
    syscall: string;
    path: string;
    dest?: string;
  };
  err.code = code;
  err.syscall = syscall;
  err.path = path;
  if (dest !== undefined) err.dest = dest;
  return err;
}

interface FileNode {
  data: Uint8Array;
  mtimeMs: number;
  /** The size of a file known only by its size and time (`learn` without bytes): reading it fails (EIO). */
  unread?: number;
}

export interface MemoryFilesOptions {
  /** Files to start with: path → bytes (or text, stored as UTF-8). Their folders exist too. */
  files?: Iterable<[string, Uint8Array | string]> | Record<string, Uint8Array | string>;
  /** Folders to start with (and the folders above them). */
  dirs?: Iterable<string>;
  /** What relative paths are resolved against (absolute; '/' when not given). */
  cwd?: string;
  /** The clock for modification times (Date.now when not given). */
  now?: () => number;
}

const utf8 = (data: Uint8Array | string) => (typeof data === 'string' ? new TextEncoder().encode(data) : data.slice());

export class MemoryFiles implements Files {
  private readonly files = new Map<string, FileNode>();
  /** Folder → its modification time. */
  private readonly dirs = new Map<string, number>();
  private ops: FsOp[] = [];
  private readonly path;
  private readonly now: () => number;

  constructor(opts: MemoryFilesOptions = {}) {
    this.path = posixPath(opts.cwd ?? '/');
    this.now = opts.now ?? Date.now;
    this.dirs.set('/', this.now());
    for (const d of opts.dirs ?? []) this.ensureDirs(this.abs(d));
    const files = opts.files ?? [];
    const entries = Symbol.iterator in files ? (files as Iterable<[string, Uint8Array | string]>) : Object.entries(files);
    for (const [p, data] of entries) {
      const file = this.abs(p);
      this.ensureDirs(this.path.dirname(file));
      if (this.dirs.has(file)) throw new Error(`MemoryFiles: '${file}' is given as both a folder and a file`);
      this.files.set(file, { data: utf8(data), mtimeMs: this.now() });
    }
  }

  /** The writes made since the last call, in order (each op's bytes are its own copy). */
  takeOps(): FsOp[] {
    const out = this.ops;
    this.ops = [];
    return out;
  }

  stat(p: string): FileStat | null {
    const at = this.abs(p);
    const f = this.files.get(at);
    if (f) return { kind: 'file', size: f.unread ?? f.data.length, mtimeMs: f.mtimeMs };
    const d = this.dirs.get(at);
    return d === undefined ? null : { kind: 'dir', size: 0, mtimeMs: d };
  }

  readFile(p: string): Uint8Array {
    return this.fileAt(p, 'open').data.slice();
  }

  readText(p: string): string {
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(this.fileAt(p, 'open').data);
  }

  readRange(p: string, offset: number, length: number): Uint8Array {
    const { data } = this.fileAt(p, 'open');
    const start = Math.min(Math.max(0, offset), data.length);
    return data.slice(start, Math.min(data.length, start + Math.max(0, length)));
  }

  openRead(p: string): ReadHandle {
    let data: Uint8Array | null = this.fileAt(p, 'open').data;
    const file = this.abs(p);
    return {
      size: data.length,
      read(into, offset, length, position) {
        if (!data) throw fsError('EBADF', 'read', file);
        const n = Math.max(0, Math.min(length, data.length - position));
        into.set(data.subarray(position, position + n), offset);
        return n;
      },
      close() {
        data = null;
      },
    };
  }

  readDir(p: string): DirEntry[] {
    const dir = this.abs(p);
    if (this.files.has(dir)) throw fsError('ENOTDIR', 'scandir', p);
    if (!this.dirs.has(dir)) throw fsError('ENOENT', 'scandir', p);
    const out: DirEntry[] = [];
    for (const d of this.dirs.keys()) if (d !== dir && this.path.dirname(d) === dir) out.push({ name: this.path.basename(d), kind: 'dir' });
    for (const f of this.files.keys()) if (this.path.dirname(f) === dir) out.push({ name: this.path.basename(f), kind: 'file' });
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  realPath(p: string): string {
    const at = this.abs(p);
    if (!this.files.has(at) && !this.dirs.has(at)) throw fsError('ENOENT', 'realpath', p);
    return at;
  }

  writeFile(p: string, data: Uint8Array | string): void {
    const file = this.writable(p, 'open');
    this.put(file, utf8(data));
  }

  writeFileExclusive(p: string, data: Uint8Array | string): void {
    const file = this.writable(p, 'open');
    if (this.files.has(file)) throw fsError('EEXIST', 'open', p);
    this.put(file, utf8(data));
  }

  writeFileAtomic(p: string, data: Uint8Array): void {
    // One write replaces the file whole here; the workspace applies it as one writeFile.
    this.writeFile(p, data);
  }

  appendFile(p: string, text: string): void {
    const file = this.writable(p, 'open');
    const old = this.files.has(file) ? this.fileAt(file, 'open').data : new Uint8Array(0);
    const add = new TextEncoder().encode(text);
    const data = new Uint8Array(old.length + add.length);
    data.set(old);
    data.set(add, old.length);
    this.files.set(file, { data, mtimeMs: this.now() });
    this.touch(this.path.dirname(file));
    this.ops.push({ op: 'append', path: file, text });
  }

  rename(from: string, to: string): void {
    const src = this.abs(from);
    const dst = this.abs(to);
    const isFile = this.files.has(src);
    if (!isFile && !this.dirs.has(src)) throw fsError('ENOENT', 'rename', from, to);
    this.parentDir(dst, 'rename', from, to);
    if (src === dst) return;
    if (isFile) {
      if (this.dirs.has(dst)) throw fsError('EISDIR', 'rename', from, to);
      this.files.set(dst, this.files.get(src)!);
      this.files.delete(src);
    } else {
      if (this.files.has(dst)) throw fsError('ENOTDIR', 'rename', from, to);
      if (dst.startsWith(`${src}/`)) throw fsError('EINVAL', 'rename', from, to);
      if (this.dirs.has(dst) && this.hasChildren(dst)) throw fsError('ENOTEMPTY', 'rename', from, to);
      const move = (p: string) => (p === src ? dst : `${dst}${p.slice(src.length)}`);
      const under = (p: string) => p === src || p.startsWith(`${src}/`);
      for (const [d, m] of [...this.dirs]) if (under(d)) (this.dirs.delete(d), this.dirs.set(move(d), m));
      for (const [f, n] of [...this.files]) if (under(f)) (this.files.delete(f), this.files.set(move(f), n));
    }
    this.touch(this.path.dirname(src));
    this.touch(this.path.dirname(dst));
    this.ops.push({ op: 'rename', from: src, to: dst });
  }

  remove(p: string): void {
    const file = this.abs(p);
    if (this.dirs.has(file)) throw fsError('EISDIR', 'unlink', p);
    if (!this.files.has(file)) throw fsError('ENOENT', 'unlink', p);
    this.files.delete(file);
    this.touch(this.path.dirname(file));
    this.ops.push({ op: 'remove', path: file });
  }

  mkdir(p: string, options?: { recursive?: boolean }): void {
    const dir = this.abs(p);
    if (options?.recursive) {
      if (this.files.has(dir)) throw fsError('EEXIST', 'mkdir', p);
      const missing: string[] = [];
      for (let d = dir; !this.dirs.has(d); d = this.path.dirname(d)) {
        if (this.files.has(d)) throw fsError('ENOTDIR', 'mkdir', p);
        missing.push(d);
      }
      for (const d of missing.reverse()) this.addDir(d);
      return;
    }
    if (this.files.has(dir) || this.dirs.has(dir)) throw fsError('EEXIST', 'mkdir', p);
    this.parentDir(dir, 'mkdir', p);
    this.addDir(dir);
  }

  rmdir(p: string): void {
    const dir = this.abs(p);
    if (this.files.has(dir)) throw fsError('ENOTDIR', 'rmdir', p);
    if (!this.dirs.has(dir)) throw fsError('ENOENT', 'rmdir', p);
    if (this.hasChildren(dir)) throw fsError('ENOTEMPTY', 'rmdir', p);
    if (dir === '/') throw fsError('ENOTEMPTY', 'rmdir', p);
    this.dirs.delete(dir);
    this.touch(this.path.dirname(dir));
    this.ops.push({ op: 'rmdir', path: dir });
  }

  /**
   * Records what already exists elsewhere (the workspace, for the browser's mirror of run folders), with its
   * folders, and no write: a folder, or a file with its bytes, or (data null) one known by its size and time only.
   */
  learn(p: string, entry: { kind: 'dir' } | { kind: 'file'; data: Uint8Array | null; size: number; mtimeMs: number }): void {
    const at = this.abs(p);
    if (entry.kind === 'dir') {
      if (this.files.has(at)) this.files.delete(at);
      this.ensureDirs(at);
      return;
    }
    if (this.dirs.has(at)) return; // a folder here already: the later listing wins
    this.ensureDirs(this.path.dirname(at));
    this.files.set(at, entry.data ? { data: entry.data, mtimeMs: entry.mtimeMs } : { data: new Uint8Array(0), mtimeMs: entry.mtimeMs, unread: entry.size });
  }

  /**
   * Applies writes made by another MemoryFiles (the web trainer's, as they reach the workspace) without
   * recording them; the writes recorded before stay to be taken. A write that does not fit (a folder removed
   * meanwhile) is skipped: the workspace is the truth, the mirror only follows it.
   */
  replay(ops: readonly FsOp[]): void {
    const pending = this.ops;
    this.ops = [];
    for (const op of ops) {
      try {
        switch (op.op) {
          case 'write':
            this.mkdir(this.path.dirname(op.path), { recursive: true });
            this.writeFile(op.path, op.data);
            break;
          case 'append':
            this.mkdir(this.path.dirname(op.path), { recursive: true });
            this.appendFile(op.path, op.text);
            break;
          case 'rename':
            this.rename(op.from, op.to);
            break;
          case 'mkdir':
            this.mkdir(op.path, { recursive: true });
            break;
          case 'remove':
            this.remove(op.path);
            break;
          case 'rmdir':
            this.rmdir(op.path);
            break;
          default:
            assertNever(op);
        }
      } catch {
        // skipped: see above
      }
    }
    this.ops = pending;
  }

  /** The key of a path: absolute, normalised, without a trailing slash. */
  private abs(p: string): string {
    return this.path.resolve(p);
  }

  private fileAt(p: string, syscall: string): FileNode {
    const at = this.abs(p);
    const f = this.files.get(at);
    if (f?.unread !== undefined) throw Object.assign(fsError('EIO', syscall, p), { message: `EIO: ${p} is known by its size only, its bytes were not loaded` });
    if (f) return f;
    if (this.dirs.has(at)) throw fsError('EISDIR', 'read', p);
    this.parentDir(at, syscall, p);
    throw fsError('ENOENT', syscall, p);
  }

  /**
   * Checks that the folder `at` would live in exists: ENOTDIR when a file stands in its way, else ENOENT. `p` and
   * `dest` are the paths as given, for the message (a rename names both).
   */
  private parentDir(at: string, syscall: string, p: string, dest?: string): void {
    const parent = this.path.dirname(at);
    if (this.dirs.has(parent)) return;
    let code = 'ENOENT';
    for (let d = parent; !this.dirs.has(d); d = this.path.dirname(d)) {
      if (this.files.has(d)) {
        code = 'ENOTDIR';
        break;
      }
    }
    throw fsError(code, syscall, p, dest);
  }

  private writable(p: string, syscall: string): string {
    const file = this.abs(p);
    if (this.dirs.has(file)) throw fsError('EISDIR', syscall, p);
    this.parentDir(file, syscall, p);
    return file;
  }

  private put(file: string, data: Uint8Array): void {
    this.files.set(file, { data, mtimeMs: this.now() });
    this.touch(this.path.dirname(file));
    // The op's bytes are its own: the extension may transfer them to another thread.
    this.ops.push({ op: 'write', path: file, data: data.slice() });
  }

  private addDir(dir: string): void {
    this.dirs.set(dir, this.now());
    this.touch(this.path.dirname(dir));
    this.ops.push({ op: 'mkdir', path: dir });
  }

  private touch(dir: string): void {
    if (this.dirs.has(dir)) this.dirs.set(dir, this.now());
  }

  private ensureDirs(dir: string): void {
    for (let d = dir; !this.dirs.has(d); d = this.path.dirname(d)) {
      if (this.files.has(d)) throw new Error(`MemoryFiles: '${d}' is given as both a folder and a file`);
      this.dirs.set(d, this.now());
    }
  }

  private hasChildren(dir: string): boolean {
    const prefix = dir === '/' ? '/' : `${dir}/`;
    for (const d of this.dirs.keys()) if (d !== dir && d.startsWith(prefix)) return true;
    for (const f of this.files.keys()) if (f.startsWith(prefix)) return true;
    return false;
  }
}
