import { describe, expect, it } from 'vitest';
import { dataWarningsNotice } from '../../../src/features/dataWarnings';

describe('the data warnings notification', () => {
  it('says nothing when there is nothing to say', () => {
    expect(dataWarningsNotice('a.cnn', [])).toBeNull();
  });

  it('leads with the undecodable images, which carry their count, and counts the rest', () => {
    const decode = 'skipped 3 of 120 images that cannot be decoded: a/x.png cannot be decoded as a PNG image (the data ends early)';
    expect(dataWarningsNotice('cats.cnn', ['skipped notes.txt: files directly in the data folder are ignored', decode])).toBe(
      `CNN: training cats.cnn with 2 data warnings: ${decode} (and 1 more in the log)`,
    );
    expect(dataWarningsNotice('cats.cnn', [decode])).toBe(`CNN: training cats.cnn with 1 data warning: ${decode}`);
  });
});
