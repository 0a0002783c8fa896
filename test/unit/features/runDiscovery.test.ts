// Where the inspector finds a file's last run and checkpoint (src/features/runDiscovery.ts), over real run
// folders in a temporary directory, and the run-folder conventions it builds on (src/trainer/paths.ts).

import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileCheckpoint, lastRun, runHasCheckpoint } from '../../../src/features/runDiscovery';
import { checkpointIn, latestRunMetrics, runFiles } from '../../../src/trainer/paths';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnn-run-discovery-'));
  file = join(dir, 'net.cnn');
  writeFileSync(file, 'input 4x4x1\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A run folder `runs/<name>` with a metrics.jsonl modified at `mtime` (seconds), and a checkpoint when asked. */
function run(name: string, mtime: number, opts: { checkpoint?: boolean; metrics?: string } = {}): string {
  const d = join(dir, 'runs', name);
  mkdirSync(d, { recursive: true });
  const f = runFiles(d);
  writeFileSync(f.metrics, opts.metrics ?? `{"epoch":1,"epochs":1,"trainLoss":1,"trainAccuracy":0.5}\n`);
  utimesSync(f.metrics, mtime, mtime);
  if (opts.checkpoint) writeFileSync(f.checkpoint, 'weights');
  return d;
}

describe('the latest run on disk (paths.ts)', () => {
  it('is the run folder of the network whose metrics were written last, whatever the names sort to', () => {
    run('Net-20260101-120000', 1000);
    const newest = run('Net-20250101-120000', 3000);
    run('Net-20260101-120000-2', 2000);
    run('Other-20270101-120000', 9000); // another network's run
    mkdirSync(join(dir, 'runs', 'Net-notastamp'));
    mkdirSync(join(dir, 'runs', 'Net-20280101-120000')); // no metrics yet
    expect(latestRunMetrics(file, 'Net')).toBe(runFiles(newest).metrics);
    expect(latestRunMetrics(file, 'Missing')).toBeNull();
  });

  it('is null without a runs folder, and checkpointIn finds a folder\u2019s checkpoint only when it is there', () => {
    expect(latestRunMetrics(file, 'Net')).toBeNull();
    const a = run('Net-20260101-120000', 1000);
    const b = run('Net-20260101-120001', 1000, { checkpoint: true });
    expect(checkpointIn(a)).toBeNull();
    expect(checkpointIn(b)).toBe(runFiles(b).checkpoint);
    expect(runHasCheckpoint(runFiles(b).metrics)).toBe(true);
    expect(runHasCheckpoint(runFiles(a).metrics)).toBe(false);
  });
});

describe('fileCheckpoint', () => {
  it('prefers the remembered checkpoint while it exists, then this window\u2019s run, then the newest run folder', () => {
    const older = run('Net-20260101-120000', 1000, { checkpoint: true });
    const newer = run('Net-20260101-130000', 2000, { checkpoint: true });
    const remembered = runFiles(older).checkpoint;
    expect(fileCheckpoint(file, { metricsFile: null, known: remembered, network: 'Net' })).toBe(remembered);
    expect(fileCheckpoint(file, { metricsFile: null, known: join(dir, 'gone.safetensors'), network: 'Net' })).toBe(runFiles(newer).checkpoint);
    expect(fileCheckpoint(file, { metricsFile: runFiles(older).metrics, known: null, network: 'Net' })).toBe(remembered);
    // Not on disk: no run folders to look in.
    expect(fileCheckpoint(file, { metricsFile: null, known: null, network: null })).toBeNull();
  });

  it('is null when the last run left no checkpoint', () => {
    run('Net-20260101-120000', 1000);
    expect(fileCheckpoint(file, { metricsFile: null, known: null, network: 'Net' })).toBeNull();
  });
});

describe('lastRun', () => {
  it('reads the first readable candidate: this window\u2019s run, the remembered checkpoint\u2019s run, the newest folder', () => {
    const disk = run('Net-20260101-120000', 1000, { metrics: 'disk\n' });
    const remembered = run('Net-20250101-120000', 500, { metrics: 'remembered\n', checkpoint: true });
    const window = run('Net-20240101-120000', 100, { metrics: 'window\n' });
    const all = { metricsFile: runFiles(window).metrics, known: runFiles(remembered).checkpoint, network: 'Net' };
    expect(lastRun(file, all)).toEqual({ path: runFiles(window).metrics, text: 'window\n' });
    rmSync(window, { recursive: true });
    expect(lastRun(file, all)?.text).toBe('remembered\n');
    expect(lastRun(file, { ...all, known: null })?.path).toBe(runFiles(disk).metrics);
    expect(lastRun(file, { metricsFile: null, known: null, network: null })).toBeNull();
  });
});
