// Paths relative to a .cnn file: where a run's files go (`runs/<network>-<timestamp>/` beside it), and the
// file system as the checker sees it from there (data paths are relative to the file).

import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CheckHost } from '../language';

/** A file's name without its folder and `.cnn`: the network's name when the file gives none. */
export function fileStem(file: string): string {
  return file.split(/[\\/]/).pop()!.replace(/\.cnn$/, '');
}

export function defaultRunDir(file: string, network: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const safe = network.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'network';
  return join(dirname(file), 'runs', `${safe}-${stamp}`);
}

/** The checker's view of the file system, for data paths relative to `file`'s folder. */
export function fileHost(file: string): CheckHost {
  const base = dirname(resolve(file));
  return {
    stat(path: string) {
      try {
        return statSync(resolve(base, path)).isDirectory() ? 'dir' : 'file';
      } catch {
        return null;
      }
    },
  };
}
