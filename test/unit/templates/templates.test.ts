// The templates of `CNN: New Network…`: each one is a network a student can train at once, in an empty folder.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../../src/cli/check';
import { TEMPLATES, templateById, templateFacts } from '../../../src/templates';
import { fileNameProblem, freeFileName, normalizeFileName } from '../../../src/templates/fileName';

const root = resolve(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'cnn-templates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('network templates', () => {
  it('offers the lecture, LeNet-5 and TinyVGG, with distinct ids and file names', () => {
    expect(TEMPLATES.map((t) => t.id)).toEqual(['lecture', 'lenet5', 'tinyvgg']);
    expect(new Set(TEMPLATES.map((t) => t.fileName)).size).toBe(TEMPLATES.length);
    expect(templateById('lecture')?.label).toMatch(/lecture/);
    expect(templateById('nope')).toBeUndefined();
  });

  it('describes each template by its input, layer count and parameters, worked out from its text', () => {
    expect(templateFacts(templateById('lecture')!)).toBe('32×32×3 input · 8 layers · 11,235 parameters');
    expect(templateFacts(templateById('lenet5')!)).toMatch(/^28×28×1 input · \d+ layers · [\d,]+ parameters$/);
  });

  it('the lecture template is examples/lecture.cnn, byte for byte', () => {
    expect(templateById('lecture')!.text).toBe(readFileSync(join(root, 'examples/lecture.cnn'), 'utf8'));
  });

  for (const t of TEMPLATES) {
    it(`${t.id}: written to an empty folder, \`cnn check\` finds no error and no warning`, () => {
      const file = join(dir, t.fileName);
      writeFileSync(file, t.text);
      const result = checkFile(file);
      expect(result.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning').map((d) => `${d.code}: ${d.message}`)).toEqual([]);
      expect(result.hasErrors).toBe(false);
      expect(result.data?.kind, 'needs no download').toBe('shapes');
      expect(result.layers.length).toBeGreaterThan(3);
    });
  }
});

describe('a new network file name', () => {
  const existing = new Set(['lecture.cnn', 'lecture-2.cnn', 'nets/a.cnn']);
  const taken = (n: string) => existing.has(n);

  it('takes the template name when free, else the next numbered one', () => {
    expect(freeFileName('tinyvgg.cnn', taken)).toBe('tinyvgg.cnn');
    expect(freeFileName('lecture.cnn', taken)).toBe('lecture-3.cnn');
  });

  it('adds .cnn when missing', () => {
    expect(normalizeFileName('  mynet ')).toBe('mynet.cnn');
    expect(normalizeFileName('mynet.CNN')).toBe('mynet.CNN');
  });

  it('refuses an existing file, an empty name and names that leave the folder', () => {
    expect(fileNameProblem('lecture', taken)).toMatch(/lecture\.cnn already exists.*nothing is overwritten/);
    expect(fileNameProblem('nets/a.cnn', taken)).toMatch(/already exists/);
    expect(fileNameProblem('  ', taken)).toMatch(/Type a file name/);
    expect(fileNameProblem('../up.cnn', taken)).toMatch(/inside the workspace/);
    expect(fileNameProblem('/etc/x.cnn', taken)).toMatch(/relative/);
    expect(fileNameProblem('a:b.cnn', taken)).toMatch(/cannot contain/);
    expect(fileNameProblem('nets//b.cnn', taken)).toMatch(/empty folder/);
    expect(fileNameProblem('nets/b', taken)).toBeNull();
    expect(fileNameProblem('lecture-3.cnn', taken)).toBeNull();
  });
});
