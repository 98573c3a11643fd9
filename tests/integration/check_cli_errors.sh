#!/usr/bin/env bash
# Usage and input errors: exit code 2 and a message on stderr naming the input, nothing on stdout.
set -uo pipefail
binary=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

expect() {
  local want_code=$1 want_text=$2
  shift 2
  "$@" > "$work/out" 2> "$work/err"
  local code=$?
  if [ "$code" != "$want_code" ] || ! grep -q -- "$want_text" "$work/err" || [ -s "$work/out" ]; then
    echo "FAIL: $* -> exit $code (want $want_code), stderr: $(head -c 300 "$work/err"), stdout bytes: $(wc -c < "$work/out")"
    failures=$((failures + 1))
  else
    echo "ok: $* -> exit $code: $(head -n 1 "$work/err")"
  fi
}

printf 'GOOD=1\nthis line has no equals sign\n' > "$work/env"
mkdir -p "$work/root"
expect 2 "Directory does not exist" "$binary" probe --root "$work/missing"
expect 2 "$work/env:2: not KEY=VALUE" "$binary" probe --root "$work/root" --env-file "$work/env"
expect 2 "cannot open" "$binary" probe --root "$work/root" --env-file "$work/nothing"
expect 2 "color" "$binary" probe --color sometimes
expect 2 "--kb $work/missing" "$binary" doctor --no-live --kb "$work/missing"
expect 2 "format" "$binary" doctor --format html
mkdir -p "$work/kb"
for file in sources tensorflow cuda gpus cudnn signatures; do printf '' > "$work/kb/$file.toml"; done
printf '[[release]\nline = \n' > "$work/kb/tensorflow.toml"
expect 2 "tensorflow.toml:1" "$binary" doctor --no-live --kb "$work/kb"
expect 2 "tensorflow.toml:1" "$binary" kb lint --kb "$work/kb"
printf '[[release]]\nline = "two.one"\n' > "$work/kb/tensorflow.toml"
expect 2 "tensorflow.toml: release\[0\]" "$binary" doctor --no-live --kb "$work/kb"
printf '\0\377garbage' > "$work/kb/tensorflow.toml"
expect 2 "tensorflow.toml" "$binary" kb lint --kb "$work/kb"
expect 2 "$work/missing.log" "$binary" explain "$work/missing.log"
expect 2 "$work/root" "$binary" explain "$work/root"
expect 2 "frobnicate" "$binary" explain --env frobnicate=1 "$work/env"
expect 2 "" "$binary" kb
expect 2 "" "$binary" frobnicate
expect 2 "" "$binary"
[ $failures = 0 ] && echo "all usage errors exit 2 with a message"
exit $(( failures > 0 ))
