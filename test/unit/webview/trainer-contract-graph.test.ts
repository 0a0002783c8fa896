// The real trainer (dist/trainer.js) on branching networks, as the inspector sees it: in inspect mode on the
// U-Net and MobileNet examples, a snapshot holds one activation per layer (add, concat, upsample included) in the
// shapes the architecture shows, and every weight tensor it sends reads, with its layer, as that layer's filters
// (a grouped or depthwise conv's [K, C/G, F, F], a deconv's [C_in, K, F, F]). Skipped, visibly, when the trainer
// is not built.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { modelView, snapshotToHwc } from '../../../src/features/modelView';
import { check } from '../../../src/language';
import type { SnapshotMessage } from '../../../src/protocol/trainer';
import { isHostToWebview } from '../../../src/protocol/webview';
import { TrainerClient } from '../../../src/trainer/client';
import { filterAxes } from '../../../webview/state/filters';

const root = join(__dirname, '../../..');
const script = join(root, 'dist/trainer.js');
const built = existsSync(script);
if (!built) console.warn('SKIPPED: the trainer contract tests need dist/trainer.js (node scripts/build.mjs).');

/** One snapshot of validation sample 0 from the real trainer in inspect mode. */
async function snapshotOf(file: string, source: string): Promise<SnapshotMessage> {
  const out = mkdtempSync(join(tmpdir(), 'cnn-inspect-graph-'));
  const client = new TrainerClient({ script });
  try {
    const got = new Promise<SnapshotMessage>((resolve, reject) => {
      client.on('message', (m) => {
        if (m.type === 'snapshot') resolve(m);
        if (m.type === 'error') reject(new Error(`${m.stage}: ${m.message}`));
      });
      client.on('exit', (e) => reject(new Error(`the trainer exited: ${e.stderr}`)));
    });
    client.start({ file, source, outDir: out, mode: 'inspect', snapshotIntervalMs: 0 });
    client.send({ type: 'snapshot', sample: 0 });
    return await got;
  } finally {
    await client.stop();
    rmSync(out, { recursive: true, force: true });
  }
}

describe.skipIf(!built)('the real trainer on graphs, as the inspector sees it', () => {
  for (const name of ['unet-classifier', 'mobilenet']) {
    it(`${name}.cnn: every layer\u2019s maps, and filters that read as their layers\u2019`, async () => {
      const file = join(root, 'examples', `${name}.cnn`);
      const source = readFileSync(file, 'utf8');
      const model = modelView(check(source), file, 1);
      expect(model.errorCount).toBe(0);
      const snapshot = snapshotToHwc(await snapshotOf(file, source));
      expect(isHostToWebview({ type: 'trainer', file, message: snapshot })).toBe(true);
      expect(snapshot.activations.map((a) => a.index)).toEqual(model.layers.map((l) => l.index));
      const want = model.layers.map((l) => (l.output?.kind === 'volume' ? [l.output.h, l.output.w, l.output.c] : [l.output!.kind === 'vector' ? l.output!.n : 0]));
      expect(snapshot.activations.map((a) => a.shape)).toEqual(want);
      const convs = model.layers.filter((l) => l.kind === 'conv');
      expect(convs.some((l) => (l.groups ?? 1) > 1) || name !== 'mobilenet').toBe(true);
      expect(snapshot.filters.map((f) => f.index)).toEqual(expect.arrayContaining(convs.map((l) => l.index)));
      for (const f of snapshot.filters) {
        const layer = model.layers.find((l) => l.index === f.index)!;
        const ax = filterAxes(f.shape, layer);
        const inC = layer.input?.kind === 'volume' ? layer.input.c : 0;
        // As many output maps as the layer has filters, each reading its share of the input channels.
        expect([ax.k, ax.c * ax.groups, ax.transposed], `layer ${f.index} (${layer.label}): ${f.shape.join('×')}`).toEqual([layer.filters, inC, layer.kind === 'deconv']);
      }
    }, 120_000);
  }
});
