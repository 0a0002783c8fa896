// The data checked against the model before training (and by the editor through the checker's host): image
// size, class count, and the task (E055: a sigmoid network needs N×L labels of 0/1, a softmax one class indices);
// also W105, a warning that does not stop training: class names that are not an image folder's class folders.

import type { ModelSpec, Task } from '../language/model';
import { strayLabelMessage } from './arrays';
import { folderNamesMismatch } from '../language/classNames';
import { DataError, fmtShape, printable } from './dataset';
import { labelLayout, taskMismatch } from './labelLayout';
import { probeData, type DataProbe } from './probe';

/**
 * A mismatch between the data and the model; `target` says which statement to change ('task': the network's
 * ending, softmax or sigmoid). E040: the data cannot be used as it is; E055: the task does not fit the labels;
 * W105 (a warning): the classes line renames an image folder's class folders (language/classFolders.ts).
 */
export interface DataIssue {
  code: 'E040' | 'E055' | 'W105';
  severity: 'error' | 'warning';
  message: string;
  target: 'data' | 'input' | 'units' | 'classes' | 'task';
  /** Replacement text for a quick fix, e.g. `input 28x28x1` or `units=10`. */
  suggestion?: string;
}

/** The facts about a model that the data is checked against. */
export interface ModelFacts {
  input: { h: number; w: number; c: number };
  numClasses: number;
  classNames?: string[];
  /** True when the file has a `classes` line (the fix then also mentions it). */
  hasClassesLine?: boolean;
  /** 'multilabel' when the network ends in sigmoid; absent: 'single'. */
  task?: Task;
}

function inputLine(h: number, w: number, c: number): string {
  return `input ${h}x${w}x${c}`;
}

/**
 * Size, task and class-count mismatches between what the data holds and what the model expects: E040, and
 * E055 when the network's ending (softmax or sigmoid) does not fit the labels (then the class count, the same
 * mistake seen from the other side, is not reported too).
 */
export function checkDataAgainstModel(probe: DataProbe, model: ModelFacts): DataIssue[] {
  const issues: DataIssue[] = [];
  const { h, w, c } = model.input;
  const task = model.task ?? 'single';
  if (probe.fixedSize && (probe.h !== h || probe.w !== w || probe.c !== c)) {
    const suggestion = inputLine(probe.h, probe.w, probe.c);
    issues.push({
      code: 'E040',
      severity: 'error',
      target: 'input',
      suggestion,
      message: `the images are ${fmtShape(probe.h, probe.w, probe.c)} but the model's input is ${fmtShape(h, w, c)}: change the input line to "${suggestion}"${probe.kind === 'idx' || probe.kind === 'npz' ? ` (${probe.kind} data is not resized)` : ''}.`,
    });
  }
  if (probe.kind === 'folder' && !(c >= 1 && c <= 4)) {
    issues.push({ code: 'E040', severity: 'error', target: 'input', message: `image folders give 1 (grey) or 3 (colour) channels, but the model's input has ${c}: use "input ${h}x${w}x3" or "input ${h}x${w}x1".`, suggestion: inputLine(h, w, 3) });
  }
  const mismatch = taskMismatch(probe.layout, { task, units: model.numClasses });
  if (mismatch) {
    issues.push({ code: 'E055', severity: 'error', target: 'task', message: mismatch });
    return issues;
  }
  const multi = probe.task === 'multilabel';
  const what = (n: number): string => (multi ? `${n} label${n === 1 ? '' : 's'} per sample` : `${n} classes`);
  const stray = !multi && model.numClasses > 0 && probe.numClasses > model.numClasses ? strayLabelMessage(probe.labelSets, model.numClasses) : null;
  if (model.numClasses === 0) {
    // No dense layer at the end: "set units=" would name a layer that is not there.
    const n = probe.numClasses;
    issues.push({
      code: 'E040',
      severity: 'error',
      target: 'units',
      message: `the network gives no ${multi ? 'label' : 'class'} scores: end it with "dense units=${n}" and "${multi ? 'sigmoid' : 'softmax'}" (the data has ${what(n)}${probe.numericNames ? '' : ` (${probe.classNames.join(', ')})`}).`,
    });
  } else if (stray) {
    issues.push({ code: 'E040', severity: 'error', target: 'data', message: stray });
  } else if (probe.numClasses !== model.numClasses) {
    const n = probe.numClasses;
    const names = probe.numericNames ? '' : ` (${probe.classNames.join(', ')})`;
    issues.push({
      code: 'E040',
      severity: 'error',
      target: 'units',
      suggestion: `units=${n}`,
      message:
        `the data has ${what(n)}${names} but the last dense layer has ${model.numClasses} units: set units=${n}` +
        (model.hasClassesLine ? ` and list ${n} names on the classes line${probe.numericNames ? '' : ` (classes ${probe.classNames.join(' ')})`}` : '') +
        '.',
    });
  } else if (probe.kind === 'folder' && model.hasClassesLine && model.classNames) {
    const renamed = folderNamesMismatch(model.classNames, probe.classNames);
    if (renamed) issues.push({ code: 'W105', severity: 'warning', target: 'classes', message: printable(renamed, 2000), suggestion: `classes ${probe.classNames.join(' ')}` });
  }
  return issues;
}

/** Whether a model's class names were written on a classes line (without one they are the label numbers 0, 1, …). */
export function hasClassNames(classes: readonly string[]): boolean {
  return !classes.every((n, k) => n === String(k));
}

/** The issues that stop training (E040, E055), apart from the warnings (W105). */
export function dataErrors(issues: readonly DataIssue[]): DataIssue[] {
  return issues.filter((i) => i.severity === 'error');
}

/**
 * Checks the model's data source against the model; never throws (errors become issues). The task comes
 * first, from the label array's header alone: E055 is reported without reading (or inflating) any array, and
 * then stands alone. Otherwise the source is probed (headers and labels) and checked.
 */
export function checkModelData(model: ModelSpec, baseDir: string): DataIssue[] {
  if (!model.data) return [];
  const hasClassesLine = hasClassNames(model.classes);
  try {
    let layout = null;
    try {
      layout = labelLayout(model.data, baseDir);
    } catch {
      // Unreadable headers: the probe below says what is wrong with the file.
    }
    const mismatch = layout && taskMismatch(layout, { task: model.task, units: model.classes.length });
    if (mismatch) return [{ code: 'E055', severity: 'error', target: 'task', message: mismatch }];
    const probe = probeData(model.data, baseDir, { valFraction: model.train.val, input: model.input });
    return checkDataAgainstModel(probe, { input: model.input, numClasses: model.classes.length, classNames: model.classes, hasClassesLine, task: model.task });
  } catch (e) {
    if (e instanceof DataError) return [{ code: e.code, severity: 'error', target: e.code === 'E055' ? 'task' : 'data', message: e.message }];
    return [{ code: 'E040', severity: 'error', target: 'data', message: `the data cannot be read: ${(e as Error).message}` }];
  }
}
