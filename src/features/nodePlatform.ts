// The editor features' platform in VS Code's Node extension host (extension.ts): documents on the disk, trainer
// child processes (dist/trainer.js, or the exported train.py for the PyTorch backend), run folders read from
// the disk at once. The browser's counterpart is webPlatform.ts.

import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { chooseBackend } from './backend';
import type { EditorPlatform } from './platform';
import { createTrainer } from './pytorch';

export function nodePlatform(context: vscode.ExtensionContext): EditorPlatform {
  const script = context.asAbsolutePath(join('dist', 'trainer.js'));
  return {
    kind: 'node',
    fileOf: (uri) => (uri.scheme === 'file' ? uri.fsPath : null),
    uriOf: (file) => (isAbsolute(file) ? vscode.Uri.file(file) : null),
    chooseBackend,
    createTrainer: (backend) => {
      if (backend === 'builtin' && !existsSync(script)) return 'The trainer is not built (dist/trainer.js is missing).';
      return createTrainer(context, backend);
    },
    scratchDir: join(tmpdir(), 'cnn-studio-inspect'),
    loadRuns: () => Promise.resolve(false),
    flush: () => Promise.resolve(),
  };
}
