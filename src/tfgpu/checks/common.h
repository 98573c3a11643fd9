// SPDX-License-Identifier: Apache-2.0
#pragma once
// Small helpers every check group uses to read facts and build findings the same way.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tfgpu/base/version.h"
#include "tfgpu/checks/check.h"

namespace tfgpu::checks {

inline constexpr const char* kMachineScope = "machine";

// Where a user without a packaged driver gets one (the manual step of driver fixes).
inline constexpr const char* kNvidiaDriversUrl = "https://www.nvidia.com/en-us/drivers/";

model::Finding make_finding(std::string_view id, model::Severity severity, std::string scope,
                            std::string summary);

// Append the KB statement `id` as a citation (and mark the finding when it is not confirmed);
// a statement missing from the KB is cited by id alone with confidence "unconfirmed".
void cite_statement(model::Finding& finding, const kb::KnowledgeBase& kb, std::string_view id);

// Append a KB row as a citation, marking the finding when the row is not confirmed.
void cite_row(model::Finding& finding, const kb::Provenance& provenance);

void add_evidence(model::Finding& finding, std::string what, std::string value, std::string source);

// ---- values as evidence and sentences show them ---------------------------------------------

// A value as text: strings as they are; versions as written, suffix included ("2.15.0.post1",
// since pip tells 2.15.0 and 2.15.0.post1 apart); booleans "yes"/"no"; numbers in decimal; lists
// joined by spaces ("sm_80 sm_90 compute_90").
std::string text_of(const std::string& value);
std::string text_of(const Version& value);
std::string text_of(bool value);
std::string text_of(int value);
std::string text_of(const std::vector<std::string>& value);

// A boolean as Python writes it ("True"/"False"): for values read from build_info.py, so the
// evidence reads like the file.
std::string python_bool(bool value);

// An observed value as evidence shows it: the value through `format`, "absent", or
// "unknown (why)".
template <class T, class Format>
std::string shown(const model::Observed<T>& observed, Format format) {
  switch (observed.presence) {
    case model::Presence::kPresent:
      return observed.value ? format(*observed.value) : "unknown";
    case model::Presence::kAbsent:
      return "absent";
    case model::Presence::kUnknown:
      return observed.why_unknown.empty() ? "unknown" : "unknown (" + observed.why_unknown + ")";
  }
  return "unknown";
}

// The same with the value's text_of.
template <class T>
std::string shown(const model::Observed<T>& observed) {
  return shown(observed, [](const T& value) { return text_of(value); });
}

// The value's text when present, else `otherwise` ("?", "(version unknown)"): for sentences,
// where "absent" or a reason would read wrong.
template <class T>
std::string text_or(const model::Observed<T>& observed, std::string_view otherwise) {
  return observed.is_present() ? text_of(*observed.value) : std::string(otherwise);
}

// Evidence for an observed value: shown(observed), from its source ("not probed" when none).
template <class T>
void add_observed(model::Finding& finding, std::string what, const model::Observed<T>& observed) {
  add_evidence(finding, std::move(what), shown(observed),
               observed.source.empty() ? "not probed" : observed.source);
}

// "TensorFlow 2.15.0.post1" for the install the view is about (its version as pip spells it), or
// "TensorFlow" when the version is unknown.
std::string tensorflow_name(const EnvView& view);

// ---- the machine --------------------------------------------------------------------------

// True when the host is known to be WSL2 (unknown counts as not: checks stay quiet then).
bool in_wsl2(const model::Facts& facts);

// True when the probe found a container engine (docker, podman, kubernetes, …).
bool in_container(const model::Facts& facts);

// The running driver's version and where it was read: the kernel module's, else NVML's, else the
// version in libcuda's file name. Null when none is known.
struct DriverVersion {
  Version version;
  std::string source;
};

std::optional<DriverVersion> driver_version(const model::Facts& facts);

// The environment's interpreter as a shell word, for "python -m pip …" fix commands.
std::string python_command(const model::PythonEnv& env);

// The value of an environment variable of the probed user; null when unset.
std::optional<std::string> env_value(const model::Facts& facts, std::string_view name);

// "ubuntu", "debian", "rhel", "fedora", … from os-release, lower case; empty when unknown.
std::string os_id(const model::Facts& facts);

// How this machine's distribution (os_id) installs the NVIDIA driver: the one list of
// per-distribution commands every driver fix uses, each call site wording its own `why` by `via`.
struct DriverInstall {
  enum class Via {
    kUbuntuDrivers,   // ubuntu: ubuntu-drivers picks the recommended branch
    kDebianNonFree,   // debian: nvidia-driver from non-free
    kRpmFusion,       // fedora: akmod-nvidia from RPM Fusion
    kNvidiaRhelRepo,  // rhel, rocky, almalinux, centos: NVIDIA's CUDA repository
    kManual,          // unknown, or RHEL-like without a version: no commands, kNvidiaDriversUrl
  };
  Via via = Via::kManual;
  std::string rhel_major;  // "9" (kNvidiaRhelRepo)
  std::string repo_arch;   // "x86_64" or "sbsa" (kNvidiaRhelRepo)
  std::vector<std::string> commands;
};

DriverInstall driver_install(const model::Facts& facts);

// The same for a described machine (tfgpu plan): `distribution` is an os-release ID ("ubuntu",
// any case), `version_id` its VERSION_ID ("9.3"; only RHEL-like systems need it) and `arch` the
// machine ("x86_64", "aarch64"; empty reads as x86_64).
DriverInstall driver_install_for(std::string_view distribution, std::string_view version_id,
                                 std::string_view arch);

// ---- paths and the loader -------------------------------------------------------------------

// The directory part of `path` ("/a/b/c.so" → "/a/b", "/c" → "/"); empty when it has none.
std::string parent_dir(std::string_view path);

// `path` without trailing slashes ("/usr/local/cuda/" → "/usr/local/cuda"); "/" stays "/".
std::string strip_trailing_slash(std::string_view path);

// The candidate the loader took: the first that exists and was not rejected; null when none.
const model::LibraryCandidate* winner_of(const model::LibraryResolution& library);

}  // namespace tfgpu::checks
