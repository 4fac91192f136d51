#!/usr/bin/env python3
"""Build two CNNs of the kind users bring and export them to ONNX (TorchScript exporter, opset 13):

    python3 models/make_user_cnns.py OUTDIR      (Debian's python3-torch is enough)

- resnet8.onnx: the MLPerf Tiny image-classification ResNet-8 (32x32x3 input, three residual
  stages of 16/32/64 channels, 3x3 convolutions with BatchNorm folded by the exporter, 1x1
  strided shortcuts, average pool, dense, softmax): 12.5 M MACs.
- mbv1_025_96.onnx: the MLPerf Tiny visual-wake-words MobileNetV1 (width 0.25, 96x96x3 input,
  13 depthwise-separable blocks, global average pool, dense, softmax).

Weights and BatchNorm statistics come from a fixed seed (random, untrained: these models measure
speed and agreement, not accuracy). Used by `scripts/benchmarks.py --host-only` (issue 11: the
generated C against ONNX Runtime on CNNs users bring); nobody on the team tuned tinyc on them
before they were measured.
"""
import sys

import torch
import torch.nn as nn


class Res(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(cin, cout, 3, stride, 1), nn.BatchNorm2d(cout)
        self.c2, self.b2 = nn.Conv2d(cout, cout, 3, 1, 1), nn.BatchNorm2d(cout)
        self.sc = None if (cin == cout and stride == 1) else nn.Conv2d(cin, cout, 1, stride)

    def forward(self, x):
        y = self.b2(self.c2(torch.relu(self.b1(self.c1(x)))))
        return torch.relu(y + (x if self.sc is None else self.sc(x)))


class ResNet8(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1), nn.BatchNorm2d(16), nn.ReLU())
        self.l = nn.Sequential(Res(16, 16, 1), Res(16, 32, 2), Res(32, 64, 2))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = nn.functional.avg_pool2d(self.l(self.stem(x)), 8)
        return torch.softmax(self.fc(torch.flatten(x, 1)), 1)


def separable(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cin, 3, stride, 1, groups=cin), nn.BatchNorm2d(cin), nn.ReLU(),
                         nn.Conv2d(cin, cout, 1), nn.BatchNorm2d(cout), nn.ReLU())


class MobileNetV1(nn.Module):
    def __init__(self):
        super().__init__()
        c = [8, 16, 32, 32, 64, 64, 128, 128, 128, 128, 128, 128, 256, 256]
        s = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1]
        layers = [nn.Conv2d(3, 8, 3, 2, 1), nn.BatchNorm2d(8), nn.ReLU()]
        layers += [separable(c[i], c[i + 1], s[i]) for i in range(13)]
        self.f = nn.Sequential(*layers)
        self.fc = nn.Linear(256, 2)

    def forward(self, x):
        return torch.softmax(self.fc(self.f(x).mean((2, 3))), 1)


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    for name, model, shape in (("resnet8", ResNet8(), (1, 3, 32, 32)), ("mbv1_025_96", MobileNetV1(), (1, 3, 96, 96))):
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.data.uniform_(0.5, 1.5)
                m.bias.data.uniform_(-0.2, 0.2)
        model.eval()
        torch.onnx.export(model, torch.randn(*shape), f"{out}/{name}.onnx", opset_version=13, input_names=["input"],
                          output_names=["output"])
        print(name)


if __name__ == "__main__":
    main()
