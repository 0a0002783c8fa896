// `CNN: Train Model` and `CNN: Stop Training`: the trainer runs apart from the editor (a child process on Node,
// a Web Worker in the browser: the platform makes it). One training per file; progress notification with cancel,
// status bar, output channel, remembered checkpoint.

import * as vscode from 'vscode';
import { type AugmentPreviewRequest, type ExplainGalleryRequest, type ExplainRequest, type TrainerMessage, type TrainJob } from '../protocol/trainer';
import { classCountText, preparingText, testFiguresText } from '../protocol/messageText';
import type { Trainer } from '../trainer/client';
import { createRunDir, fileStem, removeEmptyRunDir } from '../trainer/paths';
import { type CnnDocuments, isCnn } from './documents';
import { dataWarningsNotice } from './dataWarnings';
import { HealthDiagnostics } from './healthDiagnostics';
import { relativeToFile } from './messagePaths';
import { TRAINER_EXITED } from './inspectorRun';
import type { BackendSetting } from './backend';
import type { EditorPlatform } from './platform';
import { stopTarget } from './stopTarget';

export interface TrainingEvent {
  file: string;
  message: TrainerMessage;
}

interface Session {
  file: string;
  client: Trainer;
  /** The PyTorch runner answers snapshots and evaluations, not explanations (the inspector's own trainer does). */
  backend: BackendSetting;
  stopping: boolean;
  /** The latest progress or epoch message (what the status bar shows); snapshots and logs do not count. */
  last: TrainerMessage | null;
}

const CHECKPOINTS_KEY = 'cnnStudio.checkpoints';

export class TrainingFeature implements vscode.Disposable {
  private readonly sessions = new Map<string, Session>();
  private readonly output = vscode.window.createOutputChannel('CNN Studio', { log: true });
  private readonly status = vscode.window.createStatusBarItem('cnnStudio.training', vscode.StatusBarAlignment.Left, 50);
  private readonly events = new vscode.EventEmitter<TrainingEvent>();
  /** Every trainer message, for the inspector. */
  readonly onDidReceive = this.events.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly docs: CnnDocuments,
    private readonly platform: EditorPlatform,
  ) {
    this.status.name = 'CNN Training';
    this.status.command = 'cnnStudio.stopTraining';
    this.subscriptions.push(
      vscode.commands.registerCommand('cnnStudio.train', (uri?: vscode.Uri) => this.train(uri)),
      vscode.commands.registerCommand('cnnStudio.stopTraining', (uri?: vscode.Uri) => this.stop(uri)),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateStatus()),
      // W301–W304 of each run on the lines of the file it trained ('cnn-health').
      new HealthDiagnostics(this.onDidReceive, docs),
    );
    void vscode.commands.executeCommand('setContext', 'cnnStudio.training', false);
  }

  /** The latest checkpoint written for a file, if any. */
  checkpointFor(file: string): string | undefined {
    return this.context.workspaceState.get<Record<string, string>>(CHECKPOINTS_KEY, {})[file];
  }

  isTraining(file: string): boolean {
    return this.sessions.has(file);
  }

  /** The latest started, progress or epoch message of the file's run. */
  lastMessage(file: string): TrainerMessage | null {
    return this.sessions.get(file)?.last ?? null;
  }

  requestSnapshot(file: string, sample?: number, imagePath?: string): boolean {
    const s = this.sessions.get(file);
    if (!s) return false;
    s.client.send({ type: 'snapshot', ...(sample !== undefined ? { sample } : {}), ...(imagePath ? { imagePath } : {}) });
    return true;
  }

  /**
   * The inspector's augmentation grid while the file trains: the built-in trainer answers between steps (false
   * for the PyTorch runner, which does not: the inspector's own trainer answers then).
   */
  requestAugmentPreview(file: string, request: AugmentPreviewRequest): boolean {
    const s = this.sessions.get(file);
    if (!s || s.backend !== 'builtin') return false;
    s.client.send(request);
    return true;
  }

  /** The inspector's Explain tab while the file trains: the running trainer explains between steps. */
  requestExplanation(file: string, request: ExplainRequest | ExplainGalleryRequest): boolean {
    const s = this.sessions.get(file);
    if (!s || s.backend !== 'builtin') return false;
    s.client.send(request);
    return true;
  }

  private async targetDocument(uri?: vscode.Uri): Promise<vscode.TextDocument | undefined> {
    if (uri) return vscode.workspace.openTextDocument(uri);
    const doc = vscode.window.activeTextEditor?.document;
    return isCnn(doc) ? doc : vscode.window.visibleTextEditors.map((e) => e.document).find(isCnn);
  }

  async train(uri?: vscode.Uri): Promise<void> {
    const doc = await this.targetDocument(uri);
    if (!isCnn(doc)) {
      void vscode.window.showInformationMessage('CNN: open a .cnn file to train it.');
      return;
    }
    const file = this.platform.fileOf(doc.uri);
    if (file === null) {
      void vscode.window.showErrorMessage('CNN: save the file first; training reads data relative to it.');
      return;
    }
    if (this.sessions.has(file)) {
      const choice = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(doc.uri)} is already training.`, 'Stop Training');
      if (choice === 'Stop Training') await this.stop(doc.uri);
      return;
    }
    const result = this.docs.get(doc);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) {
      const first = errors[0]!;
      const line = doc.positionAt(first.offset).line + 1;
      const choice = await vscode.window.showErrorMessage(
        `CNN: ${vscode.workspace.asRelativePath(doc.uri)} has ${errors.length} error${errors.length === 1 ? '' : 's'} (first: line ${line}, ${first.code}). Fix them in the Problems panel before training.`,
        'Show Problems',
      );
      if (choice === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
      return;
    }
    // No data line (I202): nothing to train on. Offer its quick fixes here; one applied, train the new text.
    const noData = result.diagnostics.find((d) => d.code === 'I202');
    if (noData) {
      const choice = await vscode.window.showWarningMessage(
        `CNN: ${vscode.workspace.asRelativePath(doc.uri)} has no data line, so there is nothing to train on yet.`,
        ...noData.fixes.map((f) => f.title),
      );
      const fix = noData.fixes.find((f) => f.title === choice);
      if (!fix) return;
      const edit = new vscode.WorkspaceEdit();
      for (const e of fix.edits) edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.newText);
      if (await vscode.workspace.applyEdit(edit)) await this.train(doc.uri);
      return;
    }
    // cnnStudio.backend: the built-in engine, or PyTorch (which asks first in an untrusted workspace).
    const backend = await this.platform.chooseBackend();
    if (!backend) return;
    let outDir: string;
    try {
      await this.platform.loadRuns(file);
      outDir = createRunDir(file, result.name ?? fileStem(doc.uri.path));
      await this.platform.flush();
    } catch (err) {
      void vscode.window.showErrorMessage(`CNN: cannot create a run folder beside ${vscode.workspace.asRelativePath(doc.uri)}: ${(err as Error).message}`);
      return;
    }
    const job: TrainJob = { file, source: doc.getText(), outDir, snapshotIntervalMs: 1000 };
    const init = vscode.workspace.getConfiguration('cnnStudio').get<boolean>('training.resumeFromLatest', false) ? this.checkpointFor(file) : undefined;
    if (init) job.init = init;
    const threads = vscode.workspace.getConfiguration('cnnStudio').get<number>('training.threads', 1);
    job.threads = threads;
    this.launch(doc, job, backend);
  }

  private launch(doc: vscode.TextDocument, job: TrainJob, backend: BackendSetting): void {
    const file = job.file;
    const name = vscode.workspace.asRelativePath(doc.uri);
    const client = this.platform.createTrainer(backend);
    if (typeof client === 'string') {
      void this.dropRunDir(job.outDir);
      void vscode.window.showErrorMessage(`CNN: could not start the trainer: ${client}`);
      return;
    }
    const session: Session = { file, client, backend, stopping: false, last: null };
    this.sessions.set(file, session);
    void vscode.commands.executeCommand('setContext', 'cnnStudio.training', true);
    this.output.info(`Training ${name} → ${job.outDir}`);

    let reportProgress: ((m: ProgressLike) => void) | null = null;
    let reportText: ((text: string) => void) | null = null;
    let finishProgress: () => void = () => undefined;
    const progressDone = new Promise<void>((resolve) => (finishProgress = resolve));
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Training ${name}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => void this.stop(doc.uri));
        let reported = 0;
        reportText = (message) => progress.report({ message });
        reportProgress = (m) => {
          const total = m.epochs * m.steps;
          const done = (m.epoch - 1) * m.steps + m.step;
          const pct = (100 * done) / Math.max(1, total);
          progress.report({ increment: Math.max(0, pct - reported), message: m.text });
          reported = Math.max(reported, pct);
        };
        return progressDone;
      },
    );

    client.on('stdout', (t) => this.output.append(t));
    client.on('message', (m) => {
      if (m.type === 'progress' || m.type === 'epoch' || m.type === 'started') session.last = m;
      this.events.fire({ file, message: m });
      switch (m.type) {
        case 'preparing':
          reportText?.(preparingText(m));
          break;
        case 'started':
          this.output.info(`${m.trainSize} training and ${m.valSize} validation samples, ${m.params.toLocaleString('en-US')} parameters, ${m.epochs} epochs of ${m.stepsPerEpoch} steps (${m.backend} engine${m.threads !== undefined ? `, ${m.threads} thread${m.threads === 1 ? '' : 's'}` : ''})`);
          this.output.info(classCountText(m).trimEnd());
          for (const w of m.warnings) this.output.warn(w);
          {
            const notice = dataWarningsNotice(name, m.warnings.map((w) => relativeToFile(w, file)));
            if (notice) void vscode.window.showWarningMessage(notice, 'Show Log').then((c) => c && this.output.show(true));
          }
          break;
        case 'progress': {
          const text = `epoch ${m.epoch}/${m.epochs} · step ${m.step}/${m.steps} · loss ${m.loss.toFixed(4)} · acc ${(100 * m.accuracy).toFixed(1)}% · ${Math.round(m.samplesPerSec)} samples/s · ${formatEta(m.etaSec)} left`;
          reportProgress?.({ ...m, text });
          break;
        }
        case 'epoch':
          this.output.info(
            `epoch ${m.epoch}/${m.epochs}: train loss ${m.trainLoss.toFixed(4)} acc ${(100 * m.trainAccuracy).toFixed(1)}%` +
              (m.valLoss !== null ? `, val loss ${m.valLoss.toFixed(4)} acc ${(100 * (m.valAccuracy ?? 0)).toFixed(1)}% AUC ${m.valAuc === null ? '–' : m.valAuc.toFixed(4)}` : '') +
              ` (${m.seconds.toFixed(1)} s)`,
          );
          break;
        case 'done': {
          if (!m.checkpoint) {
            // Stopped during start-up: nothing was trained or written.
            this.output.info(`Stopped training ${name} before it started; nothing was written.`);
            break;
          }
          const all = { ...this.context.workspaceState.get<Record<string, string>>(CHECKPOINTS_KEY, {}), [file]: m.checkpoint };
          void this.context.workspaceState.update(CHECKPOINTS_KEY, all);
          const acc = m.final?.valAccuracy ?? m.final?.trainAccuracy;
          const accuracy = acc !== undefined && acc !== null ? `: ${m.final?.valAccuracy !== null ? 'validation' : 'training'} accuracy ${(100 * acc).toFixed(1)}%` : '';
          const epochs = `${m.epochsRun} epoch${m.epochsRun === 1 ? '' : 's'}`;
          const p = session.last?.type === 'progress' ? session.last : null;
          const summary = m.stopped
            ? `Stopped training ${name}${p ? ` in epoch ${p.epoch}, at step ${p.step} of ${p.steps}` : ''} (${epochs} complete${accuracy}). The checkpoint is saved.`
            : `Finished training ${name} after ${epochs}${accuracy}.`;
          this.output.info(`${summary} Checkpoint: ${m.checkpoint}${m.best ? `, best validation checkpoint: ${m.best}` : ''}`);
          if (m.test) this.output.info(testFiguresText(m.test));
          void vscode.window.showInformationMessage(summary, 'Show Log').then((c) => c && this.output.show(true));
          break;
        }
        case 'error':
          this.output.error(`${m.stage}: ${m.message}`);
          // The toast names paths relative to the .cnn file; the log keeps them whole.
          void vscode.window.showErrorMessage(`CNN: training ${name} failed (${m.stage}${m.code ? `, ${m.code}` : ''}): ${relativeToFile(m.message, file)}`, 'Show Log').then((c) => c && this.output.show(true));
          break;
        case 'log':
          this.output.info(m.message);
          break;
        case 'snapshot':
          break;
        case 'health':
          // An epoch's training-health diagnostics (also on the lines, healthDiagnostics.ts).
          for (const d of m.diagnostics ?? []) this.output.warn(`${name}:${d.line + 1}: ${d.code} ${d.message}`);
          break;
      }
      this.updateStatus();
    });
    client.on('exit', (info) => {
      this.sessions.delete(file);
      // A run that failed or was stopped before writing anything leaves no empty folder behind.
      void this.dropRunDir(job.outDir);
      finishProgress();
      if (info.crashed) {
        if (session.stopping) {
          this.output.warn(`The trainer did not stop within 2 s and was killed.`);
        } else {
          const why = info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
          this.output.error(`The trainer crashed (${why}).${info.stderr ? `\n${info.stderr}` : ''}`);
          void vscode.window.showErrorMessage(`CNN: the trainer for ${name} crashed (${why}). The editor is fine; see the log for details.`, 'Show Log').then((c) => c && this.output.show(true));
        }
      }
      this.events.fire({ file, message: { type: 'log', message: TRAINER_EXITED } });
      void vscode.commands.executeCommand('setContext', 'cnnStudio.training', this.sessions.size > 0);
      this.updateStatus();
    });
    try {
      client.start(job);
    } catch (err) {
      this.sessions.delete(file);
      void this.dropRunDir(job.outDir);
      finishProgress();
      void vscode.window.showErrorMessage(`CNN: could not start the trainer: ${(err as Error).message}`);
    }
    this.updateStatus();
  }

  /** A run that failed or was stopped before writing anything leaves no empty folder behind. */
  private async dropRunDir(dir: string): Promise<void> {
    removeEmptyRunDir(dir);
    await this.platform.flush();
  }

  /** Stops the run of the file `uri` names (that one only), or without a uri the active editor's or the only run. */
  async stop(uri?: vscode.Uri): Promise<void> {
    const active = vscode.window.activeTextEditor?.document.uri;
    const file = stopTarget([...this.sessions.keys()], uri ? (this.platform.fileOf(uri) ?? uri.toString()) : undefined, active ? (this.platform.fileOf(active) ?? undefined) : undefined);
    const session = file !== undefined ? this.sessions.get(file) : undefined;
    if (!session) {
      void vscode.window.showInformationMessage(
        uri ? `CNN: ${vscode.workspace.asRelativePath(uri)} is not training.` : this.sessions.size > 1 ? 'CNN: several files are training; open the one to stop.' : 'CNN: nothing is training.',
      );
      return;
    }
    session.stopping = true;
    this.output.info(`Stopping ${vscode.workspace.asRelativePath(session.file)}…`);
    await session.client.stop();
  }

  private updateStatus(): void {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const active = uri ? this.platform.fileOf(uri) : null;
    const session = (active && this.sessions.get(active)) || [...this.sessions.values()][0];
    if (!session) {
      this.status.hide();
      return;
    }
    const m = session.last;
    if (m?.type === 'progress') {
      this.status.text = `$(sync~spin) epoch ${m.epoch}/${m.epochs} · loss ${m.loss.toFixed(3)} · acc ${(100 * m.accuracy).toFixed(1)}%`;
    } else if (m?.type === 'epoch') {
      this.status.text = `$(sync~spin) epoch ${m.epoch}/${m.epochs} · val acc ${m.valAccuracy !== null ? `${(100 * m.valAccuracy).toFixed(1)}%` : '–'}`;
    } else {
      this.status.text = '$(sync~spin) CNN: starting training…';
    }
    this.status.tooltip = `Training ${vscode.workspace.asRelativePath(session.file)}. Click to stop.`;
    this.status.show();
  }

  dispose(): void {
    for (const s of this.sessions.values()) s.client.kill();
    this.sessions.clear();
    for (const s of this.subscriptions) s.dispose();
    this.output.dispose();
    this.status.dispose();
    this.events.dispose();
  }
}

interface ProgressLike {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  text: string;
}

function formatEta(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  if (sec < 60) return `${Math.round(sec)} s`;
  const m = Math.floor(sec / 60);
  return `${m} min ${Math.round(sec - 60 * m)} s`;
}
