#!/usr/bin/env python3
"""tfgpu's library resolution against TensorFlow's own loader, in the cached TensorFlow venv.

A child Python (timeout 120 s) loads the wheel's libtensorflow_framework.so.2 and calls
tsl::internal::DsoLoader::MaybeTryDlopenGPULibraries() — the function TensorFlow runs before it
registers GPUs — then reports which CUDA libraries that loaded (from /proc/self/maps) and the
status it returned. No GPU is needed: it only dlopens. For every library tfgpu says TensorFlow
requires, tfgpu's answer (resolved or not, and which file) must equal what TensorFlow's loader
did. Skips (77) without TFGPU_TF_VENV or when the wheel does not export that function.
"""
import json
import os
import subprocess
import sys

binary = sys.argv[1]
venv = os.environ.get("TFGPU_TF_VENV", "")
if not venv:
    print("SKIP: TFGPU_TF_VENV is not set")
    sys.exit(77)
python = os.path.join(venv, "bin", "python")

CHILD = r'''
import ctypes, glob, json, os, sys
site = sys.argv[1]
framework = os.path.join(site, "tensorflow", "libtensorflow_framework.so.2")
lib = ctypes.CDLL(framework, mode=ctypes.RTLD_GLOBAL)
name = "_ZN3tsl8internal9DsoLoader26MaybeTryDlopenGPULibrariesEv"
try:
    fn = getattr(lib, name)
except AttributeError:
    print(json.dumps({"skip": "no " + name + " in " + framework}))
    sys.exit(0)
# absl::Status is returned through a hidden pointer; its one word is 1 when OK, else a pointer
# to {int32 refcount, int32 code, std::string message}.
status = ctypes.create_string_buffer(64)
fn.restype = None
fn.argtypes = [ctypes.c_void_p]
fn(status)
rep = ctypes.c_uint64.from_buffer(status).value
message = "ok"
if rep != 1 and rep & 1 == 0:
    data = ctypes.c_uint64.from_address(rep + 8).value
    size = ctypes.c_uint64.from_address(rep + 16).value
    message = ctypes.string_at(data, min(size, 500)).decode("utf-8", "replace")
loaded = sorted({line.split()[-1] for line in open("/proc/self/maps")
                 if "/" in line and ".so" in line.split()[-1]})
print(json.dumps({"status": message, "loaded": loaded}))
'''

site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                      check=True, capture_output=True, text=True, timeout=60).stdout.strip()
env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
child = subprocess.run([python, "-c", CHILD, site], capture_output=True, text=True, timeout=120,
                       env=env)
if child.returncode != 0:
    print("FAIL: the child calling TensorFlow's loader failed:", child.stderr[-2000:])
    sys.exit(1)
tf = json.loads(child.stdout.strip().splitlines()[-1])
if "skip" in tf:
    print("SKIP:", tf["skip"])
    sys.exit(77)
print("TensorFlow's MaybeTryDlopenGPULibraries():", tf["status"])

facts = json.loads(subprocess.run([binary, "probe", "--json", "--no-live", "--python", python],
                                  check=True, capture_output=True, text=True, env=env).stdout)
envs = [e for e in facts["python_envs"]
        if os.path.realpath(e["prefix"]) == os.path.realpath(venv)]
if len(envs) != 1:
    print("FAIL: tfgpu did not find the venv")
    sys.exit(1)
loaded_real = {os.path.realpath(p) for p in tf["loaded"]}
loaded_names = {os.path.basename(p) for p in tf["loaded"]}
failures = 0
for library in envs[0]["libraries"]:
    if not library["required"]:
        continue
    path = library["path"]["value"] if library["path"]["presence"] == "present" else None
    by_tensorflow = library["soname"] in loaded_names
    same_file = path is not None and os.path.realpath(path) in loaded_real
    ok = (path is None and not by_tensorflow) or (path is not None and same_file)
    print(("ok   " if ok else "FAIL ") +
          f"{library['soname']}: tfgpu {path or 'not found'}; TensorFlow's loader "
          f"{'loaded it' if by_tensorflow else 'did not load it'}")
    failures += 0 if ok else 1
all_resolved = all(l["path"]["presence"] == "present"
                   for l in envs[0]["libraries"] if l["required"])
if all_resolved != (tf["status"] == "ok"):
    print(f"FAIL: tfgpu says all required libraries resolve: {all_resolved}; "
          f"TensorFlow's loader said: {tf['status']}")
    failures += 1
sys.exit(1 if failures else 0)
