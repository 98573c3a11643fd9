// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/plan/machine.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/checks/check.h"
#include "tfgpu/checks/common.h"

namespace tfgpu::plan {
namespace {

// The Linux distributions a plan knows by os-release ID; others are planned as "linux".
constexpr std::array<std::string_view, 7> kDistributions = {"ubuntu",    "debian", "rhel",  "rocky",
                                                            "almalinux", "centos", "fedora"};

constexpr const char* kAcceptedOs =
    "ubuntu-22.04, ubuntu-24.04, debian-12, rhel-9, fedora, wsl2, windows, macos (or another "
    "release of those distributions, e.g. ubuntu-20.04, rocky-9; or linux)";

bool known_distribution(std::string_view id) {
  return std::find(kDistributions.begin(), kDistributions.end(), id) != kDistributions.end();
}

bool is_version_text(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') {
    return false;
  }
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// For matching a name people type against the KB's: lower case, without the brand words NVIDIA
// puts in front ("NVIDIA GeForce RTX 3060" and "RTX 3060" are one card).
std::string unbranded(std::string_view name) {
  std::string text = to_lower(trim(name));
  bool stripped = true;
  while (stripped) {
    stripped = false;
    for (const std::string_view brand : {"nvidia ", "geforce ", "tesla ", "quadro "}) {
      if (text.starts_with(brand)) {
        text.erase(0, brand.size());
        stripped = true;
      }
    }
  }
  return text;
}

}  // namespace

const char* cuda_from_name(CudaFrom from) {
  return from == CudaFrom::kSystem ? "system" : "wheels";
}

Platform platform_of(std::string_view os) {
  if (os == "wsl2") {
    return Platform::kWsl2;
  }
  if (os == "windows") {
    return Platform::kWindows;
  }
  if (os == "macos") {
    return Platform::kMacos;
  }
  return Platform::kLinux;
}

std::string distribution_of(std::string_view os) {
  if (os == "wsl2") {
    return "ubuntu";
  }
  const std::size_t dash = os.find('-');
  return std::string(os.substr(0, dash));
}

std::string distribution_version_of(std::string_view os) {
  const std::size_t dash = os.find('-');
  return dash == std::string_view::npos ? std::string() : std::string(os.substr(dash + 1));
}

Result<std::string> parse_os_id(std::string_view text) {
  const std::string os = to_lower(trim(text));
  if (os == "wsl2" || os == "windows" || os == "macos" || os == "linux") {
    return os;
  }
  const std::size_t dash = os.find('-');
  const std::string id = os.substr(0, dash);
  const std::string version = dash == std::string::npos ? "" : os.substr(dash + 1);
  // Fedora moves fast enough that its release rarely matters; the others need theirs.
  if (known_distribution(id) &&
      (id == "fedora" ? version.empty() || is_version_text(version) : is_version_text(version))) {
    return os;
  }
  return make_error(Errc::kInvalidArgument,
                    fmt::format("--os '{}': not an OS tfgpu plans for; use one of {}",
                                printable(text, 80), kAcceptedOs));
}

Result<Version> parse_compute_capability(std::string_view text) {
  auto version = Version::parse(trim(text));
  if (!version || version->parts().size() != 2 || !version->suffix().empty() ||
      version->major() < 1) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("--cc '{}': not a compute capability; write it as major.minor, "
                                  "e.g. 8.6",
                                  printable(text, 80)));
  }
  return *version;
}

Result<const kb::GpuModel*> find_gpu(std::string_view name, const kb::KnowledgeBase& kb) {
  if (const auto* exact = kb.gpu_by_name(name)) {
    return exact;
  }
  const std::string wanted = unbranded(name);
  std::vector<const kb::GpuModel*> matches;
  if (!wanted.empty()) {
    for (const auto& gpu : kb.gpus) {
      const std::string candidate = unbranded(gpu.name);
      // "B200" is written "NVIDIA Blackwell GPU (B200)": the model people say is in parentheses.
      if (candidate == wanted || candidate.find("(" + wanted + ")") != std::string::npos) {
        matches.push_back(&gpu);
      }
    }
  }
  if (matches.empty()) {
    return make_error(Errc::kNotFound,
                      fmt::format("--gpu '{}': no GPU of that name in the knowledge base; give "
                                  "its compute capability with --cc (e.g. --cc 8.6)",
                                  printable(name, 80)));
  }
  for (const auto* match : matches) {
    if (!(match->compute_capability == matches.front()->compute_capability)) {
      std::vector<std::string> names;
      for (const auto* row : matches) {
        names.push_back(row->name + " (" + row->compute_capability.text() + ")");
      }
      return make_error(Errc::kInvalidArgument,
                        fmt::format("--gpu '{}' names several GPUs: {}; give the full name or --cc",
                                    printable(name, 80), join(names, ", ")));
    }
  }
  return matches.front();
}

MachineDescription describe_facts(const model::Facts& facts, const kb::KnowledgeBase& kb) {
  MachineDescription machine;
  machine.description = "this machine";

  const auto gpus = checks::gpu_views(facts, kb);
  if (!gpus.empty()) {
    const auto& gpu = gpus.front();
    machine.gpu_name = gpu.name;
    machine.gpu_source = gpu.name_source;
    machine.compute_capability = gpu.compute_capability;
    machine.compute_capability_source = gpu.cc_source;
  } else {
    // No NVIDIA GPU in the driver's or PCI's list. On WSL2 the GPU is not on a PCI bus the
    // guest sees (it is /dev/dxg), and a failed PCI probe proves nothing: unknown then.
    const bool pci_failed =
        std::any_of(facts.problems.begin(), facts.problems.end(),
                    [](const model::ProbeProblem& problem) { return problem.probe == "pci"; });
    machine.gpu_absent = !checks::in_wsl2(facts) && !pci_failed;
    machine.gpu_source = machine.gpu_absent ? "PCI (no NVIDIA device)" : "";
  }

  if (auto driver = checks::driver_version(facts)) {
    machine.driver = driver->version;
    machine.driver_source = driver->source;
  }

  // The first environment with TensorFlow is the one the user works in; else the newest Python.
  const model::PythonEnv* chosen = nullptr;
  for (const auto& env : facts.python_envs) {
    if (!env.tensorflow.empty() && env.python_version.is_present()) {
      chosen = &env;
      break;
    }
  }
  if (chosen == nullptr) {
    for (const auto& env : facts.python_envs) {
      if (env.python_version.is_present() &&
          (chosen == nullptr || *env.python_version.value > *chosen->python_version.value)) {
        chosen = &env;
      }
    }
  }
  if (chosen != nullptr) {
    const Version& full = *chosen->python_version.value;
    machine.python = Version::parse(fmt::format("{}.{}", full.major(), full.minor()));
    machine.python_source = chosen->interpreter;
    // That interpreter makes the venv: `pythonX.Y` may not be on PATH (a pyenv version that is
    // installed but not selected).
    machine.python_interpreter = chosen->interpreter;
  }

  if (checks::in_wsl2(facts)) {
    machine.os = "wsl2";
    machine.os_source = facts.host.wsl2.source;
  } else if (facts.host.os_id.is_present()) {
    const std::string id = checks::os_id(facts);
    const std::string version = facts.host.os_version_id.value_or("");
    std::string os = known_distribution(id) && !version.empty() ? id + "-" + version : "linux";
    if (id == "rhel" || id == "rocky" || id == "almalinux" || id == "centos") {
      // RHEL-like systems are planned by major ("9.3" → "9"): NVIDIA's repositories are.
      os = id + "-" + version.substr(0, version.find('.'));
    }
    machine.os = parse_os_id(os).value_or("linux");
    machine.os_source = facts.host.os_id.source;
  }
  machine.arch = facts.host.arch.value_or("");
  return machine;
}

}  // namespace tfgpu::plan
