// The inspector's webview panel, its lifecycle only: created beside the editor or restored after a reload, its
// page (media/inspector/index.html under a strict content security policy with a nonce, local resources only),
// and every message posted to it checked first. What to send, and what to do with its messages: inspector.ts.

import * as vscode from 'vscode';
import { type HostToWebview, isHostToWebview } from '../protocol/webview';

export const INSPECTOR_VIEW_TYPE = 'cnnStudio.inspector';

export interface InspectorPanelHandlers {
  /** A message from the webview, unchecked. */
  onMessage(m: unknown): void;
  /** The user closed the panel. */
  onClosed(): void;
}

export class InspectorPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private subscriptions: vscode.Disposable[] = [];
  /** media/inspector/index.html, read once through workspace.fs (the same in both extension hosts). */
  private template: Promise<string> | null = null;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly handlers: InspectorPanelHandlers,
  ) {}

  get isOpen(): boolean {
    return this.panel !== null;
  }

  /**
   * Shows the panel beside the editor without taking the focus, creating it when there is none. True when it was
   * already open (its page is loaded: the caller sends the state again); a new page asks with `ready`.
   */
  show(): boolean {
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      return true;
    }
    const panel = vscode.window.createWebviewPanel(
      INSPECTOR_VIEW_TYPE,
      'CNN Inspector',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: this.resourceRoots() },
    );
    this.attach(panel);
    return false;
  }

  /** Takes a panel (a new one, or one VS Code restores after a reload) and loads the page into it. */
  attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'icon.png');
    panel.webview.options = { enableScripts: true, localResourceRoots: this.resourceRoots() };
    void this.html(panel.webview).then(
      (html) => {
        if (this.panel === panel) panel.webview.html = html;
      },
      (err: Error) => {
        this.template = null;
        void vscode.window.showErrorMessage(`CNN Inspector: cannot load its page: ${err.message}`);
      },
    );
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.handlers.onMessage(m)),
      panel.onDidDispose(() => {
        this.detach();
        this.handlers.onClosed();
      }),
    );
  }

  /** Posts a message to the page; nothing without a panel, and never one the webview would reject. */
  post(m: HostToWebview): void {
    if (!this.panel) return;
    if (!isHostToWebview(m)) {
      // A bug on this side: never send what the webview would reject.
      console.error(`CNN Inspector: refusing to post a malformed ${(m as { type?: string }).type} message`);
      return;
    }
    void this.panel.webview.postMessage(m);
  }

  /** The page: a strict content security policy with a nonce, local resources only. */
  async html(webview: vscode.Webview): Promise<string> {
    const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    this.template ??= Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.context.extensionUri, 'media', 'inspector', 'index.html'))).then((b) => new TextDecoder().decode(b));
    const template = await this.template;
    const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, ...p)).toString();
    return fillTemplate(template, {
      cspSource: webview.cspSource,
      nonce,
      scriptUri: uri('dist', 'webview.js'),
      styleUri: uri('media', 'inspector', 'inspector.css'),
    });
  }

  private resourceRoots(): vscode.Uri[] {
    return [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), vscode.Uri.joinPath(this.context.extensionUri, 'media')];
  }

  private detach(): void {
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [];
    this.panel = null;
  }

  dispose(): void {
    const panel = this.panel;
    this.detach();
    panel?.dispose();
  }
}

/** `{{name}}` placeholders of media/inspector/index.html. */
export function fillTemplate(template: string, values: Record<'cspSource' | 'nonce' | 'scriptUri' | 'styleUri', string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (all, k: string) => (k in values ? values[k as keyof typeof values] : all));
}
