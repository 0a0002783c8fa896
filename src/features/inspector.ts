// `CNN: Open Inspector`: a webview panel beside the editor that follows the active .cnn file and shows its
// architecture, live training curves, feature maps, filters, predictions and a convolution explorer.
// Messages both ways are typed in src/protocol/webview.ts and checked at run time in both directions.

import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { type CheckResult, describeLayer, type LayerSpec, layerArithmetic, layerKind, summarize } from '../language';
import type { SnapshotMessage, TrainerMessage, TrainJob } from '../protocol/trainer';
import {
  type ExplorerNotice,
  type HostToWebview,
  isHostToWebview,
  isPersistedState,
  isWebviewToHost,
  type LayerView,
  type ModelView,
  parseMetrics,
  type RunInfo,
  type RunStatus,
  type WebviewToHost,
  type WindowView,
} from '../protocol/webview';
import { TrainerClient } from '../trainer/client';
import { fileStem, isRunFolderOf, runFiles, runsFolder } from '../trainer/paths';
import { type CnnDocuments, isCnn } from './documents';
import { emptyFileRun, type FileRun, reduceFileRun, replay, runFromDisk, runInfo, TRAINER_EXITED } from './inspectorRun';
import type { TrainingEvent } from './training';

export const INSPECTOR_VIEW_TYPE = 'cnnStudio.inspector';

/** What the inspector needs of the training feature (TrainingFeature satisfies it). */
export interface InspectorTraining {
  readonly onDidReceive: vscode.Event<TrainingEvent>;
  requestSnapshot(file: string, sample?: number, imagePath?: string): boolean;
  isTraining(file: string): boolean;
  checkpointFor(file: string): string | undefined;
  /** Not in TrainingFeature yet: ask the running trainer for a validation evaluation. */
  requestEvaluation?(file: string): boolean;
}

/** Progress at most 5 a second, snapshots at most 2 a second (the last one always gets through). */
const PROGRESS_INTERVAL_MS = 200;
const SNAPSHOT_INTERVAL_MS = 500;
const MODEL_DEBOUNCE_MS = 120;

/** Sends at most one value per interval; a value that comes too soon waits, and only the newest waits. */
export class Throttle<T> {
  private last = 0;
  private pending: T | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly send: (v: T) => void,
  ) {}

  push(v: T): void {
    const now = Date.now();
    if (this.timer === null && now - this.last >= this.intervalMs) {
      this.last = now;
      this.send(v);
      return;
    }
    this.pending = v;
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.intervalMs - (now - this.last)));
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending !== null) {
      const v = this.pending;
      this.pending = null;
      this.last = Date.now();
      this.send(v);
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }
}

function fileKey(doc: vscode.TextDocument): string {
  return doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.toString();
}

/** The check result as the webview draws it: plain data, no language code needed on the other side. */
export function modelView(result: CheckResult, file: string, version: number): ModelView {
  const summary = summarize(result);
  const seen = new Set<number>([-1]);
  const layers: LayerView[] = result.layers.map((layer) => {
    const s = layer.spec;
    const end = layer.offset + layer.length;
    const errors = result.diagnostics.filter((d) => d.severity === 'error' && d.offset >= layer.offset && d.offset <= end).map((d) => `${d.code}: ${d.message}`);
    // Only layers above (the checker's promise), so a drawing of a broken file never loops.
    const inputs = layer.inputs.filter((i) => seen.has(i));
    seen.add(layer.index);
    return {
      index: layer.index,
      line: layer.line,
      inputs,
      name: layer.label,
      kind: layerKind(layer),
      label: describeLayer(layer),
      input: layer.input,
      output: layer.output,
      params: layer.params,
      macs: layer.macs,
      receptiveField: layer.receptiveField,
      window: windowView(s),
      filters: s.kind === 'conv' || s.kind === 'deconv' ? s.filters : null,
      groups: s.kind === 'conv' ? s.groups : null,
      poolMode: s.kind === 'pool' ? s.mode : null,
      arithmetic: layerArithmetic(layer).map((a) => ({ side: a.side, ...a.axis, text: a.text })),
      hasError: layer.hasError,
      errors,
    };
  });
  return {
    file,
    fileName: basename(file),
    version,
    name: result.name,
    input: result.input,
    inputLine: result.inputLine,
    classes: result.classes,
    layers,
    // A name used on a line without a layer of its own: a `from` line.
    jumps: result.references.filter((r) => r.target !== null && seen.has(r.target) && !layers.some((l) => l.line === r.line)).map((r) => ({ line: r.line, target: r.target! })),
    params: summary.params,
    macs: summary.macs,
    incomplete: summary.incomplete,
    errorCount: result.diagnostics.filter((d) => d.severity === 'error').length,
    warningCount: result.diagnostics.filter((d) => d.severity === 'warning').length,
  };
}

/** The sliding window of a conv, deconv or pool layer (what the convolution explorer draws); null for others. */
function windowView(s: LayerSpec): WindowView | null {
  const base = s.kind === 'conv' || s.kind === 'deconv' || s.kind === 'pool' ? { fh: s.fh, fw: s.fw, sh: s.sh, sw: s.sw, ph: s.ph, pw: s.pw } : null;
  if (!base) return null;
  if (s.kind === 'conv') return { ...base, dh: s.dh, dw: s.dw, transposed: false, oph: 0, opw: 0 };
  if (s.kind === 'deconv') return { ...base, dh: 1, dw: 1, transposed: true, oph: s.oph, opw: s.opw };
  return { ...base, dh: 1, dw: 1, transposed: false, oph: 0, opw: 0 };
}

/**
 * The trainer's snapshot (volumes as C×H×W channel planes, the engine's layout and src/protocol/trainer.ts's) with
 * every volume turned into the webview protocol's H×W×C; vectors and the input (already H×W×C) as they are.
 */
export function snapshotToHwc(s: SnapshotMessage): SnapshotMessage {
  return {
    ...s,
    activations: s.activations.map((a) => {
      if (a.shape.length !== 3) return a;
      const [c, h, w] = a.shape as [number, number, number];
      const data = new Float32Array(a.data.length);
      const hw = h * w;
      for (let k = 0; k < c; k++) for (let i = 0; i < hw; i++) data[i * c + k] = a.data[k * hw + i]!;
      return { ...a, shape: [h, w, c], data };
    }),
  };
}

/** The checkpoint in a run folder, if it holds one. */
function checkpointIn(dir: string): string | null {
  const { checkpoint } = runFiles(dir);
  return existsSync(checkpoint) ? checkpoint : null;
}

/** The newest metrics.jsonl of a file's runs (`runs/<network>-<stamp>/` beside it), if any. */
function latestRunFile(file: string, name: string): string | null {
  const runs = runsFolder(file);
  let best: { path: string; mtime: number } | null = null;
  try {
    for (const e of readdirSync(runs, { withFileTypes: true })) {
      if (!e.isDirectory() || !isRunFolderOf(e.name, name)) continue;
      const p = runFiles(join(runs, e.name)).metrics;
      try {
        const m = statSync(p).mtimeMs;
        if (!best || m > best.mtime) best = { path: p, mtime: m };
      } catch {
        // no metrics in this run
      }
    }
  } catch {
    return null;
  }
  return best?.path ?? null;
}

export class InspectorFeature implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private panelSubscriptions: vscode.Disposable[] = [];
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The followed document (the last active .cnn editor). */
  private doc: vscode.TextDocument | null = null;
  private cursorLine = -1;
  private modelTimer: NodeJS.Timeout | null = null;
  private readonly runs = new Map<string, FileRun>();
  private inspector: { file: string; client: TrainerClient } | null = null;
  private note: string | null = null;
  private readonly progress = new Throttle<{ file: string; message: TrainerMessage }>(PROGRESS_INTERVAL_MS, (e) => this.post({ type: 'trainer', ...e }));
  private readonly snapshots = new Throttle<{ file: string; message: TrainerMessage }>(SNAPSHOT_INTERVAL_MS, (e) => this.post({ type: 'trainer', ...e }));
  private trainingHooked = false;
  private readonly explored = new vscode.EventEmitter<ExplorerNotice>();
  /** The convolution explorer shows a new N, F, S, P (the walkthrough's last step listens). */
  readonly onDidExplore = this.explored.event;

  /**
   * @param training the training feature, or a function that finds it later (extension.ts creates both in one
   *   list, so the inspector may be constructed first).
   */
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly docs: CnnDocuments,
    private readonly trainingSource: InspectorTraining | (() => InspectorTraining | undefined),
  ) {
    this.subscriptions.push(
      vscode.commands.registerCommand('cnnStudio.openInspector', (uri?: vscode.Uri) => this.open(uri)),
      vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          // The file it followed, even when its editor is not (yet) open in this new extension host.
          const file = isPersistedState(state) ? (state as { file: string | null }).file : null;
          let doc = file ? this.docFor(file) : undefined;
          if (!doc && file && isAbsolute(file) && existsSync(file)) doc = await Promise.resolve(vscode.workspace.openTextDocument(vscode.Uri.file(file))).catch(() => undefined);
          doc ??= vscode.window.visibleTextEditors.map((e) => e.document).find(isCnn);
          if (isCnn(doc)) this.doc = doc;
          this.attach(panel);
        },
      }),
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && isCnn(e.document)) this.follow(e.document, e.selection.active.line);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.doc && e.document === this.doc) this.scheduleModel();
      }),
      this.docs.onDidUpdate((uri) => {
        if (this.doc && uri.toString() === this.doc.uri.toString()) this.scheduleModel();
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (!this.doc || e.textEditor.document !== this.doc) return;
        const line = e.selections[0]?.active.line ?? 0;
        if (line !== this.cursorLine) {
          this.cursorLine = line;
          this.post({ type: 'cursor', file: fileKey(this.doc), line });
        }
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d === this.doc) {
          this.doc = null;
          this.post({ type: 'empty' });
        }
      }),
    );
    this.hookTraining();
    // extension.ts may create the training feature after this one, in the same list: look again once it has.
    queueMicrotask(() => this.hookTraining());
  }

  private get training(): InspectorTraining | undefined {
    return typeof this.trainingSource === 'function' ? this.trainingSource() : this.trainingSource;
  }

  /** Subscribes to training events once the training feature can be found. */
  private hookTraining(): void {
    if (this.trainingHooked) return;
    const t = this.training;
    if (!t) return;
    this.trainingHooked = true;
    this.subscriptions.push(t.onDidReceive((e) => this.onTrainer(e.file, e.message, 'training')));
  }

  async open(uri?: vscode.Uri): Promise<void> {
    this.hookTraining();
    let doc: vscode.TextDocument | undefined;
    if (uri) doc = await vscode.workspace.openTextDocument(uri);
    else {
      const active = vscode.window.activeTextEditor?.document;
      doc = isCnn(active) ? active : (vscode.window.visibleTextEditors.map((e) => e.document).find(isCnn) ?? this.doc ?? undefined);
    }
    if (isCnn(doc)) {
      this.doc = doc;
      const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
      this.cursorLine = editor?.selection.active.line ?? 0;
    }
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      this.sendAll();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      INSPECTOR_VIEW_TYPE,
      'CNN Inspector',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: this.resourceRoots() },
    );
    this.attach(panel);
  }

  private resourceRoots(): vscode.Uri[] {
    return [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), vscode.Uri.joinPath(this.context.extensionUri, 'media')];
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.hookTraining();
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'icon.png');
    panel.webview.options = { enableScripts: true, localResourceRoots: this.resourceRoots() };
    panel.webview.html = this.html(panel.webview);
    this.panelSubscriptions.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.onWebview(m)),
      panel.onDidDispose(() => this.detach()),
    );
  }

  private detach(): void {
    for (const s of this.panelSubscriptions) s.dispose();
    this.panelSubscriptions = [];
    this.panel = null;
    this.progress.dispose();
    this.snapshots.dispose();
    this.stopInspector();
  }

  /** The page: a strict content security policy with a nonce, local resources only. */
  html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const template = readFileSync(join(this.context.extensionPath, 'media', 'inspector', 'index.html'), 'utf8');
    const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, ...p)).toString();
    return fillTemplate(template, {
      cspSource: webview.cspSource,
      nonce,
      scriptUri: uri('dist', 'webview.js'),
      styleUri: uri('media', 'inspector', 'inspector.css'),
    });
  }

  private post(m: HostToWebview): void {
    if (!this.panel) return;
    if (!isHostToWebview(m)) {
      // A bug on this side: never send what the webview would reject.
      console.error(`CNN Inspector: refusing to post a malformed ${(m as { type?: string }).type} message`);
      return;
    }
    void this.panel.webview.postMessage(m);
  }

  private follow(doc: vscode.TextDocument, line: number): void {
    const changed = doc !== this.doc;
    this.doc = doc;
    this.cursorLine = line;
    if (changed) {
      if (this.inspector && this.inspector.file !== fileKey(doc)) this.stopInspector();
      this.sendAll();
    }
  }

  private scheduleModel(): void {
    if (this.modelTimer) clearTimeout(this.modelTimer);
    this.modelTimer = setTimeout(() => {
      this.modelTimer = null;
      this.sendModel();
    }, MODEL_DEBOUNCE_MS);
  }

  private sendModel(): void {
    if (!this.doc) return;
    const result = this.docs.latest(this.doc);
    this.post({ type: 'model', model: modelView(result, fileKey(this.doc), this.doc.version) });
  }

  /** Everything for the followed file: after `ready`, and when the followed file changes. */
  private sendAll(): void {
    if (!this.panel) return;
    if (!this.doc) {
      this.post({ type: 'empty' });
      return;
    }
    const file = fileKey(this.doc);
    this.sendModel();
    this.post({ type: 'cursor', file, line: Math.max(0, this.cursorLine) });
    // A finished run's `started` is not sent again: the panel would take the run for a live one.
    const again = replay(this.runs.get(file) ?? emptyFileRun());
    for (const message of again.before) this.post({ type: 'trainer', file, message });
    this.sendStatus();
    this.sendHistory();
    for (const message of again.after) this.post({ type: 'trainer', file, message });
  }

  private status(file: string): RunStatus {
    const training = this.training?.isTraining(file) ?? false;
    return {
      training,
      run: this.runInfo(file, training),
      inspecting: this.inspector?.file === file && this.inspector.client.running,
      checkpoint: this.checkpoint(file),
      note: this.note,
    };
  }

  private sendStatus(): void {
    if (!this.doc) return;
    const file = fileKey(this.doc);
    this.post({ type: 'status', file, status: this.status(file) });
  }

  private checkpoint(file: string): string | null {
    const known = this.training?.checkpointFor(file);
    if (known && existsSync(known)) return known;
    const r = this.runs.get(file);
    const metrics = r?.metricsFile ?? (this.doc ? latestRunFile(file, this.docs.get(this.doc).name ?? fileStem(file)) : null);
    return metrics ? checkpointIn(dirname(metrics)) : null;
  }

  /** Where the file's latest run stands: its live trainer, how this window's last run ended, or its run folder. */
  private runInfo(file: string, training: boolean): RunInfo {
    const r = this.runs.get(file);
    if (training || r?.ended) return runInfo(training, r, null);
    const last = this.lastRun(file);
    return runInfo(false, r, last ? runFromDisk(last.text, checkpointIn(dirname(last.path)) !== null) : null);
  }

  /** The metrics.jsonl of the file's last run and its text: this window's last run, the remembered checkpoint's, or the newest in runs/. */
  private lastRun(file: string): { path: string; text: string } | null {
    const r = this.runs.get(file);
    const known = this.training?.checkpointFor(file);
    const doc = this.docFor(file) ?? (this.doc && fileKey(this.doc) === file ? this.doc : undefined);
    const candidates = [
      r?.metricsFile ?? null,
      known ? runFiles(dirname(known)).metrics : null,
      doc?.uri.scheme === 'file' ? latestRunFile(file, this.docs.get(doc).name ?? fileStem(file)) : null,
    ];
    for (const path of candidates) {
      if (!path) continue;
      try {
        return { path, text: readFileSync(path, 'utf8') };
      } catch {
        // gone or unreadable: the next candidate
      }
    }
    return null;
  }

  /** The live epochs, or the last run's metrics.jsonl when idle (a missing or odd file gives no rows). */
  private sendHistory(): void {
    if (!this.doc) return;
    const file = fileKey(this.doc);
    const r = this.runs.get(file);
    if (r?.live) {
      this.post({ type: 'history', file, source: 'live', path: null, rows: r.rows });
      return;
    }
    const last = this.lastRun(file);
    if (last) this.post({ type: 'history', file, source: 'last', path: last.path, rows: parseMetrics(last.text) });
    else this.post({ type: 'history', file, source: 'none', path: null, rows: [] });
  }

  private onTrainer(file: string, message: TrainerMessage, from: 'training' | 'inspect'): void {
    if (from === 'inspect' && message.type !== 'snapshot' && message.type !== 'evaluation') {
      // An inspect-only trainer is no training run: only its answers and its errors matter.
      if (message.type === 'error') {
        this.note = `Could not compute the feature maps (${message.stage}): ${message.message}`;
        this.sendStatus();
      }
      return;
    }
    if (message.type === 'snapshot') message = snapshotToHwc(message);
    // A real run replaces any inspect-only trainer for the file.
    if (from === 'training' && message.type === 'started' && this.inspector?.file === file) this.stopInspector();
    this.runs.set(file, reduceFileRun(this.runs.get(file) ?? emptyFileRun(), message, from));
    if (!this.panel || !this.doc || fileKey(this.doc) !== file) return;
    if (message.type === 'progress') {
      this.progress.push({ file, message });
      return;
    }
    if (message.type === 'snapshot') {
      this.snapshots.push({ file, message });
      return;
    }
    if ((message.type === 'log' && message.message !== TRAINER_EXITED) || message.type === 'preparing') return;
    // Keep the order: a pending progress goes before an epoch or the end.
    this.progress.flush();
    if (message.type !== 'log') this.post({ type: 'trainer', file, message });
    if (message.type === 'started' || message.type === 'done' || message.type === 'error' || message.type === 'log') {
      this.sendStatus();
      if (message.type !== 'started') this.sendHistory();
    }
  }

  private async onWebview(raw: unknown): Promise<void> {
    if (!isWebviewToHost(raw)) {
      console.warn('CNN Inspector: ignored a malformed message from the webview');
      return;
    }
    const m: WebviewToHost = raw;
    switch (m.type) {
      case 'ready':
        this.sendAll();
        return;
      case 'reveal':
        await this.reveal(m.file, m.line);
        return;
      case 'train': {
        const doc = this.docFor(m.file);
        if (doc) {
          this.stopInspector();
          await vscode.commands.executeCommand('cnnStudio.train', doc.uri);
        }
        return;
      }
      case 'stopTraining': {
        // The run of the file the panel names and no other, even when that file is no longer open.
        const uri = this.docFor(m.file)?.uri ?? (isAbsolute(m.file) ? vscode.Uri.file(m.file) : vscode.Uri.parse(m.file));
        await vscode.commands.executeCommand('cnnStudio.stopTraining', uri);
        return;
      }
      case 'snapshot':
        this.requestSnapshot(m.file, m.sample);
        return;
      case 'pickImage': {
        const doc = this.docFor(m.file);
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          openLabel: 'Show Feature Maps',
          filters: { Images: ['png', 'jpg', 'jpeg'] },
          ...(doc && doc.uri.scheme === 'file' ? { defaultUri: vscode.Uri.file(dirname(doc.uri.fsPath)) } : {}),
        });
        if (picked?.[0]) this.requestSnapshot(m.file, undefined, picked[0].fsPath);
        return;
      }
      case 'evaluate':
        this.requestEvaluation(m.file);
        return;
      case 'explorer':
        this.explored.fire(m);
        return;
    }
  }

  private docFor(file: string): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => fileKey(d) === file);
  }

  /** Click on a layer: the editor's cursor goes to the start of its line. */
  private async reveal(file: string, line: number): Promise<void> {
    const doc = this.docFor(file);
    if (!doc || line >= doc.lineCount) return;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
    const pos = new vscode.Position(line, doc.lineAt(line).firstNonWhitespaceCharacterIndex);
    editor.selection = new vscode.Selection(pos, pos);
    editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private requestSnapshot(file: string, sample?: number, imagePath?: string): void {
    const t = this.training;
    if (t?.isTraining(file)) {
      t.requestSnapshot(file, sample, imagePath);
      return;
    }
    const client = this.ensureInspector(file);
    client?.send({ type: 'snapshot', ...(sample !== undefined ? { sample } : {}), ...(imagePath ? { imagePath } : {}) });
  }

  private requestEvaluation(file: string): void {
    const t = this.training;
    if (t?.isTraining(file)) {
      if (!t.requestEvaluation?.(file)) {
        this.note = 'The running trainer sends an evaluation after each epoch.';
        this.sendStatus();
      }
      return;
    }
    this.ensureInspector(file)?.send({ type: 'evaluate' });
  }

  /**
   * An inspect-only trainer (`mode: 'inspect'`) for a file that is not training: it loads the latest checkpoint
   * (or fresh weights) and answers snapshot and evaluation requests until stopped.
   */
  private ensureInspector(file: string): TrainerClient | null {
    if (this.inspector?.file === file && this.inspector.client.running) return this.inspector.client;
    this.stopInspector();
    const doc = this.docFor(file);
    const script = join(this.context.extensionPath, 'dist', 'trainer.js');
    const fail = (note: string) => {
      this.note = note;
      this.sendStatus();
      return null;
    };
    if (!doc) return fail('Open the .cnn file to inspect it.');
    if (doc.uri.scheme !== 'file') return fail('Save the file first: the trainer reads its data relative to it.');
    if (this.docs.get(doc).hasErrors) return fail('Fix the errors in the file first: the network cannot be built.');
    if (!existsSync(script)) return fail('The trainer is not built (dist/trainer.js is missing).');
    const checkpoint = this.checkpoint(file);
    const job: TrainJob = {
      file,
      source: doc.getText(),
      outDir: checkpoint ? dirname(checkpoint) : join(tmpdir(), 'cnn-studio-inspect'),
      snapshotIntervalMs: 0,
      mode: 'inspect',
      ...(checkpoint ? { init: checkpoint } : {}),
    };
    const client = new TrainerClient({ script });
    this.inspector = { file, client };
    client.on('message', (m) => this.onTrainer(file, m, 'inspect'));
    client.on('exit', () => {
      if (this.inspector?.client === client) this.inspector = null;
      this.sendStatus();
    });
    try {
      client.start(job);
    } catch (err) {
      this.inspector = null;
      return fail(`Could not start the trainer: ${(err as Error).message}`);
    }
    this.note = checkpoint ? null : 'No checkpoint yet: these are untrained (random) weights. Train the model to see learned features.';
    this.sendStatus();
    return client;
  }

  private stopInspector(): void {
    const i = this.inspector;
    this.inspector = null;
    if (i) void i.client.stop();
  }

  dispose(): void {
    if (this.modelTimer) clearTimeout(this.modelTimer);
    this.inspector?.client.kill();
    this.inspector = null;
    this.progress.dispose();
    this.snapshots.dispose();
    for (const s of this.panelSubscriptions) s.dispose();
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.explored.dispose();
  }
}

/** `{{name}}` placeholders of media/inspector/index.html. */
export function fillTemplate(template: string, values: Record<'cspSource' | 'nonce' | 'scriptUri' | 'styleUri', string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (all, k: string) => (k in values ? values[k as keyof typeof values] : all));
}
