// Hover on a statement or argument: what it is, and for layers the shape arithmetic worked out; on `add` and
// `concat` every incoming shape and its line; on a label (`stem` in `stem: relu` or `from stem`) what it names;
// on a multi-label network's last sigmoid its labels; on `augment` what it does to each training image.

import * as vscode from 'vscode';
import { describeAugment, findParam, statementSchema } from '../language';
import { CNN_SELECTOR, type CnnDocuments, rangeOf, statementAt } from './documents';
import { explainInputs, explainLabel, explainLayer, explainTask, layerAtLine, markdownBlock } from './explain';
import { labelAt } from './labels';

export function registerHover(docs: CnnDocuments): vscode.Disposable {
  return vscode.languages.registerHoverProvider(CNN_SELECTOR, {
    provideHover(doc, position) {
      const result = docs.get(doc);
      const offset = doc.offsetAt(position);
      const hit = labelAt(result, offset);
      if (hit) {
        const md = new vscode.MarkdownString(explainLabel(result, hit).join('\n\n'));
        return new vscode.Hover(md, rangeOf(doc, hit.offset, hit.length));
      }
      const stmt = statementAt(result, position.line);
      if (!stmt) return undefined;
      if (offset < stmt.offset || offset > stmt.end) return undefined;
      const schema = statementSchema(stmt.keyword.text);
      if (!schema) return undefined;
      const md = new vscode.MarkdownString();
      const arg = stmt.args.find((a) => offset >= a.offset && offset <= a.offset + a.length);
      let range = rangeOf(doc, stmt.keyword.offset, stmt.keyword.length);
      if (arg?.name) {
        const p = findParam(schema, arg.name.text);
        if (p) {
          const names = [p.name, ...p.aliases].map((n) => `\`${n}\``).join(' / ');
          md.appendMarkdown(`**${schema.keyword}** ${names}: ${p.doc}`);
          if (p.default) md.appendMarkdown(` Default: \`${p.default}\`.`);
          if (p.values) md.appendMarkdown(` One of ${p.values.map((v) => `\`${v}\``).join(', ')}.`);
          md.appendMarkdown('\n\n');
        }
        range = rangeOf(doc, arg.offset, arg.length);
      } else {
        md.appendMarkdown(`**${schema.keyword}**: ${schema.doc}\n\n`);
        if (arg) range = rangeOf(doc, arg.offset, arg.length);
      }
      const layer = layerAtLine(result, stmt.line);
      if (layer) {
        const merge = explainInputs(result, layer);
        if (merge.length > 0) md.appendMarkdown(`${markdownBlock(merge)}\n\n`);
        md.appendMarkdown(explainLayer(layer).map((l) => `${l}  `).join('\n'));
        const task = explainTask(result, layer);
        if (task) md.appendMarkdown(`\n\n${task}`);
      } else if (schema.keyword === 'augment' && result.augment?.line === stmt.line) {
        md.appendMarkdown(describeAugment(result.augment));
      } else if (schema.keyword === 'input' && result.input && result.inputLine === stmt.line) {
        md.appendMarkdown(`Input volume: ${result.input.h} high × ${result.input.w} wide × ${result.input.c} channel${result.input.c === 1 ? '' : 's'}.`);
      } else if (schema.names) {
        // `from NAME`: what the branch starts from.
        const ref = stmt.args[0] ? labelAt(result, stmt.args[0].offset) : null;
        if (ref) md.appendMarkdown(explainLabel(result, ref).join('\n\n'));
      }
      return new vscode.Hover(md, range);
    },
  });
}
