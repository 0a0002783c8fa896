// CNN Studio's built-in training engine: the public surface.
//
//   createNetwork(spec: ModelSpec, opts?: NetworkOptions): Network
//     opts: { seed? (default spec.train.seed), threads? (default 1; T > 1 runs the kernels on T-1 worker
//             threads as well, see Threads below),
//             batch? (buffer capacity, default spec.train.batch; grows on demand),
//             backend?: 'auto' | 'wasm-relaxed' | 'wasm-simd' | 'js' (default 'auto'),
//             optimizer?: Partial<OptimizerConfig> (default from spec.train) }
//   net.trainStep(x: Float32Array /* N×H×W×C */, targets, n): { loss, correct }
//       targets by spec.task: 'single' Int32Array of N class indices, 'multilabel' Float32Array of N×L 0/1;
//       forward + the loss on the logits (single: softmax cross-entropy, mean over the batch; multilabel:
//       binary cross-entropy, mean over N×L, as BCEWithLogitsLoss; loss.ts) + backward + one optimizer step;
//       loss and correct are measured before the update (multilabel: correct = Σ share of labels right at 0.5).
//       training mode: dropout on, batch norm on the batch's statistics (and its running statistics updated)
//   net.setLossWeights(w: Float32Array | null)             single: CrossEntropyLoss(weight=w), Σ w[y]·ℓ / Σ w[y];
//                                                            multilabel: BCEWithLogitsLoss(pos_weight=w)
//   net.evaluate(x, targets, n): { loss, correct }         evaluation mode (dropout off, batch norm on its
//                                                            running statistics), no update, any n
//   net.predict(x, n): Float32Array                          N×classes probabilities (softmax; multilabel: each
//                                                            label's sigmoid), evaluation mode, any n
//   net.activations(x1): { index, kind, shape, data }[]      every layer's output for one sample (evaluation
//                                                            mode); volumes as C×H×W planes, vectors as n values
//   net.filters(): { index, kind, shape, data }[]           conv [K,C/G,FH,FW] and deconv [C,K,FH,FW] weights
//   net.logitGradients(x, n, { classes, layer?, input? })      logits, and d(logit classes[i])/d(input, a layer's
//                                                            output) per sample, evaluation mode (explanations)
//   net.healthLayout(), net.flatGrads(), net.unitActivity(x, n)   training health (health.ts): where each layer's
//                                                            parameters lie; the last step's gradients; the dead or
//                                                            saturated share of each activation's units
//   net.params(): { name, shape, data, dtype? }[]            the state_dict: `layers.{i}.weight|bias` and batch
//                                                            norm's `running_mean|running_var|num_batches_tracked`
//                                                            (dtype 'I64'), PyTorch layouts
//   net.grads(): { name, shape, data }[]                     the parameters' gradients
//   net.paramShapes(), net.setParams(tensors)                 for checkpoints (checks names and shapes)
//   net.forwardBackward(x, labels, n), net.applyOptimizer()   trainStep in two halves
//   net.profileTarget()                                        what profiler.ts times layer by layer (`cnn bench
//                                                            --profile`; the rows: profile.ts)
//   net.trainStepCooperative(x, labels, n, yielder), net.predictCooperative(x, n, yielder)
//       the same in pieces of layers, giving way to the event loop when yielder.due(); null when abandoned
//   net.paramCount, net.classes, net.task, net.lossWeights, net.steps, net.backendName, net.threads, net.workersRunning
//   net.dispose(): Promise<void>                              stops the worker threads (threads > 1)
//
//   saveCheckpoint(path, net | tensors, { source, metrics? }): void   safetensors, atomic
//   loadCheckpoint(path, spec?): { tensors, metadata }                  validated against the spec
//   encodeSafetensors / decodeSafetensors                               the same on bytes
//
// Graph. plan.ts turns spec.layers (each with its `inputs`) into nodes; passes.ts runs them in file order
// (a topological order) forward and in reverse backward, where a value read by several layers gets the sum
// of their gradients (every backward adds with +=; gradients are zeroed once per step). Each layer kind is
// one entry of the table in layers/ (shape rule, parameters, buffers, init fans, scratch, forward,
// backward). memory.ts lays out the arena; tensors.ts names the state as PyTorch's state_dict does.
//
// Layout. Activations are CNHW inside the engine ([C][N][H][W]: each channel plane holds the whole batch),
// so a convolution is one GEMM per chunk of samples with the batch × pixels along its long side, and the
// output lands in place without transposes; vectors are [N][F]. Inputs arrive NHWC (as the data loaders give
// them) and are transposed once per batch. Parameters are kept in PyTorch's layout (conv [K,C,FH,FW],
// dense [U,I] with I in C×H×W flatten order), so checkpoints need no permutation.
//
// Kernels. The reference kernels (kernels.ts, plain TypeScript) define the maths; the WebAssembly SIMD
// kernels (wasm/assembly/kernels.ts, AssemblyScript: im2col + packed GEMM with a 4/5/6×8 micro-kernel, fused bias and
// activation) run it fast. scripts/build.mjs compiles them at `npm install` / `npm run build` into
// build/engine-{simd,relaxed}.wasm and copies both into dist/ beside the bundles. The entry point installs
// an engine runtime (runtime.ts) that gives the bytes: in Node (runtime-node.ts) from $CNN_ENGINE_WASM_DIR,
// __dirname (dist/ when bundled), ../../build (src/engine under vitest), ./build and ./dist; in the web worker
// trainer (runtime-web.ts) the bytes the extension host read. wasm-module.ts picks the relaxed-SIMD (FMA) build
// when WebAssembly.validate accepts it (Node: after --experimental-wasm-relaxed-simd) and falls back to the plain
// SIMD build, then to the js kernels.
//
// Threads. With threads = T > 1 the backend loads the shared-memory build (engine-*-mt.wasm), instantiates
// it over one WebAssembly.Memory({ shared: true }) on the main thread and on T-1 engine threads (worker_threads
// in Node, Web Workers from a Blob URL in a cross-origin-isolated page; one thread where it is not), and splits
// each kernel call: convolutions by whole samples (every thread im2cols and multiplies its own samples;
// weight gradients go to per-thread scratch and are summed in thread order), pooling and activations by
// planes or ranges. Jobs pass through a shared control block (threads.ts): a worker spins briefly after a
// job, then sleeps in Atomics.wait. Results equal 1 thread's within float tolerance (another summation
// order of the weight gradients) and are bit-for-bit reproducible for a given T and seed. Dense layers,
// softmax and the optimizer stay on the main thread (they are small). dispose() stops the workers; they are
// unref'd, so a forgotten dispose never keeps the process alive.
//
// Randomness: one xoshiro128** Rng per network (init in layer order, then dropout masks), from the seed.
// Initialisation: He uniform (kaiming_uniform, fan_in) for layers followed by relu, Glorot uniform otherwise,
// biases zero (init.ts).

export { createNetwork, Network } from './network';
export type { NetworkOptions, StepResult, LayerActivation, LayerFilters, NamedTensor, Targets, Yielder } from './network';
export type { LogitGradRequest, LogitGradients } from './explainGrad';
export { layerNorms, updateRatios, SIGMOID_TAIL, TANH_TAIL } from './health';
export type { HealthLayout, ParamLayer, ActivityLayer, ActivityKind, LayerNorms, UnitActivity } from './health';
export { LAYERS } from './layers';
export type { LayerOps } from './layers';
export type { OptimizerConfig, OptimizerKind } from './optim';
export { OPTIMIZER_DEFAULTS, sgdStep, adamStep } from './optim';
export type { BackendName, BackendChoice } from './backend';
export { loadWasmModule, WASM_FILES, type WasmFile } from './backend';
export { installEngineRuntime, type EngineRuntime } from './runtime';
export { Rng } from './rng';
export { saveCheckpoint, loadCheckpoint, encodeSafetensors, decodeSafetensors, checkTensors, modelTensorShapes, isCheckpointTemp } from './checkpoint';
export type { Checkpoint, CheckpointMetadata } from './checkpoint';
