// The inspector's Explain tab, answered by the trainer (inspect mode, or between training steps, so the maps
// follow training live): the chosen sample or image file explained with the network's current weights by the
// methods asked for (src/explain). A request that does not fit the model (a line without a spatial layer, a
// class that does not exist) is answered with its one-line reason, shown in the tab.

import { ExplainError, explain, layerOnLine, defaultLine, type ExplainMethod } from '../explain';
import type { ModelSpec } from '../language';
import type { ExplainGalleryRequest, ExplainRequest, ExplanationMap, ExplanationMessage, GalleryExplanationMessage } from '../protocol/trainer';
import { DataError, taskOf } from '../data/dataset';
import { readImageForModel } from './image';
import type { Prepared } from './prepare';

/** The sample's input, its label and where it came from. */
interface Sample {
  x: Float32Array;
  source: string;
  sample: number | null;
  label: number | null;
}

async function readSample(p: Prepared, req: ExplainRequest, readImage?: (path: string, spec: ModelSpec) => Promise<Float32Array>): Promise<Sample> {
  const { spec, data } = p;
  if (req.imagePath !== null) {
    return { x: await (readImage ?? readImageForModel)(req.imagePath, spec), source: req.imagePath, sample: null, label: null };
  }
  const set = data.val ?? data.train;
  if (set.size === 0) throw new ExplainError('the data has no samples to explain');
  const i = Math.min(Math.max(0, Math.floor(req.sample)), set.size - 1);
  const x = new Float32Array(spec.input.h * spec.input.w * spec.input.c);
  set.read(i, x, 0);
  const label = taskOf(set) === 'single' ? set.label(i) : null;
  return { x, source: `${data.val ? 'validation' : 'training'} sample ${i}`, sample: i, label };
}

/** The class asked for, checked against the model's classes (or labels). */
function checkClass(spec: ModelSpec, cls: number | null): void {
  if (cls === null || cls < spec.classes.length) return;
  const what = spec.task === 'multilabel' ? 'label' : 'class';
  throw new ExplainError(`${spec.name} has no ${what} ${cls}; its ${what === 'label' ? 'labels' : 'classes'} are ${spec.classes.map((c, i) => `${c} (${i})`).join(', ')}`);
}

/** The answer to an ExplainRequest: the maps, or (ExplainError) the reason in `error`. Other errors throw. */
export async function explanationMessage(p: Prepared, req: ExplainRequest, readImage?: (path: string, spec: ModelSpec) => Promise<Float32Array>): Promise<ExplanationMessage> {
  const { spec, net } = p;
  const classes = p.data.classNames.slice();
  let s: Sample;
  try {
    s = await readSample(p, req, readImage);
  } catch (err) {
    // An image file that cannot be read or decoded: its one line in the tab, no input to show.
    if (!(err instanceof DataError || err instanceof ExplainError)) throw err;
    const { c } = spec.input;
    const nothing = { shape: [0, 0, c], data: new Float32Array(0) };
    return { type: 'explanation', source: req.imagePath ?? 'the data', sample: null, imagePath: null, label: null, input: nothing, classIndex: -1, predicted: req.cls === null, probabilities: [], classes, maps: [], error: err.message };
  }
  const base: ExplanationMessage = {
    type: 'explanation',
    source: s.source,
    sample: s.sample,
    imagePath: req.imagePath,
    label: s.label,
    input: { shape: [spec.input.h, spec.input.w, spec.input.c], data: s.x },
    classIndex: -1,
    predicted: req.cls === null,
    probabilities: [],
    classes,
    maps: [],
    error: null,
  };
  try {
    checkClass(spec, req.cls);
    const layer = req.methods.includes('gradcam') ? layerOnLine(spec, req.line !== null ? req.line + 1 : defaultLine(spec)) : null;
    const probabilities = Array.from(net.predict(s.x, 1));
    let classIndex = req.cls ?? -1;
    const maps: ExplanationMap[] = [];
    for (const method of req.methods as ExplainMethod[]) {
      const e = explain(net, s.x, 1, { method, cls: req.cls, ...(layer ? { layer: layer.index } : {}) });
      classIndex = e.classes[0]!;
      const m = e.maps[0]!;
      maps.push({ method, line: method === 'gradcam' ? layer!.line : null, h: m.h, w: m.w, map: m.data });
    }
    return { ...base, classIndex, probabilities, maps };
  } catch (err) {
    if (err instanceof ExplainError) return { ...base, error: err.message };
    throw err;
  }
}

/** The misclassified gallery's Grad-CAM maps: each sample's map for its predicted class, in one batch. */
export function galleryExplanationMessage(p: Prepared, req: ExplainGalleryRequest): GalleryExplanationMessage {
  const { spec, data, net } = p;
  const set = data.val ?? data.train;
  const samples = req.samples.map((i) => Math.min(Math.max(0, i), Math.max(0, set.size - 1)));
  try {
    const layer = layerOnLine(spec, req.line !== null ? req.line + 1 : defaultLine(spec));
    if (samples.length === 0 || set.size === 0) return { type: 'galleryExplanation', line: layer.line, items: [], error: null };
    const per = spec.input.h * spec.input.w * spec.input.c;
    const x = new Float32Array(samples.length * per);
    samples.forEach((s, k) => set.read(s, x, k * per));
    const e = explain(net, x, samples.length, { method: 'gradcam', cls: null, layer: layer.index });
    const items = e.maps.map((m, k) => ({ sample: samples[k]!, classIndex: e.classes[k]!, h: m.h, w: m.w, map: m.data }));
    return { type: 'galleryExplanation', line: layer.line, items, error: null };
  } catch (err) {
    if (err instanceof ExplainError) return { type: 'galleryExplanation', line: null, items: [], error: err.message };
    throw err;
  }
}
