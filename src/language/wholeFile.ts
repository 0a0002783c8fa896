// Rules over the whole file, once every statement is read: unknown names and unused outputs (graph.ts), a
// missing input (E010), softmax not last (E032), no class scores (W103, also a sigmoid ending without a dense
// layer before it), classes and units (E031), no data line (I202), augment and class weights (tasks.ts), class
// names that are not the data folder's class folders (W105, classFolders.ts); then every layer that holds an
// error is marked.

import type { Checker } from './checker';
import { classesFixes, commentedDataLine, dataFixes, lineStart, sigmoidLayerFix, softmaxFixes } from './fixes';
import { reportUnresolved, reportUnused } from './graph';
import { taskOf } from './model';
import { findParam, statementSchema } from './schema';
import type { SyntaxTree } from './syntax';
import { lastDenseLayer, taskRules } from './tasks';
import { classFoldersRule } from './classFolders';

export function wholeFileRules(c: Checker, tree: SyntaxTree): void {
  reportUnresolved(c);
  reportUnused(c);
  if (!c.inputStmt) {
    const first = c.layers[0];
    const firstKeyword = c.layerStmts[0]?.keyword;
    const span = firstKeyword ? { offset: firstKeyword.offset, length: firstKeyword.length } : tree.statements[0]?.keyword ?? { offset: 0, length: 0 };
    c.report('E010', span, `The file has no 'input' line. Add one before the first layer, e.g. input 32x32x3.`, [
      { title: 'Add input 32x32x3', edits: [{ offset: first ? lineStart(c.text, first.offset) : 0, length: 0, newText: 'input 32x32x3\n' }] },
    ]);
  }
  const last = c.layers[c.layers.length - 1];
  for (const s of c.layers) {
    if (s.spec.kind === 'softmax' && s !== last) {
      const stmt = c.layerStmts[s.index]!;
      const next = c.layerStmts[c.layers[c.layers.indexOf(s) + 1]!.index]!;
      const endsInSoftmax = last!.spec.kind === 'softmax';
      c.report(
        'E032',
        stmt.keyword,
        `'softmax' turns the class scores into probabilities and must be the last layer, but '${next.keyword.text}' on line ${next.line + 1} comes after it. ${endsInSoftmax ? `Remove it: the softmax on line ${last!.line + 1} already ends the network.` : 'Move it to the end.'}`,
        softmaxFixes(c.text, stmt, c.layerStmts[last!.index]!, endsInSoftmax),
      );
    }
  }
  const multi = taskOf(c.layers) === 'multilabel';
  if (c.inputStmt || c.layers.length) {
    let end = c.layers.length - 1;
    while (end >= 0 && c.layers[end]!.spec.kind === 'softmax') end--;
    // A multi-label network ends in dense units=L and sigmoid: one probability per label.
    if (multi) end--;
    const endLayer = end >= 0 ? c.layers[end] : undefined;
    // A dense layer that could not be read (its error is already reported) still ends the network in dense.
    const endsInDense = endLayer !== undefined && (endLayer.spec.kind === 'dense' || statementSchema(endLayer.keyword)?.keyword === 'dense');
    if (!endsInDense && multi) {
      const sigmoid = c.layerStmts[c.layers.length - 1]!;
      const n = c.classes?.length;
      c.report(
        'W103',
        sigmoid.keyword,
        `A multi-label network ends in dense units=L and sigmoid (one probability per label), but this sigmoid ${endLayer ? `follows '${c.layerStmts[endLayer.index]!.keyword.text}' on line ${endLayer.line + 1}, not a dense layer` : 'is the only layer'}, so it gives no label scores. Add dense units=${n ?? 'L'} right before it${n ? '' : ', with L the number of labels'}.`,
      );
    } else if (endsInDense && !multi && endLayer === last && endLayer.spec.kind === 'dense' && endLayer.spec.activation === 'sigmoid') {
      // `dense units=14 activation=sigmoid` at the end reads as multi-label, but the sigmoid is fused into the
      // layer, so the network is trained as single label on squashed scores.
      const stmt = c.layerStmts[endLayer.index]!;
      const arg = stmt.args.find((a) => a.name?.text === 'activation');
      c.report(
        'W103',
        arg ?? stmt.keyword,
        `The network ends in dense activation=sigmoid, which trains as single label on squashed scores. For a multi-label network make sigmoid its own last layer (dense units=${endLayer.spec.units}, then sigmoid); for one class per image end in softmax.`,
        arg ? [sigmoidLayerFix(c.text, stmt, arg)] : [],
      );
    } else if (!endsInDense) {
      const at = endLayer ?? last;
      const stmt = at ? c.layerStmts[at.index]! : c.inputStmt!;
      const n = c.classes?.length ?? 3;
      c.report(
        'W103',
        stmt.keyword,
        endLayer
          ? `The network ends in '${stmt.keyword.text}', not in a dense layer, so it gives no class scores. Add dense units=${n}${last?.spec.kind === 'softmax' ? ' before the softmax' : ' and softmax'}.`
          : `The network has no layers yet, so it gives no class scores. Add layers ending in dense units=${n} and softmax.`,
      );
    }
  }
  // The last dense statement, read or not: when it could not be read its units are unknown, so no E031.
  const lastDense = lastDenseLayer(c.layers);
  if (c.classesStmt && c.classes && lastDense && lastDense.spec.kind === 'dense' && lastDense.spec.units !== c.classes.length) {
    // Reported at both ends, each with both fixes: the mistake may be in either line.
    const units = lastDense.spec.units;
    const n = c.classes.length;
    const denseStmt = c.layerStmts[lastDense.index]!;
    const unitsArg = denseStmt.args.find((a) => a.name && findParam(statementSchema('dense')!, a.name.text)?.name === 'units');
    const fixes = classesFixes(c.text, c.classesStmt, c.classes, unitsArg, units);
    // A multi-label network's classes line names its labels.
    const noun = (k: number) => (multi ? (k === 1 ? 'label' : 'labels') : k === 1 ? 'class' : 'classes');
    const classesWord = `${n} ${noun(n)}`;
    const unitsWord = `${units} unit${units === 1 ? '' : 's'}`;
    c.report(
      'E031',
      { offset: c.classesStmt.offset, length: c.classesStmt.length },
      `There ${n === 1 ? 'is' : 'are'} ${classesWord} but the last dense layer (line ${lastDense.line + 1}) has ${unitsWord}; they must be equal. Set units=${n} or list ${units} ${noun(units)}.`,
      fixes,
    );
    c.report(
      'E031',
      unitsArg ?? denseStmt.keyword,
      `The last dense layer gives one score per ${noun(1)}, so its units must equal the ${classesWord} on line ${c.classesStmt.line + 1}, not ${units}. Set units=${n} or list ${units} ${noun(units)}.`,
      fixes,
    );
  }
  // No data line, in a file meant to be trained (it has a train line, or a data line commented out): say so
  // now, not when training starts. A file that only works out shapes stays quiet.
  const commentedData = c.dataStmt ? undefined : tree.comments.find((k) => commentedDataLine(c.text, k));
  if (!c.dataStmt && (c.trainStmt || commentedData)) {
    c.report(
      'I202',
      c.trainStmt ? c.trainStmt.keyword : commentedData!,
      `The file has no 'data' line${commentedData ? ` (line ${commentedData.line + 1} is commented out)` : ''}, so it cannot be trained yet. Add one before 'train': data shapes (built in, no files needed), data idx DIR, data npz FILE or data folder DIR.`,
      dataFixes(c.text, c.trainStmt, commentedData),
    );
  }
  taskRules(c);
  classFoldersRule(c);
  // Mark the layers that hold an error.
  const byLine = new Map(c.layers.map((l) => [l.line, l]));
  const index = new LineOf(c.text);
  for (const d of c.diagnostics) {
    if (d.severity !== 'error') continue;
    const layer = byLine.get(index.lineOf(d.offset));
    if (layer) layer.hasError = true;
  }
}

class LineOf {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
