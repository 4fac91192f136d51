#!/usr/bin/env bash
# tinyc bench --emulate: the flash split (kernels, model code, weights and constants) and the RAM
# split (arena, measured stack, data, input and output buffers) add up, match the report's arena and
# weights and the model's I/O sizes, with the inline and the shared runtime; --check-fit exits 1
# with the numbers when the model does not fit, 0 when it does, 2 on a malformed budget or
# without --emulate.
#   bench_fit.sh <tinyc> <python> <models dir>
set -euo pipefail
TINYC=$1
PY=$2
M=$3/kws_int8/model.onnx
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$TINYC" bench "$M" --target cortex-m4 --emulate --json >"$W/b.json"
"$TINYC" bench "$M" --target cortex-m4 --emulate --json --runtime shared >"$W/bs.json"
"$TINYC" convert "$M" --target cortex-m4 -o "$W/out" --report "$W/r.json" -q
"$PY" - "$W/b.json" "$W/bs.json" "$W/r.json" "$M" <<'EOP'
import json, sys
import onnx
b, bs, r = (json.load(open(p)) for p in sys.argv[1:4])
m = onnx.load(sys.argv[4])
# the caller's buffers: the graph's inputs and outputs (int8 here), from the ONNX file
def nbytes(vi):
    n = 1
    for d in vi.type.tensor_type.shape.dim:
        n *= d.dim_value or 1
    return n * {1: 4, 3: 1, 2: 1}[vi.type.tensor_type.elem_type]
io = sum(nbytes(v) for v in list(m.graph.input) + list(m.graph.output) if v.name not in {i.name for i in m.graph.initializer})
for j in (b, bs):
    f, ram = j["flash"], j["ram"]
    assert f["total"] == f["kernels"] + f["model_code"] + f["weights_and_constants"], f
    assert f["kernels"] > 1000 and f["model_code"] > 100, f
    # the weights as the report counts them, plus the per-channel requantization tables (kws_int8:
    # 10 KB of them for 22 KB of weights) and the like
    assert r["weights_bytes"] < f["weights_and_constants"] < 1.5 * r["weights_bytes"], (f, r["weights_bytes"])
    assert ram["arena"] == r["arena_bytes"], (ram, r["arena_bytes"])
    assert ram["io_buffers"] == io, (ram, io)
    assert 100 < ram["stack"] < 16384, ram
    assert ram["total"] == ram["arena"] + ram["stack"] + ram["data"] + ram["io_buffers"], ram
print(f"ok: flash {b['flash']}, RAM {b['ram']}; shared runtime: kernels {bs['flash']['kernels']}")
EOP
expect() {  # expect RC PATTERN ARGS...: tinyc bench exits RC and prints PATTERN
  local want=$1 pat=$2
  shift 2
  set +e
  "$TINYC" bench "$M" "$@" >"$W/out.txt" 2>&1
  local rc=$?
  set -e
  [ $rc = "$want" ] && grep -q "$pat" "$W/out.txt" || { echo "FAIL: bench $*: exit $rc (want $want, '$pat')"; cat "$W/out.txt"; exit 1; }
}
expect 1 "does not fit 1024 flash and 65536 RAM on cortex-m4: needs [0-9]* flash (over) and [0-9]* RAM\$" \
  --target cortex-m4 --emulate --check-fit 1K,64K
expect 0 "^fits: flash [0-9]* <= 1048576, RAM [0-9]* <= 65536" --target cortex-m4 --emulate --check-fit 1M,64K
expect 2 "check-fit takes FLASH,RAM" --target cortex-m4 --emulate --check-fit 1K
expect 2 "check-fit takes FLASH,RAM" --target cortex-m4 --emulate --check-fit 1G,1K
expect 2 "check-fit needs --emulate" --target cortex-m4 --check-fit 1M,1M
echo "ok: --check-fit"
