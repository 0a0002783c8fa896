// A cross-origin-isolating proxy in front of code-server. Threads in the browser (SharedArrayBuffer posted to
// another Worker) need a page that is `crossOriginIsolated`, which takes `Cross-Origin-Opener-Policy:
// same-origin` and `Cross-Origin-Embedder-Policy: require-corp` on the page and on everything it embeds
// (the web worker extension host's iframe, webviews). vscode.dev sends them; code-server does not. This proxy
// forwards HTTP and WebSocket upgrades to code-server unchanged (the Host header too, so code-server's origin
// check and the `vscode-remote://HOST:PORT` authority stay the proxy's) and adds those headers, plus
// `Cross-Origin-Resource-Policy: same-origin`, to every HTTP response. The workbench is opened with
// `&vscode-coi=3` (COOP and COEP), which makes VS Code ask for isolation in the iframes it creates.
//
//   const proxy = await new CoiProxy(() => server.port).start();
//   await page.goto(proxy.workbenchUrl(folder, file));   // … crossOriginIsolated === true in the page
//   await proxy.stop();

import { request } from 'node:http';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { workbenchUrl } from './codeServer.mjs';

/** The headers that make a document cross-origin isolated, and let its same-origin resources load under COEP. */
export const COI_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

export class CoiProxy {
  /** `targetPort()`: code-server's port on 127.0.0.1, asked for each connection (a restarted server has a new one). */
  constructor(targetPort, { log = () => {} } = {}) {
    this.targetPort = targetPort;
    this.log = log;
    this.server = null;
    this.port = 0;
    this.sockets = new Set();
  }

  async start() {
    const server = createServer((req, res) => this.forward(req, res));
    server.on('upgrade', (req, socket, head) => this.tunnel(req, socket, head));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    this.server = server;
    this.port = server.address().port;
    this.log(`cross-origin-isolating proxy on ${this.url} → code-server`);
    return this;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** As CodeServer.workbenchUrl, through the proxy, with `vscode-coi=3`. */
  workbenchUrl(folder, file) {
    return workbenchUrl(this.url, folder, file, { 'vscode-coi': '3' });
  }

  forward(req, res) {
    const upstream = request({ host: '127.0.0.1', port: this.targetPort(), method: req.method, path: req.url, headers: req.headers }, (up) => {
      const headers = { ...up.headers, ...COI_HEADERS };
      res.writeHead(up.statusCode ?? 502, up.statusMessage, headers);
      up.pipe(res);
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', ...COI_HEADERS });
      res.end(`coi proxy: ${err.message}`);
    });
    req.pipe(upstream);
  }

  /** A WebSocket (or any) upgrade: replay the request line and headers to code-server, then pipe both ways. */
  tunnel(req, socket, head) {
    const upstream = connect(this.targetPort(), '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      if (head?.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    this.sockets.add(upstream);
    upstream.once('close', () => this.sockets.delete(upstream));
    const close = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', close);
    socket.on('error', close);
    upstream.on('close', close);
    socket.on('close', close);
  }

  async stop() {
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => server.close(() => resolve()));
  }
}
