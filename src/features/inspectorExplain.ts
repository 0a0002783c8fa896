// The inspector's Explain tab, host side: the panel's request as the trainer takes it (the image file the user
// picked, when the panel asked for a dialog), sent to whichever trainer holds the file's current weights — the
// running one while it trains (so the maps follow training), else the inspector's own (the latest checkpoint).
// No `vscode` here: inspector.ts wires it.

import type { ExplainGalleryRequest, ExplainRequest, HostMessage } from '../protocol/trainer';
import type { ExplainGalleryRequestMessage, ExplainRequestMessage } from '../protocol/webview';

/** The trainer request for a panel request; `imagePath` replaces the panel's (a file just picked). */
export function trainerExplainRequest(m: ExplainRequestMessage, imagePath: string | null = m.imagePath): ExplainRequest {
  return { type: 'explain', sample: m.sample, imagePath, cls: m.cls, line: m.line, methods: m.methods.slice() };
}

/** The trainer request for the gallery's Grad-CAM maps. */
export function trainerGalleryRequest(m: ExplainGalleryRequestMessage): ExplainGalleryRequest {
  return { type: 'explainGallery', samples: m.samples.slice(), line: m.line };
}

/** Where a request for a file goes: the running trainer while it trains, else the inspect-only one. */
export interface ExplainRoutes {
  /** Sends to the file's running trainer; false when none runs. */
  training(request: HostMessage): boolean;
  /** Sends to the inspector's own trainer (started when needed); false when it cannot start (the note says why). */
  inspect(request: HostMessage): boolean;
}

/** Sends an explanation request where the file's current weights are; false when no trainer can answer. */
export function routeExplainRequest(request: ExplainRequest | ExplainGalleryRequest, routes: ExplainRoutes): boolean {
  return routes.training(request) || routes.inspect(request);
}
