// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/checks/common.h"

#include <fmt/format.h>

#include "tfgpu/base/strings.h"

namespace tfgpu::checks {

model::Finding make_finding(std::string_view id, model::Severity severity, std::string scope,
                            std::string summary) {
  model::Finding finding;
  finding.id = std::string(id);
  finding.severity = severity;
  finding.scope = std::move(scope);
  finding.summary = std::move(summary);
  return finding;
}

void cite_row(model::Finding& finding, const kb::Provenance& provenance) {
  finding.kb.push_back(cite(provenance));
  if (provenance.confidence == kb::Confidence::kUnconfirmed) {
    finding.rests_on_unconfirmed = true;
  }
}

void cite_statement(model::Finding& finding, const kb::KnowledgeBase& kb, std::string_view id) {
  if (const auto* statement = kb.statement(id)) {
    cite_row(finding, statement->provenance);
    return;
  }
  finding.kb.push_back(model::KbCitation{
      "statement", std::string(id), "unconfirmed", {}, "not in this knowledge base"});
  finding.rests_on_unconfirmed = true;
}

void add_evidence(model::Finding& finding, std::string what, std::string value,
                  std::string source) {
  finding.evidence.push_back(model::Evidence{std::move(what), std::move(value), std::move(source)});
}

std::string text_of(const std::string& value) {
  return value;
}

std::string text_of(const Version& value) {
  return value.text() + value.suffix();
}

std::string text_of(bool value) {
  return value ? "yes" : "no";
}

std::string text_of(int value) {
  return std::to_string(value);
}

std::string text_of(const std::vector<std::string>& value) {
  return join(value, " ");
}

std::string python_bool(bool value) {
  return value ? "True" : "False";
}

std::string tensorflow_name(const EnvView& view) {
  const auto& version = view.tensorflow.version;
  return version.is_present() ? "TensorFlow " + text_of(*version.value) : "TensorFlow";
}

bool in_wsl2(const model::Facts& facts) {
  return facts.host.wsl2.value_or(false);
}

bool in_container(const model::Facts& facts) {
  return facts.host.container.is_present();
}

std::optional<DriverVersion> driver_version(const model::Facts& facts) {
  const auto& module = facts.kernel_driver.module_version;
  if (module.is_present()) {
    return DriverVersion{*module.value, module.source};
  }
  const auto& nvml = facts.user_driver.live.nvml_driver_version;
  if (nvml.is_present()) {
    return DriverVersion{*nvml.value, "nvmlSystemGetDriverVersion"};
  }
  const auto& libcuda = facts.user_driver.libcuda;
  const bool stub = facts.user_driver.libcuda_is_stub.value_or(false);
  if (!stub && libcuda.version.is_present() && libcuda.version.value->parts().size() >= 2) {
    return DriverVersion{*libcuda.version.value, libcuda.version.source};
  }
  return std::nullopt;
}

std::string python_command(const model::PythonEnv& env) {
  return shell_quote(env.interpreter.empty() ? "python3" : env.interpreter);
}

std::optional<std::string> env_value(const model::Facts& facts, std::string_view name) {
  auto it = facts.environment.find(std::string(name));
  if (it == facts.environment.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::string os_id(const model::Facts& facts) {
  return facts.host.os_id.is_present() ? to_lower(*facts.host.os_id.value) : std::string();
}

DriverInstall driver_install(const model::Facts& facts) {
  return driver_install_for(os_id(facts), facts.host.os_version_id.value_or(""),
                            facts.host.arch.value_or(""));
}

DriverInstall driver_install_for(std::string_view distribution, std::string_view version_id,
                                 std::string_view arch) {
  using Via = DriverInstall::Via;
  const std::string os = to_lower(distribution);
  // "9.3" → "9": NVIDIA's repositories are per RHEL major.
  const std::string rhel_major(version_id.substr(0, version_id.find('.')));
  DriverInstall install;
  if (os == "ubuntu") {
    install.via = Via::kUbuntuDrivers;
    install.commands = {"sudo ubuntu-drivers install"};
  } else if (os == "debian") {
    install.via = Via::kDebianNonFree;
    install.commands = {"sudo apt update", "sudo apt install nvidia-driver firmware-misc-nonfree"};
  } else if (os == "fedora") {
    install.via = Via::kRpmFusion;
    install.commands = {"sudo dnf install akmod-nvidia xorg-x11-drv-nvidia-cuda"};
  } else if ((os == "rhel" || os == "rocky" || os == "almalinux" || os == "centos") &&
             !rhel_major.empty()) {
    install.via = Via::kNvidiaRhelRepo;
    install.rhel_major = rhel_major;
    install.repo_arch = arch == "aarch64" ? "sbsa" : "x86_64";
    install.commands = {
        fmt::format("sudo dnf config-manager --add-repo "
                    "https://developer.download.nvidia.com/compute/cuda/repos/rhel{0}/{1}/"
                    "cuda-rhel{0}.repo",
                    install.rhel_major, install.repo_arch),
        "sudo dnf install cuda-drivers"};
  }
  return install;
}

std::string parent_dir(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) {
    return {};
  }
  return slash == 0 ? "/" : std::string(path.substr(0, slash));
}

std::string strip_trailing_slash(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') {
    path.remove_suffix(1);
  }
  return std::string(path);
}

const model::LibraryCandidate* winner_of(const model::LibraryResolution& library) {
  for (const auto& candidate : library.candidates) {
    if (candidate.exists && candidate.rejected_because.empty()) {
      return &candidate;
    }
  }
  return nullptr;
}

}  // namespace tfgpu::checks
