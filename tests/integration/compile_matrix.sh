#!/usr/bin/env bash
# Generated C compiles warning-free (-std=c99 -pedantic -Wall -Wextra -Werror) for every --target
# that `tinyc convert --help` lists, at -O0, -O2, -O3 and -Os, with gcc, clang (also -O3
# -march=x86-64-v4: the AVX-512 kernels) and
# arm-none-eabi-gcc for the Cortex-M0+, M4, M7, M33 and M55 (issue 14: gcc's
# -Waggressive-loop-optimizations only fires once the kernels are inlined with a model's constant
# shapes, at -O2 and above, on 32-bit targets).
#   compile_matrix.sh <tinyc> <python> <models dir> bundled     models/*/model.onnx and the Linear
#       models of make_linear_models.py (which also validate against ONNX Runtime's outputs on
#       generic, mcu and cortex-m4)
#   compile_matrix.sh <tinyc> <python> <models dir> onnx_light  models/onnx_light/*.onnx
# For run time (about 1.5 min each on 2 idle cores): identical sources are compiled once per flag
# set (the Cortex-M targets mostly generate the same C), with -c only, two at a time; a
# weights file (data only) once per compiler at -O2. For onnx_light, arm-none-eabi-gcc compiles
# for the M0+, M4 and M55 only (the M7 and M33 see the same C as the M4: the runtime's only
# CPU-dependent test is __ARM_FEATURE_FMA), and light_densenet121 and light_inception_v2 (one
# large run function: 30-60 s per compile in tree PRE) at -O0 and -Os only.
set -euo pipefail
TINYC=$1
PY=$2
MODELS=$3
SET=$4
[ "$SET" = bundled ] || [ "$SET" = onnx_light ] || { echo "usage: compile_matrix.sh <tinyc> <python> <models dir> bundled|onnx_light"; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
command -v arm-none-eabi-gcc >/dev/null || { echo "FAIL: arm-none-eabi-gcc is not installed"; exit 1; }

models=()
if [ "$SET" = bundled ]; then
  lin=$("$PY" "$HERE/make_linear_models.py" "$W/lin")
  for m in $lin; do
    for t in generic mcu cortex-m4; do
      if ! "$TINYC" validate "$W/lin/$m/model.onnx" --test-data "$W/lin/$m" --target "$t" >"$W/log" 2>&1; then
        echo "FAIL $m --target $t: validate against ONNX Runtime"; cat "$W/log"; exit 1
      fi
    done
    models+=("$W/lin/$m/model.onnx")
  done
  echo "ok: $(wc -w <<<"$lin") Linear models validate against ONNX Runtime (generic, mcu, cortex-m4)"
  for f in "$MODELS"/*/model.onnx; do models+=("$f"); done
else
  for f in "$MODELS"/onnx_light/*.onnx; do models+=("$f"); done
fi

targets=$("$TINYC" convert --help | sed -n 's/.*code generation target (\(.*\))$/\1/p' | tr -d ',')
[ -n "$targets" ] || { echo "FAIL: no target list in 'tinyc convert --help'"; exit 1; }
# One folder per distinct generated source (named by its hash); "weights": data only;
# "slow": compiled by arm-none-eabi-gcc at -O0 and -Os only.
mkdir -p "$W/src"
n=0
# convert <model file> <name> <target> [flags...]: the generated sources into $W/src
convert() {
  local f=$1 name=$2 t=$3
  shift 3
  "$TINYC" convert "$f" -o "$W/out" --target "$t" --name m -q "$@" 2>/dev/null ||
    { echo "FAIL: convert $name --target $t $*"; "$TINYC" convert "$f" -o "$W/out" --target "$t" --name m -q "$@"; exit 1; }
  for c in m.c m_weights.c; do
    h=$(sha1sum "$W/out/$c" | cut -c1-16)
    if [ ! -d "$W/src/$h" ]; then
      mkdir "$W/src/$h"
      cp "$W/out/$c" "$W/src/$h/m.c"
      cp "$W/out/m.h" "$W/src/$h/m.h"
      echo "$name --target $t $*: $c" >"$W/src/$h/origin"
      [ "$c" = m_weights.c ] && touch "$W/src/$h/weights"
      case $name in light_densenet121 | light_inception_v2) touch "$W/src/$h/slow" ;; esac
    fi
  done
  n=$((n + 1))
  rm -rf "$W/out"
}
for f in "${models[@]}"; do
  name=$(basename "$(dirname "$f")")
  [ "$name" = onnx_light ] && name=$(basename "$f" .onnx)
  for t in $targets; do convert "$f" "$name" "$t"; done
done
# The least-code kernels (--kernels small) of two conv models: their compact convolution is
# inlined with the model's constant shapes (gcc 12 -O3 once warned -Warray-bounds on it).
if [ "$SET" = bundled ]; then
  for name in kws_fp32 mnist8; do convert "$MODELS/$name/model.onnx" "$name" cortex-m4 --kernels small; done
  # The zero-skipping kernels (issue 12): models pruned in training, float on every target, int8
  # on a host, a core without DSP and one with.
  "$PY" "$HERE/make_sparse_models.py" "$W/sp" >/dev/null
  for name in sparse_cnn sparse_1d; do
    for t in $targets; do convert "$W/sp/$name/model.onnx" "$name" "$t"; done
    for t in generic cortex-m0plus cortex-m4; do
      convert "$W/sp/$name/model.onnx" "$name" "$t" --quantize int8 --calib "$W/sp/$name/calib.npz"
    done
  done
fi

arm=(
  "-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft"
  "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
  "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16"
  "-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16"
  "-mcpu=cortex-m55 -mthumb -mfloat-abi=hard"
)
: >"$W/jobs"
[ "$SET" = onnx_light ] && arm=("${arm[0]}" "${arm[1]}" "${arm[4]}")
for d in "$W"/src/*/; do
  if [ -e "$d/weights" ]; then
    printf '%s\n' "$d gcc -O2" "$d clang -O2" "$d arm-none-eabi-gcc -O2 ${arm[0]}" >>"$W/jobs"
    continue
  fi
  # AVX-512 hosts (gcc: the runtime's 512-bit register tiles, gemm.c TINYC_GEMM_ZMM), whatever this CPU is
  if [ "$(uname -m)" = x86_64 ]; then
    echo "$d gcc -O3 -march=x86-64-v4" >>"$W/jobs"
    echo "$d clang -O3 -march=x86-64-v4" >>"$W/jobs"
  fi
  for o in -O0 -O2 -O3 -Os; do
    echo "$d gcc $o" >>"$W/jobs"
    echo "$d clang $o" >>"$W/jobs"
    if [ -e "$d/slow" ] && [ "$o" != -O0 ] && [ "$o" != -Os ]; then continue; fi
    for a in "${arm[@]}"; do echo "$d arm-none-eabi-gcc $o $a" >>"$W/jobs"; done
  done
done
# Each job: <dir> <compiler> <flags...>; a failure leaves the compiler's errors in <dir>/log.*.fail.
cat >"$W/cc.sh" <<'EOF'
d=$1; shift
log=$(mktemp "$d/log.XXXXXX")
if ! "$@" -std=c99 -pedantic -Wall -Wextra -Werror -c "$d/m.c" -o /dev/null >"$log" 2>&1; then
  { echo "FAIL $(cat "$d/origin"): $*"; grep -E -A1 'error:|warning:' "$log" | head -6; } >"$log.fail"
fi
rm -f "$log"
EOF
xargs -P2 -L1 bash "$W/cc.sh" <"$W/jobs"
jobs=$(wc -l <"$W/jobs")
if compgen -G "$W/src/*/*.fail" >/dev/null; then
  cat "$W"/src/*/*.fail
  echo "FAIL: $(ls "$W"/src/*/*.fail | wc -l) of $jobs compiles"
  exit 1
fi
echo "ok: ${#models[@]} models x $(wc -w <<<"$targets") targets ($n conversions, $(ls "$W/src" | wc -l) distinct files) compile warning-free: $jobs compiles (gcc, clang, arm-none-eabi-gcc for $(wc -l <<<"$(printf '%s\n' "${arm[@]}")") CPUs)"
