// CNN: Show Model Summary opened "beside" the .cnn editor even when that group was the inspector's, so the
// table went into a narrow group and was clipped; it now goes below the .cnn editor in that case.

import { describe, expect, it } from 'vitest';
import { type GroupView, summaryPlacement } from '../../../src/features/summaryPlacement';

const group = (column: number, has: Partial<Omit<GroupView, 'column'>> = {}): GroupView => ({ column, inspector: false, summary: false, ...has });

describe('where the model summary opens', () => {
  it('beside the .cnn editor when nothing is beside it, or an ordinary editor is', () => {
    expect(summaryPlacement([group(1)], 1)).toEqual({ kind: 'beside' });
    expect(summaryPlacement([group(1), group(2)], 1)).toEqual({ kind: 'beside' });
    expect(summaryPlacement([group(1, { inspector: true })], 1)).toEqual({ kind: 'beside' }); // the inspector tabbed with the file
  });

  it('below the .cnn editor when the group beside it holds the inspector, so the table keeps the editor\'s width', () => {
    expect(summaryPlacement([group(1), group(2, { inspector: true })], 1)).toEqual({ kind: 'below' });
    expect(summaryPlacement([group(1), group(2), group(3, { inspector: true })], 2)).toEqual({ kind: 'below' });
  });

  it('beside when the inspector is elsewhere (left of the file, or not next to it)', () => {
    expect(summaryPlacement([group(1, { inspector: true }), group(2)], 2)).toEqual({ kind: 'beside' });
    expect(summaryPlacement([group(1), group(2), group(3, { inspector: true })], 1)).toEqual({ kind: 'beside' });
  });

  it('where it already is, rather than a second copy', () => {
    expect(summaryPlacement([group(1), group(2, { inspector: true }), group(3, { summary: true })], 1)).toEqual({ kind: 'reveal', column: 3 });
    expect(summaryPlacement([group(1, { summary: true })], undefined)).toEqual({ kind: 'reveal', column: 1 });
  });

  it('beside when the file is not shown in any group (opened from the explorer\'s context)', () => {
    expect(summaryPlacement([group(1, { inspector: true })], undefined)).toEqual({ kind: 'beside' });
  });
});
