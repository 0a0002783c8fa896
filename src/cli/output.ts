// The process's stdout and stderr as the CLI's Io, surviving a reader that goes away: `cnn check big.cnn |
// head -1` closes the pipe after one line, and the next write fails with EPIPE, which Node reports as an
// 'error' event that would otherwise end the process with a stack trace. From then on writes are dropped and
// `closed` is aborted, so a command can stop its work cleanly (training writes its checkpoint).

import type { Io } from './check';

type Stream = Pick<NodeJS.WriteStream, 'write' | 'on'>;

export function processIo(stdout: Stream = process.stdout, stderr: Stream = process.stderr): Io & { closed: AbortSignal } {
  const controller = new AbortController();
  const onError = (err: NodeJS.ErrnoException) => {
    // A reader that went away; anything else is a real failure of the output and still surfaces.
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    if (!controller.signal.aborted) controller.abort();
  };
  stdout.on('error', onError);
  stderr.on('error', onError);
  const writer = (s: Stream) => (text: string) => {
    if (!controller.signal.aborted) s.write(text);
  };
  return { out: writer(stdout), err: writer(stderr), closed: controller.signal };
}
