// SPDX-License-Identifier: Apache-2.0
#pragma once
// Small helpers every check group uses to read facts and build findings the same way.

#include <optional>
#include <string>
#include <string_view>

#include "tfgpu/base/version.h"
#include "tfgpu/checks/check.h"

namespace tfgpu::checks {

inline constexpr const char* kMachineScope = "machine";

model::Finding make_finding(std::string_view id, model::Severity severity, std::string scope,
                            std::string summary);

// Append the KB statement `id` as a citation (and mark the finding when it is not confirmed);
// a statement missing from the KB is cited by id alone with confidence "unconfirmed".
void cite_statement(model::Finding& finding, const kb::KnowledgeBase& kb, std::string_view id);

// Append a KB row as a citation, marking the finding when the row is not confirmed.
void cite_row(model::Finding& finding, const kb::Provenance& provenance);

void add_evidence(model::Finding& finding, std::string what, std::string value, std::string source);

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

}  // namespace tfgpu::checks
