// The import rules of the architecture, enforced: a wrong arrow fails here instead of waiting for review.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

function files(dir: string): string[] {
  const abs = join(root, dir);
  try {
    statSync(abs);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of readdirSync(abs, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'assembly') continue; // AssemblyScript sources, compiled separately
      out.push(...files(p));
    } else if (/\.ts$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every module a file imports: relative ones resolved to a path under the repo, packages by name. */
function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    out.push(spec.startsWith('.') ? relative(root, resolve(root, dirname(file), spec)) : spec);
  }
  return out;
}

const isNodeBuiltin = (s: string) => s.startsWith('node:');

interface Rule {
  layer: string;
  allowed: (target: string) => boolean;
  why: string;
}

const within = (...prefixes: string[]) => (t: string) => prefixes.some((p) => t === p || t.startsWith(`${p}/`));

const rules: Rule[] = [
  { layer: 'src/language', allowed: within('src/language'), why: 'the language core imports nothing outside itself' },
  {
    layer: 'src/protocol',
    allowed: within('src/protocol', 'src/language/model', 'src/platform/host'),
    why: "the protocol is types and run-time checks only (the model's plain-data types, such as the task and the augment settings, and the platform's FsOp included)",
  },
  {
    layer: 'src/engine',
    allowed: (t) => within('src/engine', 'src/language/model', 'src/language/printable', 'src/platform/host', 'src/platform/atomicTemp')(t) || isNodeBuiltin(t),
    why: "the engine may use the language types, the printable-text rule, the platform's host and node built-ins only (which of its files may use node built-ins: below)",
  },
  {
    layer: 'src/data',
    // PNG is src/data/png.ts's (pngjs is built on Node's streams and zlib, which the web worker trainer lacks).
    allowed: (t) => within('src/data', 'src/language/model', 'src/language/printable', 'src/language/classNames', 'src/platform/host')(t) || ['jpeg-js', 'dicom-parser'].includes(t),
    why: "the data layer uses the platform's host and the image decoders (and the language's plain-data types and text rules), never the editor or the engine",
  },
  {
    layer: 'src/platform',
    allowed: (t) => within('src/platform', 'src/language/assertNever')(t) || isNodeBuiltin(t) || t === 'fflate',
    why: 'the platform is its own: the hosts, their pure parts, fflate and assertNever (node built-ins only in node.ts: below)',
  },
  {
    layer: 'src/export',
    allowed: (t) => within('src/export', 'src/language', 'src/protocol', 'src/trainer/client', 'src/trainer/paths')(t) || isNodeBuiltin(t),
    why: 'the export writes text from the language types and runs train.py with node built-ins; never the editor or the engine (the editor uses it)',
  },
  {
    layer: 'src/metrics',
    allowed: within('src/metrics'),
    why: 'the metrics are pure functions: no node, no editor, no engine',
  },
  {
    layer: 'src/templates',
    allowed: (t) => within('src/templates', 'src/language')(t) || /^examples\/[^/]+\.cnn$/.test(t),
    why: 'the network templates are the example files as text, described with the language core',
  },
  {
    layer: 'src/trainer',
    allowed: (t) => t !== 'vscode' && !within('src/features', 'src/cli', 'webview')(t),
    why: 'the trainer never imports vscode',
  },
  {
    layer: 'src/explain',
    // webview/state/colors and upsample are the colour scales' and the map upsampling's one homes (pure, importing nothing).
    allowed: (t) => within('src/explain', 'src/engine', 'src/language', 'src/data/image', 'webview/state/colors', 'webview/state/upsample')(t) || isNodeBuiltin(t),
    why: 'the explanations are computed by the engine and drawn with the data layer\'s PNG writer; no editor',
  },
  {
    layer: 'src/cli',
    allowed: (t) => t !== 'vscode' && !within('src/features', 'webview')(t),
    why: 'the command line runs without an editor',
  },
  {
    layer: 'src/features',
    allowed: (t) => !within('src/engine', 'src/data', 'src/cli', 'webview')(t) && (!t.startsWith('src/trainer') || within('src/trainer/client', 'src/trainer/paths', 'src/trainer/webClient', 'src/trainer/preload')(t)),
    why: 'editor features go through the trainer (the child process, or the web worker: webClient, and preload for its inputs), never the engine',
  },
  {
    layer: 'webview',
    // src/language/shape is the one home of the shape rule (N − F + 2P)/S + 1, pure and importing types only: the
    // convolution explorer shows the checker's own verdict rather than a copy of the rule.
    allowed: (t) => within('webview', 'src/protocol')(t) || t === 'src/language/shape' || t === 'lit' || t.startsWith('lit/'),
    why: 'the webview app may import the protocol, the pure shape rule and Lit only',
  },
];

/**
 * Files that may import node built-ins in the layers that run in the web worker trainer too (esbuild refuses
 * `node:` imports in the browser bundle): those layers reach the machine through src/platform/host.ts.
 */
const nodeOnly: { layer: string; except: string[] }[] = [
  { layer: 'src/data', except: [] },
  // The engine's Node runtime (wasm files from disk, worker_threads); the web worker build installs runtime-web.ts instead.
  { layer: 'src/engine', except: ['src/engine/runtime-node.ts'] },
  // The trainer child's entry and the extension host's side of it (fork).
  { layer: 'src/trainer', except: ['src/trainer/main.ts', 'src/trainer/client.ts'] },
  // Node's host; the others are pure.
  { layer: 'src/platform', except: ['src/platform/node.ts'] },
];

describe('architecture import rules', () => {
  for (const { layer, except } of nodeOnly) {
    it(`${layer} imports no node built-in${except.length ? ` outside ${except.join(', ')}` : ''}`, () => {
      const bad: string[] = [];
      for (const f of files(layer)) if (!except.includes(f)) for (const t of imports(f)) if (isNodeBuiltin(t) || t === 'src/platform/node') bad.push(`${f} imports ${t}`);
      expect(bad).toEqual([]);
    });
  }

  for (const rule of rules) {
    it(`${rule.layer}: ${rule.why}`, () => {
      const bad: string[] = [];
      for (const f of files(rule.layer)) for (const t of imports(f)) if (!rule.allowed(t)) bad.push(`${f} imports ${t}`);
      expect(bad).toEqual([]);
    });
  }

  it('only src/features and the two entries (src/extension.ts, src/web.ts) import vscode', () => {
    const bad: string[] = [];
    for (const f of [...files('src'), ...files('webview')]) {
      if (f.startsWith('src/features/') || f === 'src/extension.ts' || f === 'src/web.ts') continue;
      if (imports(f).includes('vscode')) bad.push(f);
    }
    expect(bad).toEqual([]);
  });

  it('the rules see the imports (self-check on a known file)', () => {
    expect(imports('src/features/hover.ts')).toContain('vscode');
    expect(imports('src/features/hover.ts')).toContain('src/language');
  });
});
