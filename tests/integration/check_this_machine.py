#!/usr/bin/env python3
"""The truth on the development/CI machine, asserted against `tfgpu probe --json` and `tfgpu doctor --json`.

This machine has no NVIDIA GPU and no driver, a real CUDA 13.0 toolkit (cuBLAS 13.1, cuDNN 9.19,
NCCL 2.28, registered in ld.so.conf) with the toolkit's stub libcuda, and a cached venv with real
tensorflow[and-cuda] from PyPI (TFGPU_TF_VENV, made by scripts/tf-venv.sh). A machine without that
toolkit skips (exit 77) rather than asserting facts it cannot have.
"""
import json
import os
import subprocess
import sys

binary = sys.argv[1]
venv = os.environ.get("TFGPU_TF_VENV", "")
toolkit = "/usr/local/cuda-13.0"
if not os.path.isdir(toolkit):
    print(f"SKIP: {toolkit} is not on this machine")
    sys.exit(77)

args = [binary, "probe", "--json"]
if venv:
    args += ["--python", f"{venv}/bin/python"]
doc = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
failures = []


def check(what, actual, expected):
    ok = actual == expected if not callable(expected) else expected(actual)
    print(("ok   " if ok else "FAIL ") + f"{what}: {actual!r}")
    if not ok:
        failures.append(what)


def value(observed):
    return observed["value"] if observed and observed["presence"] == "present" else None


check("no NVIDIA GPU on the PCI bus", doc["pci_gpus"], [])
check("no NVIDIA kernel module", doc["kernel_driver"]["module_version"]["presence"], "absent")
libcuda = doc["user_driver"]["libcuda"]
check("libcuda.so.1 not found by the loader", libcuda["path"]["presence"], "absent")
check("the toolkit's stub libcuda is seen",
      doc["user_driver"]["stub_libcuda_paths"],
      lambda paths: any(os.path.realpath(p).startswith(toolkit) and "/stubs/" in p for p in paths))
live = doc["user_driver"]["live"]
check("live check ran in a child", value(live["outcome"]), lambda o: o is not None and o != "skipped")
check("no CUDA device", value(live["device_count"]), lambda n: n in (None, 0))

toolkits = {t["root"]: t for t in doc["cuda_toolkits"]}
check("CUDA 13.0 toolkit", value(toolkits.get(toolkit, {}).get("version")),
      lambda v: v is not None and v.startswith("13.0"))
check("ptxas in the toolkit", toolkits.get(toolkit, {}).get("ptxas", {}).get("presence"), "present")

system = {lib["soname"]: lib for lib in doc["system_libraries"]}
for soname, version_prefix in [("libcudart.so.13", "13.0"), ("libcublas.so.13", "13.1"),
                               ("libcudnn.so.9", "9.19"), ("libnccl.so.2", "2.28")]:
    lib = system.get(soname, {})
    check(f"{soname} found on the system path", value(lib.get("path")),
          lambda p: p is not None)
    check(f"{soname} version", value(lib.get("version")),
          lambda v, prefix=version_prefix: v is not None and v.startswith(prefix))
check("no CUDA 12 runtime on the system path", value(system.get("libcudart.so.12", {}).get("path")), None)
cudnn = [lib for lib in doc["cudnn"]["libraries"] if lib["path"].startswith(toolkit)]
check("cuDNN 9.19 in the toolkit", [value(lib["version"]) for lib in cudnn],
      lambda vs: len(vs) == 1 and vs[0].startswith("9.19"))

if venv:
    envs = [e for e in doc["python_envs"] if os.path.realpath(e["prefix"]) == os.path.realpath(venv)]
    check("the cached venv is found", len(envs), 1)
    if envs:
        env = envs[0]
        tf = env["tensorflow"]
        check("one TensorFlow distribution", [t["package"] for t in tf], ["tensorflow"])
        if tf:
            info = tf[0]["build_info"]
            check("TensorFlow version", value(tf[0]["version"]), lambda v: v is not None and v.startswith("2."))
            check("build CUDA", value(info["cuda_version"]), lambda v: v is not None and v.startswith("12."))
            check("build cuDNN", value(info["cudnn_version"]), lambda v: v is not None and v.startswith("9"))
            check("build compute capabilities", value(info["cuda_compute_capabilities"]),
                  lambda caps: bool(caps) and all(c.startswith(("sm_", "compute_")) for c in caps))
        site = env["site_packages"][0] if env["site_packages"] else "?"
        required = [lib for lib in env["libraries"] if lib["required"]]
        check("required CUDA libraries listed", len(required), lambda n: n >= 7)
        # TensorFlow 2.21's framework RUNPATH has no cuSOLVER entry and its own loader does not
        # find libcusolver.so.11 here (check_tf_dso_loader.py measures that); the rest resolve.
        unreachable = {"libcusolver.so.11"}
        for lib in required:
            if lib["soname"] in unreachable:
                check(f"{lib['soname']} is not reachable from the framework's RUNPATH",
                      lib["path"]["presence"], "absent")
                continue
            check(f"{lib['soname']} resolves through TensorFlow's RUNPATH into the wheels",
                  (value(lib["path"]) or "", [c["step"] for c in lib["candidates"]
                                              if not c["rejected_because"] and c["exists"]][:1],
                   lib["provider"]),
                  lambda t: t[0].startswith(site + "/nvidia/") and t[1] == ["runpath"]
                  and t[2] == "pip_wheel")
            check(f"{lib['soname']} version from the wheel", (lib["wheel"], value(lib["version"])),
                  lambda t: t[0].startswith("nvidia-") and t[1] is not None)

# doctor's verdict on the same machine (issue: "no NVIDIA GPU or driver, so TensorFlow will run on
# the CPU; in the cached venv TensorFlow's CUDA libraries resolve through the wheels; the system's
# CUDA 13 libraries could not serve a CUDA 12 build").
doctor_args = [binary, "doctor", "--json"] + args[3:]
run = subprocess.run(doctor_args, capture_output=True, text=True)
check("doctor exits 1 (checked, not ready)", run.returncode, 1)
report = json.loads(run.stdout)
check("doctor schema", report["schema"], "tfgpu.doctor/1")
ids = {(f["id"], f["scope"]) for f in report["findings"]}
check("finding no_nvidia_gpu for the machine", ("no_nvidia_gpu", "machine") in ids, True)
check("no container finding without a GPU on the host",
      any(i == "dev_nodes_missing" for i, _ in ids), False)
layers = {layer["layer"]: layer["state"] for layer in report["layers"]}
check("GPU layer fails", layers.get("gpu"), "error")
if venv:
    verdicts = [v for v in report["verdicts"]
                if os.path.realpath(v["prefix"]) == os.path.realpath(venv)]
    check("one verdict for the cached venv", len(verdicts), 1)
    for verdict in verdicts:
        check("it will not use the GPU", verdict["will_use_gpu"], False)
        check("because there is no NVIDIA GPU", "no_nvidia_gpu" in verdict["blocked_by"], True)
        check("and it says the CPU runs it", "CPU" in verdict["sentence"], True)
        scope = verdict["prefix"]
        check("the system's CUDA 13 cannot serve the CUDA 12 build",
              ("system_cuda_other_major", scope) in ids, True)
        check("the unreachable cuSOLVER wheel is the only library finding",
              sorted(i for i, s in ids if s == scope and i.startswith(("library_", "cuda_", "nvidia_"))),
              ["nvidia_wheels_unreachable"])
        unreachable_findings = [f for f in report["findings"]
                                if f["id"] == "nvidia_wheels_unreachable" and f["scope"] == scope]
        commands = " ".join(c for f in unreachable_findings for fix in f["fixes"] for c in fix["commands"])
        check("its fix puts the wheel's cusolver folder on LD_LIBRARY_PATH", commands,
              lambda c: "nvidia/cusolver/lib" in c and "LD_LIBRARY_PATH" in c)
    check("CUDA libraries layer fails (cuSOLVER)", layers.get("cuda_libraries"), "error")
    no_gpu = [f for f in report["findings"] if f["id"] == "no_nvidia_gpu"]
    fix_text = " ".join(fix["why"] + " " + " ".join(fix["commands"])
                        for f in no_gpu for fix in f["fixes"])
    check("the fix tells a user who adds a GPU which driver the build needs",
          fix_text, lambda t: "525.60.13" in t)

if failures:
    print(f"{len(failures)} facts differ from this machine's truth")
    sys.exit(1)
print("this machine's facts are as expected")
