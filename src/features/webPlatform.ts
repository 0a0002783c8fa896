// The editor features' platform in the browser's web worker extension host (web.ts): files through
// vscode.workspace.fs only, the built-in engine in a Web Worker (src/trainer/webClient.ts), the run folders read
// through the in-memory mirror (runMirror.ts). The PyTorch backend runs Python, which a page cannot: it says so
// once and trains with the built-in engine.

import * as vscode from 'vscode';
import { posixPath } from '../platform/posixPath';
import type { DirEntry } from '../platform/host';
import type { MemoryFiles } from '../platform/memory';
import type { TrainJob } from '../protocol/trainer';
import { planPreload, type WorkspaceFiles } from '../trainer/preload';
import { type TrainerInputs, WebWorkerTrainer } from '../trainer/webClient';
import { backendSetting } from './backend';
import type { EditorPlatform } from './platform';
import { RunMirror } from './runMirror';
import { WEB_PYTHON_NOTE } from './webUnavailable';

/** Where the inspector's own trainer writes when the file has no run yet: in the worker's memory only. */
const SCRATCH = '/.cnn-studio-inspect';

/** Documents' paths and the URIs they came from: the trainer and the run folders speak POSIX paths. */
class Locations {
  private readonly known = new Map<string, vscode.Uri>();

  fileOf(uri: vscode.Uri): string | null {
    if (uri.scheme === 'untitled') return null;
    if (!this.known.has(uri.path)) this.known.set(uri.path, uri);
    return uri.path;
  }

  /** A path's URI: beside a known document (same scheme and authority), else in the first workspace folder's. */
  uriOf(path: string): vscode.Uri | null {
    if (!path.startsWith('/') || path === SCRATCH || path.startsWith(`${SCRATCH}/`)) return null;
    const exact = this.known.get(path);
    if (exact) return exact;
    const origin = [...this.known.values()][0] ?? vscode.workspace.workspaceFolders?.[0]?.uri;
    return origin ? origin.with({ path, query: '', fragment: '' }) : null;
  }
}

async function readDir(uri: vscode.Uri): Promise<DirEntry[]> {
  const entries = await vscode.workspace.fs.readDirectory(uri);
  return entries.map(([name, type]) => ({ name, kind: type & vscode.FileType.Directory ? 'dir' : type & vscode.FileType.File ? 'file' : 'other' }));
}

/** @param files the memory the web host reads (web.ts installs webHost(files)): the run folders' mirror */
export function webPlatform(context: vscode.ExtensionContext, files: MemoryFiles): EditorPlatform {
  const where = new Locations();
  const runs = new RunMirror(files, (p) => where.uriOf(p));
  const fs = vscode.workspace.fs;
  const dist = (name: string) => vscode.Uri.joinPath(context.extensionUri, 'dist', name);
  const must = (path: string) => {
    const uri = where.uriOf(path);
    if (!uri) throw new Error(`${path} is not in the workspace`);
    return uri;
  };
  const workspace: WorkspaceFiles = {
    stat: async (path) => {
      const uri = where.uriOf(path);
      if (!uri) return null;
      try {
        const s = await fs.stat(uri);
        return s.type & vscode.FileType.Directory ? 'dir' : 'file';
      } catch {
        return null;
      }
    },
    list: (path) => readDir(must(path)),
  };
  // The worker's script and the engine's builds: read once, when the first trainer starts.
  let assets: Promise<{ script: string; wasm: Record<string, Uint8Array> }> | null = null;
  const loadAssets = () =>
    (assets ??= (async () => {
      const [script, listing] = await Promise.all([fs.readFile(dist('trainer-web.js')), fs.readDirectory(vscode.Uri.joinPath(context.extensionUri, 'dist'))]);
      const names = listing.map(([n]) => n).filter((n) => n.endsWith('.wasm'));
      const wasm: Record<string, Uint8Array> = {};
      await Promise.all(names.map(async (n) => (wasm[n] = await fs.readFile(dist(n)))));
      return { script: new TextDecoder().decode(script), wasm };
    })().catch((err: Error) => {
      assets = null;
      throw new Error(`the web trainer is not built (dist/trainer-web.js): ${err.message}`);
    }));
  const inputs = async (job: TrainJob): Promise<TrainerInputs> => {
    const plan = await planPreload(job, workspace, posixPath('/'));
    const files = await Promise.all(plan.files.map(async (path) => ({ path, data: await fs.readFile(must(path)) })));
    return { files, folders: plan.folders };
  };
  let saidPython = false;
  let saidThreads = false;
  const isolated = globalThis.crossOriginIsolated === true;
  return {
    kind: 'web',
    fileOf: (uri) => where.fileOf(uri),
    uriOf: (path) => where.uriOf(path),
    // Called as a training starts: what the browser changes about it is said here, once each.
    chooseBackend: () => {
      if (backendSetting() === 'pytorch' && !saidPython) {
        saidPython = true;
        void vscode.window.showInformationMessage(`CNN: the PyTorch backend ${WEB_PYTHON_NOTE}`);
      }
      const wanted = vscode.workspace.getConfiguration('cnnStudio').get<number>('training.threads', 1);
      if (wanted > 1 && !isolated && !saidThreads) {
        saidThreads = true;
        void vscode.window.showInformationMessage(
          `CNN: training uses one thread here: cnnStudio.training.threads asks for ${wanted}, but threads in a browser need a cross-origin isolated page (vscode.dev is one; this page is not).`,
        );
      }
      return Promise.resolve('builtin');
    },
    createTrainer: () =>
      new WebWorkerTrainer({
        script: loadAssets().then((a) => a.script),
        wasm: loadAssets().then((a) => a.wasm),
        inputs,
        applyOps: (ops) => runs.replay(ops),
        readFile: (path) => Promise.resolve(fs.readFile(must(path))),
        threads: isolated,
      }),
    scratchDir: SCRATCH,
    loadRuns: (file) => runs.load(file),
    flush: () => runs.flush(),
  };
}
