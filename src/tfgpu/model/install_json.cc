// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/model/install_json.h"

#include <string>

namespace tfgpu::model {

using nlohmann::json;

json install_record_to_json(const InstallRecord& record) {
  json steps = json::array();
  for (const auto& step : record.steps) {
    steps.push_back({{"id", step.id},
                     {"commands", step.commands},
                     {"state", step_state_name(step.state)},
                     {"detail", step.detail},
                     {"finished_at", step.finished_at}});
  }
  return {{"schema", record.schema},
          {"tool_version", record.tool_version},
          {"venv", record.venv},
          {"tensorflow", record.tensorflow},
          {"started_at", record.started_at},
          {"updated_at", record.updated_at},
          {"complete", record.complete},
          {"steps", std::move(steps)}};
}

Result<InstallRecord> install_record_from_json(const json& document) {
  try {
    InstallRecord record;
    record.schema = document.at("schema").get<std::string>();
    if (record.schema != kInstallRecordSchema) {
      return make_error(Errc::kMalformed,
                        "schema '" + record.schema + "' is not " + kInstallRecordSchema);
    }
    record.tool_version = document.at("tool_version").get<std::string>();
    record.venv = document.at("venv").get<std::string>();
    record.tensorflow = document.at("tensorflow").get<std::string>();
    record.started_at = document.at("started_at").get<std::string>();
    record.updated_at = document.at("updated_at").get<std::string>();
    record.complete = document.at("complete").get<bool>();
    for (const auto& item : document.at("steps")) {
      RecordedStep step;
      step.id = item.at("id").get<std::string>();
      step.commands = item.at("commands").get<std::vector<std::string>>();
      const auto state_name = item.at("state").get<std::string>();
      const auto state = step_state_from(state_name);
      if (!state) {
        return make_error(Errc::kMalformed,
                          "step '" + step.id + "': unknown state '" + state_name + "'");
      }
      step.state = *state;
      step.detail = item.at("detail").get<std::string>();
      step.finished_at = item.at("finished_at").get<std::string>();
      record.steps.push_back(std::move(step));
    }
    return record;
  } catch (const json::exception& error) {
    return make_error(Errc::kMalformed, error.what());
  }
}

json install_report_to_json(const InstallReport& report) {
  json steps = json::array();
  for (const auto& step : report.steps) {
    steps.push_back({{"id", step.id},
                     {"title", step.title},
                     {"commands", step.commands},
                     {"outcome", step_outcome_name(step.outcome)},
                     {"detail", step.detail},
                     {"seconds", step.seconds},
                     {"needs_root", step.needs_root},
                     {"reboot", step.reboot}});
  }
  return {{"schema", report.schema},
          {"tool_version", report.tool_version},
          {"venv", report.venv},
          {"python", report.python},
          {"tensorflow", report.tensorflow},
          {"dry_run", report.dry_run},
          {"resumed", report.resumed},
          {"complete", report.complete},
          {"problem", report.problem},
          {"steps", std::move(steps)}};
}

}  // namespace tfgpu::model
