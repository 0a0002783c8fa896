#!/usr/bin/python3
"""PyTorch reference fixtures for the engine on a graph (src/engine/plan.ts, src/engine/layers/), run with
Debian's python3-torch (1.13):

    /usr/bin/python3 scripts/make-engine-graph-fixtures.py      # writes test/fixtures/engine/graph.*
    /usr/bin/python3 scripts/make-engine-graph-fixtures.py --check-load FILE.safetensors
        loads a checkpoint the engine wrote into the fixture graph with load_state_dict(strict=True) and
        prints its evaluation-mode softmax output on the fixture input and its buffers as JSON.

The network branches and merges (a residual `add`, a `concat`, values used twice), has batch norm on
volumes and on vectors, max pooling with padding and global average pooling. Its batch norm starts from
non-trivial weights and running statistics, so evaluation mode, training mode and the running-statistics
update all show. Layouts as in make-engine-fixtures.py (PyTorch's; the tests convert).
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from engine_fixture_io import flat, write_safetensors, read_safetensors

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'engine')


def conv(k, f, s=1, p=0):
    return dict(kind='conv', filters=k, fh=f, fw=f, sh=s, sw=s, ph=p, pw=p, dh=1, dw=1, groups=1, activation='none')


BN = dict(kind='batchnorm', momentum=0.1, eps=1e-5)

# The graph for the engine, as steps for src/engine/specs.ts's modelSpec: a layer, {label, layer},
# {from}, or {merge, names}. Layer indices in the comments (what `layers.{i}` counts).
STEPS = [
    conv(4, 3, p=1),                                      # 0
    BN,                                                   # 1
    dict(label='stem', layer=dict(kind='relu')),          # 2  stem: relu            8×8×4
    conv(4, 3, p=1),                                      # 3
    BN,                                                   # 4
    dict(merge='add', names=['stem']),                    # 5  add stem              8×8×4
    dict(label='r', layer=dict(kind='relu')),             # 6  r: relu
    conv(3, 3, s=2, p=1),                                 # 7                        4×4×3
    dict(label='b', layer=dict(kind='relu')),             # 8  b: relu
    dict({'from': 'r'}),                                  #    from r
    dict(kind='pool', mode='max', fh=3, fw=3, sh=2, sw=2, ph=1, pw=1),  # 9           4×4×4
    dict(merge='concat', names=['b']),                    # 10 concat b              4×4×7
    dict(kind='globalpool', mode='avg'),                  # 11                       1×1×7
    dict(kind='dense', units=6, activation='none'),       # 12
    dict(kind='batchnorm', momentum=0.2, eps=1e-3),       # 13 (BatchNorm1d)
    dict(kind='relu'),                                    # 14
    dict(kind='dense', units=3, activation='none'),       # 15
    dict(kind='softmax'),                                 # 16
]
INPUT = dict(h=8, w=8, c=2)


class Graph(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([
            nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
            nn.Conv2d(4, 4, 3, padding=1), nn.BatchNorm2d(4), nn.Identity(), nn.ReLU(),
            nn.Conv2d(4, 3, 3, stride=2, padding=1), nn.ReLU(),
            nn.MaxPool2d(3, 2, 1), nn.Identity(),
            nn.AdaptiveAvgPool2d(1), nn.Linear(7, 6), nn.BatchNorm1d(6, eps=1e-3, momentum=0.2), nn.ReLU(),
            nn.Linear(6, 3), nn.Softmax(dim=1),
        ])

    def logits(self, x):
        L = self.layers
        stem = L[2](L[1](L[0](x)))
        r = L[6](L[4](L[3](stem)) + stem)
        b = L[8](L[7](r))
        c = torch.cat([L[9](r), b], dim=1)
        v = L[14](L[13](L[12](L[11](c).flatten(1))))
        return L[15](v)

    def forward(self, x):
        return self.layers[16](self.logits(x))


def make_model():
    torch.manual_seed(4321)
    m = Graph()
    with torch.no_grad():
        for i in (1, 4, 13):
            bn = m.layers[i]
            bn.weight.copy_(1 + 0.3 * torch.randn(bn.num_features))
            bn.bias.copy_(0.2 * torch.randn(bn.num_features))
            bn.running_mean.copy_(0.5 * torch.randn(bn.num_features))
            bn.running_var.copy_(0.5 + torch.rand(bn.num_features))
            bn.num_batches_tracked.fill_(3)
    return m


def state(m):
    return {k: flat(v) for k, v in m.state_dict().items()}


def case():
    model = make_model()
    x = torch.randn(5, 2, 8, 8)
    labels = torch.tensor([0, 2, 1, 2, 0])
    start = model.state_dict()
    shapes = {k: list(v.shape) for k, v in start.items()}
    dtypes = {k: ('I64' if v.dtype == torch.int64 else 'F32') for k, v in start.items()}
    out = dict(input=INPUT, steps=STEPS, x=flat(x), labels=labels.tolist(), params=state(model), shapes=shapes, dtypes=dtypes)
    model.eval()
    with torch.no_grad():
        out['probs_eval'] = flat(model(x))
    # Training mode: batch statistics; the forward updates the running statistics.
    m = make_model()
    m.train()
    logits = m.logits(x)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    out['loss'] = float(loss)
    out['grads'] = {k: flat(p.grad) for k, p in m.named_parameters()}
    out['buffers_after_forward'] = {k: flat(v) for k, v in m.state_dict().items() if 'running' in k or 'num_batches' in k}
    for kind, kw in (('sgd', dict(lr=0.1, momentum=0.9, weight_decay=0.01)), ('adam', dict(lr=0.01, weight_decay=0.01))):
        m = make_model()
        m.train()
        opt = torch.optim.SGD(m.parameters(), **kw) if kind == 'sgd' else torch.optim.Adam(m.parameters(), **kw)
        opt.zero_grad()
        F.cross_entropy(m.logits(x), labels).backward()
        opt.step()
        m.eval()
        with torch.no_grad():
            probs = flat(m(x))
        out['after_' + kind] = dict(options=kw, params=state(m), probs_eval=probs)
    return model, out


def check_load(path):
    with open(os.path.join(OUT, 'graph.json')) as f:
        fx = json.load(f)
    st, meta = read_safetensors(path)
    model = Graph()
    model.load_state_dict(st, strict=True)
    model.eval()
    x = torch.tensor(fx['x'], dtype=torch.float32).reshape(5, 2, 8, 8)
    with torch.no_grad():
        probs = model(x)
    dtypes = {k: str(v.dtype) for k, v in st.items()}
    print(json.dumps(dict(probs=flat(probs), metadata=meta, dtypes=dtypes,
                          num_batches_tracked=int(model.layers[1].num_batches_tracked))))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--check-load':
        check_load(sys.argv[2])
        return
    model, out = case()
    with open(os.path.join(OUT, 'graph.json'), 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    write_safetensors(os.path.join(OUT, 'graph.safetensors'), model.state_dict(),
                      {'source': '# written by scripts/make-engine-graph-fixtures.py'})
    st, _ = read_safetensors(os.path.join(OUT, 'graph.safetensors'))
    Graph().load_state_dict(st, strict=True)
    print('wrote', OUT)


if __name__ == '__main__':
    main()
