// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/explain/here.h"

#include <algorithm>
#include <string>

#include "tfgpu/base/strings.h"

namespace tfgpu::explain {
namespace {

const model::PythonEnv* env_with_tensorflow(const model::Facts& facts,
                                            std::string_view interpreter) {
  for (const auto& env : facts.python_envs) {
    if (interpreter.empty() ? !env.tensorflow.empty() : env.interpreter == interpreter) {
      return &env;
    }
  }
  return nullptr;
}

// Known to have no NVIDIA GPU, as doctor's no_nvidia_gpu check decides it: an unknown WSL2 state
// or a PCI listing that failed proves nothing, and under WSL2 the GPU is never on the PCI bus.
bool known_without_nvidia_gpu(const model::Facts& facts) {
  const auto& live = facts.user_driver.live;
  const bool nvidia_on_pci =
      std::any_of(facts.pci_gpus.begin(), facts.pci_gpus.end(),
                  [](const model::PciGpu& gpu) { return to_lower(gpu.vendor_id) == "10de"; });
  const bool pci_problem =
      std::any_of(facts.problems.begin(), facts.problems.end(),
                  [](const model::ProbeProblem& problem) { return problem.probe == "pci"; });
  return !nvidia_on_pci && live.devices.empty() && live.device_count.value_or(0) == 0 &&
         facts.host.wsl2.is_present() && !*facts.host.wsl2.value &&
         !facts.host.wsl_lib_dir.is_present() &&
         facts.user_driver.libcuda.provider != model::Provider::kWsl && !pci_problem;
}

std::string provider_words(model::Provider provider) {
  switch (provider) {
    case model::Provider::kPipWheel:
      return "nvidia wheel";
    case model::Provider::kConda:
      return "conda";
    case model::Provider::kCudaToolkit:
      return "system CUDA toolkit";
    case model::Provider::kDistribution:
      return "system package";
    case model::Provider::kWsl:
      return "WSL";
    case model::Provider::kDriver:
      return "driver";
    case model::Provider::kStub:
      return "toolkit stub";
    case model::Provider::kUnknown:
      break;
  }
  return "unknown origin";
}

// "12.5.82 (nvidia wheel, /…/libcudart.so.12)" for the family's library as the environment's
// loader resolves it; "" when it does not resolve or has no version.
std::string resolved(const model::PythonEnv& env, std::string_view family) {
  for (const auto& library : env.libraries) {
    if (library.family == family && library.path.is_present() && library.version.is_present()) {
      return library.version.value->text() + " (" + provider_words(library.provider) + ", " +
             *library.path.value + ")";
    }
  }
  return "";
}

std::string install_method(const model::PythonEnv& env) {
  bool nvidia_wheels = false;
  for (const auto& package : env.packages) {
    nvidia_wheels = nvidia_wheels || package.name.starts_with("nvidia-");
  }
  std::string method = env.kind == "conda" ? "pip or conda in a conda env" : "pip in a " + env.kind;
  method += " at " + env.prefix;
  if (nvidia_wheels) {
    method += ", with nvidia-*-cu* wheels (and-cuda)";
  }
  return method;
}

}  // namespace

ReportEnv env_from_facts(const model::Facts& facts, std::string_view interpreter) {
  ReportEnv stated;
  const auto& host = facts.host;
  stated.os = host.os_pretty_name.value_or("");
  if (host.wsl2.value_or(false)) {
    stated.os += " (WSL2)";
  }
  if (host.container.is_present()) {
    stated.os += " (in a " + *host.container.value + " container)";
  }
  if (facts.kernel_driver.module_version.is_present()) {
    stated.driver = facts.kernel_driver.module_version.value->text();
  }
  for (const auto& device : facts.user_driver.live.devices) {
    stated.gpu = device.name;
    break;
  }
  if (stated.gpu.empty()) {
    for (const auto& gpu : facts.pci_gpus) {
      if (gpu.vendor_id == "10de" && gpu.model_name.is_present()) {
        stated.gpu = *gpu.model_name.value;
        break;
      }
    }
  }
  if (stated.gpu.empty() && known_without_nvidia_gpu(facts)) {
    stated.gpu = kNoNvidiaGpuStated;
  }
  if (const auto* env = env_with_tensorflow(facts, interpreter)) {
    if (!env->tensorflow.empty()) {
      const auto& tensorflow = env->tensorflow.front();
      stated.tf_version = tensorflow.package;
      if (tensorflow.version.is_present()) {
        stated.tf_version += " " + tensorflow.version.value->text();
      }
    }
    if (env->python_version.is_present()) {
      stated.python = env->python_version.value->text();
    }
    stated.install_method = install_method(*env);
    stated.cuda = resolved(*env, "cudart");
    stated.cudnn = resolved(*env, "cudnn");
  }
  if (stated.cuda.empty()) {
    for (const auto& toolkit : facts.cuda_toolkits) {
      if (toolkit.version.is_present()) {
        stated.cuda = toolkit.version.value->text() + " (system, " + toolkit.root + ")";
        break;
      }
    }
  }
  for (const char* variable : {"LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES"}) {
    const auto found = facts.environment.find(variable);
    if (found != facts.environment.end() && found->second.has_value()) {
      stated.other.push_back(EnvDetail{variable, *found->second});
    }
  }
  return stated;
}

}  // namespace tfgpu::explain
