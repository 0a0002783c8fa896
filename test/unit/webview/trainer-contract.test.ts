// The real trainer (dist/trainer.js) against the inspector's side of the protocol: in inspect mode on the
// lecture's network, its started, snapshot and evaluation messages must pass the webview's run-time checks,
// and the snapshot's shapes must be what the inspector draws. Skipped, visibly, when the trainer is not built.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { modelView, snapshotToHwc } from '../../../src/features/modelView';
import { check } from '../../../src/language';
import type { EvaluationMessage, SnapshotMessage, TrainerMessage } from '../../../src/protocol/trainer';
import { isHostToWebview } from '../../../src/protocol/webview';
import { TrainerClient } from '../../../src/trainer/client';

const root = join(__dirname, '../../..');
const script = join(root, 'dist/trainer.js');
const file = join(root, 'examples/lecture.cnn');
const built = existsSync(script);
if (!built) console.warn('SKIPPED: the trainer contract tests need dist/trainer.js (node scripts/build.mjs).');

describe.skipIf(!built)('the real trainer in inspect mode, as the inspector sees it', () => {
  const messages: TrainerMessage[] = [];
  let snapshot: SnapshotMessage;
  let evaluation: EvaluationMessage;
  let client: TrainerClient;
  let out: string;
  const source = readFileSync(file, 'utf8');
  const model = modelView(check(source), file, 1);

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'cnn-inspect-'));
    client = new TrainerClient({ script });
    const got = new Promise<void>((resolve, reject) => {
      client.on('message', (m) => {
        messages.push(m);
        if (m.type === 'snapshot' && m.source.includes('3')) snapshot = m;
        if (m.type === 'evaluation') evaluation = m;
        if (m.type === 'error') reject(new Error(`${m.stage}: ${m.message}`));
        if (snapshot && evaluation) resolve();
      });
      client.on('exit', (e) => reject(new Error(`the trainer exited: ${e.stderr}`)));
    });
    client.start({ file, source, outDir: out, mode: 'inspect', snapshotIntervalMs: 0 });
    client.send({ type: 'snapshot', sample: 3 });
    client.send({ type: 'evaluate' });
    await got;
  });

  afterAll(async () => {
    await client?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('sends messages that pass the webview\u2019s checks', () => {
    expect(messages.map((m) => m.type)).toContain('started');
    for (const m of messages) expect(isHostToWebview({ type: 'trainer', file, message: m }), m.type).toBe(true);
  });

  it('sends one activation per layer and the filters of both conv layers, K×C×F×F', () => {
    expect(snapshot.activations.map((a) => a.index)).toEqual(model.layers.map((l) => l.index));
    expect(snapshot.activations.map((a) => a.line)).toEqual(model.layers.map((l) => l.line));
    expect(snapshot.input.shape).toEqual([32, 32, 3]);
    expect(snapshot.filters.map((f) => f.shape)).toEqual([
      [16, 3, 3, 3],
      [32, 16, 3, 3],
    ]);
    expect(snapshot.probabilities).toHaveLength(3);
    expect(snapshot.classes).toEqual(['door', 'stair', 'sign']);
    expect(evaluation.confusion).toHaveLength(3);
  });

  it('sends volumes as C×H×W (its protocol), which the host turns into the webview\u2019s H×W×C', () => {
    const chw = model.layers.map((l) => (l.output?.kind === 'volume' ? [l.output.c, l.output.h, l.output.w] : l.output ? [l.output.n] : null));
    expect(snapshot.activations.map((a) => a.shape)).toEqual(chw);
    const hwc = snapshotToHwc(snapshot);
    const want = model.layers.map((l) => (l.output?.kind === 'volume' ? [l.output.h, l.output.w, l.output.c] : l.output ? [l.output.n] : null));
    expect(hwc.activations.map((a) => a.shape)).toEqual(want);
    expect(isHostToWebview({ type: 'trainer', file, message: hwc })).toBe(true);
  });
});
