// The checker's view of the file system in the browser (vscode.dev, github.dev, a web worker extension host):
// `vscode.workspace.fs` only answers asynchronously and the checker asks synchronously, so a data path the host
// has not looked up yet is "not known" (no diagnostic), the answer is fetched in the background and the document
// is checked again when it arrives; a known answer is looked up again when older than REFRESH_MS and the
// document checked again only if it changed (a data folder created or removed while the file is open). A
// `data folder`'s class folders (W105) are looked up the same way.

import * as vscode from 'vscode';
import type { CheckHost } from '../language';
import { inLabelOrder } from '../language/classNames';
import { type DataPathKind, StatCache } from './statCache';

export const REFRESH_MS = 2000;

async function statKind(uri: vscode.Uri): Promise<DataPathKind> {
  try {
    const s = await vscode.workspace.fs.stat(uri);
    return s.type & vscode.FileType.Directory ? 'dir' : 'file';
  } catch {
    return null;
  }
}

/** A data path written in a .cnn file, as a URI beside the document (absolute paths keep the document's scheme). */
export function dataPathUri(doc: vscode.Uri, path: string): vscode.Uri {
  if (path.startsWith('/')) return doc.with({ path });
  return vscode.Uri.joinPath(doc, '..', path);
}

/** One cache for the window: documents that name the same data path share its answer. */
const cache = new StatCache<string>({ refreshMs: REFRESH_MS, now: () => Date.now() });

/** A data folder's class folders in label order, as JSON (StatCache compares answers as strings); null when unreadable. */
async function classFoldersJson(uri: vscode.Uri): Promise<string | null> {
  try {
    const entries = await vscode.workspace.fs.readDirectory(uri);
    // A symbolic link to a folder is both: followed, as training follows it.
    return JSON.stringify(inLabelOrder(entries.filter(([, type]) => type & vscode.FileType.Directory).map(([name]) => name)));
  } catch {
    return null;
  }
}

const classCache = new StatCache<string, string | null>({ refreshMs: REFRESH_MS, now: () => Date.now() });

export function webCheckHost(doc: vscode.TextDocument, changed: () => void): CheckHost | undefined {
  if (doc.uri.scheme === 'untitled') return undefined;
  return {
    stat(path: string) {
      const uri = dataPathUri(doc.uri, path);
      return cache.get(uri.toString(), () => statKind(uri), changed);
    },
    // W105: the class folders, looked up in the background like the paths.
    dataClasses(data) {
      if (data.kind !== 'folder') return null;
      const uri = dataPathUri(doc.uri, data.path);
      const json = classCache.get(uri.toString(), () => classFoldersJson(uri), changed);
      return json === undefined ? undefined : json === null ? null : (JSON.parse(json) as string[]);
    },
  };
}
