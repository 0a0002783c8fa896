// The web worker trainer (src/trainer/webTrainer.ts) from its sources, in this process: an image picked after the
// boot is posted ahead of the snapshot request that names it, and the inspect run answers from it; nothing of
// the picked image goes back to the workspace.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tensorToPng } from '../../../src/data/image';
import { WASM_FILES } from '../../../src/engine/backend';
import type { TrainerMessage } from '../../../src/protocol/trainer';
import type { WorkerMessage } from '../../../src/protocol/webTrainer';
import { createWebTrainer } from '../../../src/trainer/webTrainer';
import { root, tinyModel } from './helpers';

describe('web trainer (sources)', () => {
  it('inspect mode: a snapshot of an image preloaded after the boot, then stop', async () => {
    const posted: WorkerMessage[] = [];
    let snapshot!: () => void;
    const gotSnapshot = new Promise<void>((r) => (snapshot = r));
    const t = createWebTrainer((m) => {
      posted.push(m);
      if (m.type === 'snapshot' && m.source.includes('cat.png')) snapshot();
    });
    const wasm: Record<string, Uint8Array> = {};
    for (const f of WASM_FILES) wasm[f] = new Uint8Array(readFileSync(join(root, 'build', f)));
    t.receive({ type: 'boot', wasm, files: [], folders: ['/w'], cwd: '/w', memoryBytes: 2 ** 30, threads: false });
    t.receive({ type: 'start', job: { file: '/w/tiny.cnn', source: tinyModel(), outDir: '/w/.scratch', mode: 'inspect' } });
    const pixels = new Float32Array(16 * 16).map((_, i) => (i % 16) / 15);
    t.receive({ type: 'preload', files: [{ path: '/w/pics/cat.png', data: tensorToPng(pixels, 0, 16, 16, 1) }] });
    t.receive({ type: 'snapshot', imagePath: '/w/pics/cat.png' });
    await gotSnapshot;
    t.receive({ type: 'stop' });
    await t.ended;
    const errors = posted.filter((m) => m.type === 'error');
    expect(errors).toEqual([]);
    const shot = posted.find((m) => m.type === 'snapshot' && m.source.includes('cat.png')) as Extract<TrainerMessage, { type: 'snapshot' }>;
    expect(Array.from(shot.input.data.slice(0, 16)).map((v) => Math.round(v * 15))).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(posted.filter((m) => m.type === 'done')).toHaveLength(1);
    expect(posted.at(-1)).toEqual({ type: 'exit' });
    // The picked image stayed in the worker's memory: no write of it went out.
    const written = posted.flatMap((m) => (m.type === 'fs' ? m.ops : [])).map((o) => ('path' in o ? o.path : o.to));
    expect(written.filter((p) => p.startsWith('/w/pics'))).toEqual([]);
  });
});
