"""Builds two CNNs whose output is an image (4-D), with seeded random weights, exported with
TorchScript (opset 13) as a user would: `seg64`, a small segmentation net (64x64x3 -> 2x64x64
logits: encoder, nearest upsampling, skip Add, 1x1 head) and `ae48`, a denoising autoencoder
(48x48x1 -> 48x48x1). They measure the arena of models whose last layer writes an NCHW output
(docs/memory.md, "Graph outputs computed in the caller's buffer").

  python3 models/make_decoder_models.py OUT_DIR      (Debian's python3-torch is enough)
"""
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn


class Seg(nn.Module):
    def __init__(self):
        super().__init__()
        self.e1 = nn.Sequential(nn.Conv2d(3, 8, 3, 1, 1), nn.BatchNorm2d(8), nn.ReLU())
        self.e2 = nn.Sequential(nn.Conv2d(8, 16, 3, 2, 1), nn.BatchNorm2d(16), nn.ReLU())
        self.d1 = nn.Sequential(nn.Conv2d(16, 8, 3, 1, 1), nn.ReLU())
        self.head = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        a = self.e1(x)
        u = F.interpolate(self.d1(self.e2(a)), scale_factor=2, mode="nearest")
        return self.head(u + a)


class AE(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1), nn.ReLU(), nn.Conv2d(16, 16, 3, 1, 1, groups=16), nn.ReLU(),
                                 nn.Conv2d(16, 8, 1), nn.ReLU(), nn.Conv2d(8, 1, 3, 1, 1), nn.Sigmoid())

    def forward(self, x):
        return self.net(x)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "decoder_models"
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(7)
    for name, m, shape in [("seg64", Seg(), (1, 3, 64, 64)), ("ae48", AE(), (1, 1, 48, 48))]:
        m.eval()
        path = os.path.join(out, name + ".onnx")
        with torch.no_grad():
            torch.onnx.export(m, torch.randn(*shape), path, opset_version=13, input_names=["x"], output_names=["y"])
        print(f"{name}: {path}")


if __name__ == "__main__":
    main()
