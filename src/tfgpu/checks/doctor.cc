// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/checks/doctor.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/checks/check.h"
#include "tfgpu/checks/common.h"

namespace tfgpu::checks {
namespace {

using model::Finding;
using model::LayerState;
using model::Severity;

constexpr std::string_view kLayerGpu = "gpu";
constexpr std::string_view kLayerDriver = "driver";
constexpr std::string_view kLayerLibraries = "cuda_libraries";
constexpr std::string_view kLayerCudnn = "cudnn";
constexpr std::string_view kLayerPython = "python";

int severity_rank(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return 0;
    case Severity::kWarning:
      return 1;
    case Severity::kInfo:
      return 2;
  }
  return 2;
}

LayerState worst_state(const std::vector<const Finding*>& findings) {
  LayerState state = LayerState::kOk;
  for (const auto* finding : findings) {
    if (finding->severity == Severity::kError) {
      return LayerState::kError;
    }
    if (finding->severity == Severity::kWarning) {
      state = LayerState::kWarning;
    }
  }
  return state;
}

// "sm_90" for compute capability 9.0: how TensorFlow's build lists name it.
std::string sm_name(const std::optional<Version>& cc) {
  return cc ? fmt::format("sm_{}{}", cc->major(), cc->minor())
            : std::string("compute capability ?");
}

std::string gpu_phrase(const std::vector<GpuView>& gpus) {
  std::vector<std::string> indices;
  std::vector<std::string> details;
  for (const auto& gpu : gpus) {
    indices.push_back(std::to_string(gpu.index));
    details.push_back(gpu.name + ", " + sm_name(gpu.compute_capability));
  }
  const std::string noun = gpus.size() == 1 ? "GPU " : "GPUs ";
  return noun + join(indices, ", ") + " (" + join(details, "; ") + ")";
}

bool live_answered(const model::Facts& facts) {
  const auto& live = facts.user_driver.live;
  return facts.live && live.device_count.is_present();
}

std::vector<Finding> run_checks(const model::Facts& facts, const kb::KnowledgeBase& kb,
                                const std::vector<GpuView>& gpus) {
  std::vector<Finding> machine;
  std::vector<Finding> per_env;
  const MachineView machine_view{facts, kb, gpus};
  for (const auto& check : registry()) {
    if (check.machine != nullptr) {
      auto found = check.machine(machine_view);
      machine.insert(machine.end(), found.begin(), found.end());
    }
  }
  for (const auto& env : facts.python_envs) {
    if (env.tensorflow.empty()) {
      continue;
    }
    // The first install only: several in one env (itself a finding) would repeat the findings.
    const auto& tensorflow = env.tensorflow.front();
    const BuildTarget target = build_target(tensorflow, kb);
    const EnvView view{facts, kb, gpus, env, tensorflow, target};
    for (const auto& check : registry()) {
      if (check.env != nullptr) {
        auto found = check.env(view);
        per_env.insert(per_env.end(), found.begin(), found.end());
      }
    }
  }
  auto by_severity = [](const Finding& a, const Finding& b) {
    return severity_rank(a.severity) < severity_rank(b.severity);
  };
  std::stable_sort(machine.begin(), machine.end(), by_severity);
  // Keep environments in probe order; within one, errors first.
  std::stable_sort(per_env.begin(), per_env.end(), [&](const Finding& a, const Finding& b) {
    if (a.scope != b.scope) {
      return false;
    }
    return by_severity(a, b);
  });
  machine.insert(machine.end(), per_env.begin(), per_env.end());
  return machine;
}

std::vector<const Finding*> findings_in(const std::vector<Finding>& findings,
                                        std::string_view layer, std::string_view scope = {}) {
  std::vector<const Finding*> out;
  for (const auto& finding : findings) {
    if (layer_of(finding.id) == layer && (scope.empty() || finding.scope == scope)) {
      out.push_back(&finding);
    }
  }
  return out;
}

// As written, suffix included: "2.15.0.post1", not "2.15.0"; "?" when unknown.
std::string version_text(const model::Observed<Version>& version) {
  return text_or(version, "?");
}

std::vector<model::LayerStatus> layers(const model::Facts& facts, const std::vector<GpuView>& gpus,
                                       const std::vector<Finding>& findings) {
  std::vector<model::LayerStatus> out;
  auto add = [&](std::string_view layer, std::string label, std::string detail) {
    const auto layer_findings = findings_in(findings, layer);
    model::LayerStatus status;
    status.layer = std::string(layer);
    status.label = std::move(label);
    status.state = worst_state(layer_findings);
    // The line states what is there; the findings below say what is wrong with it.
    status.detail = std::move(detail);
    out.push_back(std::move(status));
  };

  // GPU
  std::string gpu_detail;
  if (gpus.empty()) {
    gpu_detail = in_wsl2(facts) ? "no GPU reported (in WSL2 the GPU is not on the PCI bus)"
                                : "no NVIDIA GPU found";
  } else {
    std::vector<std::string> names;
    for (const auto& gpu : gpus) {
      names.push_back(
          fmt::format("{}: {} ({})", gpu.index, gpu.name, sm_name(gpu.compute_capability)));
    }
    gpu_detail = join(names, "; ");
  }
  add(kLayerGpu, "GPU", gpu_detail);
  if (out.back().state == LayerState::kOk && gpus.empty()) {
    out.back().state = LayerState::kUnknown;  // WSL2 without a live answer: nothing to call good
  }
  const bool some_cc_unknown = std::any_of(gpus.begin(), gpus.end(), [](const GpuView& gpu) {
    return !gpu.compute_capability.has_value();
  });
  if (out.back().state == LayerState::kOk && some_cc_unknown) {
    out.back().state = LayerState::kUnknown;
  }

  // Driver
  std::string driver_detail;
  if (const auto driver = driver_version(facts)) {
    driver_detail = "NVIDIA " + driver->version.text();
    if (facts.user_driver.live.cuda_driver_version.is_present()) {
      driver_detail += " (CUDA " + facts.user_driver.live.cuda_driver_version.value->text() + ")";
    }
  } else if (facts.user_driver.libcuda.provider == model::Provider::kWsl &&
             facts.user_driver.libcuda.path.is_present()) {
    driver_detail = "the Windows driver, through " + *facts.user_driver.libcuda.path.value;
  } else {
    driver_detail = "no NVIDIA driver";
  }
  add(kLayerDriver, "Driver", driver_detail);
  const bool wsl_driver = facts.user_driver.libcuda.provider == model::Provider::kWsl &&
                          facts.user_driver.libcuda.path.is_present();
  if (out.back().state == LayerState::kOk && !driver_version(facts) && !wsl_driver) {
    // Nothing wrong was found, yet there is no driver to call good: unknown when its version
    // could not be read, not applicable when there is no GPU for it.
    out.back().state = facts.kernel_driver.module_version.presence == model::Presence::kUnknown
                           ? LayerState::kUnknown
                           : LayerState::kNotApplicable;
    if (out.back().state == LayerState::kUnknown) {
      out.back().detail = "unknown: " + facts.kernel_driver.module_version.why_unknown;
    }
  }

  // CUDA libraries: what each TensorFlow environment resolves, and the system's own CUDA.
  std::vector<std::string> library_parts;
  for (const auto& env : facts.python_envs) {
    if (env.tensorflow.empty()) {
      continue;
    }
    int required = 0;
    int resolved = 0;
    int wheels = 0;
    for (const auto& library : env.libraries) {
      if (!library.required) {
        continue;
      }
      ++required;
      if (library.path.is_present()) {
        ++resolved;
        wheels += library.provider == model::Provider::kPipWheel ? 1 : 0;
      }
    }
    std::string part = fmt::format("{} of {} for {}", resolved, required, env.prefix);
    if (wheels > 0) {
      part += fmt::format(" ({} through nvidia-* wheels)", wheels);
    }
    library_parts.push_back(part);
  }
  for (const auto& toolkit : facts.cuda_toolkits) {
    library_parts.push_back("system CUDA " + version_text(toolkit.version) + " at " + toolkit.root);
  }
  add(kLayerLibraries, "CUDA libraries",
      library_parts.empty() ? "none needed (no TensorFlow) and no CUDA toolkit"
                            : join(library_parts, "; "));

  // cuDNN
  std::vector<std::string> cudnn_parts;
  for (const auto& env : facts.python_envs) {
    for (const auto& library : env.libraries) {
      if (library.family == "cudnn" && !env.tensorflow.empty()) {
        cudnn_parts.push_back(
            library.path.is_present()
                ? fmt::format("{} for {}", version_text(library.version), env.prefix)
                : fmt::format("{} not found for {}", library.soname, env.prefix));
      }
    }
  }
  for (const auto& library : facts.cudnn.libraries) {
    const bool in_env = std::any_of(
        facts.python_envs.begin(), facts.python_envs.end(), [&](const model::PythonEnv& env) {
          return !env.prefix.empty() && library.path.starts_with(env.prefix + "/");
        });
    if (in_env) {
      continue;  // already listed as that environment's cuDNN
    }
    cudnn_parts.push_back(fmt::format("{} at {}", version_text(library.version), library.path));
  }
  const bool any_tensorflow =
      std::any_of(facts.python_envs.begin(), facts.python_envs.end(),
                  [](const model::PythonEnv& env) { return !env.tensorflow.empty(); });
  // With no TensorFlow, no cuDNN is needed yet ([and-cuda] brings its own): say so, so that a
  // tick beside "none" does not read as a contradiction.
  add(kLayerCudnn, "cuDNN",
      !cudnn_parts.empty() ? join(cudnn_parts, "; ")
      : any_tensorflow     ? "none found"
                           : "none needed (no TensorFlow) and none on the system");

  // One line per Python environment with TensorFlow.
  for (const auto& env : facts.python_envs) {
    if (env.tensorflow.empty()) {
      continue;
    }
    std::vector<const Finding*> env_findings;
    for (const auto& finding : findings) {
      if (finding.scope == env.prefix) {
        env_findings.push_back(&finding);
      }
    }
    const auto& tf = env.tensorflow.front();
    std::string detail = fmt::format("Python {}, {} {}", version_text(env.python_version),
                                     tf.package, version_text(tf.version));
    const auto& info = tf.build_info;
    if (info.cuda_version.is_present()) {
      detail += fmt::format(" (CUDA {}, cuDNN {})", info.cuda_version.value->text(),
                            version_text(info.cudnn_version));
    }
    model::LayerStatus status;
    status.layer = std::string(kLayerPython);
    status.label = "Python " + env.prefix;
    status.state = worst_state(env_findings);
    status.detail = detail;
    out.push_back(std::move(status));
  }
  return out;
}

model::EnvVerdict verdict_for(const model::Facts& facts, const model::PythonEnv& env,
                              const std::vector<GpuView>& gpus,
                              const std::vector<Finding>& findings) {
  const auto& tf = env.tensorflow.front();
  model::EnvVerdict verdict;
  verdict.prefix = env.prefix;
  verdict.interpreter = env.interpreter;
  verdict.tensorflow_package = tf.package;
  verdict.tensorflow_version = version_text(tf.version);
  const Finding* first_error = nullptr;
  for (const auto& finding : findings) {
    if (finding.scope != kMachineScope && finding.scope != env.prefix) {
      continue;
    }
    if (finding.severity == Severity::kError) {
      verdict.blocked_by.push_back(finding.id);
      first_error = first_error == nullptr ? &finding : first_error;
    } else if (finding.severity == Severity::kWarning) {
      verdict.warned_by.push_back(finding.id);
    }
    verdict.rests_on_unconfirmed = verdict.rests_on_unconfirmed || finding.rests_on_unconfirmed;
  }
  for (const auto& gpu : gpus) {
    verdict.gpus.push_back(model::GpuChoice{
        gpu.index, gpu.name,
        gpu.compute_capability ? gpu.compute_capability->text() : std::string(), gpu.name_source});
  }
  const std::string who =
      fmt::format("TensorFlow {} in {}", verdict.tensorflow_version, env.prefix);
  verdict.will_use_gpu = first_error == nullptr;
  verdict.certain = live_answered(facts);
  if (!verdict.will_use_gpu) {
    verdict.sentence = fmt::format("{} will NOT use the GPU: {}", who, first_error->summary);
    if (first_error->summary.find("CPU") == std::string::npos) {
      verdict.sentence += " It will run on the CPU.";
    }
    // The cause is certain even when the driver was not queried.
    verdict.certain = true;
  } else if (!live_answered(facts) && !driver_version(facts)) {
    verdict.will_use_gpu = false;
    verdict.certain = false;
    verdict.sentence = fmt::format(
        "Cannot tell whether {} will use the GPU: the NVIDIA driver's version could not be read "
        "({}) and the driver was not queried.",
        who,
        facts.kernel_driver.module_version.why_unknown.empty()
            ? std::string("no version found")
            : facts.kernel_driver.module_version.why_unknown);
  } else if (gpus.empty()) {
    verdict.sentence = fmt::format(
        "{} should use the GPU: nothing on the files blocks it, but no GPU could be named (the "
        "driver was not queried).",
        who);
  } else if (verdict.certain) {
    verdict.sentence = fmt::format("{} will use {}.", who, gpu_phrase(gpus));
  } else {
    verdict.sentence = fmt::format(
        "{} will use {}, as far as the files show (the driver was not queried: {}).", who,
        gpu_phrase(gpus), facts.live ? "the live check did not answer" : "no live checks");
  }
  if (verdict.will_use_gpu && !verdict.warned_by.empty()) {
    verdict.sentence += fmt::format(" {} warning{} below.", verdict.warned_by.size(),
                                    verdict.warned_by.size() == 1 ? "" : "s");
  }
  if (verdict.rests_on_unconfirmed) {
    verdict.sentence += " (Part of this rests on knowledge-base rows no source confirmed.)";
  }
  return verdict;
}

// A probe failure that leaves a layer unknown with nothing else to go on.
std::string could_not_check_reason(const model::Facts& facts) {
  for (const auto& problem : facts.problems) {
    if (problem.probe == "pci" && !facts.user_driver.live.device_count.is_present() &&
        facts.pci_gpus.empty()) {
      return "the GPU could not be inspected: " + problem.error;
    }
    if (problem.probe == "python" && facts.python_envs.empty()) {
      return "Python environments could not be inspected: " + problem.error;
    }
  }
  return {};
}

}  // namespace

std::string layer_of(std::string_view id) {
  static const std::map<std::string_view, std::string_view> explicit_layers{
      {"no_nvidia_gpu", kLayerGpu},
      {"cuda_visible_devices_hides_all", kLayerGpu},
      {"cuda_visible_devices_invalid", kLayerGpu},
      {"ld_library_path_stubs", kLayerDriver},
      {"stub_libcuda_on_path", kLayerDriver},
      {"dev_nodes_missing", kLayerDriver},
      {"dev_nodes_inaccessible", kLayerDriver},
      {"nouveau_bound", kLayerDriver},
      {"secure_boot_blocks_module", kLayerDriver},
      {"ptx_jit_driver_too_old", kLayerDriver},
      {"library_missing", kLayerLibraries},
      {"library_shadowed", kLayerLibraries},
      {"nvidia_wheels_unreachable", kLayerLibraries},
      {"cuda_other_major_only", kLayerLibraries},
      {"system_cuda_other_major", kLayerLibraries},
      {"ld_library_path_other_cuda_major", kLayerLibraries},
  };
  if (auto it = explicit_layers.find(id); it != explicit_layers.end()) {
    return std::string(it->second);
  }
  const auto starts = [&](std::string_view prefix) {
    return id.starts_with(prefix);
  };
  if (starts("gpu_")) {
    return std::string(kLayerGpu);
  }
  if (starts("cudnn_")) {
    return std::string(kLayerCudnn);
  }
  if (starts("driver_") || starts("nvidia_") || starts("wsl_")) {
    return std::string(kLayerDriver);
  }
  if (starts("xla_") || starts("library_")) {
    return std::string(kLayerLibraries);
  }
  return std::string(kLayerPython);
}

model::DoctorReport diagnose(const model::Facts& facts, const kb::KnowledgeBase& kb) {
  model::DoctorReport report;
  report.tool_version = facts.tool_version;
  report.kb_origin = kb.origin;
  const auto gpus = gpu_views(facts, kb);
  report.findings = run_checks(facts, kb, gpus);
  report.layers = layers(facts, gpus, report.findings);
  for (const auto& env : facts.python_envs) {
    if (!env.tensorflow.empty()) {
      report.verdicts.push_back(verdict_for(facts, env, gpus, report.findings));
    }
  }
  report.no_tensorflow = report.verdicts.empty();
  report.could_not_check_reason = could_not_check_reason(facts);
  report.could_not_check = !report.could_not_check_reason.empty();
  return report;
}

}  // namespace tfgpu::checks
