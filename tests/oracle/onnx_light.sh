#!/usr/bin/env bash
# Importer robustness on the ONNX "light" CNNs (opset 9, weights rebuilt by ConstantOfShape,
# initializers listed as graph inputs): each imports with full shape inference and no
# unsupported op.
set -u
TINYC=$1
DIR=$2
fail=0
for m in "$DIR"/*.onnx; do
  out=$("$TINYC" inspect --json "$m" 2>&1)
  rc=$?
  unsupported=$(echo "$out" | grep -A3 '"unsupported"' | tr -d ' \n')
  want='"unsupported":[]'
  if [ $rc -ne 0 ] || [[ "$unsupported" != "$want"* ]]; then
    echo "FAIL $(basename "$m"): rc=$rc, got ${unsupported:0:80}, want $want"
    fail=1
  else
    macs=$(echo "$out" | grep -m1 '"macs"' | tr -d ' ,')
    echo "ok   $(basename "$m") $macs"
  fi
done
exit $fail
