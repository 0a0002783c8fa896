// Runs `cnn` invocations for the CLI fuzz test inside one process: main(argv, io) from the built bundle, with
// output captured. The parent sends {id, argv} over IPC and gets {id, code, out, err, ms} back; a 'begin'
// message comes first, so the parent's watchdog knows which case hangs. Anything thrown past main() or left
// unhandled is reported against the case that was running.
'use strict';
const cli = require(process.argv[2]);
let current = null;
const report = (kind) => (e) => process.send({ type: 'uncaught', id: current, kind, message: String((e && e.stack) || e) });
process.on('uncaughtException', report('uncaughtException'));
process.on('unhandledRejection', report('unhandledRejection'));
const CAP = 64 * 1024;
process.on('message', async (c) => {
  current = c.id;
  process.send({ type: 'begin', id: c.id });
  let out = '';
  let err = '';
  let outBytes = 0;
  const io = {
    out: (t) => {
      outBytes += t.length;
      if (out.length < CAP) out += t;
    },
    err: (t) => {
      if (err.length < CAP) err += t;
    },
  };
  const t0 = Date.now();
  let code;
  try {
    code = await cli.main(c.argv, io);
  } catch (e) {
    code = 'threw';
    err += String((e && e.stack) || e);
  }
  process.exitCode = 0;
  process.send({ type: 'done', id: c.id, code, out, outBytes, err, ms: Date.now() - t0 });
});
process.send({ type: 'ready' });
