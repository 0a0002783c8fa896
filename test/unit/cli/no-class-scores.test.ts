// Networks that give no class scores (no layers, or no dense layer at the end) cannot be trained or exported
// as ONNX: found by the CLI fuzz test as an "internal error" from export and a "set units=3" that named a
// layer the file does not have. Run in-process through main(), as the command line runs.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { writeNpy } from '../../../src/data';
import { tempDir } from '../trainer/helpers';

async function cnn(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('a network that gives no class scores', () => {
  const dir = tempDir('cnn-no-scores-');
  const files = {
    empty: 'network E\ninput 4x4x1\ndata shapes samples=30\n',
    convOnly: 'network C\ninput 4x4x1\nconv filters=2 size=3\ndata shapes samples=30\n',
  };

  for (const [name, text] of Object.entries(files)) {
    const file = join(dir, `${name}.cnn`);
    writeFileSync(file, text);

    it(`${name}: export --format onnx refuses it in one line`, async () => {
      const r = await cnn(['export', file, '--format', 'onnx', '-o', join(dir, `${name}.onnx`)]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`^cnn: cannot export ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} as ONNX: .+; nothing was written\\.\\n$`));
      expect(r.err).not.toMatch(/internal error/);
    });

    it(`${name}: predict refuses it in one line`, async () => {
      const x = join(dir, 'x.npy');
      writeFileSync(x, writeNpy(new Float32Array(16), [4, 4, 1], 'f4'));
      const r = await cnn(['predict', file, '--weights', join(dir, 'none.safetensors'), '--input', x]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^cnn: cannot predict with .+: the (model has no layers|network must end in a vector .*)\.\n$/);
    });

    it(`${name}: train says to end it with a dense layer`, async () => {
      const r = await cnn(['train', file, '--epochs', '1', '--out', join(dir, `run-${name}`)]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/the network gives no class scores: end it with "dense units=3" and "softmax"/);
      expect(r.err).not.toMatch(/set units=/);
    });
  }
});
