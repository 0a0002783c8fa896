// train.py: the training loop, with the file's hyperparameters as defaults; CPU, CUDA and torchrun (DDP).

import type { ModelSpec } from '../../language/model';
import { pyLit, pyStr, safeName } from './common';

export function trainPy(spec: ModelSpec): string {
  const t = spec.train;
  const defaults = { epochs: t.epochs, batch: t.batch, optimizer: t.optimizer, lr: t.lr, momentum: t.momentum, weight_decay: t.weightDecay, seed: t.seed, val: t.val };
  const head = String.raw`"""Train ${spec.name.replace(/"/g, "'")} with PyTorch, as CNN Studio's built-in engine would: same network, data, loss
(softmax cross-entropy on the logits, mean over the batch), optimizer and hyperparameters, same checkpoints.

    python3 train.py                                 # CPU, or the GPU when torch sees one (CUDA)
    python3 train.py --epochs 20 --lr 0.0005 --out runs/long
    torchrun --nproc_per_node=2 train.py             # 2 processes, DistributedDataParallel

Every default below comes from the .cnn file's "train" line; each one can be overridden by its flag.
Under torchrun each process trains on its share of every epoch (DistributedSampler) with --batch samples
per step, so one step sees batch × processes samples; the gradients are averaged across the processes.
Process 0 writes the checkpoint (OUT/model.safetensors, CNN Studio's format) after every epoch and
OUT/metrics.jsonl, and prints progress on stdout as JSON lines: the messages of CNN Studio's trainer
({"type": "started" | "progress" | "epoch" | "done" | "error" | "log", ...}), so the editor can show them.
--text prints the same as plain lines instead. Ctrl+C (SIGINT) stops after the current step and still
writes the checkpoint.

For CNN Studio's inspector: --snapshot-interval SEC prints a "snapshot" of one sample (the input, every layer's
output, the conv filters, the class probabilities) at most every SEC seconds, and "evaluation" messages
(confusion matrix, misclassified samples) follow every epoch's validation. Tensors in these messages are
{"shape": [...], "data": base64 of little-endian float32}: inputs H×W×C, layer outputs C×H×W or N, filters
K×C×F_h×F_w. --control stdin reads the editor's requests as JSON lines on stdin: {"type": "stop"},
{"type": "snapshot", "sample": i} or {"type": "snapshot", "imagePath": "x.png"}, {"type": "evaluate"}.
"""

import argparse
import base64
import datetime
import json
import math
import os
import queue
import signal
import sys
import threading
import time

import numpy as np
import torch
import torch.nn.functional as F

from data import DataError, collate, load_image, open_data
from model import LAYER_KINDS, LAYER_LINES, NAME, build_model
from safetensors_io import load_into, save_file

HERE = os.path.dirname(os.path.abspath(__file__))

# The .cnn file's train line (with CNN Studio's defaults for what it leaves out).
DEFAULTS = ${pyLit(defaults)}
SAFE_NAME = ${pyStr(safeName(spec.name))}
`;
  return head + TRAIN_BODY;
}

const TRAIN_BODY = String.raw`

class Failure(Exception):
    """A failure reported as {"type": "error", "stage": ..., "message": ...}: setup, data, train or checkpoint."""

    def __init__(self, stage, message, code=None):
        super().__init__(message)
        self.stage, self.message, self.code = stage, message, code


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Train %s (exported by CNN Studio)." % NAME)
    p.add_argument("--epochs", type=int, default=DEFAULTS["epochs"], help="epochs to train (default %(default)s)")
    p.add_argument("--batch", type=int, default=DEFAULTS["batch"], help="samples per step and process (default %(default)s)")
    p.add_argument("--optimizer", choices=["sgd", "adam"], default=DEFAULTS["optimizer"], help="default %(default)s")
    p.add_argument("--lr", type=float, default=DEFAULTS["lr"], help="learning rate (default %(default)s)")
    p.add_argument("--momentum", type=float, default=DEFAULTS["momentum"], help="SGD momentum (default %(default)s)")
    p.add_argument("--weight-decay", type=float, default=DEFAULTS["weight_decay"], help="L2 weight decay (default %(default)s)")
    p.add_argument("--seed", type=int, default=DEFAULTS["seed"], help="seeds the weights, the split and the shuffling (default %(default)s)")
    p.add_argument("--val", type=float, default=DEFAULTS["val"], help="validation fraction; 0 for none (default: the data's own split, else 0.1)")
    p.add_argument("--init", metavar="CKPT", help="start from this checkpoint (.safetensors from CNN Studio or train.py)")
    p.add_argument("--out", metavar="DIR", help="folder for model.safetensors and metrics.jsonl (default: runs/%s-<time>/ here)" % SAFE_NAME)
    p.add_argument("--data", metavar="PATH", help="the data folder or file, instead of the one the .cnn file names")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="auto: CUDA when available (default)")
    p.add_argument("--workers", type=int, default=0, help="DataLoader worker processes (default 0)")
    p.add_argument("--text", action="store_true", help="print progress as plain lines instead of JSON")
    p.add_argument("--snapshot-interval", type=float, default=0, metavar="SEC",
                   help="print an inspector snapshot at most every SEC seconds while training; 0: only when asked (default)")
    p.add_argument("--control", choices=["none", "stdin"], default="none",
                   help="stdin: take stop / snapshot / evaluate requests as JSON lines on stdin (CNN Studio's editor)")
    args = p.parse_args(argv)
    if args.epochs < 1 or args.batch < 1:
        p.error("--epochs and --batch must be at least 1")
    return args


# ---------------------------------------------------------------------------------------------- messages


class Reporter:
    """Prints the trainer's messages on stdout (process 0 only), as JSON lines or plain text."""

    def __init__(self, rank, text):
        self.rank, self.text = rank, text

    def emit(self, msg):
        if self.rank != 0:
            return
        print(self.plain(msg) if self.text else json.dumps(msg), flush=True)

    @staticmethod
    def plain(m):
        t = m["type"]
        if t == "started":
            return "Training on %d samples, validating on %d; %d parameters; %d epochs of %d steps." % (
                m["trainSize"], m["valSize"], m["params"], m["epochs"], m["stepsPerEpoch"])
        if t == "progress":
            return "epoch %d/%d step %d/%d  loss %.4f acc %.1f%%  %d samples/s" % (
                m["epoch"], m["epochs"], m["step"], m["steps"], m["loss"], 100 * m["accuracy"], m["samplesPerSec"])
        if t == "epoch":
            val = "" if m["valLoss"] is None else "  val loss %.4f acc %.1f%%" % (m["valLoss"], 100 * m["valAccuracy"])
            return "epoch %d/%d  train loss %.4f acc %.1f%%%s  (%.1fs)" % (
                m["epoch"], m["epochs"], m["trainLoss"], 100 * m["trainAccuracy"], val, m["seconds"])
        if t == "done":
            return "%s after %d epochs. Checkpoint: %s" % ("Stopped" if m["stopped"] else "Done", m["epochsRun"], m["checkpoint"])
        if t == "error":
            return "%s error: %s" % (m["stage"], m["message"])
        return m.get("message", json.dumps(m))


# ------------------------------------------------------------------------------------------ distribution


def setup_device(choice):
    """(world size, rank, device). Under torchrun (WORLD_SIZE > 1) this joins the process group:
    NCCL on CUDA, gloo on the CPU."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if choice == "cuda" and not torch.cuda.is_available():
        raise Failure("setup", "--device cuda, but PyTorch sees no CUDA device (torch.cuda.is_available() is False).")
    use_cuda = choice != "cpu" and torch.cuda.is_available()
    if use_cuda:
        device = torch.device("cuda", local_rank % torch.cuda.device_count())
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    if world > 1:
        import torch.distributed as dist

        dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    return world, rank, device


def all_sum(values, device, world):
    """Sums a list of numbers over all processes (a no-op for one process)."""
    if world == 1:
        return values
    import torch.distributed as dist

    t = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return t.tolist()


# ------------------------------------------------------------------------------------------------ training


def tensor_msg(t):
    """A tensor as the messages carry it: {"shape": [...], "data": base64 of its little-endian float32 bytes}."""
    a = t.detach().to("cpu", torch.float32).contiguous().numpy().astype("<f4", copy=False)
    return {"shape": list(a.shape), "data": base64.b64encode(a.tobytes()).decode("ascii")}


MAX_MISCLASSIFIED = 24


@torch.no_grad()
def evaluate(model, dataset, batch, device, world, rank, workers, classes):
    """Mean cross-entropy, accuracy and the confusion matrix (confusion[true][predicted]) on the dataset, summed
    over the processes (each takes every world-th sample), and up to 24 of this process's misclassified samples."""
    from torch.utils.data import DataLoader, Subset

    was_training = model.training
    model.eval()
    indices = list(range(rank, len(dataset), world))
    loader = DataLoader(Subset(dataset, indices), batch_size=max(batch, 64), collate_fn=collate, num_workers=workers)
    k = len(classes)
    loss_sum, correct, n = 0.0, 0, 0
    confusion = torch.zeros(k * k, dtype=torch.int64)
    missed = []
    for x, y in loader:
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        logits = model(x)
        predicted = logits.argmax(1)
        loss_sum += float(F.cross_entropy(logits, y, reduction="sum"))
        correct += int((predicted == y).sum())
        confusion += torch.bincount((y * k + predicted).cpu(), minlength=k * k)
        if len(missed) < MAX_MISCLASSIFIED:
            probabilities = torch.softmax(logits, 1).cpu()
            for j in torch.nonzero(predicted != y).flatten().tolist()[: MAX_MISCLASSIFIED - len(missed)]:
                missed.append({
                    "index": indices[n + j], "label": int(y[j]), "predicted": int(predicted[j]),
                    "probabilities": probabilities[j].tolist(), "input": tensor_msg(x[j].permute(1, 2, 0)),
                })
        n += len(y)
    model.train(was_training)
    sums = all_sum([loss_sum, correct, n] + confusion.tolist(), device, world)
    loss_sum, correct, n = sums[:3]
    matrix = [[int(v) for v in sums[3 + r * k : 3 + (r + 1) * k]] for r in range(k)]
    return {"loss": loss_sum / max(n, 1), "accuracy": correct / max(n, 1), "confusion": matrix, "misclassified": missed}


def evaluation_msg(ev, classes, split):
    return {"type": "evaluation", "classes": list(classes), "confusion": ev["confusion"],
            "misclassified": ev["misclassified"], "split": split}


class Snapshots:
    """The inspector's view of one sample (of the validation set, else the training set, or an image file): the
    input, every layer's output, the conv filters and the class probabilities. Process 0 only."""

    def __init__(self, model, data, device, report, interval):
        self.model, self.data, self.device, self.report, self.interval = model, data, device, report, interval
        self.sample, self.image, self.last = 0, None, 0.0

    def due(self):
        return self.interval > 0 and time.time() - self.last >= self.interval

    def send(self):
        data = self.data
        validation = data.val is not None and len(data.val) > 0
        dataset = data.val if validation else data.train
        if self.image:
            x, label, source = load_image(self.image), None, self.image
        else:
            i = min(self.sample, len(dataset) - 1)
            x, label = dataset[i]
            source = "%s sample %d" % ("validation" if validation else "training", i)
        x = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
        batch = x.permute(2, 0, 1)[None].to(self.device)
        activations = self.model.activations(batch)
        probabilities = self.model.predict(batch)[0]
        layers = self.model.layers
        self.report.emit({
            "type": "snapshot", "source": source, "label": label, "input": tensor_msg(x),
            "activations": [dict(tensor_msg(t[0]), index=i, kind=LAYER_KINDS[i], line=LAYER_LINES[i]) for i, t in activations],
            "filters": [dict(tensor_msg(layers[i].weight), index=i, line=LAYER_LINES[i])
                        for i, kind in enumerate(LAYER_KINDS) if kind == "conv"],
            "probabilities": [float(p) for p in probabilities], "classes": list(data.class_names),
        })
        self.last = time.time()


class Control:
    """--control stdin: the editor's requests as JSON lines on stdin, read by a thread and answered between
    steps. {"type": "stop"} (or the end of stdin: the editor went away) stops like Ctrl+C."""

    def __init__(self, enabled, stop):
        self.requests = queue.Queue()
        self.stop = stop
        if enabled:
            threading.Thread(target=self._read, name="control", daemon=True).start()

    def _read(self):
        for line in sys.stdin:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if not isinstance(msg, dict):
                continue
            if msg.get("type") == "stop":
                self.stop.flag = True
            else:
                self.requests.put(msg)
        self.stop.flag = True

    def pending(self):
        out = []
        while True:
            try:
                out.append(self.requests.get_nowait())
            except queue.Empty:
                return out


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def read_source():
    try:
        with open(os.path.join(HERE, "network.cnn"), encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def write_checkpoint(model, path, final, epochs_run):
    metrics = dict(epochs=epochs_run, **(final or {}))
    try:
        save_file(model.state_dict(), path, {"source": read_source(), "metrics": json.dumps(metrics)})
    except OSError as e:
        raise Failure("checkpoint", "cannot write %s: %s" % (path, e))


def train(args, report, stop, control):
    from torch.utils.data import DataLoader, DistributedSampler

    world, rank, device = setup_device(args.device)
    report.rank = rank
    report.emit({"type": "log", "message": "PyTorch %s on %s%s" % (
        torch.__version__, device, ", %d processes (%s)" % (world, "nccl" if device.type == "cuda" else "gloo") if world > 1 else "")})

    # Data: the same source and split in every process (seeded), each process then trains on its share.
    try:
        data = open_data(args.seed, args.val, args.data)
    except DataError as e:
        raise Failure("data", str(e), "E040")
    if len(data.train) == 0:
        raise Failure("data", "The training set is empty.", "E040")

    # The model: identical starting weights in every process (same seed), or the --init checkpoint.
    torch.manual_seed(args.seed)
    model = build_model()
    if args.init:
        try:
            load_into(model, args.init)
        except (OSError, ValueError) as e:
            raise Failure("setup", "cannot start from %s: %s" % (args.init, e))
    model.to(device)
    net = model
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel

        net = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    torch.manual_seed(args.seed + rank)  # dropout masks differ between processes

    if args.optimizer == "sgd":
        optimizer = torch.optim.SGD(net.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    else:
        optimizer = torch.optim.Adam(net.parameters(), lr=args.lr, weight_decay=args.weight_decay)

    if world > 1:
        sampler = DistributedSampler(data.train, num_replicas=world, rank=rank, shuffle=True, seed=args.seed)
        loader = DataLoader(data.train, batch_size=args.batch, sampler=sampler, collate_fn=collate,
                            num_workers=args.workers, pin_memory=device.type == "cuda")
    else:
        sampler = None
        generator = torch.Generator()
        generator.manual_seed(args.seed)
        loader = DataLoader(data.train, batch_size=args.batch, shuffle=True, generator=generator, collate_fn=collate,
                            num_workers=args.workers, pin_memory=device.type == "cuda")

    out = os.path.abspath(args.out or os.path.join(HERE, "runs", "%s-%s" % (SAFE_NAME, time.strftime("%Y%m%d-%H%M%S"))))
    checkpoint = os.path.join(out, "model.safetensors")
    metrics_file = os.path.join(out, "metrics.jsonl")
    if rank == 0:
        try:
            os.makedirs(out, exist_ok=True)
            open(metrics_file, "w").close()
        except OSError as e:
            raise Failure("checkpoint", "cannot write to %s: %s" % (out, e))

    steps = len(loader)
    epochs = args.epochs
    report.emit({
        "type": "started", "epochs": epochs, "stepsPerEpoch": steps, "trainSize": len(data.train),
        "valSize": len(data.val) if data.val is not None else 0, "classes": list(data.class_names),
        "params": sum(p.numel() for p in model.parameters()), "backend": "pytorch", "warnings": list(data.warnings),
    })

    snaps = Snapshots(model, data, device, report, args.snapshot_interval) if rank == 0 else None
    has_val = data.val is not None and len(data.val) > 0

    def answer(requests):
        """The editor's snapshot and evaluation requests; their failures are reported and training goes on."""
        for r in requests:
            try:
                if r.get("type") == "evaluate":
                    if world > 1:
                        report.emit({"type": "log", "message": "Evaluations on request need a single process; "
                                     "they come after every epoch."})
                        continue
                    ev = evaluate(model, data.val if has_val else data.train, args.batch, device, world, rank,
                                  args.workers, data.class_names)
                    report.emit(evaluation_msg(ev, data.class_names, "validation" if has_val else "training"))
                elif r.get("type") == "snapshot":
                    if isinstance(r.get("imagePath"), str):
                        snaps.image = r["imagePath"]
                    elif isinstance(r.get("sample"), int):
                        snaps.image, snaps.sample = None, max(0, r["sample"])
                    snaps.send()
            except Exception as e:  # noqa: BLE001 - a bad request never stops training
                report.emit({"type": "error", "stage": "snapshot", "message": "%s" % e})

    def between_steps():
        if snaps is None:
            return
        answer(control.pending())
        if snaps.due():
            answer([{"type": "snapshot"}])

    started = time.time()
    last_progress = 0.0
    samples_done = 0
    total_samples = epochs * steps * args.batch * world
    final, epochs_run, stopped = None, 0, False
    for epoch in range(1, epochs + 1):
        if sampler is not None:
            sampler.set_epoch(epoch)
        t0 = time.time()
        loss_sum, correct, seen = 0.0, 0, 0
        net.train()
        for step, (x, y) in enumerate(loader, start=1):
            between_steps()
            if stop.requested(device, world):
                stopped = True
                break
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            logits = net(x)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            value = float(loss)
            if not math.isfinite(value):
                raise Failure("train", "The loss became %s at epoch %d, step %d: training diverged. Try a lower learning rate "
                              "(--lr %.2g instead of %g)." % (value, epoch, step, args.lr / 10, args.lr))
            n = len(y)
            loss_sum += value * n
            correct += int((logits.detach().argmax(1) == y).sum())
            seen += n
            samples_done += n * world
            now = time.time()
            if now - last_progress >= 0.25 or step == steps:
                last_progress = now
                rate = samples_done / max(now - started, 1e-3)
                report.emit({
                    "type": "progress", "epoch": epoch, "epochs": epochs, "step": step, "steps": steps,
                    "loss": loss_sum / seen, "accuracy": correct / seen, "samplesPerSec": rate,
                    "etaSec": max(0.0, total_samples - samples_done) / max(rate, 1e-6),
                })
        if stopped:
            break
        loss_sum, correct, seen = all_sum([loss_sum, correct, seen], device, world)
        val_loss = val_acc = ev = None
        if has_val:
            ev = evaluate(model, data.val, args.batch, device, world, rank, args.workers, data.class_names)
            val_loss, val_acc = ev["loss"], ev["accuracy"]
        m = {
            "type": "epoch", "epoch": epoch, "epochs": epochs, "trainLoss": loss_sum / max(seen, 1),
            "trainAccuracy": correct / max(seen, 1), "valLoss": val_loss, "valAccuracy": val_acc,
            "seconds": time.time() - t0,
        }
        report.emit(m)
        if ev is not None:
            report.emit(evaluation_msg(ev, data.class_names, "validation"))
        final = {"trainLoss": m["trainLoss"], "trainAccuracy": m["trainAccuracy"], "valLoss": val_loss, "valAccuracy": val_acc}
        epochs_run = epoch
        if rank == 0:
            row = {k: v for k, v in m.items() if k != "type"}
            row["time"] = now_iso()
            with open(metrics_file, "a") as f:
                f.write(json.dumps(row) + "\n")
            write_checkpoint(model, checkpoint, final, epochs_run)
    if rank == 0 and epochs_run == 0:
        write_checkpoint(model, checkpoint, None, 0)  # stopped in the first epoch: keep the weights as they are
    if snaps is not None and snaps.interval > 0:
        answer([{"type": "snapshot"}])  # the final weights, for the inspector
    report.emit({"type": "done", "checkpoint": checkpoint, "metricsFile": metrics_file, "stopped": stopped,
                 "epochsRun": epochs_run, "final": final})
    if world > 1:
        import torch.distributed as dist

        dist.barrier()
        dist.destroy_process_group()


class StopFlag:
    """Set by SIGINT / SIGTERM; checked before every step. Under torchrun the processes agree (any one stops all)."""

    def __init__(self):
        self.flag = False

    def handler(self, signum, frame):
        if self.flag:  # a second Ctrl+C quits at once
            sys.exit(130)
        self.flag = True

    def requested(self, device, world):
        if world == 1:
            return self.flag
        return all_sum([1.0 if self.flag else 0.0], device, world)[0] > 0


def main(argv=None):
    args = parse_args(argv)
    report = Reporter(int(os.environ.get("RANK", "0")), args.text)
    stop = StopFlag()
    signal.signal(signal.SIGINT, stop.handler)
    signal.signal(signal.SIGTERM, stop.handler)
    control = Control(args.control == "stdin" and report.rank == 0, stop)
    try:
        train(args, report, stop, control)
        return 0
    except Failure as e:
        msg = {"type": "error", "stage": e.stage, "message": e.message}
        if e.code:
            msg["code"] = e.code
    except Exception as e:  # noqa: BLE001 - reported as a message, with the details on stderr
        import traceback

        traceback.print_exc()
        msg = {"type": "error", "stage": "train", "message": "%s: %s" % (type(e).__name__, e)}
    if report.rank == 0:
        report.emit(msg)
    else:
        print(json.dumps(msg), file=sys.stderr, flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
`;
