// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/checks/common.h"

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

}  // namespace tfgpu::checks
