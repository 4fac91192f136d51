#!/usr/bin/env python3
"""tinyc against emx-onnx-cgen (a peer ONNX-to-C generator, from PyPI) on the emulated Cortex-M4:
instructions per inference, code and constant bytes, measured stack, and the outputs' agreement.

Both programs are built the same way: the harness, startup code and linker script of tinyc's
`validate --emulate` build (the same inputs, QEMU -icount, SysTick calibrated to instructions,
the stack painted below the harness), arm-none-eabi-gcc -O2 with the target's flags; for the peer
a small adapter gives its entry function tinyc's `model_run` signature. Flash is counted from the
model's own objects (tinyc: NAME.o and NAME_weights.o; the peer: its C, its data file and the
adapter): code = .text, constants = .rodata + .data. RAM: tinyc's arena + stack; the peer keeps
its temporaries on the stack (--large-temp-threshold 0: no malloc), so its stack is its RAM.

    scripts/peer_compare.py [--models a,b,...] [--target cortex-m4] [--kernels fast,small] [--emx PATH]

PATH is the emx-onnx-cgen executable (default: found on PATH, else created in
/tmp/tinyc-peer-venv with pip). Prints a markdown table (docs/benchmarks.md, "Small models
against emx-onnx-cgen")."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINYC = os.environ.get("TINYC", os.path.join(ROOT, "build", "apps", "tinyc"))
FLAGS = {"cortex-m4": ("-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16", "mps2-an386"),
         "cortex-m7": ("-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16", "mps2-an500"),
         "cortex-m55": ("-mcpu=cortex-m55 -mthumb -mfloat-abi=hard", "mps3-an547")}
MODELS = ["hello_sine", "velardo_lesson9", "ad01_fp32", "mnist8", "digits_cnn", "kws_fp32"]
EMX_VERSION = "1.4.0"


def run(cmd, cwd=None):
    r = subprocess.run(cmd, cwd=cwd, shell=isinstance(cmd, str), capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd if isinstance(cmd, str) else ' '.join(cmd)}: {(r.stderr or r.stdout)[-600:]}")
    return r.stdout + r.stderr


def emx_tool(given):
    if given:
        return given
    if shutil.which("emx-onnx-cgen"):
        return shutil.which("emx-onnx-cgen")
    venv = os.path.join(tempfile.gettempdir(), "tinyc-peer-venv")
    exe = os.path.join(venv, "bin", "emx-onnx-cgen")
    if not os.path.exists(exe):
        run([sys.executable, "-m", "venv", venv])
        run([os.path.join(venv, "bin", "pip"), "install", "-q", f"emx-onnx-cgen=={EMX_VERSION}"])
    return exe


def sections(obj):
    """(code, constants) bytes of an object: .text*, and .rodata* + .data*."""
    code = const = 0
    for line in run(["arm-none-eabi-size", "-A", obj]).splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            if parts[0].startswith(".text"):
                code += int(parts[1])
            elif parts[0].startswith((".rodata", ".data")):
                const += int(parts[1])
    return code, const


def build_and_count(build, sources, cflags, machine, cpu, rundir, batch=None):
    """Compiles the sources (in build) with the harness in counting mode, runs it in QEMU in
    rundir (which holds in*.bin); returns (instructions, stack bytes). SysTick counts 40
    instructions per tick: a model under 100,000 instructions is counted again over a batch of
    100 runs (the harness's loop adds about 4 instructions per run, to both programs)."""
    objs = []
    for s in sources + ["harness.c", "startup.c"]:
        o = os.path.splitext(s)[0] + ".cmp.o"
        run(f"arm-none-eabi-gcc {cflags} -O2 -std=c99 -Wall -DTINYC_HARNESS_NO_CLOCK -DTINYC_HARNESS_COUNT=1 "
            f"-DTINYC_HARNESS_BATCH={batch or 1} -DTINYC_HARNESS_STACK=65536 -c {s} -o {o}", cwd=build)
        objs.append(o)
    run(f"arm-none-eabi-gcc {cflags} -o cmp.elf {' '.join(objs)} --specs=rdimon.specs -nostartfiles -T link.ld "
        f"-lm -lrdimon", cwd=build)
    log = run(f"timeout 300 qemu-system-arm -machine {machine} -cpu {cpu} -icount shift=0 -nographic -monitor none "
              f"-semihosting-config enable=on,target=native -kernel {os.path.join(build, 'cmp.elf')} "
              f"{' '.join([])} < /dev/null", cwd=rundir)
    instr = float(re.search(r"tinyc-instructions (\d+)", log).group(1))
    stack = int(re.search(r"tinyc-stack (-?\d+)", log).group(1))
    if batch is None and instr < 100000:
        return build_and_count(build, sources, cflags, machine, cpu, rundir, 100)[0], stack
    return int(instr), stack


def outputs(rundir, n):
    return [np.fromfile(os.path.join(rundir, f"out{k}.bin"), dtype=np.float32) for k in range(n)]


def compare(model_name, target, emx, work, kernels="fast"):
    path = os.path.join(ROOT, "models", model_name, "model.onnx")
    cflags, machine = FLAGS[target]
    kept = run([TINYC, "validate", path, "--name", "model", "--target", target, "--kernels", kernels, "--emulate",
                "--keep"])
    d = re.search(r"kept in (\S+)", kept).group(1)
    build = os.path.join(d, "build")
    arena = int(re.search(r"#define MODEL_ARENA_SIZE (\d+)", open(os.path.join(build, "model.h")).read()).group(1))
    m = onnx.load(path)
    inits = {i.name for i in m.graph.initializer}
    ins = [i for i in m.graph.input if i.name not in inits]
    nout = len(m.graph.output)
    # the peer: batch dimensions pinned to 1, temporaries on the stack (no malloc)
    pins = []
    for i in ins:
        for k, dim in enumerate(i.type.tensor_type.shape.dim):
            if dim.dim_param or dim.dim_value == 0:
                pins += ["--input-dim", f"{i.name}:{k}=1"]
    run([emx, "compile", path, os.path.join(build, "peer.c"), "--model-name", "peer_model", "--emit-data-file",
         "--large-temp-threshold", "0", "--large-weight-threshold", "0", *pins])
    src = open(os.path.join(build, "peer.c")).read()
    proto = re.search(r"^void peer_model\((.*?)\)\s*\{", src, re.S | re.M)
    args = ", ".join([f"inputs[{k}]" for k in range(len(ins))] + [f"outputs[{k}]" for k in range(nout)])
    open(os.path.join(build, "adapter.c"), "w").write(
        f'#include "model.h"\nvoid peer_model({proto.group(1)});\n'
        f"int model_run(const void *const inputs[], void *const outputs[], void *arena) {{\n"
        f"  (void)arena;\n  peer_model({args});\n  return 0;\n}}\n")
    # tinyc's run folder holds the inputs; each build runs in its own copy
    res = {}
    for who, sources in (("tinyc", ["model.c", "model_weights.c"]), ("peer", ["peer.c", "peer_data.c", "adapter.c"])):
        rd = os.path.join(work, f"{model_name}-{who}")
        shutil.rmtree(rd, ignore_errors=True)
        os.makedirs(rd)
        for f in os.listdir(os.path.join(d, "run0")):
            if f.startswith("in") and f.endswith(".bin"):
                shutil.copy(os.path.join(d, "run0", f), rd)
        instr, stack = build_and_count(build, sources, cflags, machine, target, rd)
        code = const = 0
        for s in sources:
            c, k = sections(os.path.join(build, os.path.splitext(s)[0] + ".cmp.o"))
            code, const = code + c, const + k
        res[who] = {"instr": instr, "stack": stack, "code": code, "const": const, "out": outputs(rd, nout)}
    ref = outputs(os.path.join(d, "run0"), nout)  # validate's own emulated run (checked against the interpreter)
    shutil.rmtree(d, ignore_errors=True)
    err = max(float(np.abs(a.astype(np.float64) - b).max(initial=0.0)) for a, b in zip(res["peer"]["out"], ref))
    mag = max(float(np.abs(b).max(initial=0.0)) for b in ref)
    return res, arena, err, mag


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--target", default="cortex-m4", choices=sorted(FLAGS))
    ap.add_argument("--emx", help="emx-onnx-cgen executable")
    ap.add_argument("--kernels", default="fast,small", help="tinyc's --kernels modes, one row each (default fast,small)")
    a = ap.parse_args()
    emx = emx_tool(a.emx)
    version = run([emx, "--help"]).splitlines()
    work = tempfile.mkdtemp(prefix="tinyc-peer-")
    print(f"{a.target} (QEMU -icount, arm-none-eabi-gcc -O2); peer: emx-onnx-cgen {EMX_VERSION}; "
          f"{[v for v in version if 'build date' in v][:1]}\n")
    print("| model | tinyc instructions | emx instructions | emx / tinyc | tinyc code (B) | emx code (B) | "
          "tinyc constants (B) | emx constants (B) | tinyc RAM: arena + stack (B) | emx RAM: stack (B) | "
          "emx vs tinyc max abs diff |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, kernels in [(m, k) for m in a.models.split(",") for k in a.kernels.split(",")]:
        label = name if kernels == "fast" else f"{name}, `--kernels {kernels}`"
        try:
            r, arena, err, mag = compare(name, a.target, emx, work, kernels)
        except Exception as e:  # noqa: BLE001 (one row says why)
            print(f"| {label} | failed: {str(e).splitlines()[0][:200]} |")
            continue
        t, p = r["tinyc"], r["peer"]
        print(f"| {label} | {t['instr']:,} | {p['instr']:,} | {p['instr'] / t['instr']:.2f} | {t['code']:,} | "
              f"{p['code']:,} | {t['const']:,} | {p['const']:,} | {arena:,} + {t['stack']:,} | {p['stack']:,} | "
              f"{err:.2g} (max {mag:.3g}) |", flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
