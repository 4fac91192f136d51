"""cli.report_html: `tinyc convert/bench --report-html` in headless Chromium.

The page loads without a script error (the page marks <body data-ready="ok">, and window.onerror
would set data-error; Chromium's console log is checked too), sorts its layer table by a column
(FILE.html#sort=K), the screenshot is not blank, names from the model are escaped, the numbers
are the JSON report's, and two runs write the same bytes.
  report_html.py <tinyc> <source dir> [--screenshot OUT.png]
"""
import html
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

TINYC, SRC = sys.argv[1], Path(sys.argv[2])
SHOT_OUT = sys.argv[sys.argv.index("--screenshot") + 1] if "--screenshot" in sys.argv else None
failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures.append(what)


def tinyc(*args, code=0):
    p = subprocess.run([TINYC, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != code:
        print(p.stdout, p.stderr)
        raise SystemExit(f"FAIL: tinyc {' '.join(map(str, args))}: exit {p.returncode}, expected {code}")
    return p


def chromium(*args):
    return subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--enable-logging=stderr", "--v=0", *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120)


def png_pixels(path):
    """The screenshot as an RGB array [H, W, 3]."""
    from PIL import Image
    return np.asarray(Image.open(path).convert("RGB")).astype(np.int32)


def hostile_model():
    """A small CNN whose names are HTML and script."""
    bad = '<script>alert("x")</script>&<b>'
    w = numpy_helper.from_array(np.random.RandomState(0).randn(4, 1, 3, 3).astype(np.float32), bad + "w")
    x = helper.make_tensor_value_info(bad + "in", TensorProto.FLOAT, [1, 1, 8, 8])
    y = helper.make_tensor_value_info(bad + "out", TensorProto.FLOAT, [1, 4, 6, 6])
    nodes = [helper.make_node("Conv", [bad + "in", bad + "w"], [bad + "c"], name=bad + "conv"),
             helper.make_node("Relu", [bad + "c"], [bad + "out"], name="</table><img src=x onerror=alert(1)>")]
    g = helper.make_graph(nodes, bad, [x], [y], [w])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), bad


with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    mnist = SRC / "models" / "mnist8" / "model.onnx"
    common = ["--target", "cortex-m4", "--name", "mnist8", "--quantize", "int8", "--calib", SRC / "models" / "mnist8"]
    tinyc("convert", mnist, "-o", tmp / "a", *common, "-q", "--report", tmp / "a.json", "--report-html", tmp / "a.html")
    tinyc("convert", mnist, "-o", tmp / "b", *common, "-q", "--report-html", tmp / "b.html")
    page = (tmp / "a.html").read_text()
    rep = json.loads((tmp / "a.json").read_text())
    check(page == (tmp / "b.html").read_text(), "two runs write the same page")
    check("http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
          and "<link" not in page and " src=" not in page, "self-contained: nothing fetched from elsewhere")
    rows = re.findall(r"<tr><td class=\"n\" data-v=\"(\d+)\">", page)
    check(len(rows) == len(rep["nodes"]), f"one table row per node ({len(rows)})")
    check(f"<b>{rep['arena_bytes']:,} B</b>" in page, "the arena card is the report's arena_bytes")
    check("SQNR dB" in page and all(f"{l['sqnr_db']:.1f}" in page for l in rep["quantization"]["layers"]
                                    if l.get("sqnr_db") is not None), "SQNR per quantized layer")

    # In Chromium: no script error, sorted by MACs (column 6) on #sort=6, descending.
    p = chromium("--dump-dom", f"file://{tmp / 'a.html'}#sort=6")
    dom = p.stdout
    body = re.search(r"<body[^>]*>", dom)
    check(body is not None and body.group(0) == '<body data-ready="ok">', "the page's script ran without an error")
    console = [ln for ln in p.stderr.splitlines() if "CONSOLE" in ln]
    check(not console, f"no console messages ({console[:2]})")
    table = dom[dom.index('<table id="layers">'):]
    table = table[:table.index("</table>")]
    cells = [re.findall(r'data-v="([^"]*)"', row) for row in re.findall(r"<tr>(.*?)</tr>", table)[1:]]
    macs = [int(c[4]) for c in cells]  # #, node, params, weight B, MACs, ...
    check(len(macs) == len(rep["nodes"]) and macs == sorted(macs, reverse=True) and macs[0] == max(n["macs"] for n in rep["nodes"]),
          f"#sort=6 orders the rows by MACs, largest first ({macs[:4]}...)")

    # bench --emulate --per-layer: flash/RAM split and instructions per layer on the page.
    tinyc("bench", mnist, *common, "--emulate", "--per-layer", "--report-html", tmp / "bench.html", "--json")
    bpage = (tmp / "bench.html").read_text()
    check("instructions per inference (emulated)" in bpage and "model code" in bpage and "MAC/instr" in bpage,
          "bench's page: instructions, the flash split and MAC/instr per layer")
    shot = tmp / "bench.png"
    chromium("--window-size=1400,1500", f"--screenshot={shot}", f"file://{tmp / 'bench.html'}")
    px = png_pixels(shot)
    nonwhite = float(np.mean(np.any(px < 235, axis=2)))
    colors = len(np.unique(px.reshape(-1, 3)[::7], axis=0))
    check(nonwhite > 0.05 and colors > 20, f"the screenshot is not blank ({nonwhite:.0%} non-white, {colors} colors)")
    if SHOT_OUT:
        Path(SHOT_OUT).write_bytes(shot.read_bytes())

    # Names from the model are text, never markup.
    model, bad = hostile_model()
    onnx.save(model, tmp / "hostile.onnx")
    tinyc("convert", tmp / "hostile.onnx", "-o", tmp / "h", "--report-html", tmp / "h.html", "-q")
    hpage = (tmp / "h.html").read_text()
    check("<script>alert" not in hpage and "<img" not in hpage and html.escape(bad, quote=True)[:30] in hpage,
          "hostile names are escaped")
    p = chromium("--dump-dom", f"file://{tmp / 'h.html'}")
    check('<body data-ready="ok">' in p.stdout, "and the page still runs")

    # Usage errors and no partial output.
    tinyc("bench", mnist, "--report-html", tmp / "x.html", code=2)
    tinyc("convert", mnist, "-o", tmp / "c", "--report-html", tmp / "nodir" / "x.html", code=1)
    check(not (tmp / "x.html").exists() and not (tmp / "c").exists(), "no page without --emulate, nothing written on a bad path")

print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
