// What kind of labels a data source holds, from as little as can tell it: an .npz's train_labels header (shape
// only; the array itself is never read or inflated), or the source kind (idx, folders and the built-in shapes
// give one class per image). The one home of E055, the network's task against the labels: a sigmoid network
// needs N×L labels of 0/1, a softmax one needs one class per sample.

import { host, type FileStat } from '../platform/host';
import type { DataSpec, Task } from '../language/model';
import { DataError, fmt } from './dataset';
import { findKey, labelShapeTask, readHeader } from './npz';
import { ZipReader } from './zip';

export interface LabelLayout {
  task: Task;
  /** Labels per sample for multi-label data; null for one class per sample. */
  labels: number | null;
  /** Where the labels come from, for messages: "'train_labels' in chest.npz", "data folder photos/". */
  source: string;
  /** The label array's shape (npz), else null. */
  shape: number[] | null;
}

/** The layout of an .npz's labels from the shape in the header of its train_labels array. */
export function npzLayout(fileName: string, shape: readonly number[]): LabelLayout {
  const source = `'train_labels' in ${fileName}`;
  const task = labelShapeTask(shape, source);
  return { task, labels: task === 'multilabel' ? shape[1]! : null, source, shape: [...shape] };
}

/** The layout of a source that always gives one class per image (idx, folder, shapes). */
export function singleLayout(spec: DataSpec): LabelLayout {
  // The data line as written: "data shapes", "data idx mnist/", "data folder photos/".
  const source = spec.kind === 'shapes' ? 'data shapes' : `data ${spec.kind} ${spec.path}`;
  return { task: 'single', labels: null, source, shape: null };
}

interface Cached {
  mtimeMs: number;
  size: number;
  layout: LabelLayout;
}

/** Headers read per file version: the editor asks on every keystroke. */
const cache = new Map<string, Cached>();
const CACHE_ENTRIES = 32;

/**
 * The labels' layout, reading at most the .npy header of train_labels (a few hundred bytes; a deflated entry
 * inflates only its first bytes). Throws DataError when the file cannot be read or has no train_labels.
 */
export function labelLayout(spec: DataSpec, baseDir: string): LabelLayout {
  if (spec.kind !== 'npz') return singleLayout(spec);
  const file = host().path.resolve(baseDir, spec.path);
  const st: FileStat | null = host().files.stat(file);
  if (!st) {
    throw new DataError(`The file '${spec.path}' does not exist (looked for ${file}; paths are relative to the .cnn file).`);
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.layout;
  const reader = ZipReader.open(file);
  try {
    const e = findKey(reader, 'train_labels');
    if (!e) throw new DataError(`${reader.name} has no 'train_labels' array.`);
    const h = readHeader(reader, e, `train_labels in ${reader.name}`);
    const layout = npzLayout(reader.name, h.shape);
    if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(file, { mtimeMs: st.mtimeMs, size: st.size, layout });
    return layout;
  } finally {
    reader.close();
  }
}

/** What the network's ending asks for: its task and the last dense layer's units (0 when there is none). */
export interface NetworkTask {
  task: Task;
  units: number;
}

function shapeText(shape: readonly number[]): string {
  return shape.map(fmt).join('×');
}

/**
 * E055's message when the network's task does not fit the labels, else null. Names both sides: the network's
 * ending and the labels' source and shape, and says what to change.
 */
export function taskMismatch(layout: LabelLayout, net: NetworkTask): string | null {
  if (layout.task === net.task) return null;
  const shape = layout.shape ? ` (shape ${shapeText(layout.shape)})` : '';
  if (net.task === 'multilabel') {
    const l = net.units > 0 ? net.units : null;
    const what = layout.shape ? 'holds one class per sample' : 'gives one class per image';
    const fix = layout.shape ? `use N×${l ?? 'L'} labels of 0/1` : `use an .npz with N×${l ?? 'L'} labels of 0/1`;
    return `The network ends in sigmoid (multi-label${l ? `, ${l} label${l === 1 ? '' : 's'}` : ''}) but ${layout.source} ${what}${shape}: end in softmax, or ${fix}.`;
  }
  const l = layout.labels!;
  return `The network ends in softmax (one class per sample) but ${layout.source} holds ${l} labels per sample${shape}, which is multi-label data: end in dense units=${l} and sigmoid.`;
}

/**
 * E055 for the editor and `cnn check` (through the checker's host): the message, or null when the task fits or
 * the labels cannot be read (the data check reports that). Reads headers only; never throws.
 */
export function dataTaskIssue(data: DataSpec, net: NetworkTask, baseDir: string): string | null {
  try {
    return taskMismatch(labelLayout(data, baseDir), net);
  } catch {
    return null;
  }
}
