// A Reactive Controller that receives the host's messages: it listens on connect, stops on disconnect, and
// hands on only messages that pass the protocol's run-time check.

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type HostToWebview, isHostToWebview } from '../../src/protocol/webview';

export class HostMessagesController implements ReactiveController {
  /** Messages dropped because they failed the check (for tests and the console). */
  rejected = 0;

  constructor(
    host: ReactiveControllerHost,
    private readonly onMessage: (m: HostToWebview) => void,
    private readonly target: Pick<Window, 'addEventListener' | 'removeEventListener'> = window,
  ) {
    host.addController(this);
  }

  private readonly listener = (e: Event): void => {
    const data = (e as MessageEvent).data;
    if (!isHostToWebview(data)) {
      this.rejected++;
      console.warn('CNN Inspector: ignored a malformed message from the host', (data as { type?: unknown } | null)?.type);
      return;
    }
    this.onMessage(data);
  };

  hostConnected(): void {
    this.target.addEventListener('message', this.listener);
  }

  hostDisconnected(): void {
    this.target.removeEventListener('message', this.listener);
  }
}
