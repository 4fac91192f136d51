"""Latency table for docs/benchmarks.md: tinyc's generated C (tinyc bench) next to ONNX Runtime
(1 thread, sequential, all graph optimizations) on the same machine in the same run.
usage: .venv/bin/python scripts/bench_table.py [--runs N] MODEL.onnx...
"""
import argparse
import json
import os
import statistics
import subprocess
import time

import numpy as np
import onnxruntime as ort

ap = argparse.ArgumentParser()
ap.add_argument("--tinyc", default="build/apps/tinyc")
ap.add_argument("--runs", type=int, default=200)
ap.add_argument("models", nargs="+")
args = ap.parse_args()

print(f"| model | tinyc C median (ms) | ONNX Runtime 1 thread median (ms) | ratio C / ORT | interpreter median (ms) |")
print("|---|---|---|---|---|")
for path in args.models:
    name = os.path.basename(os.path.dirname(path)) or path
    r = subprocess.run([args.tinyc, "bench", path, "--runs", str(args.runs), "--warmup", "10", "--interp-runs", "5",
                        "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"| {name} | (tinyc: {r.stderr.strip()[:80]}) | | | |")
        continue
    t = json.loads(r.stdout)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    feeds = {}
    for i in sess.get_inputs():
        shape = [d if isinstance(d, int) else 1 for d in i.shape]
        feeds[i.name] = (rng.standard_normal(shape).astype(np.float32) if i.type == "tensor(float)"
                         else rng.integers(-128, 128, shape).astype(np.int8))
    for _ in range(10):
        sess.run(None, feeds)
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter_ns()
        sess.run(None, feeds)
        times.append((time.perf_counter_ns() - t0) / 1e6)
    ort_ms = statistics.median(times)
    c_ms = t["generated_ms"]["median"]
    print(f"| {name} | {c_ms:.4f} | {ort_ms:.4f} | {c_ms / ort_ms:.2f} | {t['interpreter_ms']['median']:.3f} |")
print()
print(f"C flags: `{t['cflags'] if 'cflags' in t else ''}`; ONNX Runtime {ort.__version__}")
