// The Node host: files, paths, decompression, the hash and the machine's figures from Node's own modules. The
// Node entries (the trainer child, the command line, the extension host, the tests, the benchmarks) install it
// with installHost(nodeHost); nothing else in src/data, src/trainer or src/engine imports a Node module.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { atomicTempName } from './atomicTemp';
import type { DirEntry, FileStat, Files, Host, InflateOptions, ReadHandle } from './host';

function statOf(s: fs.Stats): FileStat {
  return { kind: s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other', size: s.size, mtimeMs: s.mtimeMs };
}

function openRead(file: string): ReadHandle {
  let fd: number | null = fs.openSync(file, 'r');
  let size: number;
  try {
    size = fs.fstatSync(fd).size;
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  return {
    size,
    read(into, offset, length, position) {
      if (fd === null) throw new Error(`${file} was already closed`);
      return fs.readSync(fd, into, offset, length, position);
    },
    close() {
      if (fd === null) return;
      fs.closeSync(fd);
      fd = null;
    },
  };
}

function readRange(file: string, offset: number, length: number): Uint8Array {
  const h = openRead(file);
  try {
    const n = Math.max(0, Math.min(length, h.size - offset));
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const k = h.read(out, done, n - done, offset + done);
      if (k === 0) break;
      done += k;
    }
    return done === n ? out : out.subarray(0, done);
  } finally {
    h.close();
  }
}

/** Temporary file beside `file`, fsync, rename over it; the temporary file goes when anything fails. */
function writeFileAtomic(file: string, data: Uint8Array): void {
  const tmp = path.join(path.dirname(file), atomicTempName(path.basename(file), process.pid, Date.now()));
  const removeTmp = () => {
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  };
  const fd = fs.openSync(tmp, 'w');
  try {
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    removeTmp();
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    removeTmp();
    throw e;
  }
}

const files: Files = {
  stat(p) {
    try {
      return statOf(fs.statSync(p));
    } catch {
      return null;
    }
  },
  readFile: (p) => fs.readFileSync(p),
  readText: (p) => fs.readFileSync(p, 'utf8'),
  readRange,
  openRead,
  readDir(p): DirEntry[] {
    return fs.readdirSync(p, { withFileTypes: true }).map((e) => ({
      name: e.name,
      kind: e.isDirectory() ? 'dir' : e.isFile() ? 'file' : e.isSymbolicLink() ? 'link' : 'other',
    }));
  },
  realPath: (p) => fs.realpathSync(p),
  writeFile: (p, data) => fs.writeFileSync(p, data),
  writeFileExclusive: (p, data) => fs.writeFileSync(p, data, { flag: 'wx' }),
  writeFileAtomic,
  appendFile: (p, text) => fs.appendFileSync(p, text),
  rename: (from, to) => fs.renameSync(from, to),
  remove: (p) => fs.unlinkSync(p),
  mkdir: (p, options) => void fs.mkdirSync(p, { recursive: options?.recursive ?? false }),
  rmdir: (p) => fs.rmdirSync(p),
};

function zlibOptions(opts: InflateOptions | undefined): zlib.ZlibOptions {
  return {
    ...(opts?.partial ? { finishFlush: zlib.constants.Z_SYNC_FLUSH } : {}),
    ...(opts?.maxOutputLength !== undefined ? { maxOutputLength: opts.maxOutputLength } : {}),
  };
}

export const nodeHost: Host = {
  kind: 'node',
  files,
  path: path,
  gunzip: (data, opts) => zlib.gunzipSync(data, zlibOptions(opts)),
  inflateRaw: (data, opts) => zlib.inflateRawSync(data, zlibOptions(opts)),
  deflateRaw: (data) => new Uint8Array(zlib.deflateRawSync(data)),
  sha256Hex: (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex'),
  cpus: () => os.availableParallelism(),
  totalMemoryBytes: () => os.totalmem(),
  hostname: () => os.hostname(),
  pid: () => process.pid,
  processAlive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
  onExit(fn) {
    process.on('exit', fn);
    return () => void process.off('exit', fn);
  },
};
