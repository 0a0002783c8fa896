// What `cnn train` prints about training health (src/cli/trainHealth.ts).
import { describe, expect, it } from 'vitest';
import { HealthReport } from '../../../src/cli/trainHealth';
import type { HealthDiagnostic, HealthMessage } from '../../../src/protocol/trainer';

const d = (code: HealthDiagnostic['code'], index: number): HealthDiagnostic => ({ code, index, line: index + 3, message: `${code} on ${index}` });
const end = (epoch: number, diagnostics: HealthDiagnostic[] | null): HealthMessage => ({ type: 'health', step: epoch * 10, epoch, layers: [], diagnostics, samples: 5 });

describe('HealthReport', () => {
  it('shows each diagnostic as it appears, and the last epoch’s list at the end', () => {
    const r = new HealthReport('net.cnn');
    expect(r.summary()).toBe('');
    expect(r.take(end(1, null))).toEqual([]);
    expect(r.take(end(1, [d('W301', 0)]))).toEqual(['warning: net.cnn:4: W301 W301 on 0\n']);
    // Still there the next epoch: not repeated; a new one is shown.
    expect(r.take(end(2, [d('W301', 0), d('W304', 2)]))).toEqual(['warning: net.cnn:6: W304 W304 on 2\n']);
    expect(r.summary()).toBe('Training health (epoch 2): 2 warnings\n  net.cnn:4: W301 W301 on 0\n  net.cnn:6: W304 W304 on 2\n');
    r.take(end(3, []));
    expect(r.summary()).toBe('Training health (epoch 3): no warnings.\n');
    expect(r.take({ type: 'log', message: 'x' })).toEqual([]);
  });
});
