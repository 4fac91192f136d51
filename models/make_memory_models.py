"""Builds the CNNs of the peak-RAM issue (13) with seeded random weights and exports each to ONNX
with TorchScript (opset 13), as a user would: a 14x14 MNIST CNN with two convolutions, a ResNet-8
on 32x32x3 (MLPerf Tiny's image classifier), a MobileNetV3-small 0.5 and a ShuffleNetV2 0.5 on
96x96x3 (written out here after torchvision's definitions; torchvision is not needed). Nobody
tuned tinyc on them: they measure the arena against greedy-by-size on models tinyc did not choose.

  python3 models/make_memory_models.py OUT_DIR      (Debian's python3-torch is enough)
then  .venv/bin/python scripts/benchmarks.py --greedy-only --extra-models OUT_DIR
"""
import os
import sys

import torch
from torch import nn
import torch.nn.functional as F


def divisible(v, d=8):
    n = max(d, int(v + d / 2) // d * d)
    return n + d if n < 0.9 * v else n


class Mnist14(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc = nn.Linear(16 * 3 * 3, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.fc(torch.flatten(x, 1))


class ResBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.b2 = nn.BatchNorm2d(cout)
        self.short = nn.Conv2d(cin, cout, 1, stride) if stride != 1 or cin != cout else None

    def forward(self, x):
        y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        return F.relu(y + (self.short(x) if self.short is not None else x))


class ResNet8(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1), nn.BatchNorm2d(16), nn.ReLU())
        self.blocks = nn.Sequential(ResBlock(16, 16, 1), ResBlock(16, 32, 2), ResBlock(32, 64, 2))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class SE(nn.Module):
    def __init__(self, c):
        super().__init__()
        s = divisible(c // 4)
        self.fc1 = nn.Conv2d(c, s, 1)
        self.fc2 = nn.Conv2d(s, c, 1)

    def forward(self, x):
        w = F.adaptive_avg_pool2d(x, 1)
        return x * F.hardsigmoid(self.fc2(F.relu(self.fc1(w))))


class Bneck(nn.Module):
    def __init__(self, cin, k, exp, cout, se, hs, stride):
        super().__init__()
        act = nn.Hardswish if hs else nn.ReLU
        layers = []
        if exp != cin:
            layers += [nn.Conv2d(cin, exp, 1, bias=False), nn.BatchNorm2d(exp), act()]
        layers += [nn.Conv2d(exp, exp, k, stride, k // 2, groups=exp, bias=False), nn.BatchNorm2d(exp), act()]
        if se:
            layers.append(SE(exp))
        layers += [nn.Conv2d(exp, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.body = nn.Sequential(*layers)
        self.res = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.res else y


class MobileNetV3Small(nn.Module):
    # torchvision's mobilenet_v3_small table: kernel, expanded, out, SE, hard-swish, stride
    CFG = [(3, 16, 16, True, False, 2), (3, 72, 24, False, False, 2), (3, 88, 24, False, False, 1),
           (5, 96, 40, True, True, 2), (5, 240, 40, True, True, 1), (5, 240, 40, True, True, 1),
           (5, 120, 48, True, True, 1), (5, 144, 48, True, True, 1), (5, 288, 96, True, True, 2),
           (5, 576, 96, True, True, 1), (5, 576, 96, True, True, 1)]

    def __init__(self, width=0.5, classes=10):
        super().__init__()
        c = divisible(16 * width)
        layers = [nn.Conv2d(3, c, 3, 2, 1, bias=False), nn.BatchNorm2d(c), nn.Hardswish()]
        for k, exp, out, se, hs, s in self.CFG:
            e, o = divisible(exp * width), divisible(out * width)
            layers.append(Bneck(c, k, e, o, se, hs, s))
            c = o
        last = 6 * c
        layers += [nn.Conv2d(c, last, 1, bias=False), nn.BatchNorm2d(last), nn.Hardswish()]
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(last, 1024), nn.Hardswish(), nn.Linear(1024, classes))

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), 1)
        return self.head(torch.flatten(x, 1))


def shuffle(x, groups=2):
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)


def dw_bn(c, stride):
    return nn.Sequential(nn.Conv2d(c, c, 3, stride, 1, groups=c, bias=False), nn.BatchNorm2d(c))


def pw_bn_relu(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class ShuffleUnit(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        half = cout // 2
        self.stride = stride
        if stride > 1:
            self.branch1 = nn.Sequential(dw_bn(cin, stride), pw_bn_relu(cin, half))
        self.branch2 = nn.Sequential(pw_bn_relu(cin if stride > 1 else half, half), dw_bn(half, stride),
                                     pw_bn_relu(half, half))

    def forward(self, x):
        if self.stride == 1:
            a, b = x.chunk(2, dim=1)
            out = torch.cat((a, self.branch2(b)), 1)
        else:
            out = torch.cat((self.branch1(x), self.branch2(x)), 1)
        return shuffle(out)


class ShuffleNetV2(nn.Module):
    def __init__(self, channels=(24, 48, 96, 192, 1024), repeats=(4, 8, 4), classes=10):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, channels[0], 3, 2, 1, bias=False), nn.BatchNorm2d(channels[0]), nn.ReLU())
        stages, c = [], channels[0]
        for out, n in zip(channels[1:4], repeats):
            stages += [ShuffleUnit(c, out, 2)] + [ShuffleUnit(out, out, 1) for _ in range(n - 1)]
            c = out
        self.stages = nn.Sequential(*stages)
        self.conv5 = pw_bn_relu(c, channels[4])
        self.fc = nn.Linear(channels[4], classes)

    def forward(self, x):
        x = self.stages(F.max_pool2d(self.conv1(x), 3, 2, 1))
        return self.fc(self.conv5(x).mean([2, 3]))


MODELS = {
    "mnist14_cnn": (Mnist14, (1, 1, 14, 14)),
    "resnet8_32": (ResNet8, (1, 3, 32, 32)),
    "mobilenetv3_small_050_96": (MobileNetV3Small, (1, 3, 96, 96)),
    "shufflenetv2_050_96": (ShuffleNetV2, (1, 3, 96, 96)),
}


def randomize_bn(m, g):
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.running_mean.copy_(torch.randn(mod.num_features, generator=g) * 0.1)
            mod.running_var.copy_(torch.rand(mod.num_features, generator=g) + 0.5)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "memory_models"
    os.makedirs(out, exist_ok=True)
    for i, (nm, (cls, shape)) in enumerate(MODELS.items()):
        torch.manual_seed(1300 + i)
        m = cls().eval()
        with torch.no_grad():
            randomize_bn(m, torch.Generator().manual_seed(1300 + i))
            x = torch.randn(*shape)
            torch.onnx.export(m, x, os.path.join(out, nm + ".onnx"), opset_version=13,
                              input_names=["input"], output_names=["logits"])
        print(f"{nm}: {os.path.join(out, nm + '.onnx')}")


if __name__ == "__main__":
    main()
