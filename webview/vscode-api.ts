// A typed wrapper around `acquireVsCodeApi` (which may be called once per page): messages to the host are
// checked before they leave, and the persisted state is checked when it comes back.

import { isPersistedState, isWebviewToHost, type PersistedState, type WebviewToHost } from '../src/protocol/webview';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  function acquireVsCodeApi(): VsCodeApi;
}

export interface Host {
  post(message: WebviewToHost): void;
  getState(): PersistedState | null;
  setState(state: PersistedState): void;
}

let api: VsCodeApi | null = null;

/** The host, or a stand-in that only logs when the page runs outside VS Code (a plain browser). */
export function host(): Host {
  if (!api) {
    api =
      typeof acquireVsCodeApi === 'function'
        ? acquireVsCodeApi()
        : { postMessage: (m) => console.debug('postMessage', m), getState: () => null, setState: () => undefined };
  }
  const a = api;
  return {
    post(message) {
      if (!isWebviewToHost(message)) {
        console.error('CNN Inspector: refusing to send a malformed message', message);
        return;
      }
      a.postMessage(message);
    },
    getState() {
      const s = a.getState();
      return isPersistedState(s) ? (s as PersistedState) : null;
    },
    setState(state) {
      a.setState(state);
    },
  };
}
