// Issue 12: "The engine needs 4579 MiB of WebAssembly memory … or lower batch=" for the lecture's
// 300,000,100-weight dense layer, where no batch helps. The check before training names the layer and what to
// change; only when the outputs kept for backward are the problem does it suggest a batch, one that fits.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, toModelSpec } from '../../../src/language';
import type { TrainerMessage } from '../../../src/protocol/trainer';
import { ENGINE_MEMORY_LIMIT, memoryPlan, memoryProblem } from '../../../src/trainer/memory';
import { runTraining } from '../../../src/trainer/run';
import { tempDir } from './helpers';

const spec = (text: string) => toModelSpec(check(text))!;

describe('memory before training', () => {
  it("the lecture's 1000×1000×3 image into 100 dense units: the layer is too big, whatever the batch", () => {
    const s = spec('input 1000x1000x3\ndense units=100\ndata shapes\ntrain batch=32\n');
    const plan = memoryPlan(s);
    expect(plan.fixedBytes).toBe(300_000_100 * 4 * 4); // 4,578 MiB: the figure of the engine's old message
    const message = memoryProblem(s)!;
    expect(message).toContain('The layer on line 2 (dense 100 units (flattens)) has 300,000,100 weights');
    expect(message).toContain('the 1000×1000×3 volume flattened into 3,000,000 inputs × 100 units + 100 biases');
    expect(message).toContain('whatever the batch');
    expect(message).toContain('pool size=2 stride=2');
    expect(message).not.toMatch(/batch=\d|lower batch/i);
    expect(message).not.toMatch(/WebAssembly|MiB of/);
  });

  it('large outputs at a large batch: lower batch= to a size that fits, and the layer with the largest output', () => {
    const text = 'input 224x224x3\nconv filters=64 size=3 pad=1\nrelu\npool size=2\nconv filters=64 size=3 pad=1\nrelu\npool size=8\ndense units=3\ndata shapes\ntrain batch=512\n';
    const message = memoryProblem(spec(text))!;
    expect(message).toMatch(/^At batch=512 this network does not fit in the 4\.00 GiB the built-in engine can hold/);
    expect(message).toContain('the most for layer 0 on line 2 (conv 64 filters 3×3, pad 1: 224×224×64)');
    const [, suggested, most] = /Lower batch= to (\d+) \(at most (\d+) fits\)/.exec(message)!.map(Number);
    expect(suggested).toBeLessThanOrEqual(most!);
    expect(memoryProblem(spec(text.replace('batch=512', `batch=${suggested}`)))).toBeNull();
    expect(memoryProblem(spec(text.replace('batch=512', `batch=${most! + 1}`)))).not.toBeNull();
  });

  it('a network that fits says nothing; a smaller machine is named as such', () => {
    const lecture = spec('input 32x32x3\nconv filters=16 size=3 pad=1\nrelu\npool size=2\ndense units=3\nsoftmax\ndata shapes\n');
    expect(memoryProblem(lecture)).toBeNull();
    expect(memoryProblem(lecture, 100_000)).toContain('this machine can spare');
    expect(ENGINE_MEMORY_LIMIT).toBe(65536 * 65536);
  });
});

describe('training a model that is too big', () => {
  it('fails before the network is built, with the layer and what to change', async () => {
    const dir = tempDir('cnn-memory-');
    const messages: TrainerMessage[] = [];
    const outDir = join(dir, 'runs', 'Big');
    const result = await runTraining(
      { file: join(dir, 'big.cnn'), source: 'network Big\ninput 1000x1000x3\ndense units=100\ndata shapes samples=10\ntrain batch=2\n', outDir },
      { emit: (m) => messages.push(m), stopRequested: () => false, takeRequest: () => null },
    );
    expect(result).toMatchObject({ type: 'error', stage: 'setup' });
    const message = (result as { message: string }).message;
    expect(message).toContain('has 300,000,100 weights');
    expect(message).toContain('whatever the batch');
    expect(message).not.toMatch(/WebAssembly|lower batch/i);
    // Nothing was trained or written (whether an empty run folder stays is the run folder's own business).
    expect(existsSync(join(outDir, 'model.safetensors'))).toBe(false);
    expect(messages.some((m) => m.type === 'started')).toBe(false);
  });
});
