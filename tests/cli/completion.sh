#!/usr/bin/env bash
# cli.completion: `tinyc completion bash` is valid bash, knows every subcommand and every option of
# each subcommand's --help, and completes subcommands, options and choices as a shell would ask.
set -euo pipefail
TINYC=$1
fail() { echo "FAIL: $*"; exit 1; }
script=$(mktemp)
trap 'rm -f "$script"' EXIT
"$TINYC" completion bash >"$script"
bash -n "$script" || fail "not valid bash"
subs=$("$TINYC" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NF && !/Subcommands:/ {print $1}')
[ "$(echo "$subs" | wc -l)" -ge 6 ] || fail "could not read the subcommands from --help"
complete_words() {  # complete_words WORD... : what _tinyc offers for the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _tinyc; printf "%s\n" "${COMPREPLY[@]}"' _ "$script" "$@"
}
for s in $subs; do
  complete_words tinyc "" | grep -x >/dev/null "$s" || fail "subcommand $s is not offered"
  for opt in $("$TINYC" "$s" --help | grep -oE '^ +(-[a-zA-Z],)?--[a-z0-9-]+' | grep -oE -- '--[a-z0-9-]+'); do
    complete_words tinyc "$s" "$opt" | grep -x -- "$opt" >/dev/null || fail "$s: option $opt is not offered"
  done
done
[ "$(complete_words tinyc conv)" = convert ] || fail "'conv' does not complete to convert"
complete_words tinyc convert m.onnx --target cortex-m | grep -x >/dev/null cortex-m55 || fail "--target choices"
[ "$(complete_words tinyc run m.onnx --output-format n)" = npy ] || fail "--output-format choices"
complete_words tinyc convert m.onnx --quantize "" | grep -x >/dev/null int16x8 || fail "--quantize choices"
dir=$(mktemp -d)
touch "$dir/model.onnx"
[ "$(complete_words tinyc convert "$dir/mod")" = "$dir/model.onnx" ] || fail "a model file is not completed"
rm -rf "$dir"
echo "ok: the completion script offers $(echo $subs | wc -w) subcommands, their options and choices"
