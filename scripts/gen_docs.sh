#!/usr/bin/env bash
# Regenerates the generated parts of docs/: the --help blocks of docs/cli.md and docs/ops.md.
set -euo pipefail
cd "$(dirname "$0")/.."
TINYC=${TINYC:-build/apps/tinyc}
"$TINYC" ops --markdown > docs/ops.md
tmp=$(mktemp)
awk -v tinyc="$TINYC" '
  /^<!-- BEGIN help: / {
    print; args=$0; sub(/^<!-- BEGIN help: /, "", args); sub(/ -->$/, "", args);
    print "```text"; cmd="COLUMNS=100 " tinyc " " args; while ((cmd | getline line) > 0) print line; close(cmd);
    print "```"; skip=1; next }
  /^<!-- END help -->/ { skip=0 }
  !skip { print }' docs/cli.md > "$tmp"
mv "$tmp" docs/cli.md
echo "regenerated docs/ops.md and the help blocks of docs/cli.md"
