#!/usr/bin/env bash
# Flash of models in one Cortex-M4 firmware: the kernels copied into each NAME.c as static
# functions (--runtime inline, the default) vs one tinyc_runtime.c for all (--runtime shared).
# Converts pairs of bundled models for --target cortex-m4, links them with a tiny main that runs
# them into one ELF (arm-none-eabi-gcc -mcpu=cortex-m4 -mfloat-abi=hard, -ffunction-sections
# -fdata-sections -Wl,--gc-sections, newlib-nano and nosys: link only, nothing runs) and prints
# arm-none-eabi-size's text (code + weights) for both, at -O2 and -Os, without and with -flto,
# and the bytes of kernels linked more than once (the same static kernel in two NAME.c).
# Fails if a link fails, if data or bss differ between the two, or if a kernel is linked twice
# with the shared runtime.
#   shared_runtime_flash.sh [--quick] [tinyc] [models dir]
#     (defaults: build/apps/tinyc, models; --quick: the two-model firmwares at -O2 only)
# docs/benchmarks.md ("Two models in one firmware") quotes its output.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
QUICK=0
[ "${1:-}" = --quick ] && { QUICK=1; shift; }
TINYC=${1:-$ROOT/build/apps/tinyc}
MODELS=${2:-$ROOT/models}
command -v arm-none-eabi-gcc >/dev/null || { echo "FAIL: arm-none-eabi-gcc is not installed (scripts/setup.sh)"; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
CPU="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
CFLAGS="-std=c99 -pedantic -Wall -Wextra -Werror -ffunction-sections -fdata-sections"
LDFLAGS="-Wl,--gc-sections --specs=nano.specs --specs=nosys.specs"
OPTS=("-O2" "-Os" "-O2 -flto" "-Os -flto")
[ "$QUICK" = 1 ] && OPTS=("-O2")

# main.c running the models named on the command line (one input and one output each).
main_c() {
  local n M
  for n in "$@"; do echo "#include \"$n.h\""; done
  for n in "$@"; do
    M=${n^^}
    cat <<EOF
#if ${M}_NUM_INPUTS != 1 || ${M}_NUM_OUTPUTS != 1
#error "one input and one output expected"
#endif
static ${n}_arena_t ${n}_arena;
static float ${n}_in[(${M}_INPUT_0_BYTES + 3) / 4], ${n}_out[(${M}_OUTPUT_0_BYTES + 3) / 4];
EOF
  done
  echo "int main(void) {"
  echo "  int rc = 0;"
  for n in "$@"; do
    echo "  { const void *in[1]; void *out[1]; in[0] = ${n}_in; out[0] = ${n}_out; rc |= ${n}_run(in, out, &${n}_arena); }"
  done
  echo "  return rc;"
  echo "}"
}

# link <dir> <optimization flags> <names...>: prints "text data bss duplicated-bytes" of the ELF
# (duplicated: the sizes of the second and later copies of a tinyc_* symbol name).
link() {
  local d=$1 opt=$2
  shift 2
  local main
  main="$d/main_$(IFS=_; echo "$*").c"
  main_c "$@" >"$main"
  local srcs=("$main")
  for n in "$@"; do srcs+=("$d/$n.c" "$d/${n}_weights.c"); done
  [ -e "$d/tinyc_runtime.c" ] && srcs+=("$d/tinyc_runtime.c")
  # shellcheck disable=SC2086
  arm-none-eabi-gcc $CPU $CFLAGS $opt -I"$d" $LDFLAGS -o "$d/fw.elf" "${srcs[@]}" -lm
  local dup
  dup=$(arm-none-eabi-nm -S -t d "$d/fw.elf" | awk 'NF == 4 && $4 ~ /^tinyc_/ { if (seen[$4]++) sum += $2 }
                                               END { print sum + 0 }')
  echo "$(arm-none-eabi-size "$d/fw.elf" | awk 'NR == 2 { print $1, $2, $3 }') $dup"
}

echo "| models (cortex-m4) | flags | text inline | text shared | shared - inline | kernels linked twice (inline) |"
echo "|---|---|---:|---:|---:|---:|"
fail=0
for pair in kws_fp32:mnist8 kws_int8:ad01_int8; do
  a=${pair%%:*}
  b=${pair##*:}
  for rt in inline shared; do
    for m in "$a" "$b"; do
      "$TINYC" convert "$MODELS/$m/model.onnx" -o "$W/$pair-$rt" --name "$m" --target cortex-m4 --runtime "$rt" -q
    done
  done
  sets=("$a" "$b" "$a $b")
  [ "$QUICK" = 1 ] && sets=("$a $b")
  for set in "${sets[@]}"; do
    for opt in "${OPTS[@]}"; do
      # shellcheck disable=SC2086
      read -r ti di bi dupi < <(link "$W/$pair-inline" "$opt" $set)
      # shellcheck disable=SC2086
      read -r ts ds bs dups < <(link "$W/$pair-shared" "$opt" $set)
      echo "| ${set/ / + } | $opt | $ti | $ts | $((ts - ti)) | $dupi |"
      [ "$di $bi" = "$ds $bs" ] || { echo "FAIL: ${set/ / + } $opt: data/bss differ ($di $bi vs $ds $bs)"; fail=1; }
      [ "$dups" = 0 ] || { echo "FAIL: ${set/ / + } $opt: $dups bytes of kernels linked twice with the shared runtime"; fail=1; }
    done
  done
done
exit $fail
