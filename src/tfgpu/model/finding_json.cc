// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/model/finding_json.h"

#include <algorithm>

#include "tfgpu/model/facts_json.h"
#include "tfgpu/model/json_support.h"

namespace tfgpu::model {

NLOHMANN_JSON_SERIALIZE_ENUM(Severity, {{Severity::kInfo, "info"},
                                        {Severity::kWarning, "warning"},
                                        {Severity::kError, "error"}})
NLOHMANN_JSON_SERIALIZE_ENUM(LayerState, {{LayerState::kOk, "ok"},
                                          {LayerState::kWarning, "warning"},
                                          {LayerState::kError, "error"},
                                          {LayerState::kUnknown, "unknown"},
                                          {LayerState::kNotApplicable, "not_applicable"}})

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Evidence, what, value, source)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(KbCitation, table, row, confidence, urls, note)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Fix, why, commands, needs_root, reboot)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Finding, id, severity, scope, summary, evidence, kb, fixes,
                                   rests_on_unconfirmed)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LayerStatus, layer, label, state, detail)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GpuChoice, index, name, compute_capability, source)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EnvVerdict, prefix, interpreter, tensorflow_package,
                                   tensorflow_version, will_use_gpu, certain, gpus, sentence,
                                   blocked_by, warned_by, rests_on_unconfirmed)

nlohmann::json doctor_to_json(const DoctorReport& report, const Facts& facts) {
  nlohmann::json document{
      {"schema", report.schema},
      {"tool_version", report.tool_version},
      {"kb_origin", report.kb_origin},
      {"ready", !report.could_not_check && !report.no_tensorflow &&
                    std::all_of(report.verdicts.begin(), report.verdicts.end(),
                                [](const EnvVerdict& v) { return v.will_use_gpu; })},
      {"could_not_check", report.could_not_check},
      {"could_not_check_reason", report.could_not_check_reason.empty()
                                     ? nlohmann::json(nullptr)
                                     : nlohmann::json(report.could_not_check_reason)},
      {"no_tensorflow", report.no_tensorflow},
      {"layers", report.layers},
      {"verdicts", report.verdicts},
      {"findings", report.findings},
      {"facts", facts_to_json(facts)},
  };
  return document;
}

}  // namespace tfgpu::model
