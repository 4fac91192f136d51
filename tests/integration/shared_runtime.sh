#!/usr/bin/env bash
# --runtime shared (issue 14 point 5): two models in one program with one tinyc_runtime.c.
#  - tinyc_runtime.{h,c} are byte-identical for different models (and targets of the same
#    accumulation type), NAME.c holds no kernel, converts in parallel into one folder work, and a
#    runtime of another kind in the folder is caught (convert warns, the older NAME.c stops at
#    its #error);
#  - tinyc_runtime.c compiles warning-free with -Wmissing-prototypes (every kernel declared in
#    tinyc_runtime.h) with gcc, clang and arm-none-eabi-gcc (M0+, M4, M55) at -O0, -O2 and -Os;
#  - two shared models (float pair on generic, int8 pair on cortex-m4) link into one host
#    program that runs both; its outputs equal those of the same program built from the inline
#    default (two models, different names); each model also validates against the interpreter
#    with --runtime shared (host, and QEMU for the M4);
#  - both pairs link into one Cortex-M4 ELF, with no kernel linked twice
#    (scripts/shared_runtime_flash.sh --quick);
#  - two models converted without --name are both "model" and clash at link time; convert says
#    so in a note unless -q;
#  - --report lists the runtime files and says "runtime": "shared", --depfile names them.
#   shared_runtime.sh <tinyc> <source dir>
set -euo pipefail
TINYC=$1
SRC=$2
M=$SRC/models
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
STRICT="-std=c99 -pedantic -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes"
CPU_M4="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
fail() { echo "FAIL: $*"; exit 1; }

# -- the shared files: identical across models and targets of one accumulation type
conv() {  # conv <dir> <model> <name> <target> <runtime> [more options]
  local d=$1 m=$2 n=$3 t=$4 rt=$5
  shift 5
  "$TINYC" convert "$M/$m/model.onnx" -o "$d" --name "$n" --target "$t" --runtime "$rt" -q "$@"
}
conv "$W/s1" kws_fp32 kws generic shared
conv "$W/s2" mnist8 mnist generic shared
conv "$W/s3" kws_int8 kws8 cortex-m4 shared
conv "$W/s4" ad01_int8 ad01 cortex-m4 shared
conv "$W/s5" mnist8 mnist mcu shared
conv "$W/s6" hello_sine sine cortex-m3 shared
for f in tinyc_runtime.h tinyc_runtime.c; do
  cmp -s "$W/s1/$f" "$W/s2/$f" || fail "$f differs between kws_fp32 and mnist8 (generic)"
  for d in s4 s5 s6; do cmp -s "$W/s3/$f" "$W/$d/$f" || fail "$f differs between the cortex-m4 kws_int8 and $d"; done
  ! cmp -s "$W/s1/$f" "$W/s3/$f" || fail "$f is the same for generic (double accumulation) and cortex-m4 (float)"
done
for c in "$W"/s?/*.c; do
  case $c in */tinyc_runtime.c) continue ;; esac
  ! grep -q 'TINYC_KERNEL\|runtime: ' "$c" || fail "$(basename "$c") holds runtime code with --runtime shared"
  grep -q '#include "tinyc_runtime.h"' "$c" || [[ $c == *_weights.c ]] || fail "$(basename "$c") does not include tinyc_runtime.h"
done
grep -q '^#define TINYC_FLOAT_ACC 1' "$W/s3/tinyc_runtime.h" || fail "cortex-m4's tinyc_runtime.h does not select float accumulation"
! grep -q '^#define TINYC_FLOAT_ACC' "$W/s1/tinyc_runtime.h" || fail "generic's tinyc_runtime.h selects float accumulation"
echo "ok: tinyc_runtime.{h,c} identical for kws_fp32/mnist8 (generic) and kws_int8/ad01_int8/mnist8/hello_sine (cortex-m4, mcu, cortex-m3); no kernel in NAME.c"

# -- converts running in parallel into one folder (make -j) all write the same two files
for i in 1 2 3; do
  conv "$W/par" kws_int8 "kws$i" cortex-m4 shared &
  conv "$W/par" ad01_int8 "ad01_$i" cortex-m4 shared &
done
for i in 1 2 3 4 5 6; do wait -n || fail "a convert in parallel into one folder failed"; done
cmp -s "$W/par/tinyc_runtime.c" "$W/s3/tinyc_runtime.c" || fail "parallel converts: tinyc_runtime.c differs"
[ -z "$(find "$W/par" -name '.*tinyc-tmp*')" ] || fail "parallel converts left temporary files"
echo "ok: 6 converts in parallel into one folder"

# -- tinyc_runtime.c compiles cleanly, every kernel declared, for both kinds and every compiler
: >"$W/jobs"
for d in s1 s3; do
  for o in -O0 -O2 -Os; do
    echo "$W/$d gcc $o" >>"$W/jobs"
    echo "$W/$d clang $o" >>"$W/jobs"
    echo "$W/$d arm-none-eabi-gcc $o $CPU_M4" >>"$W/jobs"
  done
  echo "$W/$d arm-none-eabi-gcc -O2 -mcpu=cortex-m0plus -mthumb -mfloat-abi=soft" >>"$W/jobs"
  echo "$W/$d arm-none-eabi-gcc -O2 -mcpu=cortex-m55 -mthumb -mfloat-abi=hard" >>"$W/jobs"
done
cat >"$W/cc.sh" <<EOF
d=\$1; shift
"\$@" $STRICT -c "\$d/tinyc_runtime.c" -o /dev/null > "\$d/log.\$\$" 2>&1 || { echo "FAIL \$d: \$*"; head -5 "\$d/log.\$\$"; }
EOF
out=$(xargs -P2 -L1 bash "$W/cc.sh" <"$W/jobs")
[ -z "$out" ] || { echo "$out"; fail "tinyc_runtime.c does not compile warning-free"; }
echo "ok: tinyc_runtime.c compiles with $STRICT: $(wc -l <"$W/jobs") compiles (gcc, clang, arm-none-eabi-gcc M0+/M4/M55)"

# -- two models in one host program, shared vs inline: same outputs
cat >"$W/main.tmpl" <<'EOF'
#include <stdio.h>
#include <stdint.h>
#include "A.h"
#include "B.h"
/* Deterministic inputs: floats in [-1, 1) or bytes, from a linear congruential generator. */
static void fill(void *p, size_t bytes, int dtype, uint32_t s) {
  size_t i;
  for (i = 0; i < (dtype == TINYC_DTYPE_F32 ? bytes / 4 : bytes); ++i) {
    s = s * 1664525u + 1013904223u;
    if (dtype == TINYC_DTYPE_F32)
      ((float *)p)[i] = (float)(s >> 8) / 8388608.0f - 1.0f;
    else
      ((unsigned char *)p)[i] = (unsigned char)(s >> 24);
  }
}
static void dump(const char *name, const void *p, size_t bytes) {
  size_t i;
  printf("%s:", name);
  for (i = 0; i < bytes; ++i) printf(" %02x", ((const unsigned char *)p)[i]);
  printf("\n");
}
#define RUN(n, N)                                                                                  \
  {                                                                                                \
    static n##_arena_t arena;                                                                      \
    static float in[(N##_INPUT_0_BYTES + 3) / 4], out[(N##_OUTPUT_0_BYTES + 3) / 4];               \
    const void *ins[1];                                                                            \
    void *outs[1];                                                                                 \
    ins[0] = in;                                                                                   \
    outs[0] = out;                                                                                 \
    fill(in, N##_INPUT_0_BYTES, N##_INPUT_0_DTYPE, 12345u);                                        \
    if (n##_run(ins, outs, &arena) != N##_OK) return 1;                                            \
    dump(#n, out, N##_OUTPUT_0_BYTES);                                                             \
  }
int main(void) {
  RUN(A, A_UP)
  RUN(B, B_UP)
  return 0;
}
EOF
program() {  # program <dir> <name a> <name b>: builds dir/prog from the models and the runtime there
  local d=$1 a=$2 b=$3
  sed -e "s/A_UP/${a^^}/g; s/B_UP/${b^^}/g; s/\bA\b/$a/g; s/\bB\b/$b/g; s/\"A.h\"/\"$a.h\"/; s/\"B.h\"/\"$b.h\"/" \
    "$W/main.tmpl" >"$d/main.c"
  local srcs=("$d/main.c" "$d/$a.c" "$d/${a}_weights.c" "$d/$b.c" "$d/${b}_weights.c")
  [ -e "$d/tinyc_runtime.c" ] && srcs+=("$d/tinyc_runtime.c")
  # shellcheck disable=SC2086
  gcc $STRICT -O2 -I"$d" -o "$d/prog" "${srcs[@]}" -lm 2>"$d/link.log" || { cat "$d/link.log"; return 1; }
}
for case in "generic kws_fp32 kws mnist8 mnist" "cortex-m4 kws_int8 kws8 ad01_int8 ad01"; do
  read -r t ma a mb b <<<"$case"
  for rt in inline shared; do
    conv "$W/$t-$rt" "$ma" "$a" "$t" "$rt"
    conv "$W/$t-$rt" "$mb" "$b" "$t" "$rt" 2>"$W/err"
    [ ! -s "$W/err" ] || { cat "$W/err"; fail "the second convert into $t-$rt printed something"; }
    program "$W/$t-$rt" "$a" "$b" || fail "$ma + $mb ($t, --runtime $rt) do not link into one program"
    "$W/$t-$rt/prog" >"$W/$t-$rt.out" || fail "$ma + $mb ($t, --runtime $rt): the program failed"
  done
  cmp -s "$W/$t-inline.out" "$W/$t-shared.out" || fail "$ma + $mb ($t): shared and inline outputs differ"
  [ "$(wc -l <"$W/$t-shared.out")" = 2 ] || fail "$ma + $mb ($t): expected two outputs"
  echo "ok: $ma + $mb ($t): one program with tinyc_runtime.c runs both, outputs equal to the inline build's"
done
for case in "generic kws_fp32" "generic mnist8" "cortex-m4 kws_int8" "cortex-m4 ad01_int8"; do
  read -r t m <<<"$case"
  "$TINYC" validate "$M/$m/model.onnx" --target "$t" --runtime shared --test-data "$M/$m" -q ||
    fail "validate $m --target $t --runtime shared"
done
"$TINYC" validate "$M/kws_int8/model.onnx" --target cortex-m4 --runtime shared --emulate --test-data "$M/kws_int8" -q ||
  fail "validate kws_int8 --target cortex-m4 --runtime shared --emulate"
echo "ok: validate --runtime shared (kws_fp32, mnist8 generic; kws_int8, ad01_int8 cortex-m4; kws_int8 in QEMU)"

# -- one Cortex-M4 ELF per pair, no kernel twice (the script fails otherwise)
bash "$SRC/scripts/shared_runtime_flash.sh" --quick "$TINYC" "$M" || fail "scripts/shared_runtime_flash.sh --quick"

# -- a runtime of the other kind in the folder: a warning, and the older model's #error
conv "$W/mix" kws_fp32 kws generic shared
conv "$W/mix" mnist8 mnist cortex-m4 shared 2>"$W/err"
grep -q "tinyc: warning: replacing .*tinyc_runtime.h" "$W/err" || { cat "$W/err"; fail "no warning when replacing another tinyc_runtime.h"; }
if gcc $STRICT -c "$W/mix/kws.c" -I"$W/mix" -o /dev/null 2>"$W/err"; then fail "kws.c compiles against another tinyc_runtime.h"; fi
grep -q "is not the runtime this model was generated with" "$W/err" || { cat "$W/err"; fail "no #error for a mismatched runtime"; }
echo "ok: a runtime of another kind in the folder: convert warns, the older NAME.c stops at its #error"

# -- the default name: a note, and the clash it warns about
mkdir -p "$W/a" "$W/b"
"$TINYC" convert "$M/kws_fp32/model.onnx" -o "$W/a" >/dev/null 2>"$W/err"
grep -q "tinyc: note: no --name: the generated API is named 'model'" "$W/err" || { cat "$W/err"; fail "no note without --name"; }
"$TINYC" convert "$M/mnist8/model.onnx" -o "$W/b" -q 2>"$W/err"
[ ! -s "$W/err" ] || { cat "$W/err"; fail "convert -q printed something"; }
"$TINYC" convert "$M/mnist8/model.onnx" -o "$W/c" --name mnist >/dev/null 2>"$W/err"
[ ! -s "$W/err" ] || { cat "$W/err"; fail "a note although --name was given"; }
gcc -std=c99 -O0 -c "$W/a/model.c" -o "$W/a.o" && gcc -std=c99 -O0 -c "$W/b/model.c" -o "$W/b.o"
if gcc -o "$W/clash" "$W/a.o" "$W/b.o" -lm 2>"$W/err"; then fail "two models named 'model' linked"; fi
grep -q "multiple definition of .model_run" "$W/err" || { cat "$W/err"; fail "unexpected link error"; }
echo "ok: convert notes the default name 'model' (not with -q or --name); two such models clash at link time"

# -- report and depfile
conv "$W/r" mnist8 mnist generic shared --report "$W/r.json" --depfile "$W/r.d"
grep -q '"runtime": "shared"' "$W/r.json" || fail "report: no \"runtime\": \"shared\""
grep -q '"tinyc_runtime.c"' "$W/r.json" && grep -q '"tinyc_runtime.h"' "$W/r.json" || fail "report: runtime files not listed"
head -1 "$W/r.d" | grep -q "tinyc_runtime.c.*:" || fail "depfile: tinyc_runtime.c is not a target"
conv "$W/r2" mnist8 mnist generic inline --report "$W/r2.json"
grep -q '"runtime": "inline"' "$W/r2.json" || fail "report: no \"runtime\": \"inline\""
! grep -q 'tinyc_runtime' "$W/r2.json" || fail "report: runtime files with --runtime inline"
echo "ok: --report and --depfile list tinyc_runtime.{h,c}"
rc=0
"$TINYC" convert "$M/mnist8/model.onnx" -o "$W/bad" --name tinyc_runtime --runtime shared -q 2>"$W/err" || rc=$?
[ "$rc" = 2 ] && grep -q "runtime's file name" "$W/err" || { cat "$W/err"; fail "--name tinyc_runtime --runtime shared: expected a usage error"; }
[ ! -e "$W/bad" ] || fail "--name tinyc_runtime --runtime shared created the output folder"
echo "ok: --name tinyc_runtime is refused with --runtime shared"
