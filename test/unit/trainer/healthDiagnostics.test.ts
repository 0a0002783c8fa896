// The W301–W304 rules (src/trainer/healthDiagnostics.ts) at their thresholds.
import { describe, expect, it } from 'vitest';
import type { LayerHealth } from '../../../src/protocol/trainer';
import { fig, healthDiagnostics } from '../../../src/trainer/healthDiagnostics';

const ctx = { samples: 256, lr: 0.01 };
const param = (index: number, gradNorm: number, updateRatio = 1e-3): LayerHealth => ({ index, line: index + 10, kind: 'conv', gradNorm, paramGradNorm: gradNorm, weightNorm: 1, updateRatio });
const act = (index: number, activation: LayerHealth['activation'], share: number): LayerHealth => ({
  index,
  line: index + 10,
  kind: activation!,
  gradNorm: null,
  paramGradNorm: null,
  weightNorm: null,
  updateRatio: null,
  activation,
  ...(activation === 'relu' || activation === 'leakyrelu' ? { dead: share } : { saturated: share }),
});
const codes = (layers: LayerHealth[]) => healthDiagnostics(layers, ctx).map((d) => `${d.code}@${d.index}`);

describe('healthDiagnostics', () => {
  it('W301 over half of a relu dead, never for leakyrelu; W302 over half saturated', () => {
    expect(codes([act(1, 'relu', 0.5), act(2, 'relu', 0.51), act(3, 'leakyrelu', 1), act(4, 'sigmoid', 0.5), act(5, 'tanh', 0.9)])).toEqual(['W301@2', 'W302@5']);
    const [d] = healthDiagnostics([act(2, 'relu', 0.62)], ctx);
    expect(d).toEqual({
      code: 'W301',
      index: 2,
      line: 12,
      message: "62% of this relu's units never fire on the 256 validation samples (output 0 for every one), so they pass no gradient and stop learning. Try a smaller learning rate (lr=0.001), leakyrelu, or batchnorm before it.",
    });
    expect(healthDiagnostics([act(5, 'tanh', 0.9)], ctx)[0]!.message).toContain('|output| above 0.99');
    expect(healthDiagnostics([act(2, 'relu', 1)], { ...ctx, samples: 1, split: 'training' })[0]!.message).toContain('never fire on the 1 training sample (');
  });

  it('W303 a gradient norm 1000× below or above the median of the others (three parameterised layers at least)', () => {
    expect(codes([param(0, 1e-3), param(1, 1), param(2, 1)])).toEqual([]);
    expect(codes([param(0, 0.9e-3), param(1, 1), param(2, 1)])).toEqual(['W303@0']);
    expect(codes([param(0, 1), param(1, 1), param(2, 1001)])).toEqual(['W303@2']);
    expect(codes([param(0, 1e-9), param(1, 1)])).toEqual([]);
    const [v] = healthDiagnostics([param(0, 2e-7), param(1, 1e-3), param(2, 1e-3), param(3, 1e-3)], ctx);
    expect(v!.message).toBe(
      'Vanishing gradient: its weight-gradient norm 2.00e-7 is 5,000× below the median of the other layers (0.001), so this layer barely learns. Try relu instead of sigmoid/tanh, batchnorm, or fewer layers between it and the loss (or a skip connection with add).',
    );
    expect(healthDiagnostics([param(0, 0), param(1, 1), param(2, 1)], ctx)[0]!.message).toContain('is far below the median');
  });

  it('W304 an update/weight ratio below 1e-5 or above 1e-1, not for a layer without gradient', () => {
    expect(codes([param(0, 1, 1e-5), param(1, 1, 0.1)])).toEqual([]);
    expect(codes([param(0, 1, 0.9e-5), param(1, 1, 0.11), param(2, 0, 0)])).toEqual(['W304@0', 'W304@1', 'W303@2']);
    const [low, high] = healthDiagnostics([param(0, 1, 2e-7), param(1, 1, 0.35)], ctx);
    expect(low!.message).toBe('The weights barely move: the update/weight ratio is 2.00e-7 (healthy is around 1e-3), so the learning rate is too low for this layer. Try lr=1.');
    expect(high!.message).toBe("Each optimizer step changes this layer's weights by 35% (update/weight ratio 0.35; healthy is around 1e-3): the learning rate is too high. Try lr=0.0001.");
  });

  it('writes figures with 3 significant digits', () => {
    expect([fig(0), fig(0.35), fig(1234.5), fig(2e-7), fig(3e5)]).toEqual(['0', '0.35', '1230', '2.00e-7', '3.00e5']);
  });
});
