#!/usr/bin/python3
"""PyTorch reference fixtures for the engine's losses (src/engine/kernels-loss.ts, src/engine/loss.ts), run with
Debian's python3-torch (1.13):

    /usr/bin/python3 scripts/make-loss-fixtures.py              # writes test/fixtures/engine/loss.json

- bce: BCEWithLogitsLoss (mean over N×L) with and without pos_weight, on logits that include large ones (±40,
  where a naive log(sigmoid) overflows) and soft targets in one case: the loss, the probabilities (sigmoid) and
  the logits' gradient.
- wce: CrossEntropyLoss(weight=w): the loss (Σ w[y]·ℓ / Σ w[y]), the probabilities and the logits' gradient.
- networks: a multi-label network (conv, pool, dense + relu, dense L + sigmoid) trained with
  BCEWithLogitsLoss(pos_weight=) and a single-label one (… dense K + softmax) with CrossEntropyLoss(weight=):
  the loss, every parameter's gradient, the probabilities and the parameters after one SGD and one Adam step.

Layouts as in make-engine-fixtures.py (PyTorch's; the tests convert).
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from engine_fixture_io import flat, rand

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'engine')


def bce_case(name, n, l, pos_weight=None, soft=False):
    logits = (rand(n, l) * 3)
    logits[0, 0], logits[1, l - 1] = 40.0, -40.0
    logits = logits.requires_grad_()
    targets = torch.rand(n, l) if soft else torch.randint(0, 2, (n, l)).to(torch.float32)
    pw = None if pos_weight is None else torch.tensor(pos_weight, dtype=torch.float32)
    loss = nn.BCEWithLogitsLoss(pos_weight=pw)(logits, targets)
    loss.backward()
    return dict(name=name, n=n, labels=l, logits=flat(logits), targets=flat(targets),
                pos_weight=None if pw is None else flat(pw), loss=float(loss),
                probs=flat(torch.sigmoid(logits)), dlogits=flat(logits.grad))


def wce_case(name, n, k, weight):
    logits = (rand(n, k) * 3).requires_grad_()
    labels = torch.randint(0, k, (n,))
    w = torch.tensor(weight, dtype=torch.float32)
    loss = nn.CrossEntropyLoss(weight=w)(logits, labels)
    loss.backward()
    return dict(name=name, n=n, classes=k, logits=flat(logits), labels=labels.tolist(), weight=flat(w),
                loss=float(loss), probs=flat(torch.softmax(logits, 1)), dlogits=flat(logits.grad))


class ConvAct(nn.Conv2d):
    def forward(self, x):
        return torch.relu(super().forward(x))


class DenseAct(nn.Linear):
    """A dense statement with activation=relu, flattening a volume (C×H×W order)."""

    def forward(self, x):
        return torch.relu(super().forward(x.flatten(1)))


def conv_spec(k, act):
    return dict(kind='conv', filters=k, fh=3, fw=3, sh=1, sw=1, ph=1, pw=1, dh=1, dw=1, groups=1, activation=act)


INPUT = dict(h=6, w=6, c=2)


def body():
    return [ConvAct(2, 3, 3, padding=1), nn.MaxPool2d(2), DenseAct(27, 6)]


BODY_LAYERS = [conv_spec(3, 'relu'), dict(kind='pool', mode='max', fh=2, fw=2, sh=2, sw=2, ph=0, pw=0),
               dict(kind='dense', units=6, activation='relu')]


def network_case(name, outputs, ending, weights, targets):
    """A network of body() + dense(outputs) + ending (sigmoid or softmax), its gradients and one step of each
    optimizer under BCEWithLogitsLoss(pos_weight=weights) or CrossEntropyLoss(weight=weights)."""
    w = torch.tensor(weights, dtype=torch.float32)
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=w) if ending == 'sigmoid' else nn.CrossEntropyLoss(weight=w)
    torch.manual_seed(4321)

    def make():
        return nn.Sequential(*body(), nn.Linear(6, outputs), nn.Sigmoid() if ending == 'sigmoid' else nn.Softmax(dim=1))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = make()

        def logits(self, x):
            return self.layers[:-1](x)

    model = Net()
    n = len(targets)
    x = rand(n, INPUT['c'], INPUT['h'], INPUT['w'])
    logits = model.logits(x)
    loss = loss_fn(logits, targets)
    loss.backward()
    out = dict(name=name, input=INPUT, weights=flat(w),
               layers=BODY_LAYERS + [dict(kind='dense', units=outputs, activation='none'), dict(kind=ending)],
               x=flat(x), targets=flat(targets) if ending == 'sigmoid' else targets.tolist(),
               params={k: flat(v) for k, v in model.state_dict().items()},
               shapes={k: list(v.shape) for k, v in model.state_dict().items()},
               loss=float(loss), grads={k: flat(p.grad) for k, p in model.named_parameters()},
               probs=flat(model.layers(x)))
    for kind, opt_kw in (('sgd', dict(lr=0.1, momentum=0.9, weight_decay=0.01)), ('adam', dict(lr=0.01, weight_decay=0.01))):
        m = Net()
        m.load_state_dict(model.state_dict())
        opt = torch.optim.SGD(m.parameters(), **opt_kw) if kind == 'sgd' else torch.optim.Adam(m.parameters(), **opt_kw)
        opt.zero_grad()
        loss_fn(m.logits(x), targets).backward()
        opt.step()
        out['after_' + kind] = dict(options=opt_kw, params={k: flat(v) for k, v in m.state_dict().items()})
    return out


def main():
    torch.manual_seed(7)
    os.makedirs(OUT, exist_ok=True)
    ml_targets = torch.tensor([[1, 0, 0, 1], [0, 0, 1, 0], [1, 1, 0, 0], [0, 0, 0, 1], [1, 0, 1, 1]], dtype=torch.float32)
    out = dict(
        torch=torch.__version__,
        bce=[
            bce_case('plain', 5, 4),
            bce_case('pos_weight', 6, 4, pos_weight=[3.0, 0.5, 1.0, 7.5]),
            bce_case('soft targets, pos_weight', 3, 5, pos_weight=[2.0, 1.0, 0.25, 4.0, 1.5], soft=True),
        ],
        wce=[
            wce_case('weight', 7, 4, [1.0, 3.0, 0.5, 2.0]),
            wce_case('one class weighs 0', 6, 3, [0.0, 1.0, 2.5]),
        ],
        networks=[
            network_case('multi-label, pos_weight', 4, 'sigmoid', [3.0, 0.5, 1.0, 7.5], ml_targets),
            network_case('single-label, class weights', 3, 'softmax', [0.5, 2.0, 1.25], torch.tensor([0, 2, 1, 2, 2])),
        ],
    )
    with open(os.path.join(OUT, 'loss.json'), 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    print('wrote', os.path.join(OUT, 'loss.json'))


if __name__ == '__main__':
    main()
