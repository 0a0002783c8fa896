// Issue 12: training toasts showed long absolute paths ("/home/student/course/week3/lecture.cnn has no data
// line…"); paths inside the .cnn file's folder read relative to it.

import { describe, expect, it } from 'vitest';
import { relativeToFile } from '../../../src/features/messagePaths';

const file = '/home/student/course/week3/lecture.cnn';

describe('relativeToFile', () => {
  it('writes the file and data paths in its folder relative to it', () => {
    expect(relativeToFile(`${file}:7: E020: Output height …`, file)).toBe('lecture.cnn:7: E020: Output height …');
    expect(relativeToFile(`${file} has no data line. Add one, e.g. "data shapes".`, file)).toBe('lecture.cnn has no data line. Add one, e.g. "data shapes".');
    expect(relativeToFile(`The folder '/home/student/course/week3/data/mnist' does not exist or cannot be read.`, file)).toBe(`The folder 'data/mnist' does not exist or cannot be read.`);
    expect(relativeToFile(`looked in /home/student/course/week3, not elsewhere`, file)).toBe('looked in ., not elsewhere');
  });

  it('leaves other paths, and folders that only share a prefix, alone', () => {
    expect(relativeToFile('cannot read /etc/passwd', file)).toBe('cannot read /etc/passwd');
    expect(relativeToFile("'/home/student/course/week3b/x' is missing", file)).toBe("'/home/student/course/week3b/x' is missing");
  });

  it('works with Windows paths', () => {
    const win = 'C:\\Users\\s\\lecture.cnn';
    expect(relativeToFile(`C:\\Users\\s\\mnist is a file`, win, '\\')).toBe('mnist is a file');
    // The separator follows the file's own path (the extension may run in a browser, where there is no node:path).
    expect(relativeToFile(`C:\\Users\\s\\mnist is a file`, win)).toBe('mnist is a file');
    expect(relativeToFile(`\\\\srv\\share\\x\\data is empty`, '\\\\srv\\share\\x\\a.cnn')).toBe('data is empty');
  });
});
