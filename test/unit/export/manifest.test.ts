// The editor side of the PyTorch backend as the manifest declares it: the settings, Workspace Trust, and the
// export commands that src/features/pytorch.ts registers.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './helpers';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const feature = readFileSync(join(root, 'src/features/pytorch.ts'), 'utf8');

describe('package.json for the PyTorch backend', () => {
  // The settings come in sections (an array), so the Settings editor labels them without a "Cnn Studio ›" prefix.
  const props = Object.assign({}, ...[pkg.contributes.configuration].flat().map((c: { properties: object }) => c.properties));

  it('has cnnStudio.backend (builtin | pytorch, default builtin) and cnnStudio.pythonPath (default python3)', () => {
    expect(props['cnnStudio.backend']).toMatchObject({ type: 'string', enum: ['builtin', 'pytorch'], default: 'builtin' });
    expect(props['cnnStudio.backend'].enumDescriptions).toHaveLength(2);
    expect(props['cnnStudio.pythonPath']).toMatchObject({ type: 'string', default: 'python3' });
  });

  it('supports untrusted workspaces in a limited way, ignoring workspace values of both settings', () => {
    expect(pkg.capabilities.untrustedWorkspaces).toMatchObject({ supported: 'limited', restrictedConfigurations: ['cnnStudio.pythonPath', 'cnnStudio.backend'] });
    expect(pkg.capabilities.untrustedWorkspaces.description).toMatch(/trusted/);
    // The feature reads trust before running anything, and offers the way to change it.
    expect(feature).toContain('vscode.workspace.isTrusted');
    expect(feature).toContain("'workbench.trust.manage'");
  });

  it('contributes every command the feature registers, in the palette for .cnn files', () => {
    const registered = [...feature.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]);
    expect(registered).toEqual(['cnnStudio.exportPytorch', 'cnnStudio.exportOnnx']);
    for (const id of registered) {
      expect(pkg.contributes.commands.find((c: { command: string }) => c.command === id)).toMatchObject({ category: 'CNN' });
      expect(pkg.contributes.menus.commandPalette).toContainEqual({ command: id, when: 'editorLangId == cnn' });
    }
  });
});
