// The packaged extension, as `npm run package` makes it (its vsce flags read from package.json; the build step is
// left out, dist/ is what `npm install` built): the README's images and the walkthrough's media are inside the
// .vsix under their relative paths, so the extension page shows them; no placeholder URL is left in it.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZipReader } from '../../../src/data/zip';

const root = resolve(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'cnn-vsix-'));
const vsix = join(dir, 'cnn-studio.vsix');
let zip: ZipReader;
let readme: string;

/** The arguments of `vsce package` in the `package` script, with the output moved to `out`. */
function vsceArgs(out: string): string[] {
  const script: string = manifest.scripts.package;
  const m = /\bvsce (package\b[^&|;]*)/.exec(script);
  if (!m) throw new Error(`the package script does not run vsce package: ${script}`);
  const args = m[1]!.trim().split(/\s+/);
  const o = args.indexOf('-o');
  if (o >= 0) args.splice(o, 2);
  return [...args, '-o', out];
}

/** Every image a Markdown text shows: `![alt](src)` and `<img src="…">`. */
function imagesOf(markdown: string): string[] {
  const md = [...markdown.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const html = [...markdown.matchAll(/<img\b[^>]*\bsrc=["']([^"']+)["']/gi)].map((m) => m[1]!);
  return [...md, ...html];
}

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), ...vsceArgs(vsix)], { cwd: root, stdio: 'pipe' });
  zip = ZipReader.open(vsix);
  const entry = zip.entry('extension/readme.md');
  if (!entry) throw new Error(`no extension/readme.md in the vsix: ${zip.entries.map((e) => e.name).join(', ')}`);
  readme = Buffer.from(zip.read(entry)).toString('utf8');
}, 120_000);

afterAll(() => {
  zip?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the packaged .vsix', () => {
  it('keeps the README free of placeholder URLs', () => {
    expect(readme).not.toMatch(/example\.invalid/);
  });

  it('ships every image the packaged README shows, under the relative path it names', () => {
    const images = imagesOf(readme);
    expect(images.length).toBeGreaterThanOrEqual(5);
    const missing: string[] = [];
    for (const src of images) {
      expect(src, 'a relative path, not a URL').not.toMatch(/^[a-z][a-z0-9+.-]*:|^\/\//i);
      if (!zip.entry(posix.join('extension', posix.normalize(src)))) missing.push(src);
    }
    expect(missing).toEqual([]);
  });

  it('ships the walkthrough’s images and the bundles its commands run', () => {
    const media = manifest.contributes.walkthroughs.flatMap((w: { steps: { media: { image?: string } }[] }) => w.steps.map((s) => s.media.image)).filter(Boolean);
    expect(media.length).toBeGreaterThanOrEqual(6);
    expect(media.filter((m: string) => !zip.entry(`extension/${m}`))).toEqual([]);
    expect(zip.entry('extension/dist/extension.js')).toBeDefined();
  });

  it('ships the exported package\'s Python templates, which an export reads at run time, as they are in the sources', () => {
    const templates = readdirSync(join(root, 'src/export/py/templates')).filter((f) => f.endsWith('.py'));
    expect(templates).toEqual(expect.arrayContaining(['model.py', 'train.py', 'data.py', 'objective.py', 'dicom.py']));
    for (const f of templates) {
      const entry = zip.entry(`extension/dist/templates/${f}`);
      expect(entry, f).toBeDefined();
      expect(Buffer.from(zip.read(entry!)).toString('utf8'), f).toBe(readFileSync(join(root, 'src/export/py/templates', f), 'utf8'));
    }
  });
});
