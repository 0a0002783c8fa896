// The PyTorch backend's trainer: exports the package into the run folder and runs its train.py as the child
// process, turning its JSON lines into TrainerMessages (checked with isTrainerMessage). Same surface as
// TrainerClient (start, stop, kill, send, running, exited; events message / exit / stdout), so the editor
// can switch between the two on a setting. Host requests (stop, snapshot, evaluate) go to train.py as JSON
// lines on its stdin (`--control stdin`); tensors come back as base64 float32 and become Float32Arrays here.
// Node built-ins, the language and the protocol only.

import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { check, toModelSpec } from '../language';
import type { ModelSpec } from '../language/model';
import { type HostMessage, isTrainerMessage, type TrainerMessage, type TrainJob } from '../protocol/trainer';
import type { ExitInfo, Trainer, TrainerClientEvents } from '../trainer/client';
import { fileHost, fileStem } from '../trainer/paths';
import { writePytorchPackage } from './pytorch';

export interface PytorchTrainerOptions {
  /** The Python interpreter (cnnStudio.pythonPath; default python3). */
  python?: string;
  /** Arguments before train.py (e.g. ['-m', 'torch.distributed.run', '--nproc_per_node=2']); default none. */
  pythonArgs?: string[];
  /** Where the package goes (default `<job.outDir>/pytorch`). */
  packageDir?: (job: TrainJob) => string;
  /** Extra arguments for train.py (e.g. ['--device', 'cpu']). */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Milliseconds between a stop request and SIGKILL (default 2000). */
  killAfterMs?: number;
  /** Milliseconds allowed for the `import torch` check (default 60000: a cold import can be slow). */
  checkTimeoutMs?: number;
  /**
   * Asked before anything is written or run. Return true to go on, or a message saying why not (an untrusted
   * workspace): it is reported as a setup error and nothing is exported or run.
   */
  allowed?: () => true | string;
}

export type PythonCheck =
  | { ok: true; python: string; version: string; torch: string; cuda: boolean }
  | { ok: false; reason: 'no-python' | 'no-torch' | 'no-numpy' | 'failed'; message: string };

const INSTALL_HINT = 'Install PyTorch with "sudo apt-get install python3-torch python3-numpy" (Debian, Ubuntu) or "pip install torch numpy"';

const PROBE = [
  'import json, sys',
  'v = "%d.%d.%d" % sys.version_info[:3]',
  'try:\n    import numpy\nexcept ImportError:\n    print(json.dumps({"missing": "numpy", "version": v})); sys.exit(0)',
  'try:\n    import torch\nexcept ImportError:\n    print(json.dumps({"missing": "torch", "version": v})); sys.exit(0)',
  'print(json.dumps({"version": v, "torch": torch.__version__, "cuda": bool(torch.cuda.is_available())}))',
].join('\n');

/** Whether `python` runs and can import torch and numpy, with a message saying what to install when not. */
export function checkPython(python: string, timeoutMs = 60_000, env?: NodeJS.ProcessEnv): Promise<PythonCheck> {
  return new Promise((done) => {
    let out = '';
    let err = '';
    let settled = false;
    const finish = (r: PythonCheck) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        done(r);
      }
    };
    let child: ChildProcess;
    try {
      child = spawn(python, ['-c', PROBE], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    } catch (e) {
      finish({ ok: false, reason: 'no-python', message: `cannot run Python '${python}': ${(e as Error).message}. Set cnnStudio.pythonPath to a Python 3 with PyTorch. ${INSTALL_HINT}.` });
      return;
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ ok: false, reason: 'failed', message: `'${python}' did not finish importing torch within ${Math.round(timeoutMs / 1000)} s.` });
    }, timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr?.setEncoding('utf8').on('data', (t: string) => (err = (err + t).slice(-2000)));
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish({
        ok: false,
        reason: 'no-python',
        message:
          e.code === 'ENOENT'
            ? `Python was not found ('${python}'). Install Python 3 with PyTorch, or set cnnStudio.pythonPath to one. ${INSTALL_HINT}.`
            : `cannot run Python '${python}': ${e.message}.`,
      });
    });
    child.on('close', (code) => {
      let info: { missing?: string; version?: string; torch?: string; cuda?: boolean } | null = null;
      try {
        info = JSON.parse(out.trim().split('\n').pop() ?? '');
      } catch {
        info = null;
      }
      if (!info || code !== 0) {
        finish({ ok: false, reason: 'failed', message: `'${python}' failed (exit code ${code}) while checking for PyTorch${err ? `: ${err.trim().split('\n').pop()}` : ''}. ${INSTALL_HINT}.` });
      } else if (info.missing) {
        finish({
          ok: false,
          reason: info.missing === 'torch' ? 'no-torch' : 'no-numpy',
          message: `${info.missing === 'torch' ? 'PyTorch' : 'numpy'} is not installed for '${python}' (Python ${info.version}). ${INSTALL_HINT}, or set cnnStudio.pythonPath to a Python that has it.`,
        });
      } else {
        finish({ ok: true, python, version: info.version ?? '?', torch: info.torch ?? '?', cuda: Boolean(info.cuda) });
      }
    });
  });
}

/** The checked model of a job, or a one-line reason. */
export function specFromJob(job: TrainJob): ModelSpec | string {
  const result = check(job.source, fileHost(job.file));
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const first = errors[0]!;
    const line = job.source.slice(0, first.offset).split(/\r\n|\r|\n/).length;
    return `${job.file}:${line}: ${first.code}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`;
  }
  const spec = toModelSpec(result, fileStem(job.file));
  return spec ?? `${job.file} has no input line.`;
}

export class PytorchTrainer extends EventEmitter<TrainerClientEvents> implements Trainer {
  private child: ChildProcess | null = null;
  private started = false;
  private finished = false;
  private cancelled = false;
  private ended = false;
  private stderrTail = '';
  private stdoutBuf = '';
  private killTimer: NodeJS.Timeout | null = null;
  readonly exited: Promise<ExitInfo>;
  private resolveExit!: (e: ExitInfo) => void;

  constructor(private readonly options: PytorchTrainerOptions = {}) {
    super();
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  get running(): boolean {
    return this.started && !this.ended;
  }

  /** Checks Python and PyTorch, exports the package, then runs train.py. Progress arrives as `message` events. */
  start(job: TrainJob): void {
    if (this.started) throw new Error('this trainer was already started');
    this.started = true;
    void this.run(job);
  }

  private fail(stage: 'setup' | 'data' | 'train' | 'checkpoint', message: string): void {
    this.deliver({ type: 'error', stage, message });
    this.end({ code: 1, signal: null, crashed: false, stderr: this.stderrTail.trim() });
  }

  private end(info: ExitInfo): void {
    if (this.ended) return;
    this.ended = true;
    if (this.killTimer) clearTimeout(this.killTimer);
    this.emit('exit', info);
    this.resolveExit(info);
  }

  private deliver(m: TrainerMessage): void {
    if (m.type === 'done' || m.type === 'error') this.finished = true;
    this.emit('message', m);
  }

  private async run(job: TrainJob): Promise<void> {
    const allowed = this.options.allowed?.() ?? true;
    if (allowed !== true) return this.fail('setup', allowed);
    if (job.mode === 'inspect') return this.fail('setup', 'The PyTorch backend only trains; the inspector runs on the built-in engine.');
    const spec = specFromJob(job);
    if (typeof spec === 'string') return this.fail('setup', spec);
    const python = this.options.python || 'python3';
    const probe = await checkPython(python, this.options.checkTimeoutMs, this.options.env);
    if (this.cancelled) return this.end({ code: null, signal: null, crashed: false, stderr: '' });
    if (!probe.ok) return this.fail('setup', probe.message);
    this.deliver({ type: 'log', message: `PyTorch ${probe.torch} (Python ${probe.version}, ${probe.cuda ? 'CUDA available' : 'CPU'})` });
    const pkgDir = this.options.packageDir?.(job) ?? join(job.outDir, 'pytorch');
    try {
      writePytorchPackage(spec, { file: job.file, outDir: pkgDir });
    } catch (e) {
      return this.fail('setup', `cannot write the PyTorch package to ${pkgDir}: ${(e as Error).message}`);
    }
    const args = ['-u', ...(this.options.pythonArgs ?? []), join(pkgDir, 'train.py'), '--out', job.outDir, '--control', 'stdin'];
    if (job.epochs !== undefined) args.push('--epochs', String(job.epochs));
    if (job.init) args.push('--init', job.init);
    if (job.snapshotIntervalMs) args.push('--snapshot-interval', String(job.snapshotIntervalMs / 1000));
    args.push(...(this.options.extraArgs ?? []));
    let child: ChildProcess;
    try {
      child = spawn(python, args, {
        cwd: pkgDir,
        env: { ...process.env, ...this.options.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (e) {
      return this.fail('setup', `cannot run ${python}: ${(e as Error).message}`);
    }
    this.child = child;
    // A request written after train.py ended fails with EPIPE: nothing to do then.
    child.stdin?.on('error', () => undefined);
    child.stdout?.setEncoding('utf8').on('data', (t: string) => this.onStdout(t));
    child.stderr?.setEncoding('utf8').on('data', (t: string) => {
      this.stderrTail = (this.stderrTail + t).slice(-4000);
    });
    child.on('error', (e) => {
      this.stderrTail += `\n${e.message}`;
    });
    child.on('close', (code, signal) => {
      if (this.stdoutBuf.trim()) this.onLine(this.stdoutBuf);
      this.stdoutBuf = '';
      this.end({ code, signal, crashed: !this.finished, stderr: this.stderrTail.trim() });
    });
  }

  private onStdout(text: string): void {
    this.stdoutBuf += text;
    let nl: number;
    while ((nl = this.stdoutBuf.indexOf('\n')) >= 0) {
      const line = this.stdoutBuf.slice(0, nl);
      this.stdoutBuf = this.stdoutBuf.slice(nl + 1);
      this.onLine(line);
    }
  }

  /** One line of train.py's stdout: a trainer message, else plain output (print() calls the user added). */
  private onLine(line: string): void {
    const t = line.trim();
    if (!t) return;
    if (t.startsWith('{')) {
      let v: unknown;
      try {
        v = JSON.parse(t);
      } catch {
        v = undefined;
      }
      if (v !== undefined) {
        v = reviveTensors(v);
        if (isTrainerMessage(v)) this.deliver(v);
        else this.deliver({ type: 'log', message: `ignored a malformed message from train.py: ${t.slice(0, 200)}` });
        return;
      }
    }
    this.emit('stdout', `${line}\n`);
  }

  /** Host requests: stop stops; snapshot and evaluation requests go to train.py, answered between steps. */
  send(msg: HostMessage): void {
    if (msg.type === 'stop') {
      void this.stop();
      return;
    }
    if (msg.type === 'start') return;
    this.request(msg);
  }

  private request(msg: HostMessage): void {
    const stdin = this.child?.stdin;
    if (this.running && stdin && !stdin.destroyed && stdin.writable) stdin.write(`${JSON.stringify(msg)}\n`);
  }

  /** A stop request on stdin (train.py stops after the step and writes its checkpoint), SIGKILL after the grace period. */
  stop(): Promise<ExitInfo> {
    if (!this.running) return this.exited;
    if (!this.child) {
      this.cancelled = true; // still checking Python or exporting: stopped as soon as it starts
      return this.exited;
    }
    this.request({ type: 'stop' });
    if (!this.killTimer) {
      this.killTimer = setTimeout(() => {
        if (this.running) this.child?.kill('SIGKILL');
      }, this.options.killAfterMs ?? 2000);
    }
    return this.exited;
  }

  /** Kill at once (window closing, extension deactivating). */
  kill(): void {
    if (!this.running) return;
    if (this.child) this.child.kill('SIGKILL');
    else this.cancelled = true;
  }
}

/** base64 of little-endian float32 (train.py's tensors) as a Float32Array; arrays of numbers are taken too. */
function toF32(data: unknown): unknown {
  if (typeof data === 'string') {
    const bytes = Buffer.from(data, 'base64');
    if (bytes.length % 4 !== 0) return data;
    const out = new Float32Array(bytes.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
    return out;
  }
  if (Array.isArray(data) && data.every((x) => typeof x === 'number')) return Float32Array.from(data as number[]);
  return data;
}

function reviveTensor(t: unknown): unknown {
  if (typeof t !== 'object' || t === null || Array.isArray(t)) return t;
  const o = t as Record<string, unknown>;
  return 'data' in o ? { ...o, data: toF32(o.data) } : o;
}

/** The tensors of snapshot, evaluation and augmentation-preview messages from JSON into Float32Arrays (other messages as they are). */
export function reviveTensors(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const m = v as Record<string, unknown>;
  if (m.type === 'snapshot') {
    return {
      ...m,
      input: reviveTensor(m.input),
      activations: Array.isArray(m.activations) ? m.activations.map(reviveTensor) : m.activations,
      filters: Array.isArray(m.filters) ? m.filters.map(reviveTensor) : m.filters,
    };
  }
  if (m.type === 'augmentPreview') {
    return { ...m, input: reviveTensor(m.input), images: Array.isArray(m.images) ? m.images.map(reviveTensor) : m.images };
  }
  if (m.type === 'evaluation' && Array.isArray(m.misclassified)) {
    return { ...m, misclassified: m.misclassified.map((x) => (typeof x === 'object' && x !== null ? { ...(x as object), input: reviveTensor((x as Record<string, unknown>).input) } : x)) };
  }
  return v;
}
