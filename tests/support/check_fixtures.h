// SPDX-License-Identifier: Apache-2.0
#pragma once
// A healthy machine as Facts (one H100, driver 550.54.14 loaded and answering, TensorFlow 2.21.0
// in ~/venv with every CUDA library resolving through its nvidia-* wheels) and a small KB with
// the rows that machine's checks consult. Each check test changes one thing and expects its
// check to fire; on the unchanged machine every check stays quiet (checks_quiet_test.cc).
// Values are those of real releases: TF 2.21.0's build_info.py (docs/tensorflow-wheel.md), CUDA
// 12.5 Update 1's driver minimum (data/kb/cuda.toml).

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "tfgpu/base/version.h"
#include "tfgpu/checks/check.h"
#include "tfgpu/kb/knowledge_base.h"
#include "tfgpu/model/facts.h"

namespace tfgpu::testing {

inline Version ver(std::string_view text) {
  return Version::parse(text).value();
}

template <class T>
model::Observed<T> seen(T value, std::string source = "test") {
  return model::Observed<T>::present(std::move(value), std::move(source));
}

inline kb::Provenance provenance(std::string table, std::string key) {
  return kb::Provenance{std::move(table),           std::move(key),
                        kb::Confidence::kConfirmed, {"https://example.org/kb"},
                        {"https://example.org/kb"}, ""};
}

inline kb::KnowledgeBase small_kb() {
  kb::KnowledgeBase kb;
  kb.origin = "test";
  kb::TensorflowRelease r221;
  r221.line = ver("2.21");
  r221.first_version = ver("2.21.0");
  r221.python = {ver("3.10"), ver("3.13")};
  r221.cuda = ver("12.5");
  r221.cudnn = ver("9.3");
  r221.gpu_platforms = {"linux", "wsl2"};
  r221.provenance = provenance("release", "2.21");
  kb::TensorflowRelease r210;
  r210.line = ver("2.10");
  r210.first_version = ver("2.10.0");
  r210.python = {ver("3.7"), ver("3.10")};
  r210.cuda = ver("11.2");
  r210.cudnn = ver("8.1");
  r210.gpu_platforms = {"linux", "wsl2", "windows"};
  r210.provenance = provenance("release", "2.10");
  kb.releases = {r210, r221};
  kb::WheelBuild build;
  build.lines = {ver("2.18"), ver("2.21")};
  build.compute_capabilities = {"sm_60", "sm_70", "sm_80", "sm_89", "compute_90"};
  build.provenance = provenance("wheel_build", "2.18-2.21");
  kb.wheel_builds = {build};
  kb::SonameSet sonames;
  sonames.lines = {ver("2.18"), ver("2.21")};
  sonames.cuda_major = 12;
  sonames.libraries = {
      {"cudart", "libcudart.so.12"}, {"cublas", "libcublas.so.12"}, {"cudnn", "libcudnn.so.9"}};
  sonames.provenance = provenance("sonames", "2.18-2.21");
  kb.sonames = {sonames};
  kb.driver_minimums = {
      {ver("12.5.1"), "CUDA 12.5 Update 1", ver("555.42.06"), ver("555.85"),
       provenance("driver_minimum", "CUDA 12.5 Update 1")},
      {ver("12.2.2"), "CUDA 12.2 Update 2", ver("535.104.05"), ver("537.13"),
       provenance("driver_minimum", "CUDA 12.2 Update 2")},
      {ver("11.2.0"), "CUDA 11.2.0 GA", ver("460.27.03"), ver("460.82"),
       provenance("driver_minimum", "CUDA 11.2.0 GA")},
  };
  kb.minor_version_compat = {
      {11, ver("450.80.02"), ver("452.39"), std::nullopt, provenance("minor_version_compat", "11")},
      {12, ver("525.60.13"), ver("527.41"), std::nullopt, provenance("minor_version_compat", "12")},
  };
  kb::GpuModel h100{"H100", "datacenter", ver("9.0"), {}, "Hopper", provenance("gpu", "H100")};
  kb::GpuModel k80{"Tesla K80", "datacenter", ver("3.7"),
                   {},          "Kepler",     provenance("gpu", "Tesla K80")};
  kb::GpuModel rtx5090{"GeForce RTX 5090", "geforce",
                       ver("12.0"),        {},
                       "Blackwell",        provenance("gpu", "GeForce RTX 5090")};
  kb.gpus = {h100, k80, rtx5090};
  for (const char* id :
       {"windows_native_gpu_ends_2_10", "macos_no_cuda", "ptx_jit_first_use",
        "cc_below_minimum_ignored", "cudnn_major_minor_rule", "minor_version_compat_ptx",
        "driver_backward_compatible", "tf_force_gpu_allow_growth_values", "tensorflow_cpu_package",
        "and_cuda_from_2_14", "wheels_unreachable_2_16", "nouveau_blocks_nvidia",
        "secure_boot_unsigned_module", "wsl_driver_from_windows", "xla_needs_ptxas_libdevice"}) {
    kb.statements.push_back({id, std::string("statement ") + id, provenance("statement", id)});
  }
  return kb;
}

inline model::LibraryResolution resolved(std::string soname, std::string family, std::string path,
                                         std::string version, std::string wheel) {
  model::LibraryResolution library;
  library.soname = std::move(soname);
  library.family = std::move(family);
  library.required = true;
  library.requester =
      "/home/ana/venv/lib/python3.11/site-packages/tensorflow/"
      "libtensorflow_framework.so.2";
  library.path = seen(path);
  library.real_path = seen(path);
  library.version = seen(ver(version));
  library.provider = model::Provider::kPipWheel;
  library.wheel = std::move(wheel);
  model::LibraryCandidate winner;
  winner.path = path;
  winner.step = model::SearchStep::kRunpath;
  winner.exists = true;
  library.candidates = {winner};
  return library;
}

inline model::Facts healthy_facts() {
  model::Facts facts;
  facts.root = "/";
  facts.live = true;
  facts.host.os_id = seen(std::string("ubuntu"));
  facts.host.os_version_id = seen(std::string("22.04"));
  facts.host.arch = seen(std::string("x86_64"));
  facts.host.wsl2 = seen(false);
  facts.host.container = model::Observed<std::string>::absent("/.dockerenv");

  model::PciGpu gpu;
  gpu.bus_id = "0000:3b:00.0";
  gpu.vendor_id = "10de";
  gpu.device_id = "2330";
  gpu.class_code = "030200";
  gpu.model_name = seen(std::string("GH100 [H100 SXM5 80GB]"), "pci.ids");
  gpu.bound_driver = seen(std::string("nvidia"));
  facts.pci_gpus = {gpu};

  auto& kernel = facts.kernel_driver;
  kernel.module_version = seen(ver("550.54.14"), "/proc/driver/nvidia/version");
  kernel.module_flavor = seen(std::string("proprietary"));
  kernel.nvidia_module_loaded = seen(true, "/proc/modules");
  kernel.nouveau_loaded = seen(false, "/proc/modules");
  kernel.secure_boot = model::Observed<bool>::absent("/sys/firmware/efi/efivars");
  for (const char* node : {"/dev/nvidia0", "/dev/nvidiactl", "/dev/nvidia-uvm"}) {
    kernel.dev_nodes.push_back({node, true, seen(true)});
  }

  auto& user = facts.user_driver;
  user.libcuda =
      resolved("libcuda.so.1", "cuda", "/usr/lib/x86_64-linux-gnu/libcuda.so.1", "550.54.14", "");
  user.libcuda.provider = model::Provider::kDriver;
  user.libcuda.real_path = seen(std::string("/usr/lib/x86_64-linux-gnu/libcuda.so.550.54.14"));
  user.libcuda.candidates.front().step = model::SearchStep::kLdCache;
  user.libcuda_is_stub = seen(false);
  auto& live = user.live;
  live.outcome = seen(std::string("exited"));
  live.cu_init_status = seen(0);
  live.cu_init_status_name = "CUDA_SUCCESS";
  live.cuda_driver_version = seen(ver("12.4"));
  live.device_count = seen(1);
  model::CudaDevice device;
  device.ordinal = 0;
  device.name = "NVIDIA H100 80GB HBM3";
  device.compute_capability = ver("9.0");
  device.total_bytes = 85899345920ULL;
  device.pci_bus_id = "0000:3B:00.0";
  live.devices = {device};
  live.nvml_driver_version = seen(ver("550.54.14"));

  model::PythonEnv env;
  env.interpreter = "/home/ana/venv/bin/python3";
  env.prefix = "/home/ana/venv";
  env.kind = "venv";
  env.found_via = {"VIRTUAL_ENV"};
  env.python_version = seen(ver("3.11.7"));
  env.site_packages = {"/home/ana/venv/lib/python3.11/site-packages"};
  const std::string site = env.site_packages.front();
  env.packages = {
      {"tensorflow", "2.21.0", site + "/tensorflow-2.21.0.dist-info"},
      {"nvidia-cudnn-cu12", "9.28.0.42", site + "/nvidia_cudnn_cu12-9.28.0.42.dist-info"},
      {"nvidia-cuda-runtime-cu12", "12.9.79", site + "/nvidia_cuda_runtime_cu12-12.9.79.dist-info"},
      // ptxas and libdevice for XLA (xla_ptxas_missing, xla_libdevice_missing).
      {"nvidia-cuda-nvcc-cu12", "12.9.86", site + "/nvidia_cuda_nvcc_cu12-12.9.86.dist-info"}};
  model::TensorflowInstall tf;
  tf.package = "tensorflow";
  tf.version = seen(ver("2.21.0"), site + "/tensorflow-2.21.0.dist-info/METADATA");
  tf.location = site + "/tensorflow";
  tf.build_info.source = site + "/tensorflow/python/platform/build_info.py";
  tf.build_info.is_cuda_build = seen(true, tf.build_info.source);
  tf.build_info.is_rocm_build = seen(false, tf.build_info.source);
  tf.build_info.cuda_version = seen(ver("12.5.1"), tf.build_info.source);
  tf.build_info.cudnn_version = seen(ver("9"), tf.build_info.source);
  tf.build_info.cuda_compute_capabilities =
      seen(std::vector<std::string>{"sm_60", "sm_70", "sm_80", "sm_89", "compute_90"},
           tf.build_info.source);
  tf.loader_object = seen(site + "/tensorflow/libtensorflow_framework.so.2");
  tf.runpath = {"$ORIGIN/../nvidia/cuda_runtime/lib", "$ORIGIN/../nvidia/cudnn/lib"};
  env.tensorflow = {tf};
  env.libraries = {
      resolved("libcudart.so.12", "cudart", site + "/nvidia/cuda_runtime/lib/libcudart.so.12",
               "12.9.79", "nvidia-cuda-runtime-cu12"),
      resolved("libcudnn.so.9", "cudnn", site + "/nvidia/cudnn/lib/libcudnn.so.9", "9.28.0.42",
               "nvidia-cudnn-cu12"),
  };
  facts.python_envs = {env};
  facts.environment = {{"HOME", "/home/ana"},
                       {"PATH", "/home/ana/venv/bin:/usr/bin:/bin"},
                       {"LD_LIBRARY_PATH", std::nullopt},
                       {"CUDA_VISIBLE_DEVICES", std::nullopt},
                       {"TF_FORCE_GPU_ALLOW_GROWTH", std::nullopt}};
  return facts;
}

inline const checks::CheckInfo* find_check(std::string_view id) {
  const auto& all = checks::registry();
  auto it = std::find_if(all.begin(), all.end(), [&](const auto& c) { return c.id == id; });
  return it == all.end() ? nullptr : &*it;
}

// Run one check by id: a machine check on the machine, an environment check on the first
// TensorFlow install of the first environment. An unknown id fails the calling test (empty).
inline std::vector<model::Finding> run_check(std::string_view id, const model::Facts& facts,
                                             const kb::KnowledgeBase& kb) {
  const auto* check = find_check(id);
  if (check == nullptr) {
    ADD_FAILURE() << "no check with id " << id;
    return {};
  }
  const auto gpus = checks::gpu_views(facts, kb);
  if (check->machine != nullptr) {
    return check->machine(checks::MachineView{facts, kb, gpus});
  }
  if (facts.python_envs.empty() || facts.python_envs.front().tensorflow.empty()) {
    return {};
  }
  const auto& env = facts.python_envs.front();
  const auto target = checks::build_target(env.tensorflow.front(), kb);
  return check->env(checks::EnvView{facts, kb, gpus, env, env.tensorflow.front(), target});
}

// True when `findings` holds one with `id`.
inline bool fired(const std::vector<model::Finding>& findings, std::string_view id) {
  return std::any_of(findings.begin(), findings.end(),
                     [&](const model::Finding& f) { return f.id == id; });
}

}  // namespace tfgpu::testing
