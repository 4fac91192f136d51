"""Writes int8 models as PyTorch quantizes and exports them (issue 9): small seeded float CNNs/MLPs
quantized by torch itself in every route that exports, saved as ONNX with test sets whose
expected outputs come from ONNX Runtime (CPU, one thread, graph optimizations disabled).

Routes (one file per model and route, named MODEL.ROUTE.onnx):
  eager_qnnpack   eager-mode post-training static quantization (QuantStub/DeQuantStub,
                  fuse_modules, qnnpack qconfig: uint8 activations, int8 per-tensor weights),
                  TorchScript exporter (torch.onnx.export(dynamo=False), opset 13)
  fx_x86          FX-graph-mode PTQ (prepare_fx/convert_fx), x86 qconfig: per-channel weights,
                  activations with reduce_range; TorchScript exporter
  fx_qnnpack      FX PTQ, qnnpack qconfig (per-tensor); TorchScript exporter
  fx_reference    FX PTQ converted to the reference model (convert_to_reference_fx: explicit
                  quantize/dequantize around float ops), x86 qconfig; TorchScript exporter
  fx_reference_dynamo  the same with the dynamo exporter
  qat_default     QAT (prepare_qat_fx) with the default qconfig (version 1: fused observer and
                  fake quantization), TorchScript exporter
  qat_qnnpack     QAT with the version-0 qconfig (FakeQuantize modules), a few training steps,
                  the fake-quant model exported as it is (FakeQuantize -> QuantizeLinear /
                  DequantizeLinear pairs; Conv+BN as Conv -> Div -> Add -> BatchNormalization)
  qat_x86         the same with the x86 QAT qconfig (per-channel weights, uint8 activations in
                  0..127: QuantizeLinear -> Clip -> DequantizeLinear)
  qat_x86_dynamo  the same with the dynamo exporter
  pt2e_xnnpack    PT2E (torch.export + torchao prepare_pt2e/convert_pt2e) with torchao's
                  XNNPACKQuantizer (int8 symmetric activations, per-channel weights);
                  torch.onnx.export(dynamo=True)
  pt2e_x86        PT2E with X86InductorQuantizer (uint8 activations); dynamo exporter

Needs torch (and torchao for pt2e_*), which the project's test venv does not have: run it with a
separate venv. The files it writes are committed (tests/oracle/torch_qmodels/), and the ctest
oracle.torch_qmodels reads only them.

  make_torch_qmodels.py OUT_DIR        writes OUT_DIR/*.onnx, OUT_DIR/<stem>/test_data_set_*,
                                       OUT_DIR/routes.txt (what exported, what failed and why)
"""
import copy
import os
import re
import sys
import traceback
import warnings

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
from onnx import numpy_helper

warnings.filterwarnings("ignore")
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.backends.quantized.engine = "qnnpack"


def bn(c):
    m = nn.BatchNorm2d(c)
    with torch.no_grad():  # statistics that make folding matter
        m.weight.uniform_(0.5, 1.5)
        m.bias.uniform_(-0.3, 0.3)
        m.running_mean.uniform_(-0.3, 0.3)
        m.running_var.uniform_(0.5, 2.0)
    return m


class ConvBn(nn.Module):  # conv + bn + relu, max pool, a strided conv, global average pool, linear
    shape = (1, 3, 16, 16)

    def __init__(self):
        super().__init__()
        self.c1, self.b1, self.r1 = nn.Conv2d(3, 8, 3, padding=1), bn(8), nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.c2, self.b2, self.r2 = nn.Conv2d(8, 16, 3, stride=2, padding=1), bn(16), nn.ReLU()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)
        self.fuse = [["c1", "b1", "r1"], ["c2", "b2", "r2"]]

    def forward(self, x):
        x = self.pool(self.r1(self.b1(self.c1(x))))
        x = self.gap(self.r2(self.b2(self.c2(x))))
        return self.fc(torch.flatten(x, 1))


class DwSep(nn.Module):  # a DS-CNN like MLPerf Tiny KWS: conv s2, depthwise, pointwise, average pool, linear
    shape = (1, 1, 25, 11)

    def __init__(self):
        super().__init__()
        self.c1, self.b1, self.r1 = nn.Conv2d(1, 16, (5, 3), stride=2, padding=(2, 1)), bn(16), nn.ReLU()
        self.dw, self.b2, self.r2 = nn.Conv2d(16, 16, 3, padding=1, groups=16), bn(16), nn.ReLU()
        self.pw, self.b3, self.r3 = nn.Conv2d(16, 24, 1), bn(24), nn.ReLU()
        self.pool = nn.AvgPool2d(2)
        self.fc = nn.Linear(24 * 6 * 3, 12)
        self.fuse = [["c1", "b1", "r1"], ["dw", "b2", "r2"], ["pw", "b3", "r3"]]

    def forward(self, x):
        x = self.r1(self.b1(self.c1(x)))
        x = self.r2(self.b2(self.dw(x)))
        x = self.pool(self.r3(self.b3(self.pw(x))))
        return self.fc(torch.flatten(x, 1))


class Residual(nn.Module):  # conv, a residual add, relu, hardswish, conv, global average pool, linear
    shape = (1, 4, 12, 12)

    def __init__(self):
        super().__init__()
        self.c1, self.b1, self.r1 = nn.Conv2d(4, 8, 3, padding=1), bn(8), nn.ReLU()
        self.c2, self.b2 = nn.Conv2d(8, 8, 3, padding=1), bn(8)
        self.add = torch.ao.nn.quantized.FloatFunctional()  # eager mode needs it; FX sees add_relu
        self.c3, self.b3 = nn.Conv2d(8, 12, 3, stride=2, padding=1), bn(12)
        self.hs = nn.Hardswish()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(12, 6)
        self.fuse = [["c1", "b1", "r1"], ["c2", "b2"], ["c3", "b3"]]

    def forward(self, x):
        a = self.r1(self.b1(self.c1(x)))
        t = self.add.add_relu(a, self.b2(self.c2(a)))
        t = self.hs(self.b3(self.c3(t)))
        return self.fc(torch.flatten(self.gap(t), 1))


class Mlp(nn.Module):  # linear layers with relu and sigmoid
    shape = (1, 20)

    def __init__(self):
        super().__init__()
        self.l1, self.r1 = nn.Linear(20, 32), nn.ReLU()
        self.l2, self.sg = nn.Linear(32, 16), nn.Sigmoid()
        self.l3 = nn.Linear(16, 5)
        self.fuse = [["l1", "r1"]]

    def forward(self, x):
        return self.l3(self.sg(self.l2(self.r1(self.l1(x)))))


MODELS = {"convbn": ConvBn, "dwsep": DwSep, "residual": Residual, "mlp": Mlp}


def make(name):
    torch.manual_seed(sum(map(ord, name)))
    return MODELS[name]().eval()


def calib(shape, n=32, seed=1):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(shape, generator=g) for _ in range(n)]


def run_calib(m, shape):
    with torch.no_grad():
        for x in calib(shape):
            m(x)


def ts_export(m, shape, path):
    torch.onnx.export(m, (torch.randn(shape),), path, dynamo=False, opset_version=13, input_names=["x"],
                      output_names=["y"])


def dynamo_export(m, shape, path):
    prog = torch.onnx.export(m, (torch.randn(shape),), dynamo=True, input_names=["x"], output_names=["y"])
    prog.save(path)


# ---- routes: each returns the exported file or raises ----

def eager_qnnpack(name, path):
    from torch.ao.quantization import QuantWrapper, convert, fuse_modules, get_default_qconfig, prepare
    torch.backends.quantized.engine = "qnnpack"
    f = make(name)
    f = fuse_modules(f, f.fuse)
    m = QuantWrapper(f).eval()
    m.qconfig = get_default_qconfig("qnnpack")
    prepare(m, inplace=True)
    run_calib(m, f.shape)
    convert(m, inplace=True)
    ts_export(m, f.shape, path)


def fx_route(backend, reference=False, exporter=None):
    def route(name, path):
        from torch.ao.quantization import get_default_qconfig_mapping
        from torch.ao.quantization.quantize_fx import convert_fx, convert_to_reference_fx, prepare_fx
        torch.backends.quantized.engine = backend
        f = make(name)
        x = torch.randn(f.shape)
        m = prepare_fx(f, get_default_qconfig_mapping(backend), (x,))
        run_calib(m, f.shape)
        m = (convert_to_reference_fx if reference else convert_fx)(m)
        (exporter or ts_export)(m, f.shape, path)
    return route


def qat_route(backend, version=0, exporter=None):
    def route(name, path):
        from torch.ao.quantization import get_default_qat_qconfig_mapping
        from torch.ao.quantization.quantize_fx import prepare_qat_fx
        torch.backends.quantized.engine = backend
        f = make(name)
        teacher = copy.deepcopy(f)
        x = torch.randn(f.shape)
        m = prepare_qat_fx(f.train(), get_default_qat_qconfig_mapping(backend, version), (x,))
        opt = torch.optim.SGD(m.parameters(), lr=1e-3)
        for xb in calib(f.shape, 8):  # a few steps towards the float model's own outputs
            with torch.no_grad():
                want = teacher(xb)
            loss = (m(xb) - want).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        m.apply(torch.ao.quantization.disable_observer)
        m.eval()
        (exporter or ts_export)(m, f.shape, path)
    return route


def pt2e_route(kind):
    def route(name, path):
        from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e
        if kind == "xnnpack":
            from torchao.testing.pt2e._xnnpack_quantizer import XNNPACKQuantizer, get_symmetric_quantization_config
            quantizer = XNNPACKQuantizer().set_global(get_symmetric_quantization_config(is_per_channel=True))
        else:
            import torchao.quantization.pt2e.quantizer.x86_inductor_quantizer as xiq
            quantizer = xiq.X86InductorQuantizer().set_global(xiq.get_default_x86_inductor_quantization_config())
        f = make(name)
        x = torch.randn(f.shape)
        m = torch.export.export(f, (x,)).module()
        m = prepare_pt2e(m, quantizer)
        run_calib(m, f.shape)
        m = convert_pt2e(m)
        dynamo_export(m, f.shape, path)
    return route


ROUTES = {
    "eager_qnnpack": eager_qnnpack,
    "fx_x86": fx_route("x86"),
    "fx_qnnpack": fx_route("qnnpack"),
    "fx_reference": fx_route("x86", reference=True),
    "fx_reference_dynamo": fx_route("x86", reference=True, exporter=dynamo_export),
    "qat_default": qat_route("x86", version=1),
    "qat_qnnpack": qat_route("qnnpack"),
    "qat_x86": qat_route("x86"),
    "qat_x86_dynamo": qat_route("x86", exporter=dynamo_export),
    "pt2e_xnnpack": pt2e_route("xnnpack"),
    "pt2e_x86": pt2e_route("x86"),
}


def save_sets(path, shape, stem):
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(sum(map(ord, stem)))
    inp = sess.get_inputs()[0]
    for k in range(3):
        x = rng.standard_normal(shape).astype(np.float32)
        ys = sess.run(None, {inp.name: x})
        d = os.path.join(out, stem, f"test_data_set_{k}")
        os.makedirs(d, exist_ok=True)
        onnx.save_tensor(numpy_helper.from_array(x, inp.name), os.path.join(d, "input_0.pb"))
        for i, (o, y) in enumerate(zip(sess.get_outputs(), ys)):
            onnx.save_tensor(numpy_helper.from_array(y, o.name), os.path.join(d, f"output_{i}.pb"))


only = sys.argv[2:]  # optional ROUTE or MODEL.ROUTE filters
log = [f"torch {torch.__version__}"]
try:
    import torchao
    log.append(f"torchao {torchao.__version__}")
except ImportError:
    pass
for route, fn in ROUTES.items():
    for name in MODELS:
        stem = f"{name}.{route}"
        if only and route not in only and stem not in only:
            continue
        path = os.path.join(out, stem + ".onnx")
        try:
            fn(name, path)
            m = onnx.load(path)
            onnx.checker.check_model(m)
            ops = sorted({n.op_type for n in m.graph.node})
            save_sets(path, MODELS[name].shape, stem)
            log.append(f"{stem}: ok ({os.path.getsize(path)} bytes) ops: {' '.join(ops)}")
        except Exception as e:  # torch's own failures: recorded, not fatal
            root = e
            while root.__cause__ or root.__context__:  # the first error raised
                root = root.__cause__ or root.__context__
            msg = re.sub(r"\x1b\[[0-9;]*m", "", str(root)).strip().splitlines()
            why = f" ({type(root).__name__}: {msg[0][:200] if msg else ''})" if root is not e else ""
            top = re.sub(r"\x1b\[[0-9;]*m", "", str(e)).strip().splitlines()
            log.append(f"{stem}: FAILED {type(e).__name__}: {top[0][:200] if top else ''}{why}")
            if os.environ.get("TRACE"):
                traceback.print_exc()
            if os.path.exists(path):
                os.remove(path)
        print(log[-1], flush=True)
with open(os.path.join(out, "routes.txt"), "w") as f:
    f.write("\n".join(log) + "\n")
