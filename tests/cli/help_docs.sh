#!/usr/bin/env bash
# docs/cli.md holds the output of each `--help` between markers; this test fails when they differ.
# Regenerate with scripts/gen_docs.sh.
set -euo pipefail
TINYC=$1
DOC=$2
fail=0
n=0
while IFS= read -r args; do
  n=$((n + 1))
  want=$(awk -v a="$args" '
    $0 == "<!-- BEGIN help: " a " -->" {on=1; next}
    on && /^<!-- END help -->/ {on=0}
    on && !/^```/ {print}' "$DOC")
  got=$(COLUMNS=100 $TINYC $args)
  if [ "$want" != "$got" ]; then
    echo "docs/cli.md is out of date for 'tinyc $args' (run scripts/gen_docs.sh):"
    diff <(echo "$want") <(echo "$got") || true
    fail=1
  fi
done < <(sed -n 's/^<!-- BEGIN help: \(.*\) -->$/\1/p' "$DOC")
[ "$n" -ge 3 ] || { echo "docs/cli.md has only $n help blocks"; exit 1; }
[ $fail -eq 0 ] && echo "ok: $n help blocks match"
exit $fail
