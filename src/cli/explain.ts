// `cnn explain FILE --weights CKPT --input X [--method gradcam|saliency|occlusion] [--line L] [--class C]
// [--window W --stride S] [--json]`: where the network looked, per input sample (src/explain). Everything asked
// is checked against the model before anything is read or computed; --json prints the raw maps, otherwise PNG
// overlays are written beside the input and their paths printed.

import { writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { defaultLine, explain, ExplainError, layerOnLine, METHODS, OCCLUSION_BATCH, occlusionWindow, overlayPng, resolveClass, type ExplainMethod, type ExplainOptions } from '../explain';
import type { ModelSpec } from '../language';
import { intFlag, type ParsedArgs, stringFlag, UsageError } from './args';
import type { Io } from './check';
import { UserError } from './errors';
import { readModelInput } from './modelInput';
import { checkedModel, trainedNetwork } from './trained';

const isMethod = (m: string): m is ExplainMethod => (METHODS as readonly string[]).includes(m);

/** What the command line asks, checked against the model (ExplainError → UserError). */
function request(args: ParsedArgs, spec: ModelSpec, method: ExplainMethod) {
  const line = intFlag(args, 'line', 1);
  const window = intFlag(args, 'window', 1);
  const stride = intFlag(args, 'stride', 1);
  if (line !== undefined && method !== 'gradcam') throw new UsageError(`--line chooses the layer of Grad-CAM; --method ${method} explains from the input`);
  if ((window !== undefined || stride !== undefined) && method !== 'occlusion') throw new UsageError(`--window and --stride are occlusion's; this is --method ${method}`);
  try {
    const lineNo = method === 'gradcam' ? (line ?? defaultLine(spec)) : null;
    const options: ExplainOptions = { method, cls: resolveClass(spec, stringFlag(args, 'class')) };
    if (lineNo !== null) options.layer = layerOnLine(spec, lineNo).index;
    if (method === 'occlusion') options.occlusion = occlusionWindow(spec, window, stride);
    return { line: lineNo, options };
  } catch (err) {
    if (err instanceof ExplainError) throw new UserError(`cannot explain ${args.positional[0]}: ${err.message}.`);
    throw err;
  }
}

/** The overlay's path: beside the input, named after it, the method and (for several samples) the sample. */
function overlayPath(input: string, method: ExplainMethod, i: number, n: number): string {
  const stem = basename(input, extname(input));
  return join(dirname(input), `${stem}.${method}${n > 1 ? `.${i}` : ''}.png`);
}

export async function runExplain(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positional.length !== 1) throw new UsageError('explain needs exactly one .cnn file');
  const weights = stringFlag(args, 'weights');
  const input = stringFlag(args, 'input');
  if (!weights) throw new UsageError('explain needs --weights CKPT (a .safetensors checkpoint from cnn train)');
  if (!input) throw new UsageError('explain needs --input X (an .npy array or an image file)');
  const method = stringFlag(args, 'method') ?? 'gradcam';
  if (!isMethod(method)) throw new UsageError(`--method must be one of ${METHODS.join(', ')}, not '${method}'`);
  const spec = checkedModel(args.positional[0]!);
  const req = request(args, spec, method);
  const { x, n } = await readModelInput(input, spec);
  const batch = method === 'occlusion' ? OCCLUSION_BATCH : Math.min(n, spec.train.batch);
  const net = trainedNetwork(spec, args.positional[0]!, weights, batch, 'explain');
  const result = explain(net, x, n, req.options);
  if (args.flags.has('json')) {
    const maps = result.maps.map((m) => Array.from({ length: m.h }, (_, r) => Array.from(m.data.subarray(r * m.w, (r + 1) * m.w))));
    io.out(JSON.stringify({ method, line: req.line, classes: result.classes, maps }) + '\n');
    return 0;
  }
  const { h, w, c } = spec.input;
  const size = h * w * c;
  for (let i = 0; i < n; i++) {
    const path = overlayPath(input, method, i, n);
    try {
      writeFileSync(path, overlayPng(x.subarray(i * size, (i + 1) * size), h, w, c, result.maps[i]!));
    } catch (err) {
      throw new UserError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    io.out(`${path}  ${spec.classes[result.classes[i]!]}\n`);
  }
  return 0;
}
