// `CNN: Open Inspector`: a webview panel beside the editor that follows the active .cnn file and shows its
// architecture, live training curves, feature maps, filters, predictions, explanations and a convolution
// explorer. This file is the glue: it follows the editor, keeps each file's run state (the pure reducer in
// inspectorRun.ts) from the trainers' messages, and answers the panel. Its parts: modelView.ts (what the panel
// draws of the file), runDiscovery.ts (the last run and checkpoint on disk), inspectChild.ts (the inspector's own
// trainer and where requests go), inspectorPanel.ts (the panel's lifecycle), inspectorEditor.ts (a line revealed,
// an image picked), throttle.ts (rate limits).
// Messages both ways are typed in src/protocol/webview.ts and checked at run time in both directions.

import * as vscode from 'vscode';
import type { TrainerMessage } from '../protocol/trainer';
import { type ExplorerNotice, type HostToWebview, isPersistedState, isWebviewToHost, parseMetrics, type RunInfo, type RunStatus, type WebviewToHost } from '../protocol/webview';
import { fileStem } from '../trainer/paths';
import { type CnnDocuments, isCnn } from './documents';
import { InspectChild, type InspectorTraining } from './inspectChild';
import { pickImage, revealLine } from './inspectorEditor';
import { augmentPreviewRequest, forwardedFromInspect, TrainingDataStore } from './inspectorAugment';
import { trainerExplainRequest, trainerGalleryRequest } from './inspectorExplain';
import { INSPECTOR_VIEW_TYPE, InspectorPanel } from './inspectorPanel';
import { emptyFileRun, type FileRun, reduceFileRun, replay, runFromDisk, runInfo, TRAINER_EXITED } from './inspectorRun';
import { modelView, snapshotToHwc } from './modelView';
import { fileCheckpoint, lastRun, type RunSources, runHasCheckpoint } from './runDiscovery';
import type { EditorPlatform } from './platform';
import { PROGRESS_INTERVAL_MS, SNAPSHOT_INTERVAL_MS, Throttle } from './throttle';

export type { InspectorTraining } from './inspectChild';

const MODEL_DEBOUNCE_MS = 120;

export class InspectorFeature implements vscode.Disposable {
  private readonly panel: InspectorPanel;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The followed document (the last active .cnn editor). */
  private doc: vscode.TextDocument | null = null;
  private cursorLine = -1;
  private modelTimer: NodeJS.Timeout | null = null;
  private readonly runs = new Map<string, FileRun>();
  private readonly trainingData = new TrainingDataStore();
  private readonly child: InspectChild;
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
    context: vscode.ExtensionContext,
    private readonly docs: CnnDocuments,
    private readonly trainingSource: InspectorTraining | (() => InspectorTraining | undefined),
    private readonly platform: EditorPlatform,
  ) {
    this.panel = new InspectorPanel(context, { onMessage: (m) => void this.onWebview(m), onClosed: () => this.closed() });
    this.child = new InspectChild({
      createTrainer: () => platform.createTrainer('builtin'),
      scratchDir: platform.scratchDir,
      training: () => this.training,
      doc: (file) => {
        const doc = this.docFor(file);
        return doc ? { onDisk: platform.fileOf(doc.uri) !== null, text: doc.getText(), hasErrors: this.docs.get(doc).hasErrors } : null;
      },
      checkpoint: (file) => this.checkpoint(file),
      onMessage: (file, m) => this.onTrainer(file, m, 'inspect'),
      status: (note) => {
        if (note !== undefined) this.note = note;
        this.sendStatus();
      },
    });
    this.subscriptions.push(
      vscode.commands.registerCommand('cnnStudio.openInspector', (uri?: vscode.Uri) => this.open(uri)),
      vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          // The file it followed, even when its editor is not (yet) open in this new extension host.
          const file = isPersistedState(state) ? (state as { file: string | null }).file : null;
          let doc = file ? this.docFor(file) : undefined;
          const uri = file ? platform.uriOf(file) : null;
          if (!doc && uri) doc = await Promise.resolve(vscode.workspace.openTextDocument(uri)).catch(() => undefined);
          doc ??= vscode.window.visibleTextEditors.map((e) => e.document).find(isCnn);
          if (isCnn(doc)) {
            this.doc = doc;
            this.loadRuns(doc);
          }
          this.hookTraining();
          this.panel.attach(panel);
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
          this.post({ type: 'cursor', file: this.fileKey(this.doc), line });
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

  /** The file a document is for: its path for the trainer, or its URI when it has none (an untitled one). */
  private fileKey(doc: vscode.TextDocument): string {
    return this.platform.fileOf(doc.uri) ?? doc.uri.toString();
  }

  /**
   * The browser's mirror of the followed file's run folders is loaded in the background: once it is, the
   * panel's status and curves are sent again (Node reads the disk at once and loads nothing).
   */
  private loadRuns(doc: vscode.TextDocument): void {
    const file = this.platform.fileOf(doc.uri);
    if (file === null) return;
    void this.platform.loadRuns(file).then(
      (loaded) => {
        if (!loaded || this.doc !== doc) return;
        this.sendStatus();
        this.sendHistory();
      },
      (err: Error) => console.warn(`CNN Inspector: cannot read the run folders of ${file}: ${err.message}`),
    );
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
      this.loadRuns(doc);
      const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
      this.cursorLine = editor?.selection.active.line ?? 0;
    }
    if (this.panel.show()) this.sendAll();
  }

  /** The panel was closed: nothing more to send, and no trainer of its own to keep. */
  private closed(): void {
    this.progress.dispose();
    this.snapshots.dispose();
    this.child.stop();
  }

  private post(m: HostToWebview): void {
    this.panel.post(m);
  }

  private follow(doc: vscode.TextDocument, line: number): void {
    const changed = doc !== this.doc;
    this.doc = doc;
    this.cursorLine = line;
    if (changed) {
      this.loadRuns(doc);
      if (this.child.file !== null && this.child.file !== this.fileKey(doc)) this.child.stop();
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
    this.post({ type: 'model', model: modelView(result, this.fileKey(this.doc), this.doc.version) });
  }

  /** Everything for the followed file: after `ready`, and when the followed file changes. */
  private sendAll(): void {
    if (!this.panel.isOpen) return;
    if (!this.doc) {
      this.post({ type: 'empty' });
      return;
    }
    const file = this.fileKey(this.doc);
    this.sendModel();
    this.post({ type: 'cursor', file, line: Math.max(0, this.cursorLine) });
    // A finished run's `started` is not sent again: the panel would take the run for a live one.
    const again = replay(this.runs.get(file) ?? emptyFileRun());
    for (const message of again.before) this.post({ type: 'trainer', file, message });
    this.sendStatus();
    this.sendHistory();
    const data = this.trainingData.get(file);
    if (data) this.post({ type: 'trainingData', file, data });
    for (const message of again.after) this.post({ type: 'trainer', file, message });
  }

  private status(file: string): RunStatus {
    const training = this.training?.isTraining(file) ?? false;
    return {
      training,
      run: this.runInfo(file, training),
      inspecting: this.child.inspecting(file),
      checkpoint: this.checkpoint(file),
      note: this.note,
    };
  }

  private sendStatus(): void {
    if (!this.doc) return;
    const file = this.fileKey(this.doc);
    this.post({ type: 'status', file, status: this.status(file) });
  }

  /** What is known about the file's runs: this window's last run, the remembered checkpoint, its network's run folders. */
  private runSources(file: string): RunSources {
    const doc = this.docFor(file) ?? (this.doc && this.fileKey(this.doc) === file ? this.doc : undefined);
    return {
      metricsFile: this.runs.get(file)?.metricsFile ?? null,
      known: this.training?.checkpointFor(file) ?? null,
      network: doc && this.platform.fileOf(doc.uri) !== null ? (this.docs.get(doc).name ?? fileStem(file)) : null,
    };
  }

  private checkpoint(file: string): string | null {
    return fileCheckpoint(file, this.runSources(file));
  }

  /** Where the file's latest run stands: its live trainer, how this window's last run ended, or its run folder. */
  private runInfo(file: string, training: boolean): RunInfo {
    const r = this.runs.get(file);
    if (training || r?.ended) return runInfo(training, r, null);
    const last = lastRun(file, this.runSources(file));
    return runInfo(false, r, last ? runFromDisk(last.text, runHasCheckpoint(last.path)) : null);
  }

  /** The live epochs, or the last run's metrics.jsonl when idle (a missing or odd file gives no rows). */
  private sendHistory(): void {
    if (!this.doc) return;
    const file = this.fileKey(this.doc);
    const r = this.runs.get(file);
    if (r?.live) {
      this.post({ type: 'history', file, source: 'live', path: null, rows: r.rows });
      return;
    }
    const last = lastRun(file, this.runSources(file));
    if (last) this.post({ type: 'history', file, source: 'last', path: last.path, rows: parseMetrics(last.text) });
    else this.post({ type: 'history', file, source: 'none', path: null, rows: [] });
  }

  private onTrainer(file: string, message: TrainerMessage, from: 'training' | 'inspect'): void {
    // Class counts, weights and warnings of the training split, whichever trainer found them.
    if (this.trainingData.take(file, message) && this.doc && this.fileKey(this.doc) === file) this.post({ type: 'trainingData', file, data: message });
    if (from === 'inspect' && !forwardedFromInspect(message)) {
      // An inspect-only trainer is no training run: only its answers and its errors matter.
      if (message.type === 'error') {
        this.note = `Could not compute the feature maps (${message.stage}): ${message.message}`;
        this.sendStatus();
      }
      return;
    }
    if (message.type === 'snapshot') message = snapshotToHwc(message);
    // A real run replaces any inspect-only trainer for the file.
    if (from === 'training' && message.type === 'started' && this.child.file === file) this.child.stop();
    this.runs.set(file, reduceFileRun(this.runs.get(file) ?? emptyFileRun(), message, from));
    if (!this.panel.isOpen || !this.doc || this.fileKey(this.doc) !== file) return;
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
      case 'reveal': {
        // A click on a layer: the editor's cursor goes to the start of its line.
        const doc = this.docFor(m.file);
        if (doc) await revealLine(doc, m.line);
        return;
      }
      case 'train': {
        const doc = this.docFor(m.file);
        if (doc) {
          this.child.stop();
          await vscode.commands.executeCommand('cnnStudio.train', doc.uri);
        }
        return;
      }
      case 'stopTraining': {
        // The run of the file the panel names and no other, even when that file is no longer open.
        const uri = this.docFor(m.file)?.uri ?? this.platform.uriOf(m.file) ?? vscode.Uri.parse(m.file);
        await vscode.commands.executeCommand('cnnStudio.stopTraining', uri);
        return;
      }
      case 'snapshot':
        this.child.snapshot(m.file, m.sample);
        return;
      case 'pickImage': {
        const image = await pickImage(this.docFor(m.file), this.platform, 'Show Feature Maps', ['png', 'jpg', 'jpeg']);
        if (image !== null) this.child.snapshot(m.file, undefined, image);
        return;
      }
      case 'evaluate':
        this.child.evaluation(m.file);
        return;
      case 'augmentPreview': {
        const doc = this.docFor(m.file);
        const request = doc ? augmentPreviewRequest(this.docs.latest(doc), m) : null;
        if (request) this.child.augmentPreview(m.file, request);
        return;
      }
      case 'explain': {
        let imagePath = m.imagePath;
        if (m.pickImage) {
          const image = await pickImage(this.docFor(m.file), this.platform, 'Explain', ['png', 'jpg', 'jpeg', 'dcm']);
          if (image === null) return;
          imagePath = image;
        }
        this.child.explain(m.file, trainerExplainRequest(m, imagePath));
        return;
      }
      case 'explainGallery':
        this.child.explain(m.file, trainerGalleryRequest(m));
        return;
      case 'explorer':
        this.explored.fire(m);
        return;
    }
  }

  private docFor(file: string): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => this.fileKey(d) === file);
  }

  dispose(): void {
    if (this.modelTimer) clearTimeout(this.modelTimer);
    this.child.kill();
    this.progress.dispose();
    this.snapshots.dispose();
    this.panel.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.explored.dispose();
  }
}
