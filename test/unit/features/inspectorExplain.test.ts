// Issue 10, the Explain tab (host side): the panel's request as the trainer takes it — the image the user just
// picked replacing the panel's — sent to the running trainer while the file trains, else to the inspector's own.

import { describe, expect, it } from 'vitest';
import { routeExplainRequest, trainerExplainRequest } from '../../../src/features/inspectorExplain';
import { type HostMessage, isHostMessage } from '../../../src/protocol/trainer';
import type { ExplainRequestMessage } from '../../../src/protocol/webview';

const PANEL: ExplainRequestMessage = { type: 'explain', file: '/w/a.cnn', sample: 4, imagePath: null, cls: 2, line: 7, methods: ['gradcam', 'occlusion'], pickImage: true };

describe('explain requests from the panel', () => {
  it('become trainer requests (without the panel’s file and dialog flag), the picked image replacing the sample', () => {
    const r = trainerExplainRequest(PANEL);
    expect(r).toEqual({ type: 'explain', sample: 4, imagePath: null, cls: 2, line: 7, methods: ['gradcam', 'occlusion'] });
    expect(isHostMessage(r)).toBe(true);
    const picked = trainerExplainRequest(PANEL, '/w/door.png');
    expect(picked.imagePath).toBe('/w/door.png');
    expect(isHostMessage(picked)).toBe(true);
    expect(isHostMessage({ ...r, methods: [] })).toBe(false);
    expect(isHostMessage({ ...r, line: -1 })).toBe(false);
  });

  it('go to the running trainer while the file trains, else to the inspector’s own', () => {
    const sent: [string, HostMessage][] = [];
    const routes = (training: boolean, inspect: boolean) => ({
      training: (m: HostMessage) => training && sent.push(['training', m]) > 0,
      inspect: (m: HostMessage) => inspect && sent.push(['inspect', m]) > 0,
    });
    const r = trainerExplainRequest(PANEL);
    expect(routeExplainRequest(r, routes(true, true))).toBe(true);
    expect(routeExplainRequest(r, routes(false, true))).toBe(true);
    expect(routeExplainRequest(r, routes(false, false))).toBe(false);
    expect(sent.map(([to]) => to)).toEqual(['training', 'inspect']);
  });
});
