// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/probe.h"

#include <exception>
#include <functional>
#include <utility>

#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {
namespace {

// Variables that change what TensorFlow finds or does on GPUs. TF_* and NVIDIA_* are added by
// prefix below (TF_CPP_MIN_LOG_LEVEL, TF_GPU_ALLOCATOR, NVIDIA_VISIBLE_DEVICES …).
constexpr const char* kRelevantVariables[] = {
    "CUDA_VISIBLE_DEVICES",
    "CUDA_DEVICE_ORDER",
    "LD_LIBRARY_PATH",
    "LD_PRELOAD",
    "PATH",
    "CUDA_HOME",
    "CUDA_PATH",
    "CUDNN_PATH",
    "XLA_FLAGS",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "PYTHONPATH",
    "WSL_DISTRO_NAME",
};

}  // namespace

std::string ProbeContext::env(const std::string& name) const {
  auto it = environment.find(name);
  return it == environment.end() ? std::string() : it->second;
}

void add_problem(model::Facts& facts, std::string probe_name, const Error& error) {
  facts.problems.push_back({std::move(probe_name), error.message});
}

std::map<std::string, std::optional<std::string>> relevant_environment(
    const Environment& environment) {
  std::map<std::string, std::optional<std::string>> out;
  for (const char* name : kRelevantVariables) {
    auto it = environment.find(name);
    out[name] = it == environment.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  out["TF_FORCE_GPU_ALLOW_GROWTH"] = std::nullopt;
  for (const auto& [name, value] : environment) {
    if (name.starts_with("TF_") || name.starts_with("NVIDIA_")) {
      out[name] = value;
    }
  }
  return out;
}

model::Facts probe_machine(const ProbeOptions& options) {
  SysRoot root(options.root, MetadataCache::kOn);
  ProbeContext context{root, options.environment, options};
  model::Facts facts;
  facts.tool_version = options.tool_version;
  facts.root = root.root();
  facts.live = root.is_live() && options.run_live_checks;
  facts.environment = relevant_environment(options.environment);

  using ProbeFn = std::function<void(const ProbeContext&, model::Facts&)>;
  const std::pair<const char*, ProbeFn> probes[] = {
      {"host", probe_host},
      {"pci", probe_pci},
      {"kernel_driver", probe_kernel_driver},
      {"libraries", probe_libraries},
      {"toolkits", probe_toolkits},
      {"python", probe_python},
      {"cudnn", probe_cudnn},
      {"live", probe_live},
  };
  for (const auto& [name, run] : probes) {
    try {
      run(context, facts);
    } catch (const std::exception& e) {
      facts.problems.push_back({name, std::string("internal error: ") + e.what()});
    }
  }
  return facts;
}

}  // namespace tfgpu::probe
