// The tables `cnn bench --profile` prints (src/cli/benchProfile.ts), from a fixed profile.
import { describe, expect, it } from 'vitest';
import { fmtMs, formatInferProfile, formatTrainProfile, profileNotes } from '../../../src/cli/benchProfile';
import type { Profile, ProfileRow } from '../../../src/engine/profile';

const none = { forwardMs: null, inputGradMs: null, weightGradMs: null, flops: null, forwardGflops: null, inputGradGflops: null, weightGradGflops: null };
const row = (r: Partial<ProfileRow> & Pick<ProfileRow, 'ms' | 'share' | 'layer'>): ProfileRow => ({ part: 'layer', line: null, kind: null, output: null, ...none, ...r });

const train: Profile = {
  rows: [
    row({ line: 7, kind: 'conv', layer: 'conv 10×3×3 s1 p0 +relu', output: '62×62×10', forwardMs: 6.171, forwardGflops: 21.54, weightGradMs: 9.43, weightGradGflops: 14.1, flops: 1.3e8, ms: 15.601, share: 60.1 }),
    row({ line: 11, kind: 'pool', layer: 'maxpool 2×2 s2 p0', output: '30×30×10', forwardMs: 0.9494, inputGradMs: 0.829, ms: 1.7784, share: 6.86 }),
    row({ line: 18, kind: 'dense', layer: 'dense 1690→3', output: '3', forwardMs: 0.093, forwardGflops: 7, inputGradMs: 0.102, inputGradGflops: 6.4, weightGradMs: 0.072, weightGradGflops: 9, ms: 0.267, share: 1.03 }),
    row({ part: 'optimizer', layer: 'optimizer step (adam)', ms: 0.154, share: 0.59 }),
    row({ part: 'other', layer: 'other (loading the batch, timers)', ms: 8.16, share: 31.43 }),
  ],
  fused: [{ line: 8, layer: 'relu', into: 7 }],
  folded: [],
  steps: 20,
  batch: 64,
  totalMs: 25.96,
  samplesPerSec: 2465.3,
};

describe('bench --profile tables', () => {
  it('milliseconds keep about three significant digits; a missing part is a dash', () => {
    expect([0.0042, 0.9494, 6.171, 45.66, 123.4].map(fmtMs)).toEqual(['0.004', '0.949', '6.17', '45.7', '123']);
    expect(fmtMs(null)).toBe('–');
  });

  it('the training table: a row per layer, dashes where a layer has no such part or no FLOPs, the step rows with their time only', () => {
    expect(formatTrainProfile(train)).toBe(
      [
        'Training step by layer (median of 20 steps at batch 64, ms per step):',
        '  line  layer                              output    forward ms  GFLOP/s  input grad ms  GFLOP/s  weight grad ms  GFLOP/s     ms  share',
        '     7  conv 10×3×3 s1 p0 +relu            62×62×10        6.17     21.5              –        –            9.43     14.1   15.6  60.1%',
        '    11  maxpool 2×2 s2 p0                  30×30×10       0.949        –          0.829        –               –        –   1.78   6.9%',
        '    18  dense 1690→3                       3              0.093      7.0          0.102      6.4           0.072      9.0  0.267   1.0%',
        '        optimizer step (adam)                                                                                              0.154   0.6%',
        '        other (loading the batch, timers)                                                                                   8.16  31.4%',
        '  total 26.0 ms per step, 2,465 samples/s under profiling',
        '',
      ].join('\n'),
    );
  });

  it('the inference table has one time column, and the notes name the fused statements', () => {
    const text = formatInferProfile({ ...train, steps: 1, rows: train.rows.slice(0, 2) });
    expect(text.split('\n').slice(0, 3)).toEqual([
      'Inference by layer (evaluation mode, median of 1 pass at batch 64):',
      '  line  layer                    output      ms  GFLOP/s  share',
      '     7  conv 10×3×3 s1 p0 +relu  62×62×10  15.6     21.5  60.1%',
    ]);
    expect(profileNotes(train)).toMatch(/^Fused \(no row of their own\): line 8 relu runs in line 7\.\nInput grad: /);
    expect(profileNotes({ ...train, fused: [] })).toMatch(/^Input grad: /);
    // Inference's batch norms folded into their convs: a note of their own after training's fused statements.
    const infer = { ...train, folded: [{ line: 9, layer: 'batchnorm +relu', into: 7 }] };
    expect(profileNotes(train, infer).split('\n').slice(0, 2)).toEqual([
      'Fused (no row of their own): line 8 relu runs in line 7.',
      'Folded into a conv in inference (no row of their own there; its running statistics scale the filters of the conv before it and shift its bias): line 9 batchnorm +relu runs in line 7.',
    ]);
  });
});
