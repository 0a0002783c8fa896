// The training-health diagnostics a run leaves on its file (src/features/healthRun.ts): replaced each epoch,
// cleared by a new run or a change of the network, kept (and moved) through comments and blank lines.
import { describe, expect, it } from 'vitest';
import { check } from '../../../src/language';
import { layerSignature, onNetwork, onRunMessage, place, type FileHealth } from '../../../src/features/healthRun';
import type { HealthDiagnostic, HealthMessage, TrainerMessage } from '../../../src/protocol/trainer';

const SRC = ['network A', 'input 8x8x1', 'classes a b', 'conv filters=4 size=3 activation=relu', 'dense units=2', 'softmax', ''].join('\n');
const sig = (text: string) => layerSignature(check(text));
const w301: HealthDiagnostic = { code: 'W301', index: 0, line: 3, message: '100% of this layer’s relu units never fire' };
const health = (diagnostics: HealthDiagnostic[] | null, step = 10): HealthMessage => ({ type: 'health', step, epoch: 1, layers: [], diagnostics, samples: diagnostics ? 4 : 0 });
const started = { type: 'started' } as TrainerMessage;

describe('healthRun', () => {
  it('an epoch-end message sets the list, a record in between keeps it, a new run clears it', () => {
    let h: FileHealth | null = onRunMessage(null, health([w301]), sig(SRC));
    expect(h).toEqual({ signature: sig(SRC), diagnostics: [w301] });
    expect(onRunMessage(h, health(null, 30), sig(SRC))).toBe(h);
    h = onRunMessage(h, health([], 40), sig(SRC));
    expect(h!.diagnostics).toEqual([]);
    expect(onRunMessage({ signature: null, diagnostics: [w301] }, started, null)).toBeNull();
  });

  it('a comment, a blank line or a changed train setting keeps them, on the layer’s new line', () => {
    const h = onRunMessage(null, health([w301]), sig(SRC));
    const edited = SRC.replace('conv filters', '# a note\n\nconv filters').replace('network A', 'network A  # renamed?');
    expect(sig(edited)).toBe(sig(SRC));
    expect(onNetwork(h, sig(edited))).toBe(h);
    expect(place(h, check(edited).layers)).toEqual([{ line: 5, code: 'W301', message: w301.message }]);
    expect(onNetwork(h, sig(SRC + 'train epochs=3 lr=0.1\n'))).toBe(h);
  });

  it('a change of the network clears them; a file that does not check keeps them until it does', () => {
    const h = onRunMessage(null, health([w301]), sig(SRC));
    expect(onNetwork(h, sig(SRC.replace('filters=4', 'filters=8')))).toBeNull();
    expect(onNetwork(h, sig(SRC.replace('dense units=2', 'dense units=2\nrelu')))).toBeNull();
    expect(sig('network A\n')).toBeNull();
    expect(onNetwork(h, null)).toBe(h);
  });

  it('diagnostics that came while the file was closed take the network of its next check, and the reported lines until then', () => {
    const h = onRunMessage(null, health([w301]), null);
    expect(place(h, null)).toEqual([{ line: 3, code: 'W301', message: w301.message }]);
    const adopted = onNetwork(h, sig(SRC));
    expect(adopted).toEqual({ signature: sig(SRC), diagnostics: [w301] });
    expect(onNetwork(adopted, sig(SRC.replace('filters=4', 'filters=5')))).toBeNull();
    expect(place(null, null)).toEqual([]);
  });
});
