#!/usr/bin/env bash
# The host's direct convolution (tinyc_conv_direct_f32 and _w8, runtime/conv_direct.c) and depthwise
# over channel blocks (tinyc_conv_dwb_f32, runtime/dw_blocked.c) against the
# reference interpreter on 40 seeded random convolutions (conv_direct_models.py: strides,
# dilations, asymmetric and bottom-only padding, the in-place path, groups, int8 weights), built
# with gcc -O2, gcc -O3 -march=native (the 512-bit tiles on AVX-512 hosts), clang -O2 and, for a
# third of them, -O1 with AddressSanitizer and UBSan. The kernel must be the one chosen for most of
# them (else this test would check the im2col GEMM instead).
#   conv_direct.sh <tinyc> <python>
set -euo pipefail
TINYC=$1
PY=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$PY" "$(dirname "$0")/conv_direct_models.py" "$W/m" 50 11 >/dev/null
fail=0 direct=0 over_channels=0 t_in_place=0 dw_blocks=0 n=0
for m in "$W"/m/*.onnx; do
  name=$(basename "$m" .onnx)
  n=$((n + 1))
  "$TINYC" convert "$m" -o "$W/c" --name x -q
  grep -q "tinyc_conv_direct_\(t_\)\?f32\(_w8\)\?(x" "$W/c/x.c" && direct=$((direct + 1))
  grep -q "tinyc_conv_direct_t_f32(x" "$W/c/x.c" && over_channels=$((over_channels + 1))
  grep -q "tinyc_conv_dwb_f32(x" "$W/c/x.c" && dw_blocks=$((dw_blocks + 1))
  grep -q "tinyc_conv_direct_t_f32(x.*NULL, 0);" "$W/c/x.c" && t_in_place=$((t_in_place + 1))
  flags=("-O2" "-O3 -march=native" "clang -O2")
  [ $((n % 3)) = 0 ] && flags+=("-O1 -fsanitize=address,undefined -fno-sanitize-recover=all")
  for f in "${flags[@]}"; do
    cc=cc
    [[ $f == clang* ]] && cc=clang f=${f#clang }
    if ! CC=$cc CFLAGS="$f" ASAN_OPTIONS=detect_leaks=0 "$TINYC" validate "$m" -q >"$W/log" 2>&1; then
      echo "FAIL $name ($cc $f):"; head -5 "$W/log"; fail=1
    fi
  done
done
echo "$direct of $n convolutions ran the direct kernel ($over_channels over output channels), $dw_blocks the depthwise over channel blocks"
[ $((direct + dw_blocks)) -ge $((n * 3 / 4)) ] || { echo "FAIL: the direct kernels ran for fewer than 3/4 of them"; fail=1; }
[ "$over_channels" -ge 5 ] || { echo "FAIL: the variant over output channels ran for fewer than 5 of them"; fail=1; }
[ "$t_in_place" -ge 1 ] || { echo "FAIL: no convolution over output channels read its input in place"; fail=1; }
[ "$dw_blocks" -ge 5 ] || { echo "FAIL: the depthwise over channel blocks ran for fewer than 5 of them"; fail=1; }
[ $fail = 0 ] && echo "ok: $n random convolutions validate on the host (gcc -O2, -O3 -march=native, clang, ASan/UBSan)"
exit $fail
