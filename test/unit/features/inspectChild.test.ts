// Where the inspector's requests go (src/features/inspectChild.ts): to the file's running trainer while it
// trains, else to the inspect-only trainer child, which refuses to start — with the reason as the panel's
// note — for a file that is not open, not saved, broken, or without a built trainer. No process is started here.

import { describe, expect, it } from 'vitest';
import { type InspectDoc, InspectChild, type InspectorTraining } from '../../../src/features/inspectChild';
import type { AugmentPreviewRequest, ExplainRequest } from '../../../src/protocol/trainer';

function setup(opts: { training?: Partial<InspectorTraining> & { files?: string[] }; doc?: InspectDoc | null; cannotStart?: string } = {}) {
  const notes: (string | null | undefined)[] = [];
  const sent: { to: string; what: unknown }[] = [];
  const files = opts.training?.files ?? [];
  const training: InspectorTraining = {
    onDidReceive: () => ({ dispose() {} }),
    isTraining: (f) => files.includes(f),
    checkpointFor: () => undefined,
    requestSnapshot: (f, sample, imagePath) => (sent.push({ to: 'training', what: { f, sample, imagePath } }), true),
    ...opts.training,
  };
  const child = new InspectChild({
    // The platform says why no trainer can start (nodePlatform: dist/trainer.js is missing); no process here.
    createTrainer: () => opts.cannotStart ?? 'The trainer is not built (dist/trainer.js is missing).',
    scratchDir: '/tmp/cnn-studio-inspect',
    training: () => training,
    doc: () => (opts.doc === undefined ? { onDisk: true, text: 'input 4x4x1\n', hasErrors: false } : opts.doc),
    checkpoint: () => null,
    onMessage: () => {},
    status: (note) => notes.push(note),
  });
  return { child, notes, sent };
}

const explain: ExplainRequest = { type: 'explain', sample: 0, imagePath: null, cls: null, line: null, methods: ['gradcam'] };

describe('InspectChild routing', () => {
  it('sends a training file\u2019s requests to its running trainer and starts no child', () => {
    const explained: unknown[] = [];
    const { child, notes, sent } = setup({ training: { files: ['/w/a.cnn'], requestExplanation: (_f, r) => (explained.push(r), true), requestAugmentPreview: () => true } });
    child.snapshot('/w/a.cnn', 3);
    child.explain('/w/a.cnn', explain);
    child.augmentPreview('/w/a.cnn', { type: 'augmentPreview', sample: 0, count: 4, augment: {} as AugmentPreviewRequest['augment'] });
    expect(sent).toEqual([{ to: 'training', what: { f: '/w/a.cnn', sample: 3, imagePath: undefined } }]);
    expect(explained).toEqual([explain]);
    expect(child.file).toBeNull();
    expect(notes).toEqual([]);
  });

  it('says so when the running trainer cannot evaluate on request', () => {
    const { child, notes } = setup({ training: { files: ['/w/a.cnn'] } });
    child.evaluation('/w/a.cnn');
    expect(notes).toEqual(['The running trainer sends an evaluation after each epoch.']);
    expect(child.file).toBeNull();
  });

  it('falls back to the inspect child when the running trainer does not take an explanation', () => {
    const { child, notes } = setup({ training: { files: ['/w/a.cnn'], requestExplanation: () => false }, doc: null });
    child.explain('/w/a.cnn', explain);
    expect(notes).toEqual(['Open the .cnn file to inspect it.']);
  });
});

describe('InspectChild refuses to start, with the reason', () => {
  const cases: [string, Parameters<typeof setup>[0], string][] = [
    ['a file that is not open', { doc: null }, 'Open the .cnn file to inspect it.'],
    ['an unsaved file', { doc: { onDisk: false, text: '', hasErrors: false } }, 'Save the file first: the trainer reads its data relative to it.'],
    ['a file with errors', { doc: { onDisk: true, text: '', hasErrors: true } }, 'Fix the errors in the file first: the network cannot be built.'],
    ['a missing trainer build', {}, 'The trainer is not built (dist/trainer.js is missing).'],
    ['a trainer the platform cannot start', { cannotStart: 'no Web Workers here' }, 'no Web Workers here'],
  ];
  for (const [what, opts, note] of cases) {
    it(what, () => {
      const { child, notes } = setup(opts);
      expect(child.ensure('/w/a.cnn')).toBeNull();
      child.snapshot('/w/a.cnn');
      child.evaluation('/w/a.cnn');
      expect(notes).toEqual([note, note, note]);
      expect(child.file).toBeNull();
      expect(child.inspecting('/w/a.cnn')).toBe(false);
    });
  }
});
