// The inspector's own trainer and where its requests go. The panel asks for feature maps, an evaluation, an
// augmentation grid or explanations; while the file trains, the running trainer answers them (so they follow
// training); otherwise an inspect-only trainer child (`mode: 'inspect'`) does: it loads the file's latest
// checkpoint (or fresh weights) and answers until it is stopped. No `vscode` here: inspector.ts wires it.

import { host } from '../platform/host';
import type { AugmentPreviewRequest, ExplainGalleryRequest, ExplainRequest, HostMessage, TrainerMessage, TrainJob } from '../protocol/trainer';
import type { Trainer } from '../trainer/client';
import { routeExplainRequest } from './inspectorExplain';

/** What the inspector needs of the training feature (TrainingFeature satisfies it). */
export interface InspectorTraining {
  /** Subscribes to every trainer message of every file (a `vscode.Event`). */
  readonly onDidReceive: (listener: (e: { file: string; message: TrainerMessage }) => unknown) => { dispose(): unknown };
  requestSnapshot(file: string, sample?: number, imagePath?: string): boolean;
  isTraining(file: string): boolean;
  checkpointFor(file: string): string | undefined;
  /** Not in TrainingFeature yet: ask the running trainer for a validation evaluation. */
  requestEvaluation?(file: string): boolean;
  /** Send the running trainer an augmentation preview request (the grid while training). */
  requestAugmentPreview?(file: string, request: AugmentPreviewRequest): boolean;
  /** Send the running trainer an explanation request (the Explain tab while training). */
  requestExplanation?(file: string, request: ExplainRequest | ExplainGalleryRequest): boolean;
}

/** The followed file as the inspect child needs it; null when the file is not open. */
export interface InspectDoc {
  /** Saved on disk (the trainer reads its data relative to it). */
  onDisk: boolean;
  text: string;
  hasErrors: boolean;
}

/** What the inspect child needs of the inspector. */
export interface InspectChildHost {
  /** A new built-in-engine trainer (a child process, or a Web Worker in the browser), or why none can start. */
  createTrainer(): Trainer | string;
  /** Where the inspect-only trainer may write when the file has no run folder yet (nothing there is kept). */
  readonly scratchDir: string;
  training(): InspectorTraining | undefined;
  doc(file: string): InspectDoc | null;
  /** The file's latest checkpoint, if any. */
  checkpoint(file: string): string | null;
  /** A message of the inspect child for `file`. */
  onMessage(file: string, m: TrainerMessage): void;
  /** The panel's status changed: send it again, with `note` as its line for the user when one is given (null clears it). */
  status(note?: string | null): void;
}

export class InspectChild {
  private child: { file: string; client: Trainer } | null = null;

  constructor(private readonly host: InspectChildHost) {}

  /** The file the inspect child was started for, while it is held. */
  get file(): string | null {
    return this.child?.file ?? null;
  }

  /** True when the inspect child runs and answers for `file`. */
  inspecting(file: string): boolean {
    return this.child?.file === file && this.child.client.running;
  }

  /** Feature maps of a validation sample (or the default one) or of an image file. */
  snapshot(file: string, sample?: number, imagePath?: string): void {
    const t = this.host.training();
    if (t?.isTraining(file)) {
      t.requestSnapshot(file, sample, imagePath);
      return;
    }
    this.ensure(file)?.send({ type: 'snapshot', ...(sample !== undefined ? { sample } : {}), ...(imagePath ? { imagePath } : {}) });
  }

  /** A validation evaluation (the running trainer sends one after each epoch anyway). */
  evaluation(file: string): void {
    const t = this.host.training();
    if (t?.isTraining(file)) {
      if (!t.requestEvaluation?.(file)) this.host.status('The running trainer sends an evaluation after each epoch.');
      return;
    }
    this.ensure(file)?.send({ type: 'evaluate' });
  }

  /** The augmentation grid: the running trainer answers between steps; else (or for a PyTorch run) the inspect child. */
  augmentPreview(file: string, request: AugmentPreviewRequest): void {
    const t = this.host.training();
    if (t?.isTraining(file) && t.requestAugmentPreview?.(file, request)) return;
    this.ensure(file)?.send(request);
  }

  /** The Explain tab's and the gallery's requests: to the running trainer while the file trains, else the inspect child. */
  explain(file: string, request: ExplainRequest | ExplainGalleryRequest): void {
    const t = this.host.training();
    routeExplainRequest(request, {
      training: () => (t?.isTraining(file) ?? false) && (t?.requestExplanation?.(file, request) ?? false),
      inspect: (r: HostMessage) => {
        const client = this.ensure(file);
        client?.send(r);
        return client !== null;
      },
    });
  }

  /**
   * The inspect child for `file`, started when none runs for it (any other one is stopped first); null when it
   * cannot start, with the reason as the panel's note.
   */
  ensure(file: string): Trainer | null {
    if (this.child?.file === file && this.child.client.running) return this.child.client;
    this.stop();
    const fail = (note: string) => {
      this.host.status(note);
      return null;
    };
    const doc = this.host.doc(file);
    if (!doc) return fail('Open the .cnn file to inspect it.');
    if (!doc.onDisk) return fail('Save the file first: the trainer reads its data relative to it.');
    if (doc.hasErrors) return fail('Fix the errors in the file first: the network cannot be built.');
    const client = this.host.createTrainer();
    if (typeof client === 'string') return fail(client);
    const checkpoint = this.host.checkpoint(file);
    const job: TrainJob = {
      file,
      source: doc.text,
      outDir: checkpoint ? host().path.dirname(checkpoint) : this.host.scratchDir,
      snapshotIntervalMs: 0,
      mode: 'inspect',
      ...(checkpoint ? { init: checkpoint } : {}),
    };
    this.child = { file, client };
    client.on('message', (m) => this.host.onMessage(file, m));
    client.on('exit', () => {
      if (this.child?.client === client) this.child = null;
      this.host.status();
    });
    try {
      client.start(job);
    } catch (err) {
      this.child = null;
      return fail(`Could not start the trainer: ${(err as Error).message}`);
    }
    this.host.status(checkpoint ? null : 'No checkpoint yet: these are untrained (random) weights. Train the model to see learned features.');
    return client;
  }

  /** Stops the inspect child, if any (it finishes its current answer). */
  stop(): void {
    const c = this.child;
    this.child = null;
    if (c) void c.client.stop();
  }

  /** Ends the inspect child at once (the extension is going away). */
  kill(): void {
    this.child?.client.kill();
    this.child = null;
  }
}
