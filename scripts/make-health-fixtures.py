#!/usr/bin/python3
"""PyTorch reference for the engine's training-health figures (src/engine/health.ts), run with Debian's
python3-torch (1.13):

    /usr/bin/python3 scripts/make-health-fixtures.py        # writes test/fixtures/health/health.json

A small network with a conv+relu whose biases kill some channels, batch norm + relu, a tanh and a sigmoid with
large weights (some units saturate), leaky relu. With PyTorch hooks (forward hooks on the activations in
evaluation mode, tensor hooks on the parameters' gradients) it records, for the same weights and batch:
- per activation statement the share of units (channel x position, or feature) dead (relu: 0 on every sample)
  or saturated (sigmoid < 0.01 or > 0.99, tanh |y| > 0.99, on every sample), in evaluation mode;
- per parameterised layer, for one SGD (momentum) step and one Adam step from the same start, the L2 norm of the
  weight's gradient, of all its parameters' gradients, of the weight before the step, and ||w1 - w0|| / ||w0||.
test/unit/engine/health.test.ts holds the engine to these within 1e-4 (relative).
"""
import importlib.util
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from engine_fixture_io import flat, rand

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'health')

_spec = importlib.util.spec_from_file_location('engine_fixtures', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'make-engine-fixtures.py'))
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
ConvAct, DenseAct = _mod.ConvAct, _mod.DenseAct


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            ConvAct(2, 4, 3, padding=1, act=torch.relu),   # 0: conv 4 3x3 pad 1 activation=relu
            nn.BatchNorm2d(4),                             # 1: batchnorm
            nn.ReLU(),                                     # 2: relu
            nn.MaxPool2d(2),                               # 3: pool max 2
            nn.Conv2d(4, 3, 3, padding=1),                 # 4: conv 3 3x3 pad 1
            nn.Tanh(),                                     # 5: tanh
            DenseAct(27, 6, act=torch.sigmoid),            # 6: dense 6 activation=sigmoid
            nn.LeakyReLU(0.1),                             # 7: leakyrelu 0.1
            nn.Linear(6, 3),                               # 8: dense 3
            nn.Softmax(dim=1),                             # 9: softmax
        )

    def logits(self, x):
        return self.layers[:-1](x)


LAYERS = [
    dict(kind='conv', filters=4, fh=3, fw=3, sh=1, sw=1, ph=1, pw=1, dh=1, dw=1, groups=1, activation='relu'),
    dict(kind='batchnorm', momentum=0.1, eps=1e-5),
    dict(kind='relu'),
    dict(kind='pool', mode='max', fh=2, fw=2, sh=2, sw=2, ph=0, pw=0),
    dict(kind='conv', filters=3, fh=3, fw=3, sh=1, sw=1, ph=1, pw=1, dh=1, dw=1, groups=1, activation='none'),
    dict(kind='tanh'),
    dict(kind='dense', units=6, activation='sigmoid'),
    dict(kind='leakyrelu', slope=0.1),
    dict(kind='dense', units=3, activation='none'),
    dict(kind='softmax'),
]
INPUT = dict(h=6, w=6, c=2)
N = 8
# The activations, by statement index, and which figure each makes.
ACTIVITY = {0: ('relu', 'dead'), 2: ('relu', 'dead'), 5: ('tanh', 'saturated'), 6: ('sigmoid', 'saturated'), 7: ('leakyrelu', 'dead')}
PARAMETERISED = [0, 1, 4, 6, 8]


def alive(act, y):
    if act in ('relu', 'leakyrelu'):
        return y > 0
    if act == 'sigmoid':
        return (y >= 0.01) & (y <= 0.99)
    return y.abs() <= 0.99


def activity(model, x):
    """Dead/saturated shares per activation statement, from forward hooks in evaluation mode."""
    outs = {}
    hooks = []
    for i in ACTIVITY:
        hooks.append(model.layers[i].register_forward_hook(lambda m, inp, out, i=i: outs.__setitem__(i, out.detach())))
    model.eval()
    with torch.no_grad():
        model.logits(x)
    model.train()
    for h in hooks:
        h.remove()
    res = {}
    for i, (act, figure) in ACTIVITY.items():
        y = outs[i]
        units_alive = alive(act, y).any(dim=0)      # per unit: alive on any sample
        res[str(i)] = {figure: float((~units_alive).float().mean())}
    return res


def step(model, x, labels, kind):
    m = Model()
    m.load_state_dict(model.state_dict())
    grads = {}
    hooks = [p.register_hook(lambda g, name=name: grads.__setitem__(name, g.detach().clone())) for name, p in m.named_parameters()]
    before = {k: v.detach().clone() for k, v in m.state_dict().items()}
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9) if kind == 'sgd' else torch.optim.Adam(m.parameters(), lr=0.01)
    opt.zero_grad()
    F.cross_entropy(m.logits(x), labels).backward()
    opt.step()
    for h in hooks:
        h.remove()
    after = m.state_dict()
    out = {}
    for i in PARAMETERISED:
        w, b = f'layers.{i}.weight', f'layers.{i}.bias'
        out[str(i)] = dict(
            gradNorm=float(grads[w].norm()),
            paramGradNorm=float(torch.sqrt(grads[w].pow(2).sum() + grads[b].pow(2).sum())),
            weightNorm=float(before[w].norm()),
            updateRatio=float((after[w] - before[w]).norm() / before[w].norm()),
        )
    return out


def main():
    torch.manual_seed(7)
    model = Model()
    with torch.no_grad():
        model.layers[0].bias.copy_(torch.tensor([-4.0, 0.0, 0.3, -0.5]))   # some relu units never fire
        model.layers[1].running_mean.copy_(torch.tensor([0.2, 0.1, 0.0, 0.3]))
        model.layers[1].running_var.copy_(torch.tensor([1.5, 0.8, 1.0, 2.0]))
        model.layers[4].weight.mul_(30.0)                                    # tanh saturates in places
        model.layers[6].weight.mul_(60.0)                                   # and the sigmoid
    x = rand(N, 2, 6, 6)
    labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    out = dict(
        torch=torch.__version__, input=INPUT, layers=LAYERS, x=flat(x), labels=labels.tolist(),
        params={k: flat(v) for k, v in model.state_dict().items()},
        shapes={k: list(v.shape) for k, v in model.state_dict().items()},
        activity=activity(model, x),
        sgd=step(model, x, labels, 'sgd'), adam=step(model, x, labels, 'adam'),
    )
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'health.json'), 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    print('wrote', OUT, json.dumps(out['activity']))


if __name__ == '__main__':
    main()
