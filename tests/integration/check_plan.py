#!/usr/bin/env python3
"""`tfgpu plan` end to end: described machines (--json: one document, schema tfgpu.plan/1, the
chosen TensorFlow, steps with commands and root/reboot flags; exit 0 or 1), usage errors (exit 2,
a message naming the input, nothing on stdout), and recorded machines (--root DIR --no-live).
Usage: check_plan.py TFGPU MATERIALIZE SOURCE_DIR WORK_DIR"""
import json
import os
import subprocess
import sys

binary, materialize, source_dir, work = sys.argv[1:5]
failures = []


def run(*args):
    result = subprocess.run([binary, "plan", *args], capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout, result.stderr


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what)


def plan_json(*args, want_exit):
    code, out, err = run(*args, "--json")
    check(code == want_exit, f"{args}: exit {code}, want {want_exit}; stderr {err[:300]}")
    try:
        doc = json.loads(out)  # exactly one document: json.loads refuses trailing data
    except json.JSONDecodeError as error:
        check(False, f"{args}: stdout is not one JSON document ({error})")
        return None
    check(doc["schema"] == "tfgpu.plan/1", f"{args}: schema {doc.get('schema')}")
    for step in doc["steps"]:
        for key in ("title", "why", "commands", "needs_root", "reboot", "citations"):
            check(key in step, f"{args}: step {step.get('id')} lacks {key}")
        if step["needs_root"]:
            check(step["shown_only"], f"{args}: root step {step['id']} not shown_only")
    return doc


def step(doc, step_id):
    return next((s for s in doc["steps"] if s["id"] == step_id), None)


# --- described machines ----------------------------------------------------------------------
doc = plan_json("--gpu", "RTX 3060", "--driver", "470.82", "--python", "3.12", "--os",
                "ubuntu-22.04", want_exit=0)
if doc:
    check(doc["tensorflow"]["version"] == "2.21.0", f"RTX 3060: {doc['tensorflow']['version']}")
    check(doc["driver"]["minimum"] == "525.60.13", f"RTX 3060 driver: {doc['driver']}")
    driver = step(doc, "driver")
    check(driver is not None and driver["needs_root"] and driver["reboot"]
          and driver["commands"] == ["sudo ubuntu-drivers install"], f"driver step: {driver}")
    pip = step(doc, "pip")
    check(pip is not None and pip["commands"] ==
          ['~/tf-venv/bin/python -m pip install "tensorflow[and-cuda]==2.21.0"'], f"pip: {pip}")
    check([s["id"] for s in doc["steps"]][-1] == "verify", "last step is not verify")
    check(doc["machine"]["description"] == "described", "description")

doc = plan_json("--gpu", "GTX 680", "--python", "3.10", "--os", "ubuntu-22.04", want_exit=1)
if doc:
    check(doc["tensorflow"]["version"] is None, "GTX 680 got a TensorFlow")
    check("3.5" in doc["tensorflow"]["why"], f"GTX 680 why: {doc['tensorflow']['why']}")

doc = plan_json("--gpu", "RTX 3060", "--os", "macos", want_exit=1)
if doc:
    check(doc["tensorflow"]["version"] is None and "tensorflow-metal" in step(doc, "pip")["commands"][0],
          "macOS plan")

doc = plan_json("--gpu", "RTX 3090", "--python", "3.12", "--os", "windows", want_exit=0)
if doc:
    check(doc["tensorflow"]["version"] == "2.10.0", f"windows: {doc['tensorflow']['version']}")
    check(any(a["tensorflow"] == "2.21.0" for a in doc["alternatives"]), "windows: no WSL2 alternative")

doc = plan_json("--gpu", "RTX 3060", "--tf", "2.15", "--python", "3.11", "--driver", "550",
                "--os", "ubuntu-22.04", want_exit=0)
if doc:
    check(doc["tensorflow"]["version"] == "2.15.0.post1", f"pin 2.15: {doc['tensorflow']['version']}")

doc = plan_json("--gpu", "GTX 970", "--driver", "580", "--python", "3.12", "--os", "ubuntu-24.04",
                "--venv", "/srv/tf env", want_exit=0)
if doc:
    check(step(doc, "venv")["commands"] == ["python3.12 -m venv '/srv/tf env'"], "venv quoting")
    check(step(doc, "link_ptxas") is not None, "2.16 without link_ptxas")

code, out, err = run("--gpu", "H100", "--driver", "580", "--python", "3.12", "--os",
                     "ubuntu-24.04", "--color", "never")
check(code == 0 and "Steps:" in out and "tfgpu verify --python ~/tf-venv/bin/python" in out,
      f"text output: exit {code}\n{out[:500]}")
code, out, err = run("--gpu", "H100", "--os", "ubuntu-24.04", "--format", "markdown")
check(code == 0 and "### tfgpu plan" in out and "```sh" in out, f"markdown: exit {code}")

# --- usage errors ------------------------------------------------------------------------------
for args, text in [
    (("--gpu", "RTX 9999"), "--gpu 'RTX 9999'"),
    (("--os", "arch"), "--os 'arch'"),
    (("--cc", "86"), "--cc '86'"),
    (("--tf", "2.99"), "--tf 2.99"),
    (("--driver", "abc"), "--driver 'abc'"),
    (("--python", "three"), "--python 'three'"),
    (("--python", "2.7"), "--python '2.7'"),
    (("--cuda-from", "conda"), "cuda-from"),
]:
    code, out, err = run(*args)
    check(code == 2 and text in err and out == "",
          f"{args}: exit {code}, stderr {err[:200]!r}, stdout {len(out)} bytes")

# --- recorded machines -------------------------------------------------------------------------
def recorded(name):
    root = os.path.join(work, name)
    subprocess.run([materialize, os.path.join(source_dir, "tests/machines", name), root], check=True)
    return root


doc = plan_json("--root", recorded("ubuntu2204-driver535-healthy"), "--no-live", want_exit=0)
if doc:
    machine = doc["machine"]
    check(machine["description"] == "this machine", f"description {machine['description']}")
    check(machine["gpu"] == "H100 PCIe" and machine["compute_capability"] == "9.0", f"gpu {machine}")
    check(machine["driver"] == "535.104.05" and machine["python"] == "3.10", f"machine {machine}")
    check(machine["os"] == "ubuntu-22.04", f"os {machine['os']}")
    check(doc["tensorflow"]["version"] == "2.21.0", f"healthy: {doc['tensorflow']['version']}")
    # 2.21's compute_90 PTX needs CUDA 12.5's driver; the installed 2.15 keeps 535.
    check(doc["driver"]["minimum"] == "555.42.02", f"healthy driver {doc['driver']['minimum']}")
    check(any(a["tensorflow"] == "2.15.0.post1" for a in doc["alternatives"]), "no 2.15 alternative")

doc = plan_json("--root", recorded("wsl2"), "--no-live", want_exit=0)
if doc:
    check(doc["machine"]["os"] == "wsl2", f"wsl2 os {doc['machine']['os']}")
    driver = step(doc, "driver")
    check(driver is not None and driver["commands"] == [] and "Windows" in driver["title"],
          f"wsl2 driver step {driver}")

# No NVIDIA driver loaded (nouveau owns the GPU): the driver is unknown, so the plan asks for one.
doc = plan_json("--root", recorded("nouveau-no-nvidia"), "--no-live", want_exit=0)
if doc:
    check(doc["machine"]["driver"] is None, f"nouveau driver {doc['machine']['driver']}")
    check(doc["machine"]["compute_capability"] == "8.6", "nouveau: RTX 3080 from PCI and the KB")
    check(step(doc, "driver") is not None, "nouveau: no driver step")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("tfgpu plan: described machines, usage errors and recorded machines as expected")
