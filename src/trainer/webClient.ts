// The extension host's side of the web worker trainer (vscode.dev, github.dev, code-server's web worker host):
// the Trainer that TrainingFeature and the inspector drive, like TrainerClient (client.ts) drives the child
// process. It starts dist/trainer-web.js from a Blob URL (a worker cannot be started from the extension's own
// vscode-remote: URI), boots it with the engine's bytes and the run's input files (preload.ts plans which), then
// speaks the trainer protocol. The run's writes come back as `fs` batches; each is applied to the workspace
// (applyOps: vscode.workspace.fs) before any later message is emitted, so a message that names a file (a
// checkpoint, an epoch's metrics row, `done`) is handled only once the file is there.
// No vscode and no Node here: the caller reads the files and applies the writes.

import type { FsOp } from '../platform/host';
import { type HostMessage, type TrainerMessage, type TrainJob } from '../protocol/trainer';
import { isWorkerMessage, type PreloadedFile, type WorkerBoot, type WorkerHostMessage } from '../protocol/webTrainer';
import type { ExitInfo, Trainer } from './client';
import { RUN_LOCK_NAME } from './paths';

/** What the trainer needs of a Web Worker (a DOM Worker; tests pass one that runs the trainer in-process). */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: { message?: string }) => void) | null;
  terminate(): void;
}

/** The run's inputs, read from the workspace: the files (paths as the job names them) and the folders that exist. */
export interface TrainerInputs {
  files: PreloadedFile[];
  folders: string[];
}

type Lazy<T> = T | Promise<T>;

export interface WebWorkerTrainerOptions {
  /** The text of dist/trainer-web.js (read with vscode.workspace.fs). */
  script: Lazy<string>;
  /** The engine's builds by file name (WASM_FILES of src/engine/wasm-module.ts, read from dist/); missing ones are skipped. */
  wasm: Lazy<Record<string, Uint8Array>>;
  /** The job's input files and folders (planPreload, then the files read), or the function that reads them for a job. */
  inputs: Lazy<TrainerInputs> | ((job: TrainJob) => Promise<TrainerInputs>);
  /** Applies one batch of the run's writes to the workspace, in order; later messages wait for it. */
  applyOps(ops: FsOp[]): Promise<void>;
  /** Reads a file the run asks about after the start (an image picked for a snapshot); without it such requests go as they are. */
  readFile?(path: string): Promise<Uint8Array>;
  /** The folder relative paths resolve against (default: the .cnn file's folder). */
  cwd?: string;
  /** The memory the run may plan for, in bytes (default 2 GiB). */
  memoryBytes?: number;
  /** Whether the engine may start threads (default true; they start only where the page is cross-origin isolated). */
  threads?: boolean;
  /** Milliseconds between a stop request and a kill (default 2000). */
  killAfterMs?: number;
  /** How the worker is made (default: `new Worker` from a Blob URL of `script`). */
  createWorker?(script: string): WorkerLike;
}

const DEFAULT_MEMORY = 2 * 1024 ** 3;

/** A Web Worker running `script`, from a Blob URL (revoked when it is terminated). */
export function blobWorker(script: string): WorkerLike {
  const url = URL.createObjectURL(new Blob([script], { type: 'text/javascript' }));
  const w = new Worker(url, { name: 'cnn-trainer' });
  const terminate = w.terminate.bind(w);
  return Object.assign(w, {
    terminate: () => {
      terminate();
      URL.revokeObjectURL(url);
    },
  }) as unknown as WorkerLike;
}

type Listeners = { message: ((m: TrainerMessage) => void)[]; exit: ((e: ExitInfo) => void)[]; stdout: ((t: string) => void)[] };

export class WebWorkerTrainer implements Trainer {
  private worker: WorkerLike | null = null;
  private startedRun = false;
  private finished = false;
  private ended = false;
  /** The run folder's lock while the run holds it (seen in its writes). */
  private lockHeld: string | null = null;
  private workerGone = false;
  private killTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners: Listeners = { message: [], exit: [], stdout: [] };
  /** Incoming work (fs batches applied, messages emitted), strictly in arrival order. */
  private incoming: Promise<void> = Promise.resolve();
  /** Outgoing messages, in order, after the boot. */
  private outgoing: Promise<void> = Promise.resolve();
  readonly exited: Promise<ExitInfo>;
  private resolveExit!: (e: ExitInfo) => void;

  constructor(private readonly options: WebWorkerTrainerOptions) {
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  get running(): boolean {
    return this.startedRun && !this.workerGone && !this.ended;
  }

  on(event: 'message', listener: (m: TrainerMessage) => void): this;
  on(event: 'exit', listener: (e: ExitInfo) => void): this;
  on(event: 'stdout', listener: (text: string) => void): this;
  on(event: keyof Listeners, listener: (v: never) => void): this {
    (this.listeners[event] as ((v: never) => void)[]).push(listener);
    return this;
  }

  private emitMessage(m: TrainerMessage): void {
    if (m.type === 'done' || m.type === 'error') this.finished = true;
    for (const l of [...this.listeners.message]) l(m);
  }

  start(job: TrainJob): void {
    if (this.startedRun) throw new Error('this trainer was already started');
    this.startedRun = true;
    this.outgoing = this.boot(job).catch((err: unknown) => {
      // Nothing was started: say why as the run's error, then end.
      if (!this.ended) {
        this.emitMessage({ type: 'error', stage: 'setup', message: `The web trainer could not start: ${(err as Error).message ?? String(err)}` });
        this.terminateWorker();
        this.end({ code: 1, signal: null, crashed: false, stderr: '' });
      }
    });
  }

  private async boot(job: TrainJob): Promise<void> {
    const o = this.options;
    const [script, wasm, inputs] = await Promise.all([o.script, o.wasm, typeof o.inputs === 'function' ? o.inputs(job) : o.inputs]);
    if (this.ended) return;
    const worker = (o.createWorker ?? blobWorker)(script);
    this.worker = worker;
    worker.onmessage = (e) => this.receive(e.data);
    worker.onerror = (e) => this.queue(async () => this.workerFailed(e.message ?? 'the web trainer failed'));
    const boot: WorkerBoot = {
      type: 'boot',
      wasm,
      files: inputs.files,
      folders: inputs.folders,
      cwd: o.cwd ?? folderOf(job.file),
      memoryBytes: o.memoryBytes ?? DEFAULT_MEMORY,
      threads: o.threads ?? true,
    };
    // Inputs read for this job alone are moved into the worker, not copied (a dataset is not held twice); the
    // engine's bytes, and inputs given once for every job, are copied.
    this.post(boot, typeof o.inputs === 'function' ? wholeBuffers(inputs.files.map((f) => f.data)) : []);
    this.post({ type: 'start', job });
  }

  private post(m: WorkerHostMessage, transfer: Transferable[] = []): void {
    if (this.worker && !this.workerGone) this.worker.postMessage(m, transfer);
  }

  private queue(work: () => Promise<void> | void): void {
    this.incoming = this.incoming.then(work).catch((err: unknown) => this.workerFailed(`the web trainer's messages could not be handled: ${(err as Error).message}`));
  }

  private receive(raw: unknown): void {
    if (!isWorkerMessage(raw)) {
      this.queue(() => this.emitMessage({ type: 'log', message: `ignored a malformed message from the web trainer: ${safeJson(raw)}` }));
      return;
    }
    switch (raw.type) {
      case 'fs':
        this.queue(async () => {
          try {
            await this.options.applyOps(raw.ops);
            this.noteLock(raw.ops);
          } catch (err) {
            // The run's files cannot reach the workspace: stop it rather than train into nowhere.
            this.emitMessage({ type: 'error', stage: 'checkpoint', message: `The run's files could not be written to the workspace: ${(err as Error).message}` });
            this.terminateWorker();
            await this.releaseLock();
            this.end({ code: 1, signal: null, crashed: false, stderr: '' });
          }
        });
        break;
      case 'exit':
        this.queue(async () => {
          this.terminateWorker();
          await this.releaseLock();
          this.end({ code: raw.error === undefined ? 0 : 1, signal: null, crashed: !this.finished, stderr: raw.error ?? '' });
        });
        break;
      default:
        this.queue(() => {
          if (!this.ended) this.emitMessage(raw);
        });
    }
  }

  private async workerFailed(why: string): Promise<void> {
    this.terminateWorker();
    await this.releaseLock();
    this.end({ code: 1, signal: null, crashed: !this.finished, stderr: why });
  }

  /** Follows the run folder's lock through the run's writes: taken (written), given up (removed or moved aside). */
  private noteLock(ops: readonly FsOp[]): void {
    for (const op of ops) {
      if (op.op === 'write' && op.path.endsWith(`/${RUN_LOCK_NAME}`)) this.lockHeld = op.path;
      else if ((op.op === 'remove' && op.path === this.lockHeld) || (op.op === 'rename' && op.from === this.lockHeld)) this.lockHeld = null;
    }
  }

  /**
   * A worker that ended without giving up its run folder's lock (killed, crashed) cannot: its process is gone with
   * the page's memory, and a browser has no process to ask after, so the lock would keep the folder taken. Its host
   * removes it (a Node run's lock is taken over by the next claimant instead, once its process is gone).
   */
  private async releaseLock(): Promise<void> {
    const lock = this.lockHeld;
    this.lockHeld = null;
    if (lock) await this.options.applyOps([{ op: 'remove', path: lock }]).catch(() => undefined);
  }

  private terminateWorker(): void {
    if (this.workerGone) return;
    this.workerGone = true;
    this.worker?.terminate();
  }

  private end(info: ExitInfo): void {
    if (this.ended) return;
    this.ended = true;
    if (this.killTimer) clearTimeout(this.killTimer);
    for (const l of [...this.listeners.exit]) l(info);
    this.resolveExit(info);
  }

  send(msg: HostMessage): void {
    if (!this.running) return;
    const read = this.options.readFile;
    const image = msg.type === 'snapshot' ? msg.imagePath : undefined;
    this.outgoing = this.outgoing
      .then(async () => {
        if (image && read) {
          try {
            this.post({ type: 'preload', files: [{ path: image, data: await read(image) }] });
          } catch {
            // Unreadable: the trainer says so in its own words (the file is not in its tree).
          }
        }
        this.post(msg);
      })
      .catch(() => undefined);
  }

  /** Ask the run to stop at the next step; kill it if it has not ended within the grace period. */
  stop(): Promise<ExitInfo> {
    if (!this.startedRun) {
      this.end({ code: 0, signal: null, crashed: false, stderr: '' });
      return this.exited;
    }
    if (!this.running) return this.exited;
    this.send({ type: 'stop' });
    this.killTimer ??= setTimeout(() => this.kill(), this.options.killAfterMs ?? 2000);
    return this.exited;
  }

  /** Ends the worker at once (window closing, extension deactivating); writes already received are still applied. */
  kill(): void {
    if (!this.startedRun || this.ended) return;
    this.terminateWorker();
    this.queue(async () => {
      await this.releaseLock();
      this.end({ code: null, signal: 'SIGKILL', crashed: !this.finished, stderr: '' });
    });
  }
}

/** The buffers of views that each cover their whole buffer (a view into a larger one may share it), once each. */
function wholeBuffers(views: readonly Uint8Array[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const v of views) if (v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) out.add(v.buffer);
  return [...out];
}

/** The folder of a POSIX path (the web host's paths). */
function folderOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i <= 0 ? '/' : file.slice(0, i);
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 200) ?? String(v);
  } catch {
    return String(v);
  }
}
