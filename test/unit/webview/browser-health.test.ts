// The Training tab's gradient-flow chart in chromium: one line per parameterised layer on a log axis, fed by
// health messages, with the latest epoch's diagnostics under it. Screenshot: inspector-gradient-flow.png.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { modelView } from '../../../src/features/modelView';
import { check } from '../../../src/language';
import type { HealthMessage } from '../../../src/protocol/trainer';
import type { HostToWebview } from '../../../src/protocol/webview';
import { chromiumAvailable, type InspectorPage, openInspectorPage, SHOTS } from './inspectorPage';
import { LECTURE_SOURCE } from './fixtures';

const FILE = '/work/examples/lecture.cnn';

describe.skipIf(!chromiumAvailable)('gradient-flow chart in chromium', () => {
  let inspector: InspectorPage;
  beforeAll(async () => {
    inspector = await openInspectorPage('cnn-inspector-health-');
  });
  afterAll(async () => {
    await inspector?.close();
  });

  it('draws a line per parameterised layer on a log axis, and lists the epoch’s diagnostics', async () => {
    const page = inspector.page;
    const post = (m: HostToWebview) => inspector.post(m);
    const model = modelView(check(LECTURE_SOURCE), FILE, 1);
    await post({ type: 'model', model });
    await inspector.tab('training');
    await post({ type: 'trainer', file: FILE, message: { type: 'started', epochs: 3, stepsPerEpoch: 100, trainSize: 3200, valSize: 300, classes: ['door', 'stair', 'sign'], params: 6243, backend: 'builtin', warnings: [], task: 'single', classCounts: [1000, 1100, 1100], classWeights: null } });
    // Three layers: one healthy, one whose gradient fades over the steps (10 decades), one steady.
    const layers = [
      { index: 0, line: 5, kind: 'conv', base: 1e-7, fade: 1e-3 },
      { index: 2, line: 7, kind: 'conv', base: 0.05, fade: 0.3 },
      { index: 5, line: 10, kind: 'dense', base: 0.4, fade: 0.6 },
    ];
    for (let step = 20; step <= 300; step += 20) {
      const t = step / 300;
      const end = step % 100 === 0;
      const m: HealthMessage = {
        type: 'health',
        step,
        epoch: Math.ceil(step / 100),
        layers: layers.map((l) => ({ index: l.index, line: l.line, kind: l.kind, gradNorm: l.base * l.fade ** t * (1 + 0.2 * Math.sin(step)), paramGradNorm: l.base, weightNorm: 3, updateRatio: 1e-3 })),
        diagnostics: end ? [{ code: 'W303', index: 0, line: 5, message: 'Vanishing gradient: its weight-gradient norm 4.00e-9 is 20,000,000× below the median of the other layers (0.08), so this layer barely learns.' }] : null,
        samples: end ? 256 : 0,
      };
      await post({ type: 'trainer', file: FILE, message: m });
    }
    const chart = page.locator('cnn-gradient-flow cnn-line-chart canvas');
    await chart.waitFor();
    expect(await page.locator('cnn-gradient-flow .legend').textContent()).toMatch(/line 6 conv[\s\S]*line 8 conv[\s\S]*line 11 dense/);
    expect(await page.locator('cnn-gradient-flow .health-diagnostics').textContent()).toMatch(/W303\s*line 6: Vanishing gradient/);
    const painted = await chart.evaluate((c) => {
      const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    });
    expect(painted).toBeGreaterThan(500);
    await page.locator('cnn-gradient-flow').scrollIntoViewIfNeeded();
    await page.locator('cnn-gradient-flow').screenshot({ path: join(SHOTS, 'inspector-gradient-flow.png') });
    expect(inspector.errors).toEqual([]);
  });
});
