#!/usr/bin/env python3
"""Trains the digits CNN (issue 10: accuracy of post-training quantization on real data).

scikit-learn's bundled digits data set (1,797 8x8 images of handwritten digits, 0..16 grey
levels, UCI ML hand-written digits) is split with a fixed seed into 1,300 training and 497
held-out test images; 100 of the training images are the calibration set (quantization may see
training data, never test data). A small CNN (two 3x3 convolutions, max pooling, a third
convolution, global average pooling, a linear layer: 3.4 K parameters) is trained on the
training images with a fixed seed and exported to ONNX (opset 13, input [1, 1, 8, 8] float32
scaled to 0..1, output [1, 10] logits).

Writes, next to this script: model.onnx, calib.npz (x: [100, 1, 8, 8]), test.npz (x: [497, 1,
8, 8], y: [497] labels) and test_data_set_0..2 (three held-out images with the PyTorch model's
outputs, for the conformance runner).

Needs PyTorch, scikit-learn and onnx (Debian: python3-torch python3-sklearn python3-onnx):
    /usr/bin/python3 models/digits_cnn/train.py
The result depends on the PyTorch version's kernels; the committed files came from PyTorch
1.13.1 (Debian 12) on x86-64.
"""
import os

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from sklearn.datasets import load_digits

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 0


class DigitsCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(1, 8, 3, padding=1)
        self.c2 = torch.nn.Conv2d(8, 16, 3, padding=1)
        self.pool = torch.nn.MaxPool2d(2)
        self.c3 = torch.nn.Conv2d(16, 16, 3, padding=1)
        self.fc = torch.nn.Linear(16, 10)

    def forward(self, x):
        x = torch.relu(self.c1(x))
        x = self.pool(torch.relu(self.c2(x)))
        x = torch.relu(self.c3(x))
        x = torch.flatten(torch.nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


def main():
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    d = load_digits()
    x = (d.images / 16.0).astype(np.float32)[:, None, :, :]
    y = d.target.astype(np.int64)
    order = rng.permutation(len(x))
    train, test = order[:1300], order[1300:]
    calib = train[rng.permutation(len(train))[:100]]
    model = DigitsCnn()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    xt, yt = torch.from_numpy(x[train]), torch.from_numpy(y[train])
    for epoch in range(60):
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(x[test])).argmax(1).numpy()
    print(f"float top-1 on the {len(test)} held-out images: {(pred == y[test]).mean() * 100:.2f}%")

    path = os.path.join(HERE, "model.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 8, 8), path, opset_version=13, input_names=["image"],
                      output_names=["logits"], do_constant_folding=True)
    m = onnx.load(path)
    m.producer_name, m.producer_version = "pytorch", torch.__version__
    onnx.save(m, path)
    np.savez_compressed(os.path.join(HERE, "calib.npz"), x=x[calib])
    np.savez_compressed(os.path.join(HERE, "test.npz"), x=x[test], y=y[test])
    with torch.no_grad():
        for k in range(3):
            ds = os.path.join(HERE, f"test_data_set_{k}")
            os.makedirs(ds, exist_ok=True)
            xi = x[test[k]][None]
            out = model(torch.from_numpy(xi)).numpy()
            for name, arr in (("input_0.pb", xi), ("output_0.pb", out)):
                with open(os.path.join(ds, name), "wb") as f:
                    f.write(numpy_helper.from_array(arr).SerializeToString())


if __name__ == "__main__":
    main()
