// Every unit test runs in Node and gets what the Node entry points (the trainer child, the command line)
// install first, which a test of one module does not go through: Node's host (files, paths, zlib:
// src/platform/node.ts) and the engine's Node runtime (the kernels from build/, worker_threads).

import { installEngineRuntime } from '../../src/engine/runtime';
import { nodeEngineRuntime } from '../../src/engine/runtime-node';
import { installHost } from '../../src/platform/host';
import { nodeHost } from '../../src/platform/node';

installHost(nodeHost);
installEngineRuntime(nodeEngineRuntime());
