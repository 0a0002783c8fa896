#!/usr/bin/python3
"""PyTorch reference fixtures for the engine's grouped, depthwise and dilated convolution, transposed
convolution and upsampling kernels, run with Debian's python3-torch (1.13):

    /usr/bin/python3 scripts/make-variant-fixtures.py      # writes test/fixtures/engine/variants.json

Besides the kernels, one network of these layers (`network`: forward, loss and every gradient) checks that
the engine's layer table wires them as PyTorch's modules do (state_dict names and layouts included).

Everything is in PyTorch layout: activations NCHW, conv weights [K, C/G, FH, FW], transposed conv weights
[C, K, FH, FW]. test/unit/engine/torch-variants.test.ts converts to the engine's layouts. Numbers are
float32 values written with 9 significant digits; the seed is fixed, so the file is reproducible.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from engine_fixture_io import flat, rand

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'engine', 'variants.json')


def conv_case(name, n, c, h, w, k, fh, fw, sh, sw, ph, pw, dh=1, dw=1, groups=1):
    x = rand(n, c, h, w).requires_grad_()
    wt = (rand(k, c // groups, fh, fw) * 0.5).requires_grad_()
    b = rand(k).requires_grad_()
    y = F.conv2d(x, wt, b, stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw), groups=groups)
    dy = rand(*y.shape)
    y.backward(dy)
    return dict(name=name, n=n, c=c, h=h, w=w, k=k, fh=fh, fw=fw, sh=sh, sw=sw, ph=ph, pw=pw, dh=dh, dw=dw,
                groups=groups, oh=y.shape[2], ow=y.shape[3], x=flat(x), weight=flat(wt), bias=flat(b), y=flat(y),
                dy=flat(dy), dx=flat(x.grad), dweight=flat(wt.grad), dbias=flat(b.grad))


def deconv_case(name, n, c, h, w, k, fh, fw, sh, sw, ph, pw, oph=0, opw=0):
    x = rand(n, c, h, w).requires_grad_()
    wt = (rand(c, k, fh, fw) * 0.5).requires_grad_()
    b = rand(k).requires_grad_()
    y = F.conv_transpose2d(x, wt, b, stride=(sh, sw), padding=(ph, pw), output_padding=(oph, opw))
    dy = rand(*y.shape)
    y.backward(dy)
    return dict(name=name, n=n, c=c, h=h, w=w, k=k, fh=fh, fw=fw, sh=sh, sw=sw, ph=ph, pw=pw, oph=oph, opw=opw,
                oh=y.shape[2], ow=y.shape[3], x=flat(x), weight=flat(wt), bias=flat(b), y=flat(y), dy=flat(dy),
                dx=flat(x.grad), dweight=flat(wt.grad), dbias=flat(b.grad))


def upsample_case(name, mode, n, c, h, w, scale):
    x = rand(n, c, h, w).requires_grad_()
    if mode == 'nearest':
        y = F.interpolate(x, scale_factor=scale, mode='nearest')
    else:
        y = F.interpolate(x, scale_factor=scale, mode='bilinear', align_corners=False)
    dy = rand(*y.shape)
    y.backward(dy)
    return dict(name=name, mode=mode, n=n, c=c, h=h, w=w, scale=scale, x=flat(x), y=flat(y), dy=flat(dy),
                dx=flat(x.grad))


class Act(nn.Module):
    """A conv or deconv statement with a fused activation: one index, keys weight/bias."""

    def __init__(self, inner, act=None):
        super().__init__()
        self.inner = inner
        self.act = act

    def forward(self, x):
        y = self.inner(x)
        return self.act(y) if self.act else y


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(2, 4, 3, padding=1),                                    # 0: conv 4 3x3 pad 1
            nn.ReLU(),                                                        # 1: relu
            nn.Conv2d(4, 6, 3, padding=2, dilation=2, groups=2),              # 2: conv 6 dilation 2 groups 2
            nn.ReLU(),                                                        # 3: relu
            nn.Conv2d(6, 6, 3, stride=2, padding=1, groups=6),                # 4: depthwise stride 2
            nn.ConvTranspose2d(6, 3, 3, stride=2, padding=1, output_padding=1),  # 5: deconv 3 stride 2
            nn.Sigmoid(),                                                     # 6: sigmoid
            nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False),  # 7: upsample bilinear
            nn.MaxPool2d(2),                                                  # 8: pool max 2
            nn.Upsample(scale_factor=2, mode='nearest'),                      # 9: upsample nearest
            nn.Conv2d(3, 2, 3, stride=4, padding=1),                          # 10: conv 2 stride 4
            nn.Flatten(),
        )
        self.head = nn.Linear(32, 3)                                          # 11: dense 3

    def logits(self, x):
        return self.head(self.layers(x))

    def named_for_engine(self):
        """state_dict names as the engine writes them: layers.{statement index}.weight|bias."""
        out = {}
        for k, v in self.layers.state_dict().items():
            out['layers.' + k] = v
        for k, v in self.head.state_dict().items():
            out['layers.11.' + k] = v
        return out


def conv_spec(filters, f, s=1, p=0, d=1, groups=1, activation='none'):
    return dict(kind='conv', filters=filters, fh=f, fw=f, sh=s, sw=s, ph=p, pw=p, dh=d, dw=d, groups=groups,
                activation=activation)


NET_INPUT = dict(h=8, w=8, c=2)
NET_LAYERS = [
    conv_spec(4, 3, p=1), dict(kind='relu'),
    conv_spec(6, 3, p=2, d=2, groups=2), dict(kind='relu'),
    conv_spec(6, 3, s=2, p=1, groups=6),
    dict(kind='deconv', filters=3, fh=3, fw=3, sh=2, sw=2, ph=1, pw=1, oph=1, opw=1, activation='none'),
    dict(kind='sigmoid'),
    dict(kind='upsample', scale=2, mode='bilinear'),
    dict(kind='pool', mode='max', fh=2, fw=2, sh=2, sw=2, ph=0, pw=0),
    dict(kind='upsample', scale=2, mode='nearest'),
    conv_spec(2, 3, s=4, p=1),
    dict(kind='dense', units=3, activation='none'),
    dict(kind='softmax'),
]


def net_case():
    model = Net()
    x = rand(3, 2, 8, 8)
    labels = torch.tensor([0, 2, 1])
    named = model.named_for_engine()
    logits = model.logits(x)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    params = dict(model.named_parameters())
    grads = {}
    for k in named:
        key = k[len('layers.'):]
        p = params['head.' + key[len('11.'):]] if key.startswith('11.') else params['layers.' + key]
        grads[k] = flat(p.grad)
    return dict(input=NET_INPUT, layers=NET_LAYERS, x=flat(x), labels=labels.tolist(),
                params={k: flat(v) for k, v in named.items()}, shapes={k: list(v.shape) for k, v in named.items()},
                probs=flat(torch.softmax(logits, 1)), loss=float(loss), grads=grads)


def main():
    torch.manual_seed(8)
    data = dict(
        conv=[
            conv_case('groups 2, 3x3 pad 1', 2, 4, 5, 6, 6, 3, 3, 1, 1, 1, 1, groups=2),
            conv_case('groups 4, 3x3 pad 1, 8 to 8', 1, 8, 5, 6, 8, 3, 3, 1, 1, 1, 1, groups=4),
            conv_case('dilation 2, 3x3 pad 2', 1, 3, 9, 8, 4, 3, 3, 1, 1, 2, 2, dh=2, dw=2),
            conv_case('dilation 2,3, rect 3x2 stride 2 pad 1,2, groups 2', 2, 4, 9, 10, 2, 3, 2, 2, 2, 1, 2, dh=2,
                      dw=3, groups=2),
            conv_case('depthwise 3x3 pad 1', 1, 3, 5, 21, 3, 3, 3, 1, 1, 1, 1, groups=3),
            conv_case('depthwise 3x3 stride 2 pad 1', 1, 2, 5, 35, 2, 3, 3, 2, 2, 1, 1, groups=2),
            conv_case('depthwise x2 multiplier, 5x5 dilation 2 pad 4', 1, 2, 11, 9, 4, 5, 5, 1, 1, 4, 4, dh=2, dw=2,
                      groups=2),
            conv_case('depthwise 3x3 stride 2 dilation 2', 1, 2, 8, 23, 2, 3, 3, 2, 2, 0, 0, dh=2, dw=2, groups=2),
        ],
        deconv=[
            deconv_case('3x3 stride 2 pad 1 outpad 1', 2, 3, 4, 5, 2, 3, 3, 2, 2, 1, 1, 1, 1),
            deconv_case('2x2 stride 2', 2, 4, 3, 3, 3, 2, 2, 2, 2, 0, 0),
            deconv_case('rect 4x3 stride 2,1 pad 1,0 outpad 1,0', 1, 2, 5, 4, 3, 4, 3, 2, 1, 1, 0, 1, 0),
            deconv_case('3x3 stride 1', 2, 2, 3, 4, 2, 3, 3, 1, 1, 0, 0),
            deconv_case('5x5 stride 3 pad 2 outpad 2', 1, 3, 3, 2, 2, 5, 5, 3, 3, 2, 2, 2, 2),
        ],
        upsample=[
            upsample_case('nearest x2', 'nearest', 2, 2, 3, 9, 2),
            upsample_case('nearest x3', 'nearest', 1, 2, 3, 5, 3),
            upsample_case('bilinear x2', 'bilinear', 2, 2, 3, 9, 2),
            upsample_case('bilinear x3', 'bilinear', 1, 2, 3, 5, 3),
            upsample_case('bilinear x4 of one row', 'bilinear', 1, 1, 1, 6, 4),
        ],
        network=net_case(),
    )
    with open(OUT, 'w') as f:
        json.dump(data, f, separators=(',', ':'))
        f.write('\n')
    print('wrote', os.path.relpath(OUT, ROOT))


if __name__ == '__main__':
    main()
