"""python.from_torch: tinyc.from_torch exports a PyTorch module and converts it in one call.

Run with a Python that has torch (Debian's python3-torch), PYTHONPATH=apps/python and
TINYC_BINARY=the build tree's tinyc:  torch_test.py
"""
import sys

import numpy as np
import torch
from torch import nn

import tinyc

failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures.append(what)


torch.manual_seed(0)
net = nn.Sequential(
    nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
    nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8), nn.ReLU6(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))
for m in net.modules():  # BatchNorm statistics that are not the identity
    if isinstance(m, nn.BatchNorm2d):
        m.running_mean.uniform_(-0.5, 0.5)
        m.running_var.uniform_(0.5, 2.0)
net.train()
x = torch.randn(1, 3, 16, 16)

r = tinyc.from_torch(net, x, target="cortex-m4", name="net", opset=13, input_names=["image"])
check(sorted(r["files"]) == ["net.c", "net.h", "net_weights.c"], "from_torch returns the generated files")
check(net.training, "the module is back in training mode")
check(r["report"]["macs"] > 0 and r["report"]["target"] == "cortex-m4", "and the report")
check("image" in r["files"]["net.h"], "the input name reaches the header")
with torch.no_grad():
    y_torch = net.eval()(x).numpy()
y = tinyc.run(r["onnx"], x.numpy())[0]
err = float(np.max(np.abs(y - y_torch)))
check(err <= 1e-5 * max(1.0, float(np.max(np.abs(y_torch)))), f"tinyc's interpreter matches torch (max error {err:.2e})")
v = tinyc.validate(r["onnx"], x.numpy(), target="cortex-m4")
check(v["ok"] is True, "the generated C for cortex-m4 matches the interpreter (validate)")
try:
    tinyc.from_torch(net, x, target="nope")
    check(False, "a bad option after export raises")
except tinyc.UsageError as e:
    check("unknown target" in e.message, "a bad option after export: UsageError")

print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
