// The parent's side of the trainer child process: fork, typed messages checked at run time, graceful
// stop that becomes a kill after a grace period, and a clear report when the child dies.
// Node built-ins and protocol only: the extension host and tests use it; it never imports the engine.

import { type ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { type HostMessage, isTrainerMessage, type TrainerMessage, type TrainJob } from '../protocol/trainer';

export interface TrainerClientOptions {
  /** Path of the bundled trainer (dist/trainer.js). */
  script: string;
  /** Extra Node flags for the child. */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** Milliseconds between a stop request and a kill (default 2000). */
  killAfterMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the child ended without a `done` or `error` message: a crash. */
  crashed: boolean;
  /** The last lines the child wrote to stderr. */
  stderr: string;
}

export interface TrainerClientEvents {
  message: [TrainerMessage];
  exit: [ExitInfo];
  stdout: [string];
}

/**
 * What the editor needs of a trainer child: TrainerClient here (the built-in engine) and PytorchTrainer
 * (src/export/runner.ts: the exported train.py) both give it, so the editor switches on a setting.
 */
export interface Trainer {
  readonly running: boolean;
  readonly exited: Promise<ExitInfo>;
  start(job: TrainJob): void;
  send(msg: HostMessage): void;
  stop(): Promise<ExitInfo>;
  kill(): void;
  on(event: 'message', listener: (m: TrainerMessage) => void): this;
  on(event: 'exit', listener: (e: ExitInfo) => void): this;
  on(event: 'stdout', listener: (text: string) => void): this;
}

export class TrainerClient extends EventEmitter<TrainerClientEvents> implements Trainer {
  private child: ChildProcess | null = null;
  private finished = false;
  private stderrTail = '';
  private killTimer: NodeJS.Timeout | null = null;
  readonly exited: Promise<ExitInfo>;
  private resolveExit!: (e: ExitInfo) => void;

  constructor(private readonly options: TrainerClientOptions) {
    super();
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(job: TrainJob): void {
    if (this.child) throw new Error('this trainer was already started');
    const child = fork(this.options.script, [], {
      serialization: 'advanced',
      execArgv: this.options.execArgv ?? [],
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (t: string) => this.emit('stdout', t));
    child.stderr?.setEncoding('utf8').on('data', (t: string) => {
      this.stderrTail = (this.stderrTail + t).slice(-4000);
    });
    child.on('message', (m: unknown) => {
      if (!isTrainerMessage(m)) {
        this.emit('message', { type: 'log', message: `ignored a malformed message from the trainer: ${JSON.stringify(m)?.slice(0, 200)}` });
        return;
      }
      if (m.type === 'done' || m.type === 'error') this.finished = true;
      this.emit('message', m);
    });
    child.on('error', (err) => {
      this.stderrTail += `\n${err.message}`;
    });
    // 'close', not 'exit': 'exit' can come while the last messages (a `done` after large snapshots) are still
    // in the IPC pipe; 'close' waits for the channel and the stdio streams, so every message has been emitted.
    child.on('close', (code, signal) => {
      if (this.killTimer) clearTimeout(this.killTimer);
      const info: ExitInfo = { code, signal, crashed: !this.finished, stderr: this.stderrTail.trim() };
      this.emit('exit', info);
      this.resolveExit(info);
    });
    this.send({ type: 'start', job });
  }

  send(msg: HostMessage): void {
    if (this.running && this.child?.connected) this.child.send(msg);
  }

  /** Ask the child to stop at the next step; kill it if it has not exited within the grace period. */
  stop(): Promise<ExitInfo> {
    if (!this.running) return this.exited;
    this.send({ type: 'stop' });
    if (!this.killTimer) {
      this.killTimer = setTimeout(() => {
        if (this.running) this.child?.kill('SIGKILL');
      }, this.options.killAfterMs ?? 2000);
    }
    return this.exited;
  }

  /** Kill at once (window closing, extension deactivating). */
  kill(): void {
    if (this.running) this.child?.kill('SIGKILL');
  }
}
