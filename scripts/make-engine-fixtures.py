#!/usr/bin/python3
"""PyTorch reference fixtures for the engine (src/engine), run with Debian's python3-torch (1.13):

    /usr/bin/python3 scripts/make-engine-fixtures.py            # writes test/fixtures/engine/*
    /usr/bin/python3 scripts/make-engine-fixtures.py --check-load FILE.safetensors
        loads a checkpoint written by the engine into the fixture network with load_state_dict(strict=True)
        and prints its softmax output on the fixture input as JSON (test/unit/engine/checkpoint.test.ts).

Everything in the JSON is in PyTorch layout: activations NCHW, conv weights [K,C,FH,FW], dense [U,I].
The tests convert to the engine's layouts. Numbers are float32 values written with 9 significant digits.
Safetensors is read and written by hand (struct + json, engine_fixture_io.py), as the format's README describes,
so the script needs nothing beyond torch.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from engine_fixture_io import flat, rand, write_safetensors, read_safetensors

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'engine')


# ------------------------------------------------------------------------------------------------ kernels

def conv_case(name, n, c, h, w, k, fh, fw, sh, sw, ph, pw):
    x = rand(n, c, h, w).requires_grad_()
    wt = (rand(k, c, fh, fw) * 0.5).requires_grad_()
    b = rand(k).requires_grad_()
    y = F.conv2d(x, wt, b, stride=(sh, sw), padding=(ph, pw))
    dy = rand(*y.shape)
    y.backward(dy)
    return dict(name=name, n=n, c=c, h=h, w=w, k=k, fh=fh, fw=fw, sh=sh, sw=sw, ph=ph, pw=pw,
                oh=y.shape[2], ow=y.shape[3], x=flat(x), weight=flat(wt), bias=flat(b), y=flat(y), dy=flat(dy),
                dx=flat(x.grad), dweight=flat(wt.grad), dbias=flat(b.grad))


def seeded(seed, case, *args):
    """case(*args) on its own seed, leaving the generator where it was (cases added later change no other numbers)."""
    state = torch.get_rng_state()
    torch.manual_seed(seed)
    try:
        return case(*args)
    finally:
        torch.set_rng_state(state)


def pool_case(name, mode, n, c, h, w, fh, fw, sh, sw, ph, pw):
    x = rand(n, c, h, w).requires_grad_()
    if mode == 'max':
        y = F.max_pool2d(x, (fh, fw), (sh, sw), (ph, pw))
    else:
        y = F.avg_pool2d(x, (fh, fw), (sh, sw), (ph, pw), count_include_pad=True)
    dy = rand(*y.shape)
    y.backward(dy)
    return dict(name=name, mode=mode, n=n, c=c, h=h, w=w, fh=fh, fw=fw, sh=sh, sw=sw, ph=ph, pw=pw,
                oh=y.shape[2], ow=y.shape[3], x=flat(x), y=flat(y), dy=flat(dy), dx=flat(x.grad))


def dense_case(n, i, u):
    x = rand(n, i).requires_grad_()
    wt = rand(u, i).requires_grad_()
    b = rand(u).requires_grad_()
    y = F.linear(x, wt, b)
    dy = rand(n, u)
    y.backward(dy)
    return dict(n=n, inputs=i, units=u, x=flat(x), weight=flat(wt), bias=flat(b), y=flat(y), dy=flat(dy),
                dx=flat(x.grad), dweight=flat(wt.grad), dbias=flat(b.grad))


def act_case(kind, slope=0.0):
    x = (rand(37) * 2).requires_grad_()
    fn = {'relu': F.relu, 'sigmoid': torch.sigmoid, 'tanh': torch.tanh,
          'leakyrelu': lambda v: F.leaky_relu(v, slope)}[kind]
    y = fn(x)
    dy = rand(37)
    y.backward(dy)
    return dict(kind=kind, slope=slope, x=flat(x), y=flat(y), dy=flat(dy), dx=flat(x.grad))


def ce_case(n, k):
    logits = (rand(n, k) * 3).requires_grad_()
    labels = torch.randint(0, k, (n,))
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    return dict(n=n, classes=k, logits=flat(logits), labels=labels.tolist(), loss=float(loss),
                probs=flat(torch.softmax(logits, 1)), dlogits=flat(logits.grad))


def optim_case(kind, steps, **kw):
    p = torch.nn.Parameter(rand(11))
    p0 = flat(p)
    opt = torch.optim.SGD([p], **kw) if kind == 'sgd' else torch.optim.Adam([p], **kw)
    grads, after = [], []
    for _ in range(steps):
        g = rand(11)
        p.grad = g.clone()
        opt.step()
        grads.append(flat(g))
        after.append(flat(p))
    return dict(kind=kind, options=kw, params=p0, grads=grads, after=after)


# ------------------------------------------------------------------------------------------------ network

class ConvAct(nn.Conv2d):
    """A conv statement with a fused activation: one index, keys weight/bias."""

    def __init__(self, *a, act=None, **kw):
        super().__init__(*a, **kw)
        self.act = act

    def forward(self, x):
        y = super().forward(x)
        return self.act(y) if self.act else y


class DenseAct(nn.Linear):
    """A dense statement: flattens a volume (C×H×W order) and applies its fused activation."""

    def __init__(self, *a, act=None, **kw):
        super().__init__(*a, **kw)
        self.act = act

    def forward(self, x):
        y = super().forward(x.flatten(1))
        return self.act(y) if self.act else y


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            ConvAct(2, 3, 3, padding=1, act=torch.relu),        # 0: conv 3 3x3 pad 1 activation=relu
            nn.MaxPool2d(2),                                     # 1: pool max 2
            nn.Conv2d(3, 4, (3, 2), padding=(1, 0)),             # 2: conv 4 3x2 pad 1,0
            nn.Tanh(),                                           # 3: tanh
            nn.AvgPool2d(2),                                     # 4: pool avg 2
            DenseAct(8, 5, act=torch.sigmoid),                   # 5: dense 5 activation=sigmoid
            nn.LeakyReLU(0.1),                                   # 6: leakyrelu 0.1
            nn.Linear(5, 3),                                     # 7: dense 3
            nn.Softmax(dim=1),                                   # 8: softmax
        )

    def logits(self, x):
        return self.layers[:-1](x)

    def forward(self, x):
        return self.layers(x)


# The same network for the engine (LayerSpec list, as src/engine/specs.ts builds them).
NET_LAYERS = [
    dict(kind='conv', filters=3, fh=3, fw=3, sh=1, sw=1, ph=1, pw=1, dh=1, dw=1, groups=1, activation='relu'),
    dict(kind='pool', mode='max', fh=2, fw=2, sh=2, sw=2, ph=0, pw=0),
    dict(kind='conv', filters=4, fh=3, fw=2, sh=1, sw=1, ph=1, pw=0, dh=1, dw=1, groups=1, activation='none'),
    dict(kind='tanh'),
    dict(kind='pool', mode='avg', fh=2, fw=2, sh=2, sw=2, ph=0, pw=0),
    dict(kind='dense', units=5, activation='sigmoid'),
    dict(kind='leakyrelu', slope=0.1),
    dict(kind='dense', units=3, activation='none'),
    dict(kind='softmax'),
]
NET_INPUT = dict(h=8, w=8, c=2)


def net_case():
    torch.manual_seed(1234)
    model = Model()
    x = rand(4, 2, 8, 8)
    labels = torch.tensor([0, 2, 1, 2])
    state = {k: flat(v) for k, v in model.state_dict().items()}
    shapes = {k: list(v.shape) for k, v in model.state_dict().items()}
    logits = model.logits(x)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    grads = {k: flat(p.grad) for k, p in model.named_parameters()}
    probs = flat(model(x))
    out = dict(input=NET_INPUT, layers=NET_LAYERS, x=flat(x), labels=labels.tolist(), params=state, shapes=shapes,
               logits=flat(logits), probs=probs, loss=float(loss), grads=grads)
    # One SGD step and one Adam step from the same start.
    for kind, opt_kw in (('sgd', dict(lr=0.1, momentum=0.9, weight_decay=0.01)), ('adam', dict(lr=0.01, weight_decay=0.01))):
        m = Model()
        m.load_state_dict(model.state_dict())
        opt = torch.optim.SGD(m.parameters(), **opt_kw) if kind == 'sgd' else torch.optim.Adam(m.parameters(), **opt_kw)
        opt.zero_grad()
        F.cross_entropy(m.logits(x), labels).backward()
        opt.step()
        out['after_' + kind] = dict(options=opt_kw, params={k: flat(v) for k, v in m.state_dict().items()})
    return model, out


# ------------------------------------------------------------------------------------------------ checkpoints

def check_load(path):
    """Load an engine checkpoint into the fixture Model (strict) and print its output on the fixture input."""
    with open(os.path.join(OUT, 'network.json')) as f:
        fx = json.load(f)
    state, meta = read_safetensors(path)
    model = Model()
    model.load_state_dict(state, strict=True)
    x = torch.tensor(fx['x'], dtype=torch.float32).reshape(4, 2, 8, 8)
    with torch.no_grad():
        probs = model(x)
    print(json.dumps(dict(probs=flat(probs), metadata=meta)))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--check-load':
        check_load(sys.argv[2])
        return
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    kernels = dict(
        torch=torch.__version__,
        conv=[
            conv_case('3x3 pad 1', 2, 3, 6, 5, 4, 3, 3, 1, 1, 1, 1),
            conv_case('3x2 stride 2,1 pad 1,0', 2, 2, 7, 6, 3, 3, 2, 2, 1, 1, 0),
            conv_case('5x5 stride 2 pad 2', 3, 2, 9, 9, 5, 5, 5, 2, 2, 2, 2),
            conv_case('1x1', 2, 4, 3, 3, 6, 1, 1, 1, 1, 0, 0),
            conv_case('2x4 stride 3,2 pad 0,1', 2, 3, 8, 9, 2, 2, 4, 3, 2, 0, 1),
            # 5×5 stride 1 with 4+ channels in and out: the engine's Winograd F(2×2, 5×5); 5 samples (a last
            # vector of four with one), odd sizes (partial tiles).
            seeded(5, conv_case, '5x5 pad 2, 6 to 7 (Winograd F(2x2, 5x5))', 5, 6, 9, 11, 7, 5, 5, 1, 1, 2, 2),
        ],
        pool=[
            pool_case('max 2', 'max', 2, 3, 6, 6, 2, 2, 2, 2, 0, 0),
            pool_case('max 3 stride 2 pad 1', 'max', 2, 2, 7, 6, 3, 3, 2, 2, 1, 1),
            pool_case('max 2x3 stride 1,2 pad 1,1', 'max', 2, 2, 5, 7, 2, 3, 1, 2, 1, 1),
            pool_case('avg 2', 'avg', 2, 3, 6, 6, 2, 2, 2, 2, 0, 0),
            pool_case('avg 3 stride 2 pad 1', 'avg', 2, 2, 7, 6, 3, 3, 2, 2, 1, 1),
            pool_case('avg 2x3 stride 1,2 pad 1,1', 'avg', 2, 2, 5, 7, 2, 3, 1, 2, 1, 1),
        ],
        dense=dense_case(3, 7, 5),
        activations=[act_case('relu'), act_case('sigmoid'), act_case('tanh'), act_case('leakyrelu', 0.1)],
        ce=ce_case(5, 4),
        optim=[
            optim_case('sgd', 3, lr=0.1, momentum=0.9, weight_decay=0.01),
            optim_case('sgd', 2, lr=0.05),
            optim_case('adam', 3, lr=0.01),
            optim_case('adam', 3, lr=0.002, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05),
        ],
    )
    with open(os.path.join(OUT, 'kernels.json'), 'w') as f:
        json.dump(kernels, f, separators=(',', ':'))
    model, net = net_case()
    with open(os.path.join(OUT, 'network.json'), 'w') as f:
        json.dump(net, f, separators=(',', ':'))
    write_safetensors(os.path.join(OUT, 'network.safetensors'), model.state_dict(),
                      {'source': '# written by scripts/make-engine-fixtures.py', 'metrics': '{"from":"torch"}'})
    # Round trip through our own reader, so the file is known to be well-formed.
    state, _ = read_safetensors(os.path.join(OUT, 'network.safetensors'))
    Model().load_state_dict(state, strict=True)
    print('wrote', OUT)


if __name__ == '__main__':
    main()
