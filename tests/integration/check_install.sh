#!/usr/bin/env bash
# `tfgpu install` on this machine, for real: the plan's steps into a fresh venv whose path has a
# space and both kinds of quote, with real pip from PyPI (pip's download cache kept in the tfgpu
# cache folder, so re-runs are faster). The install is interrupted with SIGINT while pip runs: the
# venv must be marked incomplete and no pip left running; the same command again must resume at
# pip (the venv step not redone), finish, and verify must report TensorFlow installed with 0 GPUs
# and why. A third run finds it complete and runs nothing. Before that, the refusals: a directory
# that is not a venv, a file, a broken record, a bad --python, and an unconfirmed install.
#
# usage: check_install.sh TFGPU [--quick]   (--quick: only the refusals, dry run and declining,
# for the sanitizer build; the real install runs once, in the dev build)
set -uo pipefail
binary=$1
quick=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; [ -f "$work/err" ] && { echo "--- stderr (tail):"; tail -c 3000 "$work/err"; }; exit 1; }
python=$(command -v python3) || fail "no python3 on PATH"

# --- refusals, each exit 2 naming the input, nothing created ---------------------------------
mkdir -p "$work/notes" && echo x > "$work/notes/todo.txt"
"$binary" install --yes --venv "$work/notes" > "$work/out" 2> "$work/err"
[ $? = 2 ] || fail "a non-venv directory: want exit 2"
grep -q "not empty and not a virtual environment" "$work/err" || fail "non-venv message"
[ "$(ls "$work/notes")" = "todo.txt" ] || fail "the non-venv directory was touched"

echo x > "$work/file"
"$binary" install --yes --venv "$work/file" > "$work/out" 2> "$work/err"
[ $? = 2 ] && grep -q "exists and is not a directory" "$work/err" || fail "a file as --venv"

mkdir -p "$work/broken" && printf '{"schema": "tfgpu.install-rec' > "$work/broken/.tfgpu-install.json"
"$binary" install --yes --venv "$work/broken" > "$work/out" 2> "$work/err"
[ $? = 2 ] && grep -q "broken/.tfgpu-install.json: not JSON" "$work/err" || fail "a broken record"

"$binary" install --yes --venv "$work/x" --python "three" > "$work/out" 2> "$work/err"
[ $? = 2 ] && grep -q "python 'three'" "$work/err" || fail "a bad --python"
[ ! -e "$work/x" ] || fail "a refused install created its directory"

# --- dry run and declining: nothing created ---------------------------------------------------
venv="$work/it's a \"venv\""
"$binary" install --dry-run --venv "$venv" --python "$python" > "$work/out" 2> "$work/err"
[ $? = 0 ] || fail "--dry-run: want exit 0"
grep -qF -- "-m venv '$work/it'\\''s a \"venv\"'" "$work/out" || fail "the venv command is not quoted for sh: $(cat "$work/out")"
grep -q "nothing was run" "$work/out" || fail "--dry-run says nothing ran"
echo n | "$binary" install --venv "$venv" --python "$python" > "$work/out" 2> "$work/err"
[ $? = 1 ] && grep -q "nothing was run" "$work/err" || fail "declining: want exit 1 and 'nothing was run'"
[ ! -e "$venv" ] || fail "--dry-run or declining created the venv"
if [ "$quick" = "--quick" ]; then
  echo "install: refusals, dry run and declining pass (quick)"
  exit 0
fi

# --- the real install, interrupted while pip runs --------------------------------------------
export PIP_CACHE_DIR=${TFGPU_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tfgpu}/pip
record="$venv/.tfgpu-install.json"
"$binary" install --yes --no-verify --venv "$venv" --python "$python" > "$work/out" 2> "$work/err" &
pid=$!
for _ in $(seq 1 600); do  # up to 60 s for the venv step to finish and pip to start
  kill -0 $pid 2> /dev/null || { wait $pid; fail "install ended (exit $?) before pip started: $(cat "$work/out")"; }
  if [ -f "$record" ] && python3 - "$record" <<'PY'
import json, sys
steps = {s["id"]: s["state"] for s in json.load(open(sys.argv[1]))["steps"]}
sys.exit(0 if steps.get("pip") == "running" else 1)
PY
  then break; fi
  sleep 0.1
done
sleep 2  # let pip get going
kill -INT $pid
wait $pid
code=$?
[ $code = 130 ] || fail "interrupted install: exit $code, want 130"
grep -q "interrupted (SIGINT)" "$work/out" || fail "the report names the interruption"
pgrep -f "$venv/bin/python -m pip" > /dev/null && fail "pip is still running after the interruption"
python3 - "$record" <<'PY' || fail "the record after the interruption"
import json, sys
r = json.load(open(sys.argv[1]))
steps = {s["id"]: s for s in r["steps"]}
assert r["complete"] is False, "complete"
assert steps["venv"]["state"] == "done", steps["venv"]
assert steps["pip"]["state"] == "failed" and steps["pip"]["detail"] == "interrupted (SIGINT)", steps["pip"]
PY
# doctor sees the venv marked incomplete, and says how to resume.
"$binary" doctor --json --no-live --python "$venv/bin/python" > "$work/doctor.json" 2> /dev/null
python3 - "$work/doctor.json" <<'PY' || fail "doctor on the interrupted venv"
import json, sys
d = json.load(open(sys.argv[1]))
found = [f for f in d["findings"] if f["id"] == "tfgpu_install_incomplete"]
assert found, [f["id"] for f in d["findings"]]
assert "'pip' step: interrupted (SIGINT)" in found[0]["summary"], found[0]["summary"]
assert found[0]["fixes"][0]["commands"][0].startswith("tfgpu install --venv "), found[0]["fixes"]
PY

# --- again (without --python: the venv keeps its own): resumes at pip, completes, verifies ---
"$binary" install --yes --json --venv "$venv" > "$work/out.json" 2> "$work/err"
code=$?
python3 - "$work/out.json" "$code" "$venv" <<'PY' || fail "the resumed install"
import json, sys
d = json.load(open(sys.argv[1]))
code, venv = int(sys.argv[2]), sys.argv[3]
problems = []
def want(cond, what):
    if not cond:
        problems.append(what)
want(d["schema"] == "tfgpu.install/1", "schema")
want(code == 1, f"exit {code}: want 1 (installed, not verified: no GPU here)")
want(d["resumed"] is True and d["complete"] is True, "resumed and complete")
steps = {s["id"]: s for s in d["steps"]}
want(steps["venv"]["outcome"] == "already_done", "the venv step is not redone")
want(steps["pip"]["outcome"] == "ran", "pip ran again")
want(all(s["outcome"] in ("already_done", "ran", "shown_only") for s in d["steps"]), "every step done")
tf = d["verify"]["tensorflow"][0]
want(tf["python"] == venv + "/bin/python", f"verify ran the new venv's python: {tf['python']}")
want(tf["tensorflow"].startswith("tensorflow 2."), f"TensorFlow installed: {tf['tensorflow']}")
tsteps = {s["id"]: s for s in tf["steps"]}
want(tsteps["import"]["status"] == "pass", "TensorFlow imports")
want(tsteps["list_devices"]["status"] == "fail", "TensorFlow lists 0 GPUs")
want("No NVIDIA GPU" in tf["why_not"], f"and verify says why: {tf['why_not']!r}")
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
PY

# --- doctor, on the venv: no incomplete-install finding now ------------------------------------
"$binary" doctor --json --no-live --python "$venv/bin/python" > "$work/doctor.json" 2> /dev/null
python3 -c 'import json, sys; d = json.load(open(sys.argv[1]));
sys.exit(any(f["id"] == "tfgpu_install_incomplete" for f in d["findings"]))' "$work/doctor.json" \
  || fail "doctor still reports the install incomplete"

# --- and once more: complete, nothing runs ---------------------------------------------------
"$binary" install --yes --no-verify --venv "$venv" --python "$python" > "$work/out" 2> "$work/err"
[ $? = 0 ] || fail "a complete install again: want exit 0"
grep -q "Nothing to run: every step is done" "$work/out" || fail "a complete install runs nothing"
grep -q '^install: \[' "$work/err" && fail "a step ran again"
echo "install: interrupted, resumed, verified, and idempotent"
