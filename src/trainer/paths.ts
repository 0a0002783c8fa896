// Where a run's files go: `runs/<network>-<timestamp>/` beside the .cnn file.

import { dirname, join } from 'node:path';

export function defaultRunDir(file: string, network: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const safe = network.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'network';
  return join(dirname(file), 'runs', `${safe}-${stamp}`);
}
