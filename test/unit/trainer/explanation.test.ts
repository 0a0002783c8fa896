// Issue 10, the Explain tab (trainer side): an `explain` request is answered in inspect mode and between
// training steps (so the tab follows training live) with the input and one raw map per method, equal to
// src/explain's maps of the same network; the class is the predicted one unless named; a dense line or a class
// that does not exist is answered with its one-line reason, nothing computed.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explain } from '../../../src/explain';
import type { ExplainRequest, ExplanationMessage, GalleryExplanationMessage, RunRequest, TrainerMessage } from '../../../src/protocol/trainer';
import { isHostMessage, isTrainerMessage } from '../../../src/protocol/trainer';
import { explanationMessage } from '../../../src/trainer/explanation';
import { prepare } from '../../../src/trainer/prepare';
import { runInspect, runTraining } from '../../../src/trainer/run';
import { Startup } from '../../../src/trainer/startup';
import { createYielder } from '../../../src/trainer/yielder';
import { TrainerClient } from '../../../src/trainer/client';
import { buildOnce, root, tempDir, tinyModel, writeModel } from './helpers';

const ALL: ExplainRequest = { type: 'explain', sample: 2, imagePath: null, cls: null, line: null, methods: ['gradcam', 'saliency', 'occlusion'] };
const explanations = (ms: TrainerMessage[]) => ms.filter((m): m is ExplanationMessage => m.type === 'explanation');

async function inspect(source: string, requests: RunRequest[]): Promise<TrainerMessage[]> {
  const file = writeModel(tempDir(), source);
  const messages: TrainerMessage[] = [];
  const queue = [...requests];
  for (const r of requests) expect(isHostMessage(r), JSON.stringify(r)).toBe(true);
  const result = await runInspect(
    { file, source, outDir: tempDir(), mode: 'inspect' },
    { emit: (m) => messages.push(m), stopRequested: () => false, takeRequest: () => null, nextRequest: async () => queue.shift() ?? null },
  );
  expect(result.type, JSON.stringify(result)).toBe('done');
  for (const m of messages) expect(isTrainerMessage(m), m.type).toBe(true);
  return messages;
}

describe('explanations from the trainer', () => {
  it('inspect mode: the three maps of a validation sample for its predicted class, the default layer the last pool', async () => {
    const [e] = explanations(await inspect(tinyModel({ samples: 60 }), [ALL]));
    expect(e!.error).toBeNull();
    expect(e!.source).toBe('validation sample 2');
    expect(e!.sample).toBe(2);
    expect(e!.input.shape).toEqual([16, 16, 1]);
    expect(e!.classes).toEqual(['door', 'stair', 'sign']);
    expect(e!.label).not.toBeNull();
    expect(e!.predicted).toBe(true);
    const best = e!.probabilities.indexOf(Math.max(...e!.probabilities));
    expect(e!.classIndex).toBe(best);
    expect(e!.maps.map((m) => [m.method, m.line, m.h, m.w])).toEqual([
      ['gradcam', 4, 8, 8], // `pool max size=2` on line 5 (0-based 4): 8×8
      ['saliency', null, 16, 16],
      ['occlusion', null, 16, 16],
    ]);
    for (const m of e!.maps) expect(m.map.some((v) => v !== 0), m.method).toBe(true);
  });

  it('equals src/explain on the same network, for a named class and a chosen line', async () => {
    const source = tinyModel({ samples: 60 });
    const file = writeModel(tempDir(), source);
    const p = await prepare({ file, source, outDir: tempDir(), mode: 'inspect' }, new Startup(() => undefined, createYielder(() => false)));
    try {
      const e = await explanationMessage(p, { ...ALL, cls: 1, line: 3 });
      expect(e.error).toBeNull();
      expect(e.classIndex).toBe(1);
      expect(e.predicted).toBe(false);
      const conv = p.spec.layers.find((l) => l.line === 3)!;
      for (const m of e.maps) {
        const want = explain(p.net, e.input.data, 1, { method: m.method, cls: 1, ...(m.method === 'gradcam' ? { layer: conv.index } : {}) });
        expect(want.classes).toEqual([1]);
        expect([m.h, m.w]).toEqual([want.maps[0]!.h, want.maps[0]!.w]);
        expect(Array.from(m.map)).toEqual(Array.from(want.maps[0]!.data));
      }
      expect(e.maps[0]!.line).toBe(3);
      expect([e.maps[0]!.h, e.maps[0]!.w]).toEqual([16, 16]);
    } finally {
      p.data.close();
      await p.net.dispose();
    }
  });

  it('a dense line, a class that does not exist or an unreadable image: the reason, no maps; the next request is answered', async () => {
    const [dense, unknown, ok, missing] = explanations(
      await inspect(tinyModel({ samples: 60 }), [
        { ...ALL, line: 5 },
        { ...ALL, cls: 7 },
        { ...ALL, methods: ['saliency'] },
        { ...ALL, imagePath: '/nowhere/door.png' },
      ]),
    );
    expect(dense!.maps).toEqual([]);
    expect(dense!.error).toMatch(/line 6 is a dense layer: its output is a vector of 3, and Grad-CAM needs rows and columns \(layers with a spatial output are on lines 4, 5\)/);
    expect(unknown!.maps).toEqual([]);
    expect(unknown!.error).toBe('Tiny has no class 7; its classes are door (0), stair (1), sign (2)');
    expect(ok!.error).toBeNull();
    expect(ok!.maps.map((m) => m.method)).toEqual(['saliency']);
    // An image file that cannot be read: its line, no input.
    expect(missing!.error).toMatch(/^\/nowhere\/door.png cannot be read \(ENOENT\)/);
    expect(missing!.input.shape).toEqual([0, 0, 1]);
    expect(missing!.maps).toEqual([]);
  });

  it('the misclassified gallery: each sample’s Grad-CAM for its predicted class, as the Explain tab computes it', async () => {
    const ms = await inspect(tinyModel({ samples: 60 }), [
      { type: 'explainGallery', samples: [0, 3, 5], line: null },
      { type: 'explainGallery', samples: [1], line: 5 },
      { type: 'explain', sample: 3, imagePath: null, cls: null, line: null, methods: ['gradcam'] },
    ]);
    const [gallery, dense] = ms.filter((m): m is GalleryExplanationMessage => m.type === 'galleryExplanation');
    expect(gallery!.error).toBeNull();
    expect(gallery!.line).toBe(4);
    expect(gallery!.items.map((i) => [i.sample, i.h, i.w])).toEqual([
      [0, 8, 8],
      [3, 8, 8],
      [5, 8, 8],
    ]);
    // Sample 3's map and class equal the Explain tab's for the same sample (the batch changes nothing).
    const [tab] = explanations(ms);
    expect(gallery!.items[1]!.classIndex).toBe(tab!.classIndex);
    const want = tab!.maps[0]!.map;
    const got = gallery!.items[1]!.map;
    const scale = Math.max(...want);
    got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-5 * scale));
    expect(dense!.items).toEqual([]);
    expect(dense!.error).toMatch(/line 6 is a dense layer/);
  });

  it('the trainer child (dist/trainer.js) answers over IPC, the maps arriving as Float32Arrays', async () => {
    buildOnce();
    const source = tinyModel({ samples: 60 });
    const file = writeModel(tempDir(), source);
    const client = new TrainerClient({ script: join(root, 'dist/trainer.js') });
    const answer = new Promise<ExplanationMessage>((resolve, reject) => {
      client.on('message', (m) => m.type === 'explanation' && resolve(m));
      void client.exited.then(() => reject(new Error('the trainer exited first')));
    });
    client.start({ file, source, outDir: tempDir(), mode: 'inspect', snapshotIntervalMs: 0 });
    client.send(ALL);
    const e = await answer;
    await client.stop();
    expect(e.error).toBeNull();
    expect(e.maps.map((m) => m.method)).toEqual(['gradcam', 'saliency', 'occlusion']);
    for (const m of e.maps) expect(m.map).toBeInstanceOf(Float32Array);
  });

  it('while training: answered between steps, with the running weights', async () => {
    const source = tinyModel({ samples: 120, epochs: 2 });
    const file = writeModel(tempDir(), source);
    const messages: TrainerMessage[] = [];
    let asked = 0;
    const done = await runTraining(
      { file, source, outDir: tempDir() },
      {
        emit: (m) => messages.push(m),
        stopRequested: () => false,
        // One request early in the first epoch and one in the second.
        takeRequest: () => {
          const progress = messages.filter((m) => m.type === 'progress').length;
          if ((asked === 0 && progress >= 1) || (asked === 1 && messages.some((m) => m.type === 'epoch'))) {
            asked++;
            return { ...ALL, sample: 1 };
          }
          return null;
        },
      },
    );
    expect(done.type, JSON.stringify(done)).toBe('done');
    const answers = explanations(messages);
    expect(answers).toHaveLength(2);
    // Both came before the end of the run, the second after the first epoch: the weights had moved.
    const at = (m: TrainerMessage) => messages.indexOf(m);
    expect(at(answers[1]!)).toBeGreaterThan(messages.findIndex((m) => m.type === 'epoch'));
    expect(at(answers[1]!)).toBeLessThan(messages.findIndex((m) => m.type === 'done'));
    expect(Array.from(answers[0]!.maps[1]!.map)).not.toEqual(Array.from(answers[1]!.maps[1]!.map));
  });
});
