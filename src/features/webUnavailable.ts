// What the browser cannot do, said once and clearly: the PyTorch backend and the export run Python, which a web
// page cannot start. The commands stay in the palette (a student who follows the course's steps finds them) and
// explain where they work instead.

import * as vscode from 'vscode';

export const WEB_PYTHON_NOTE =
  'runs Python, which a browser cannot start. Open this folder in VS Code on your computer (or a Codespace) to use it; training with the built-in engine works here.';

export class WebUnavailableFeature implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    const say = (what: string) => () => void vscode.window.showInformationMessage(`CNN: ${what} ${WEB_PYTHON_NOTE}`);
    this.subscriptions = [
      vscode.commands.registerCommand('cnnStudio.exportPytorch', say('Export to PyTorch')),
      vscode.commands.registerCommand('cnnStudio.exportOnnx', say('Export to ONNX')),
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
