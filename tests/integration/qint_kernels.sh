#!/usr/bin/env bash
# Every int8 kernel against the reference interpreter, exactly: seeded random single-op QDQ
# models (tests/integration/make_qint_cases.py: every op of the integer path, random shapes,
# per-tensor and per-channel scales over six decades, zero points incl. -128/127, fused
# Relu/Clip, saturating output scales) must lower completely (no float island in --report) and
# the generated C must equal the interpreter bit for bit (validate compares integer outputs
# exactly) on the generic target (channels-first kernels) and, in turn, on mcu (the portable
# channels-last kernels), cortex-m4 (its DSP-extension variants' plain-C form), cortex-m55 (the
# Helium variants' plain-C form) and cortex-m3 (the packed-pair convolution), built for the host,
# and, for every convolution and Gemm and a sample of the rest, on the emulated Cortex-M4 (the
# DSP-extension variants, runtime/arm_dsp/, compiled with the real instructions) and Cortex-M55
# (the Helium variants, runtime/arm_mve/), and every convolution on the emulated Cortex-M3. The generic target's C is built in turn
# with each x86 code path of runtime/qint_host.c this CPU runs (plain C, SSE2, AVX2, AVX-VNNI,
# AVX512-VNNI), two per case: one with gcc, one with clang.
#   qint_kernels.sh <tinyc> <python> [count] [seed]
set -euo pipefail
TINYC=$1
PY=$2
COUNT=${3:-48}
SEED=${4:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cases=$("$PY" "$HERE/make_qint_cases.py" "$W/m" "$COUNT" "$SEED")
# C flags of the generic target's builds: the plain C path, then each SIMD path the CPU has
flagsets=("-O2 -DTINYC_PORTABLE")
if [ "$(uname -m)" = x86_64 ]; then
  cpu=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
  flagsets+=("-O2")
  case " $cpu " in *" avx2 "*) flagsets+=("-O2 -mavx2");; esac
  case " $cpu " in *" avx_vnni "*) flagsets+=("-O1 -mavx2 -mavxvnni");; esac
  case " $cpu " in *" avx512_vnni "*) flagsets+=("-O3 -mavx2 -mavx512f -mavx512bw -mavx512vl -mavx512vnni");; esac
fi
nf=${#flagsets[@]}
fail=0
i=0
for c in $cases; do
  mcus=(mcu cortex-m4 cortex-m55 cortex-m3)
  mcu=${mcus[$((i % 4))]}
  for t in generic $mcu; do
    if ! "$TINYC" convert "$W/m/$c.onnx" --target $t -o "$W/out" --report "$W/r.json" -q 2>"$W/err"; then
      echo "FAIL $c ($t): convert: $(cat "$W/err")"; fail=1; continue
    fi
    islands=$("$PY" -c 'import json, sys; print(" ".join(n["name"] for n in json.load(open(sys.argv[1]))["float_islands"]))' "$W/r.json")
    if [ -n "$islands" ]; then echo "FAIL $c ($t): float islands: $islands"; fail=1; fi
    if [ $t = generic ]; then
      for run in 0 1; do  # gcc with one flag set, clang (where installed) with the next
        f=${flagsets[$(((i + run) % nf))]}
        cc=cc
        [ $run -eq 1 ] && command -v clang >/dev/null && cc=clang
        if ! CC=$cc CFLAGS="$f" "$TINYC" validate "$W/m/$c.onnx" --target $t --random 3 >"$W/log" 2>&1; then
          echo "FAIL $c ($t, $cc $f): C differs from the interpreter"; cat "$W/log"; fail=1
        fi
      done
    elif ! "$TINYC" validate "$W/m/$c.onnx" --target $t --random 3 >"$W/log" 2>&1; then
      echo "FAIL $c ($t): C differs from the interpreter"; cat "$W/log"; fail=1
    fi
  done
  if [ $((i % 8)) -eq 0 ] || [[ $c == conv_* || $c == gemm_* || $c == pool_* || $c == binary_* || $c == add_* ]]; then  # every Conv, Gemm, pool, Add, Mul: the DSP and Helium variants
    cores="cortex-m4 cortex-m55"
    [[ $c == conv_* ]] && cores="$cores cortex-m3"  # the packed-pair convolution (SMLAL, no DSP extension)
    for core in $cores; do
      if ! "$TINYC" validate "$W/m/$c.onnx" --target $core --emulate --random 2 >"$W/log" 2>&1; then
        echo "FAIL $c (emulated $core)"; cat "$W/log"; fail=1
      fi
    done
  fi
  i=$((i + 1))
done
[ $fail -eq 0 ] && echo "ok: $i random int8 cases lower completely and the C equals the interpreter (generic built by gcc and clang with: $(printf '%s\n' "${flagsets[@]}" | paste -sd '|'); mcu, cortex-m4, cortex-m55, cortex-m3, emulated M4, M55 and M3 sample)"
exit $fail
