// The `cnn` command line: the same core as the editor, with no editor at all.

import pkg from '../../package.json';
import { type FlagSpec, type ParsedArgs, parseArgs, UsageError } from './args';
import { runBench } from './bench';
import { type Io, runCheck, runSummary } from './check';
import { UserError } from './errors';
import { processIo } from './output';
import { EXPORT_COMMAND } from './export';
import { runExplain } from './explain';
import { runEvaluate } from './evaluate';
import { runPredict } from './predict';
import { runTrain } from './train';
import { installEngineRuntime } from '../engine/runtime';
import { nodeEngineRuntime } from '../engine/runtime-node';
import { installHost } from '../platform/host';
import { nodeHost } from '../platform/node';

// The command line runs the engine in this process, on Node's runtime (the kernels beside dist/cli.js, worker_threads),
// and reads and writes files through Node's host.
installHost(nodeHost);
installEngineRuntime(nodeEngineRuntime());

interface Command {
  usage: string;
  summary: string;
  flags: Record<string, FlagSpec>;
  run(args: ParsedArgs, io: Io): number | Promise<number>;
  /**
   * The command stops its own work when `io.closed` aborts (training stops and writes its checkpoint); for any
   * other command the process exits quietly once nobody reads its output.
   */
  handlesClosedOutput?: true;
}

const json: FlagSpec = {};

export const COMMANDS: Record<string, Command> = {
  check: {
    usage: 'cnn check FILE... [--json]',
    summary: 'Check .cnn files; prints file:line:col: severity CODE: message. Exit 1 when any file has an error.',
    flags: { json },
    run: runCheck,
  },
  summary: {
    usage: 'cnn summary FILE [--json]',
    summary: 'Per-layer output shape, parameters, multiply-adds and receptive field, with totals; a branch or merge shows the lines it reads (--json: inputs).',
    flags: { json },
    run: runSummary,
  },
  train: {
    usage: 'cnn train FILE [--epochs N] [--init CKPT] [--out DIR] [--threads T] [--json]',
    summary: 'Train with the built-in engine; writes DIR/model.safetensors and DIR/metrics.jsonl (default DIR: runs/<network>-<time>/ beside the file).',
    flags: { json, epochs: { value: true }, init: { value: true }, out: { value: true, short: 'o' }, threads: { value: true } },
    run: runTrain,
    handlesClosedOutput: true,
  },
  predict: {
    usage: 'cnn predict FILE --weights CKPT --input X [--json]',
    summary: 'Class probabilities for X: an .npy array (N×H×W×C or H×W×C; uint8 is scaled to [0, 1], floats are used as they are) or a PNG/JPEG/DICOM image.',
    flags: { json, weights: { value: true }, input: { value: true } },
    run: runPredict,
  },
  explain: {
    usage: 'cnn explain FILE --weights CKPT --input X [--method gradcam|saliency|occlusion] [--line L] [--class NAME|INDEX] [--window W --stride S] [--json]',
    summary: 'Where the network looked: Grad-CAM of the layer on line L (default: the last conv, pool or merge with a spatial output), saliency or occlusion maps for the predicted class (or --class); PNG overlays beside X, or --json raw maps.',
    flags: { json, weights: { value: true }, input: { value: true }, method: { value: true }, line: { value: true }, class: { value: true }, window: { value: true }, stride: { value: true } },
    run: runExplain,
  },
  evaluate: {
    usage: 'cnn evaluate FILE --weights CKPT [--split val|test] [--json]',
    summary: 'Accuracy, balanced accuracy, per-class precision/recall/F1, confusion matrix and one-vs-rest AUC on the validation split training used (default) or the data\'s test split.',
    flags: { json, weights: { value: true }, split: { value: true } },
    run: runEvaluate,
  },
  bench: {
    usage: 'cnn bench FILE [--steps N] [--threads T] [--profile] [--json]',
    summary: 'Training and inference samples/s and peak memory on random data of the model\'s input shape; --profile adds the time of each layer (forward, input grad, weight grad, GFLOP/s, share) in a training step and an inference pass.',
    flags: { json, steps: { value: true }, threads: { value: true }, profile: {} },
    run: runBench,
  },
  export: EXPORT_COMMAND,
};

function help(): string {
  const lines = [
    `cnn ${pkg.version}: design, check and train convolutional networks written in .cnn files`,
    '',
    'Usage:',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`),
    '',
    'Options:',
    '  --help       show this help',
    '  --version    show the version',
    '',
    'Exit codes: 0 success, 1 the file has errors (or the job failed), 2 a usage error.',
  ];
  return lines.join('\n') + '\n';
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(help());
    return 0;
  }
  if (cmd === undefined) {
    // No command is a usage error: the help goes to stderr, so stdout stays empty for scripts.
    io.err(help());
    return 2;
  }
  if (cmd === '--version' || cmd === '-v') {
    io.out(`${pkg.version}\n`);
    return 0;
  }
  const command = COMMANDS[cmd];
  try {
    if (!command) {
      if (cmd.startsWith('-')) throw new UsageError(`unknown option '${cmd}' (options before a command: --help, --version)`);
      throw new UsageError(`unknown command '${cmd}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`Usage: ${command.usage}\n  ${command.summary}\n`);
      return 0;
    }
    return await command.run(parseArgs(rest, command.flags), io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`cnn: ${err.message}. Try: cnn --help\n`);
      return 2;
    }
    if (err instanceof UserError) {
      io.err(`cnn: ${err.message}\n`);
      return 1;
    }
    // Not the user's mistake: one line, and the stack only when asked for.
    io.err(`cnn: internal error: ${(err as Error)?.message ?? String(err)}${process.env.CNN_DEBUG ? `\n${(err as Error)?.stack}` : ' (set CNN_DEBUG=1 for details)'}\n`);
    return 1;
  }
}


/** Run as the process's command line: bin/cnn calls this. */
export function run(): void {
  const io = processIo();
  const argv = process.argv.slice(2);
  io.closed.addEventListener('abort', () => {
    // After the current synchronous work, so a command that has finished has set its exit code.
    if (!COMMANDS[argv[0] ?? '']?.handlesClosedOutput) setImmediate(() => process.exit(process.exitCode ?? 0));
  });
  main(argv, io).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      io.err(`cnn: internal error: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) run();
