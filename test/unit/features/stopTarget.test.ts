// A stop request stops the run it names and no other (the inspector's Stop for a file that is not training
// used to stop whatever single run there was).

import { describe, expect, it } from 'vitest';
import { stopTarget } from '../../../src/features/stopTarget';

describe('stopTarget', () => {
  it('a request that names a file stops that file only', () => {
    expect(stopTarget(['/w/a.cnn'], '/w/a.cnn', undefined)).toBe('/w/a.cnn');
    expect(stopTarget(['/w/a.cnn', '/w/b.cnn'], '/w/b.cnn', '/w/a.cnn')).toBe('/w/b.cnn');
    // The named file is not training (closed, or never started): the unrelated run goes on.
    expect(stopTarget(['/w/a.cnn'], '/w/closed.cnn', undefined)).toBeUndefined();
    expect(stopTarget(['/w/a.cnn'], '/w/closed.cnn', '/w/a.cnn')).toBeUndefined();
  });

  it('a request that names none stops the active editor\'s run, else the only one', () => {
    expect(stopTarget(['/w/a.cnn', '/w/b.cnn'], undefined, '/w/b.cnn')).toBe('/w/b.cnn');
    expect(stopTarget(['/w/a.cnn'], undefined, '/w/other.cnn')).toBe('/w/a.cnn');
    expect(stopTarget(['/w/a.cnn', '/w/b.cnn'], undefined, '/w/other.cnn')).toBeUndefined();
    expect(stopTarget([], undefined, undefined)).toBeUndefined();
  });
});
