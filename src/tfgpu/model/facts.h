// SPDX-License-Identifier: Apache-2.0
#pragma once
// Facts: everything the probes read from a machine, as plain data. This is the contract between
// probe/ and every later stage, and its JSON form (facts_json.h) is what `tfgpu probe --json`
// prints and what users script against. Units are in member names; versions are Version.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tfgpu/base/version.h"
#include "tfgpu/model/observed.h"

namespace tfgpu::model {

inline constexpr const char* kFactsSchema = "tfgpu.facts/1";

struct HostFacts {
  Observed<std::string> os_id;           // /etc/os-release ID ("ubuntu", "debian")
  Observed<std::string> os_version_id;   // VERSION_ID ("22.04", "12")
  Observed<std::string> os_pretty_name;  // PRETTY_NAME
  Observed<std::string> kernel_release;  // /proc/sys/kernel/osrelease
  Observed<std::string> arch;            // machine of the root's libc ELF ("x86_64", "aarch64")
  Observed<Version> glibc_version;       // from the root's libc.so.6
  Observed<bool> wsl2;                   // /proc/version mentions microsoft/WSL, or /dev/dxg
  Observed<std::string> wsl_lib_dir;     // /usr/lib/wsl/lib when present
  std::vector<std::string> wsl_driver_libraries;  // files in /usr/lib/wsl/lib
  Observed<std::string> container;  // "docker", "podman", "kubernetes", "lxc", or absent
};

struct PciGpu {
  std::string bus_id;                  // "0000:3b:00.0"
  std::string vendor_id;               // "10de"
  std::string device_id;               // "2330"
  std::string subsystem_vendor_id;     // may be empty
  std::string subsystem_device_id;     // may be empty
  std::string class_code;              // "030000" VGA, "030200" 3D controller
  Observed<std::string> model_name;    // from pci.ids
  Observed<std::string> bound_driver;  // "nvidia", "nouveau", "vfio-pci"; absent when unbound
};

struct DevNode {
  std::string path;  // "/dev/nvidia0"
  bool exists = false;
  Observed<bool> accessible;  // read+write access for this user (live machine only)
};

struct KernelDriverFacts {
  Observed<Version> module_version;     // /proc/driver/nvidia/version
  Observed<std::string> module_flavor;  // "proprietary" or "open"
  Observed<std::string> version_line;   // the NVRM line as read
  Observed<bool> nvidia_module_loaded;  // /proc/modules
  Observed<bool> nouveau_loaded;        // /proc/modules
  Observed<bool> secure_boot;           // efivars SecureBoot-…; absent on BIOS machines
  std::vector<DevNode> dev_nodes;
};

enum class SearchStep {
  kRpath,          // DT_RPATH of the requesting object (only when it has no DT_RUNPATH)
  kLdLibraryPath,  // LD_LIBRARY_PATH
  kRunpath,        // DT_RUNPATH of the requesting object
  kLdCache,        // /etc/ld.so.cache
  kDefaultDir,     // /lib, /usr/lib and their multiarch forms
};

enum class Provider {
  kUnknown,
  kCudaToolkit,   // /usr/local/cuda*, /opt/cuda
  kPipWheel,      // site-packages/nvidia/*
  kConda,         // a conda prefix's lib/
  kDistribution,  // a distribution package (/usr/lib/x86_64-linux-gnu …)
  kWsl,           // /usr/lib/wsl/lib (injected by Windows)
  kDriver,        // the NVIDIA driver package (libcuda, libnvidia-ml)
  kStub,          // the CUDA toolkit's link-time stub
};

struct LibraryCandidate {
  std::string path;
  SearchStep step = SearchStep::kDefaultDir;
  std::string search_dir;  // the directory entry as written (before $ORIGIN expansion)
  bool exists = false;
  std::string rejected_because;  // empty for the winner; "wrong ELF class", "not found" …
};

// The real dynamic loader's answer for the same search, on live machines: ld.so's trace of a
// stand-in object that needs the soname with the requester's search path, in the probed
// environment (probe/live_probe.cc).
struct LoaderCheck {
  Observed<std::string> loaded_path;  // the file ld.so loaded; absent = not found
  std::string error;      // why it did not load, or its dependencies ld.so could not find
  Observed<bool> agrees;  // loaded_path's real path == our winner's real path
  std::string method;     // how the check was made: "ld.so trace of a stand-in requester"
};

struct LibraryResolution {
  std::string soname;     // "libcudart.so.12"
  std::string family;     // "cudart", "cudnn", "cuda" …
  bool required = false;  // TensorFlow skips GPU registration when this fails to load
  std::string requester;  // the object whose search path was used; empty = none
  std::vector<LibraryCandidate> candidates;
  Observed<std::string> path;       // the winner as the loader would open it
  Observed<std::string> real_path;  // symlinks resolved
  Observed<Version> version;        // from the file name, the wheel's dist-info, or the ELF
  Provider provider = Provider::kUnknown;
  std::string wheel;                        // "nvidia-cudnn-cu12" when a wheel owns it
  std::optional<LoaderCheck> loader_check;  // live machines only
};

struct CudaDevice {
  int ordinal = 0;
  std::string name;
  Version compute_capability;
  std::uint64_t total_bytes = 0;
  Observed<std::uint64_t> free_bytes;
  std::string uuid;        // "GPU-…"
  std::string pci_bus_id;  // "0000:3B:00.0"
};

struct LiveDriverFacts {
  // Ran only on a live machine (root "/"), in a child process with a timeout.
  Observed<std::string> outcome;          // "exited", "timeout", "signal SIGSEGV", "skipped"
  Observed<int> cu_init_status;           // CUresult of cuInit(0)
  std::string cu_init_status_name;        // "CUDA_ERROR_NO_DEVICE"
  Observed<Version> cuda_driver_version;  // cuDriverGetVersion
  Observed<int> device_count;
  std::vector<CudaDevice> devices;
  Observed<Version> nvml_driver_version;       // nvmlSystemGetDriverVersion
  Observed<Version> nvml_cuda_driver_version;  // nvmlSystemGetCudaDriverVersion_v2
  std::string nvml_status_name;                // "NVML_ERROR_DRIVER_NOT_LOADED"
  Observed<std::string> cuda_visible_devices;  // as passed to the child
};

struct UserDriverFacts {
  LibraryResolution libcuda;
  LibraryResolution libnvidia_ml;
  Observed<bool> libcuda_is_stub;
  std::vector<std::string> stub_libcuda_paths;  // toolkit stubs seen anywhere (not on the path)
  LiveDriverFacts live;
};

struct CudaToolkit {
  std::string root;                    // "/usr/local/cuda-13.0"
  std::vector<std::string> found_via;  // "/usr/local/cuda symlink", "env CUDA_HOME", "nvcc on PATH"
  Observed<Version> version;           // version.json, version.txt, nvcc, or dist-info
  Observed<std::string> nvcc;
  Observed<std::string> ptxas;
  Observed<std::string> libdevice;  // nvvm/libdevice/libdevice.10.bc
};

struct CudnnLibrary {
  std::string path;
  Observed<std::string> real_path;
  Observed<Version> version;
  Provider provider = Provider::kUnknown;
  std::vector<std::string> missing_sublibraries;  // cuDNN 9: libcudnn_ops.so.9 …
};

struct CudnnHeader {
  std::string path;
  Observed<Version> version;
};

struct CudnnFacts {
  std::vector<CudnnLibrary> libraries;
  std::vector<CudnnHeader> headers;
  std::vector<std::string> misplaced;  // "<path>: <why>"
  std::vector<std::string> header_library_mismatches;
};

struct PythonPackage {
  std::string name;       // normalised (PEP 503): "nvidia-cudnn-cu12"
  std::string version;    // as written in METADATA
  std::string dist_info;  // path of the .dist-info directory
};

struct TensorflowBuildInfo {
  std::string source;  // path of build_info.py
  Observed<bool> is_cuda_build;
  Observed<bool> is_rocm_build;
  Observed<Version> cuda_version;
  Observed<Version> cudnn_version;
  Observed<std::vector<std::string>> cuda_compute_capabilities;  // ["sm_60", "compute_90"]
};

struct TensorflowInstall {
  std::string package;  // "tensorflow", "tensorflow-cpu", "tf-nightly" …
  Observed<Version> version;
  std::string location;  // site-packages/tensorflow
  TensorflowBuildInfo build_info;
  Observed<std::string> loader_object;  // the .so whose RUNPATH governs dlopen
  std::vector<std::string> runpath;     // DT_RUNPATH entries as written
  std::vector<std::string> rpath;       // DT_RPATH entries as written
  // libtensorflow_cc.so.2 also dlopens CUDA libraries, and in TF 2.21 only its RUNPATH has
  // $ORIGIN/../nvidia/cusolver/lib (docs/tensorflow-wheel.md); empty when the wheel has none.
  std::string cc_object;
  std::vector<std::string> cc_runpath;  // its DT_RUNPATH entries as written
};

// What an earlier `tfgpu install` into this environment recorded (PREFIX/.tfgpu-install.json).
struct TfgpuInstallMark {
  std::string source;  // the record's path
  bool complete = false;
  std::string tensorflow;  // the version it installs: "2.21.0"
  std::string started_at;
  std::string unfinished_step;  // the first step not done: "pip"; empty when complete
  std::string detail;           // how that step ended: "interrupted (SIGINT)", "exit 1", ""
  std::string problem;          // the record could not be read (then nothing else is known)
};

struct PythonEnv {
  std::string interpreter;             // "/root/venv/bin/python3"
  std::string prefix;                  // "/root/venv"
  std::string kind;                    // "venv", "conda", "pyenv", "system", "virtualenvwrapper"
  std::vector<std::string> found_via;  // "VIRTUAL_ENV", "python3 on PATH", "--python"
  Observed<Version> python_version;
  std::vector<std::string> site_packages;
  std::vector<PythonPackage> packages;        // only the packages that matter to TensorFlow on GPUs
  std::vector<TensorflowInstall> tensorflow;  // every TensorFlow distribution found (normally 1)
  std::vector<LibraryResolution> libraries;   // as TensorFlow's loader object would resolve them
  std::optional<TfgpuInstallMark> tfgpu_install;  // null: no record of a tfgpu install here
};

struct ProbeProblem {
  std::string probe;  // "pci", "python"
  std::string error;  // "reading /sys/bus/pci/devices: permission denied"
};

struct Facts {
  std::string schema = kFactsSchema;
  std::string tool_version;
  std::string root = "/";
  bool live = true;  // root is "/" and the child-process checks ran
  HostFacts host;
  std::vector<PciGpu> pci_gpus;
  KernelDriverFacts kernel_driver;
  UserDriverFacts user_driver;
  std::vector<LibraryResolution>
      system_libraries;  // with no requester: LD_LIBRARY_PATH, cache, defaults
  std::vector<CudaToolkit> cuda_toolkits;
  CudnnFacts cudnn;
  std::vector<PythonEnv> python_envs;
  std::map<std::string, std::optional<std::string>> environment;  // null = unset
  std::vector<ProbeProblem> problems;
};

// Stable snake_case names, as in the JSON document.
std::string search_step_name(SearchStep step);
std::string provider_name(Provider provider);

}  // namespace tfgpu::model
