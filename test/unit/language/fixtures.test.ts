// Data-driven checker tests: every test/fixtures/language/NAME.cnn is checked and compared with NAME.expect.json
// (diagnostics with their 1-based ranges, every layer's output shape, parameters, multiply-adds and receptive field,
// and the totals). See test/fixtures/language/README.md. To rewrite the expectations on purpose (then review the
// diff by hand against the spec):  UPDATE_FIXTURES=1 npx vitest run test/unit/language/fixtures.test.ts

import { readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classFolderNames } from '../../../src/data/classFolders';
import { dataTaskIssue } from '../../../src/data/labelLayout';
import { check, type CheckHost, type CheckResult, CODES, inputLines, layerKind, LineIndex, shapeArray, summarize } from '../../../src/language';

const dir = resolve(__dirname, '../../fixtures/language');
const update = !!process.env.UPDATE_FIXTURES;

interface ExpectedDiagnostic {
  code: string;
  severity: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Hand-written fragments the message must contain (kept when the expectations are rewritten). */
  includes?: string[];
}

interface ExpectedLayer {
  line: number;
  kind: string;
  /** The label that names the layer's output, when it has one. */
  label?: string;
  /** The 1-based lines whose outputs flow in, when that is not simply the layer above (a branch or a merge). */
  inputs?: number[];
  output: number[] | null;
  params: number | null;
  macs: number | null;
  receptiveField: number | [number, number] | null;
}

interface Expectation {
  diagnostics: ExpectedDiagnostic[];
  layers: ExpectedLayer[];
  params: number;
  macs: number;
}

/** The checker's file-system host, relative to the fixtures folder (as the CLI does relative to the file). */
const host: CheckHost = {
  stat(path) {
    try {
      return statSync(resolve(dir, path)).isDirectory() ? 'dir' : 'file';
    } catch {
      return null;
    }
  },
  // E055 from the .npz label header, as the CLI's and the editor's host read it.
  dataTask: (data, net) => dataTaskIssue(data, net, dir),
  // W105 from the data folder's class folders, as the CLI's and the editor's host list them.
  dataClasses: (data) => (data.kind === 'folder' ? classFolderNames(resolve(dir, data.path)) : null),
};

function actual(result: CheckResult): Expectation {
  const lines = new LineIndex(result.text);
  const s = summarize(result);
  return {
    diagnostics: result.diagnostics.map((d) => {
      const a = lines.positionAt(d.offset);
      const b = lines.positionAt(d.offset + d.length);
      return { code: d.code, severity: d.severity, line: a.line + 1, column: a.character + 1, endLine: b.line + 1, endColumn: b.character + 1 };
    }),
    layers: result.layers.map((l) => ({
      line: l.line + 1,
      kind: layerKind(l),
      ...(l.label ? { label: l.label } : {}),
      ...(l.inputs.length === 1 && l.inputs[0] === l.index - 1 ? {} : { inputs: inputLines(result, l) }),
      output: l.output ? shapeArray(l.output) : null,
      params: l.params,
      macs: l.macs,
      receptiveField: l.receptiveField ? (l.receptiveField[0] === l.receptiveField[1] ? l.receptiveField[0] : l.receptiveField) : null,
    })),
    params: s.params,
    macs: s.macs,
  };
}

/** JSON with one diagnostic or layer per line, so a diff reads like the file it describes. */
function serialize(e: Expectation): string {
  const list = (xs: object[]) => (xs.length ? `[\n    ${xs.map((x) => JSON.stringify(x)).join(',\n    ')}\n  ]` : '[]');
  return `{\n  "diagnostics": ${list(e.diagnostics)},\n  "layers": ${list(e.layers)},\n  "params": ${e.params},\n  "macs": ${e.macs}\n}\n`;
}

const names = readdirSync(dir)
  .filter((f) => f.endsWith('.cnn'))
  .map((f) => f.slice(0, -'.cnn'.length))
  .sort();

function expectationOf(name: string): Expectation | null {
  const file = join(dir, `${name}.expect.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Expectation) : null;
}

describe('language fixtures', () => {
  it('the folder has fixtures, each with its expectations', () => {
    expect(names.length).toBeGreaterThan(20);
    const orphans = readdirSync(dir)
      .filter((f) => f.endsWith('.expect.json'))
      .filter((f) => !names.includes(f.slice(0, -'.expect.json'.length)));
    expect(orphans).toEqual([]);
  });

  for (const name of names) {
    it(name, () => {
      const text = readFileSync(join(dir, `${name}.cnn`), 'utf8');
      const result = check(text, host);
      const got = actual(result);
      const want = expectationOf(name);
      if (update) {
        // Keep the hand-written message fragments of diagnostics that are still there.
        for (const d of got.diagnostics as ExpectedDiagnostic[]) {
          const old = want?.diagnostics.find((o) => o.code === d.code && o.line === d.line && o.column === d.column);
          if (old?.includes) d.includes = old.includes;
        }
        writeFileSync(join(dir, `${name}.expect.json`), serialize(got));
        return;
      }
      expect(want, `${name}.expect.json is missing; write it (UPDATE_FIXTURES=1) and review it by hand`).not.toBeNull();
      const { diagnostics: wantDiagnostics, ...wantRest } = want!;
      const { diagnostics: gotDiagnostics, ...gotRest } = got;
      expect(gotDiagnostics).toEqual(wantDiagnostics.map(({ includes: _i, ...d }) => d));
      expect(gotRest).toEqual(wantRest);
      wantDiagnostics.forEach((d, i) => {
        for (const fragment of d.includes ?? []) expect(result.diagnostics[i]!.message).toContain(fragment);
      });
      // Every diagnostic's severity is the one its code has.
      for (const d of result.diagnostics) expect(d.severity).toBe(CODES[d.code].severity);
    });
  }

  it('covers every diagnostic code in CODES, and no other', () => {
    const covered = new Set<string>();
    for (const name of names) for (const d of expectationOf(name)?.diagnostics ?? []) covered.add(d.code);
    expect([...covered].sort()).toEqual(Object.keys(CODES).sort());
  });

  it('has clean fixtures: files named clean-* have no errors and no warnings', () => {
    const clean = names.filter((n) => n.startsWith('clean-'));
    expect(clean.length).toBeGreaterThanOrEqual(3);
    for (const name of clean) {
      const result = check(readFileSync(join(dir, `${name}.cnn`), 'utf8'), host);
      expect(result.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning'), name).toEqual([]);
    }
  });

  it('the examples in examples/ are clean too', () => {
    const examples = resolve(__dirname, '../../../examples');
    for (const f of readdirSync(examples).filter((x) => x.endsWith('.cnn'))) {
      const result = check(readFileSync(join(examples, f), 'utf8'));
      expect(result.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning'), f).toEqual([]);
    }
  });
});
