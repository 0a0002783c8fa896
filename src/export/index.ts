// src/export: CNN Studio networks for other engines.
//
//   pytorchPackage(spec, { file, outDir }): ExportedFile[]     model.py, data.py, train.py and their modules,
//   writePytorchPackage(spec, { file, outDir }): string[]       safetensors_io.py, README.md, network.cnn (text
//                                                               only; the file list is in pytorch.ts)
//   defaultPytorchDir(file, network)                            <network>-pytorch/ beside the .cnn file
//   pytorchTarget(spec, opts, force) / decideFile(observeFile…)  may the export write there? (never over the
//                                                               user's files; target.ts, targetFs.ts)
//   onnxModel(spec, { tensors, layout? }): Uint8Array           the inference graph, ONNX opset 13 (onnx.ts)
//   PytorchTrainer                                              runs an exported train.py as the trainer child
//                                                               (same surface as TrainerClient; runner.ts)
//
// Imports: the language's types, the protocol and node built-ins; never the engine (the editor uses this folder,
// and the editor never loads the engine). Weights for ONNX come from the caller (the CLI reads them).

export { defaultPytorchDir, pytorchPackage, pytorchTarget, writePytorchPackage, type ExportedFile, type PytorchExportOptions } from './pytorch';
export { decideFile, decidePackage, EXPORT_MARKER, refusalText, type Decision, type Refusal } from './target';
export { observeFile } from './targetFs';
export { onnxModel, ONNX_IR_VERSION, ONNX_OPSET, type OnnxLayout, type OnnxOptions, type OnnxTensor } from './onnx';
export { PytorchTrainer, checkPython, type PythonCheck, type PytorchTrainerOptions } from './runner';
