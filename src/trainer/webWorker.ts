// The web worker trainer's entry (dist/trainer-web.js, an IIFE with no Node in it): the extension host in
// vscode.dev / code-server's web worker host reads this file with vscode.workspace.fs and starts it from a Blob
// URL (src/trainer/webClient.ts). Messages: src/protocol/webTrainer.ts.

import { createWebTrainer } from './webTrainer';

interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  addEventListener?(type: 'unhandledrejection', listener: (e: { reason: unknown }) => void): void;
  close(): void;
}

const scope = self as unknown as WorkerScope;
const trainer = createWebTrainer((m) => scope.postMessage(m));
scope.onmessage = (e) => trainer.receive(e.data);
scope.addEventListener?.('unhandledrejection', (e) => {
  const err = e.reason as Error | undefined;
  scope.postMessage({ type: 'exit', error: err?.stack ?? String(e.reason) });
  scope.close();
});
void trainer.ended.then(() => scope.close());
