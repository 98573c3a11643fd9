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
expect 2 "" "$binary" frobnicate
expect 2 "" "$binary"
[ $failures = 0 ] && echo "all usage errors exit 2 with a message"
exit $(( failures > 0 ))
