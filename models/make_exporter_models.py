#!/usr/bin/env python3
"""Build tiny MCU-sized PyTorch models and export them with every ONNX exporter
mode the installed torch has, so tinyc can be tested on what each exporter emits.

    python3 models/make_exporter_models.py OUTDIR

Writes OUTDIR/<model>_<mode>.onnx and OUTDIR/<model>_<mode>.npz (one reference
input/output pair computed by the torch module, arrays named like the ONNX graph
inputs and outputs). Weights, BatchNorm statistics and inputs come from fixed
seeds, so two runs with the same torch give the same models.

Modes:
  ts_default     TorchScript exporter (dynamo=False on torch >= 2.5), default opset
  ts_opset13     TorchScript exporter, opset 13
  dynamo         torch.onnx.export(..., dynamo=True), default optimize
  dynamo_noopt   torch.onnx.export(..., dynamo=True, optimize=False)  (torch >= 2.5)

Needs torch and numpy; onnx is optional (without it onnx.checker is skipped and the
.npz arrays get the names passed to the exporter); dynamo modes need onnxscript.
Prints one line per export and exits 0 unless no model at all could be exported.
"""

import argparse
import contextlib
import inspect
import os
import sys
import tempfile
import warnings

import numpy as np
import torch
import torch.nn as nn

try:
    import onnx
except Exception as e:  # pragma: no cover - depends on the environment
    onnx = None
    ONNX_IMPORT_ERROR = str(e).splitlines()[0] if str(e) else type(e).__name__
else:
    ONNX_IMPORT_ERROR = None


# ---------------------------------------------------------------------------
# Models (batch 1, static shapes, all well under 100k parameters)
# ---------------------------------------------------------------------------

class MnistCnn(nn.Module):
    """Conv-ReLU-MaxPool x2, Linear; the second conv has no bias."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1, bias=False)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        return self.fc(torch.flatten(x, 1))


class DwSep(nn.Module):
    """Depthwise 3x3 + pointwise 1x1 + BatchNorm + ReLU6 blocks, GAP, Linear."""

    def __init__(self):
        super().__init__()

        def block(cin, cout, stride):
            return nn.Sequential(
                nn.Conv2d(cin, cin, 3, stride=stride, padding=1, groups=cin, bias=False),
                nn.BatchNorm2d(cin),
                nn.ReLU6(),
                nn.Conv2d(cin, cout, 1, bias=False),
                nn.BatchNorm2d(cout),
                nn.ReLU6(),
            )

        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False),
                                  nn.BatchNorm2d(16), nn.ReLU6())
        self.blocks = nn.Sequential(block(16, 32, 1), block(32, 64, 2), block(64, 64, 1))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(self.pool(x), 1))


class MobileNetV3Block(nn.Module):
    """Expansion 1x1, depthwise 3x3, squeeze-excitation (Hardsigmoid), Hardswish,
    projection 1x1 and a residual add; a small stem and a Linear head around it."""

    def __init__(self, c=16, exp=64, se=16):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, c, 3, stride=2, padding=1, bias=False),
                                  nn.BatchNorm2d(c), nn.Hardswish())
        self.expand = nn.Sequential(nn.Conv2d(c, exp, 1, bias=False), nn.BatchNorm2d(exp),
                                    nn.Hardswish())
        self.dw = nn.Sequential(nn.Conv2d(exp, exp, 3, padding=1, groups=exp, bias=False),
                                nn.BatchNorm2d(exp), nn.Hardswish())
        self.se_pool = nn.AdaptiveAvgPool2d(1)
        self.se_fc1 = nn.Conv2d(exp, se, 1)
        self.se_fc2 = nn.Conv2d(se, exp, 1)
        self.se_gate = nn.Hardsigmoid()
        self.project = nn.Sequential(nn.Conv2d(exp, c, 1, bias=False), nn.BatchNorm2d(c))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, 10)

    def forward(self, x):
        x = self.stem(x)
        y = self.dw(self.expand(x))
        s = self.se_gate(self.se_fc2(torch.relu(self.se_fc1(self.se_pool(y)))))
        y = self.project(y * s)
        x = x + y
        return self.fc(torch.flatten(self.pool(x), 1))


class KwsLstm(nn.Module):
    """LSTM over 49 frames x 10 MFCCs, Linear on the last step."""

    def __init__(self, hidden=64, cls=nn.LSTM):
        super().__init__()
        self.rnn = cls(input_size=10, hidden_size=hidden, batch_first=True)
        self.fc = nn.Linear(hidden, 12)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1, :])


class KwsGru(KwsLstm):
    def __init__(self):
        super().__init__(hidden=64, cls=nn.GRU)


class TinyTransformer(nn.Module):
    """One TransformerEncoderLayer (d_model 32, 4 heads, GELU), mean over the
    sequence, Linear head."""

    def __init__(self):
        super().__init__()
        self.enc = nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64,
                                              dropout=0.0, activation="gelu",
                                              batch_first=True)
        self.fc = nn.Linear(32, 5)

    def forward(self, x):
        return self.fc(self.enc(x).mean(dim=1))


class Audio1d(nn.Module):
    """Conv1d-BatchNorm1d-ReLU x3, AdaptiveAvgPool1d, Linear."""

    def __init__(self):
        super().__init__()
        layers = []
        cin = 1
        for cout, k, s in ((8, 9, 4), (16, 5, 2), (32, 5, 2)):
            layers += [nn.Conv1d(cin, cout, k, stride=s, padding=k // 2),
                       nn.BatchNorm1d(cout), nn.ReLU()]
            cin = cout
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.fc = nn.Linear(32, 6)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


class ScriptedControlFlow(nn.Module):
    """A CNN whose forward is scripted (torch.jit.script): a loop over a count computed from the
    input's height and a branch on its (dynamic) batch size, exported as Loop and If; TorchScript
    exporter modes only."""
    SCRIPTED = True
    DYNAMIC_AXES = {"input": {0: "batch"}}

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        y = self.conv(x)
        for _ in range(x.shape[2] // 8):
            y = torch.relu(y) * 0.5 + y
        if x.shape[0] == 1:
            z = y.mean(dim=[2, 3])
        else:
            z = y.sum(dim=[2, 3])
        return self.fc(z)


# name -> (constructor, input shape)
MODELS = [
    ("mnist_cnn", MnistCnn, (1, 1, 28, 28)),
    ("dwsep", DwSep, (1, 3, 32, 32)),
    ("mbv3_block", MobileNetV3Block, (1, 3, 32, 32)),
    ("kws_lstm", KwsLstm, (1, 49, 10)),
    ("kws_gru", KwsGru, (1, 49, 10)),
    ("transformer", TinyTransformer, (1, 16, 32)),
    ("audio1d", Audio1d, (1, 1, 1024)),
    ("scripted_cf", ScriptedControlFlow, (1, 3, 24, 24)),
]


def build(idx, ctor, shape):
    """Deterministic module (random weights, random BatchNorm statistics) and input."""
    torch.manual_seed(1000 + idx)
    model = ctor()
    g = torch.Generator().manual_seed(2000 + idx)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) * 0.5 + 0.75)
                m.weight.copy_(torch.rand(m.num_features, generator=g) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)
    model.eval()
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(3000 + idx))
    return model, x


# ---------------------------------------------------------------------------
# Exporter modes
# ---------------------------------------------------------------------------

def torch_version():
    parts = []
    for p in torch.__version__.split("+")[0].split(".")[:2]:
        digits = "".join(ch for ch in p if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


EXPORT_PARAMS = set(inspect.signature(torch.onnx.export).parameters)
HAS_DYNAMO_ARG = "dynamo" in EXPORT_PARAMS
HAS_OPTIMIZE_ARG = "optimize" in EXPORT_PARAMS


def dynamo_unavailable():
    """Why the dynamo exporter cannot run here, or None."""
    if not HAS_DYNAMO_ARG:
        return "torch %s: torch.onnx.export has no dynamo argument" % torch.__version__
    try:
        import onnxscript  # noqa: F401
    except Exception as e:
        return "onnxscript not importable (%s)" % (str(e).splitlines()[0] if str(e) else e)
    return None


def modes():
    """[(mode, kwargs for torch.onnx.export or None, reason when skipped)]"""
    ts = {"dynamo": False} if HAS_DYNAMO_ARG else {}
    out = [("ts_default", dict(ts), None),
           ("ts_opset13", dict(ts, opset_version=13), None)]
    why = dynamo_unavailable()
    dyn = {"dynamo": True}
    # one self-contained file per model (torch >= 2.6 writes weights to an
    # external .data file by default)
    if "external_data" in EXPORT_PARAMS:
        dyn["external_data"] = False
    out.append(("dynamo", dyn if why is None else None, why))
    if why is None and not HAS_OPTIMIZE_ARG:
        why = "torch %s: torch.onnx.export has no optimize argument (needs torch >= 2.5)" \
              % torch.__version__
    out.append(("dynamo_noopt", dict(dyn, optimize=False) if why is None else None, why))
    return out


def first_line(e):
    s = str(e).strip()
    return "%s: %s" % (type(e).__name__, s.splitlines()[0] if s else "")


@contextlib.contextmanager
def quiet_fds():
    """Silence the exporters' progress messages, log warnings and graph dumps
    (printed from Python and C++) so each export gives a single line."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def export_one(model, x, path, kwargs, verbose_export=False):
    ctx = contextlib.nullcontext() if verbose_export else quiet_fds()
    with ctx:
        res = torch.onnx.export(model, (x,), path, input_names=["input"],
                                output_names=["output"], **kwargs)
    # some torch versions return an ONNXProgram and only save when f is given;
    # make sure the file is there
    if not os.path.exists(path) and res is not None and hasattr(res, "save"):
        res.save(path)
    if not os.path.exists(path):
        raise RuntimeError("exporter wrote no file")


def graph_io_names(path):
    if onnx is None:
        return ["input"], ["output"], None
    m = onnx.load(path)
    inits = {i.name for i in m.graph.initializer}
    ins = [i.name for i in m.graph.input if i.name not in inits]
    outs = [o.name for o in m.graph.output]
    opset = next((o.version for o in m.opset_import if o.domain in ("", "ai.onnx")), None)
    return ins, outs, opset


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", help="folder for the .onnx and .npz files")
    ap.add_argument("--models", help="comma-separated subset of: " +
                    ",".join(n for n, _, _ in MODELS))
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="let the exporters print their messages")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)

    print("torch %s, onnx %s" % (torch.__version__,
                                 onnx.__version__ if onnx else "missing (%s): checker skipped"
                                 % ONNX_IMPORT_ERROR))
    selected = set(args.models.split(",")) if args.models else None
    all_modes = modes()
    n_ok = n_skip = n_fail = 0
    for idx, (name, ctor, shape) in enumerate(MODELS):
        if selected is not None and name not in selected:
            continue
        model, x = build(idx, ctor, shape)
        nparams = sum(p.numel() for p in model.parameters())
        with torch.no_grad():
            ref = model(x)
        refs = list(ref) if isinstance(ref, (tuple, list)) else [ref]
        scripted = getattr(ctor, "SCRIPTED", False)
        exported = torch.jit.script(model) if scripted else model
        for mode, kwargs, why in all_modes:
            tag = "%s_%s" % (name, mode)
            path = os.path.join(args.outdir, tag + ".onnx")
            if scripted and kwargs is not None:
                if kwargs.get("dynamo"):
                    kwargs, why = None, "a scripted module: TorchScript exporter only"
                else:
                    kwargs = dict(kwargs, dynamic_axes=ctor.DYNAMIC_AXES)
            if kwargs is None:
                print("%-28s skipped: %s" % (tag, why), flush=True)
                n_skip += 1
                continue
            for stale in (path, path + ".data", os.path.join(args.outdir, tag + ".npz")):
                if os.path.exists(stale):
                    os.remove(stale)
            try:
                export_one(exported, x, path, kwargs, args.verbose)
            except Exception as e:
                print("%-28s failed: %s" % (tag, first_line(e)), flush=True)
                n_fail += 1
                continue
            note = ""
            try:
                if onnx is not None:
                    onnx.checker.check_model(path)
                ins, outs, opset = graph_io_names(path)
                if len(ins) != 1 or len(outs) != len(refs):
                    raise RuntimeError("graph has %d inputs / %d outputs, expected 1 / %d"
                                       % (len(ins), len(outs), len(refs)))
                arrays = {ins[0]: x.numpy()}
                arrays.update({o: r.detach().numpy() for o, r in zip(outs, refs)})
                np.savez(os.path.join(args.outdir, tag + ".npz"), **arrays)
                if opset is not None:
                    note = " (opset %d, %d params)" % (opset, nparams)
            except Exception as e:
                print("%-28s failed: exported, but %s" % (tag, first_line(e)), flush=True)
                n_fail += 1
                continue
            print("%-28s ok%s" % (tag, note), flush=True)
            n_ok += 1
    print("%d ok, %d skipped, %d failed" % (n_ok, n_skip, n_fail))
    return 0 if n_ok > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
