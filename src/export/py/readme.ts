// README.md of the exported package. Every name and path in it is Markdown-escaped text or a code span built
// for its content (markdown.ts), so no name can add a line, a heading, HTML or a link of its own.

import type { ModelSpec } from '../../language/model';
import type { DataConfig } from './data';
import { mdCode, mdText, shellWord } from './markdown';

export function readmeMd(spec: ModelSpec, fileName: string, data: DataConfig): string {
  const { h, w, c } = spec.input;
  const t = spec.train;
  const multi = spec.task === 'multilabel';
  const dataLine =
    data.kind === null
      ? 'The .cnn file has no `data` line: add one and export again (or edit `DATA` in `data.py`).'
      : data.kind === 'shapes'
        ? `\`data shapes\`: ${data.samples} generated door / stair / sign pictures. \`shapes.py\` draws them with numpy: the same kind of pictures as CNN Studio's generator, but not the same pixels (another random generator), so accuracies are comparable, not identical.`
        : `${mdCode(`data ${data.kind} ${data.written ?? ''}`)}, which from this folder is ${mdCode(data.path ?? '')}. Use \`--data PATH\` when the data lives elsewhere (for example on a GPU server).`;
  return `# ${mdText(spec.name)} in PyTorch

Exported by CNN Studio from ${mdCode(fileName)}. A plain PyTorch package: \`torch\` and \`numpy\` are all it needs
(\`Pillow\` too for \`data folder\`, and \`pydicom\` when it holds DICOM files). Install them with
\`pip install torch numpy\` or, on Debian/Ubuntu, \`sudo apt-get install python3-torch python3-numpy\`.

| file | what it holds |
| --- | --- |
| \`model.py\` | the network as an \`nn.Module\`: \`self.layers[i]\` is the i-th layer statement, so \`state_dict()\` names are CNN Studio's checkpoint names (\`layers.{i}.weight\`, \`layers.{i}.bias\`; batch norm's \`running_mean\`, \`running_var\`, \`num_batches_tracked\`) |
| \`data.py\` | the file's data source and validation split; \`to_nchw()\` for N×H×W×C arrays |
| \`datasets.py\` | the datasets every source gives (image H×W×C in [0, 1], label) and their \`DataError\` |
| \`shapes.py\` | \`data shapes\`: the door / stair / sign generator |
| \`arrays.py\` | \`data idx\` and \`data npz\`: MNIST's IDX files, MedMNIST's .npz |
| \`images.py\` | \`data folder\`: listing, checking and decoding a folder of PNG/JPEG images (Pillow) |
| \`dicom.py\` | DICOM files in a \`data folder\` (pydicom), read as CNN Studio reads them |
| \`train.py\` | the flags and the training loop; the file's \`train\` line gives the defaults |
| \`objective.py\` | the loss (cross-entropy, or binary cross-entropy for a multi-label network), \`class_weights\` and the class counts |
| \`augment.py\` | the file's \`augment\` statement on the training batches (torch tensor operations) |
| \`runs.py\` | the run folder (\`runs/<network>-<time>/\` or \`--out DIR\`) and its lock |
| \`report.py\` | the progress messages (JSON lines, or \`--text\`) |
| \`inspection.py\` | evaluations and snapshots for CNN Studio's inspector |
| \`metrics.py\` | AUC, ROC curves, precision, recall and F1 (numpy; scikit-learn's definitions) |
| \`health.py\` | training health: gradient and weight norms, update ratios, dead and saturated units, the warnings W301–W304 |
| \`control.py\` | Ctrl+C and the editor's requests on stdin |
| \`distributed.py\` | the device (CPU, CUDA) and torchrun's processes |
| \`safetensors_io.py\` | reads and writes checkpoints (safetensors) without extra packages |
| \`network.cnn\` | the .cnn source, stored in every checkpoint's metadata |

Data: ${dataLine}

${taskLine(spec)}

## Train

On the CPU, or on a GPU when PyTorch sees one (it picks CUDA by itself; \`--device cpu\` forces the CPU):

    python3 train.py
    python3 train.py --epochs ${t.epochs} --batch ${t.batch} --optimizer ${t.optimizer} --lr ${t.lr} --out runs/first

With several processes (one per GPU, or several on the CPU), \`DistributedDataParallel\` through \`torchrun\`:

    torchrun --nproc_per_node=2 train.py
    python3 -m torch.distributed.run --nproc_per_node=2 --standalone train.py --epochs 1

Each process trains on its share of every epoch with \`--batch\` samples per step (so one step sees
batch × processes samples); NCCL connects them on GPUs, gloo on the CPU. Process 0 writes the files.
On a machine with several GPUs, \`torchrun --nproc_per_node=NUMBER_OF_GPUS train.py\` gives each process its
own GPU (\`LOCAL_RANK\`); on one GPU, plain \`python3 train.py\` is the fastest.

PyTorch 1.13 on Python 3.11 (Debian 12's \`python3-torch\`) has a torchrun bug: it stops at once with
\`AttributeError: 'NoneType' object has no attribute 'get'\`. Give it \`--redirects 1:2 --tee 1:2\` (process 1's
stderr also goes to a log file), which works with every version:

    torchrun --nproc_per_node=2 --redirects 1:2 --tee 1:2 train.py

If torchrun starts but never trains on one machine, its host name probably does not resolve to an address
the processes can reach (\`--standalone\` and gloo both look it up). Keep everything on the loopback:

    GLOO_SOCKET_IFNAME=lo torchrun --nnodes=1 --rdzv_backend=static --master_addr=127.0.0.1 --master_port=29500 --nproc_per_node=2 train.py

\`python3 train.py --help\` lists every flag: \`--epochs --batch --optimizer --lr --momentum --weight-decay
--seed --val --init CKPT --out DIR --data PATH --device --workers --text --snapshot-interval SEC --control stdin\`.

## What comes out

OUT is a new folder \`runs/<network>-<time>/\` here (\`-2\`, \`-3\`, … when a run started in the same second
took the name), or \`--out DIR\`. A run folder is one run's alone: \`--out DIR\` is refused while another training
uses it (CNN Studio's own trainer included) and when it already holds a run, unless this run continues that
one (\`--init DIR/model.safetensors --out DIR\`), which appends to its \`metrics.jsonl\`.

\`OUT/model.safetensors\` after every epoch, \`OUT/best.safetensors\` (the epoch with the best validation AUC, else
accuracy) and \`OUT/metrics.jsonl\` (one line per epoch). When the data has a test split apart from the validation
split (an .npz with both \`val_\` and \`test_\` arrays), the run ends with its loss, accuracy and AUC. The checkpoint is
CNN Studio's format, so ${mdCode(`cnn predict ${shellWord(fileName)} --weights OUT/model.safetensors --input x.npy`)} and the
editor's inspector use it directly, and \`--init\` starts from any CNN Studio checkpoint of this network.

Progress goes to stdout as JSON lines, the messages of CNN Studio's trainer
(\`{"type": "started"|"progress"|"epoch"|"evaluation"|"done"|"error"|"log", ...}\`); \`--text\` prints plain
lines instead. Ctrl+C stops after the current step and still writes the checkpoint. CNN Studio's editor runs
\`train.py --control stdin --snapshot-interval 1\` when its \`cnnStudio.backend\` setting is \`pytorch\`: it sends
requests as JSON lines on stdin and gets \`snapshot\` messages (every layer's output for one sample) for the
inspector; their tensors are base64 little-endian float32.

## Use the model

    import torch
    from model import build_model
    from safetensors_io import load_into

    model = build_model()
    load_into(model, "OUT/model.safetensors")   # load_state_dict(strict=True) with clear errors
    x = torch.rand(4, ${c}, ${h}, ${w})                # N×C×H×W, pixels in [0, 1]
    print(model.predict(x))                      # N×${spec.classes.length} ${multi ? 'label probabilities (each its own sigmoid)' : 'class probabilities'}

\`forward()\` returns the logits; \`predict()\` applies the ${multi ? 'sigmoid' : 'softmax'}. CNN Studio holds images as N×H×W×C
(as the .cnn file writes \`input ${h}x${w}x${c}\`): \`data.to_nchw(x)\` converts such an array.

## How \`model.py\` runs the network

\`model.py\` is the same code for every network; only its \`SPEC\` block (JSON) says which layers there are and
what flows into each: the line above, the label a \`from\` line names, and the labels of \`add\`/\`concat\`.
\`forward()\` is one loop over the layer statements in the file's order, each taking its inputs' outputs, so
branches and merges (ResNet shortcuts, U-Net skips) need no code of their own and the file's order is the
order things run. To read the network as code, print it written out, one line per statement of the .cnn
file:

    python3 model.py                  # or: print(build_model().describe())

which shows lines such as \`x10 = layers[10](x9, main)  # line 14  add main -> N×8×5×5\`: the statement's
module, the values it takes (a label's name, or \`x{i}\` for layer i), the .cnn line and the output shape.
Generating a different \`forward()\` per network would make every export a new program to trust; this way the
one loop is tested once and the \`.cnn\` file stays the description of the network.

Batch norm is \`BatchNorm2d\` on volumes and \`BatchNorm1d\` on vectors, with the file's \`momentum\` and \`eps\`:
batch statistics while training, running statistics in \`eval()\` mode (\`predict()\`, validation and the
inspector's snapshots switch to it by themselves). A training batch of one sample has no batch statistics
where batch norm sees one value per channel (a vector, a 1×1 volume) and PyTorch refuses it: for such a
network \`train.py\` leaves a last batch of one sample out of each epoch, and \`--batch\` must be 2 or more.
Under \`torchrun\` each process normalises over its own \`--batch\` samples, as one step of the built-in
engine does, and \`DistributedDataParallel\` hands process 0's running statistics to the others each step.

## Differences from CNN Studio's built-in engine

- Starting weights follow the same rule (He uniform before relu, Glorot otherwise, zero biases), drawn by
  PyTorch's random generator, so they are not the same numbers; the validation split and the shuffling use
  numpy's and PyTorch's generators too. Same seed, same run here; not the same run as the built-in engine.
- \`data shapes\` is drawn by a numpy port of the generator (see above).
- The optimizers are PyTorch's own, which the engine reproduces (SGD with momentum, Adam 0.9/0.999/1e-8).
`;
}

/** What the network is trained for: the task, its loss, the class weights and the augmentation. */
function taskLine(spec: ModelSpec): string {
  const cw = spec.train.classWeights ?? null;
  const weights =
    cw === null
      ? ''
      : cw === 'balanced'
        ? spec.task === 'multilabel'
          ? ' \`class_weights=balanced\`: each label\'s \`pos_weight\` is negatives / positives of the training split.'
          : ' \`class_weights=balanced\`: each class weighs n / (K · n_class) of the training split (scikit-learn\'s rule).'
        : ` \`class_weights\`: ${cw.join(', ')} (${spec.task === 'multilabel' ? 'pos_weight per label' : 'weight per class'}).`;
  const task =
    spec.task === 'multilabel'
      ? `Task: multi-label (the network ends in \`sigmoid\`): ${spec.classes.length} labels of 0 or 1 per sample, trained with \`BCEWithLogitsLoss\` on the logits; accuracy is the share of labels right at 0.5.`
      : 'Task: one class per sample, trained with \`CrossEntropyLoss\` on the logits.';
  const aug = spec.augment ? ' The training batches are augmented as the \`augment\` line says (`augment.py`); validation and test batches never are.' : '';
  return `${task}${weights}${aug}`;
}
