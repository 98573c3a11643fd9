// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/model/plan_json.h"

#include <string>

#include "tfgpu/model/json_support.h"

namespace tfgpu::model {
namespace {

// "" is how plan/ writes "unknown"; JSON users get null, as in every other tfgpu document.
nlohmann::json text_or_null(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

nlohmann::json citations_json(const std::vector<KbCitation>& citations) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& citation : citations) {
    out.push_back({{"table", citation.table},
                   {"row", citation.row},
                   {"confidence", citation.confidence},
                   {"urls", citation.urls},
                   {"note", text_or_null(citation.note)}});
  }
  return out;
}

nlohmann::json machine_json(const PlannedMachine& machine) {
  return {{"description", machine.description},
          {"gpu", text_or_null(machine.gpu)},
          {"compute_capability", text_or_null(machine.compute_capability)},
          {"gpu_source", text_or_null(machine.gpu_source)},
          {"driver", text_or_null(machine.driver)},
          {"driver_source", text_or_null(machine.driver_source)},
          {"python", text_or_null(machine.python)},
          {"python_source", text_or_null(machine.python_source)},
          {"os", text_or_null(machine.os)},
          {"os_source", text_or_null(machine.os_source)},
          {"tensorflow_pin", text_or_null(machine.tensorflow_pin)},
          {"cuda_from", machine.cuda_from}};
}

nlohmann::json tensorflow_json(const PlannedTensorflow& tensorflow) {
  return {{"version", tensorflow.version},
          {"line", text_or_null(tensorflow.line)},
          {"package", text_or_null(tensorflow.package)},
          {"python", text_or_null(tensorflow.python)},
          {"cuda", text_or_null(tensorflow.cuda)},
          {"cudnn", text_or_null(tensorflow.cudnn)},
          {"why", tensorflow.why},
          {"citations", citations_json(tensorflow.citations)}};
}

nlohmann::json driver_json(const std::optional<DriverNeed>& driver) {
  if (!driver) {
    return nullptr;
  }
  return {{"minimum", text_or_null(driver->minimum)},
          {"platform", driver->platform},
          {"why", driver->why},
          {"last_branch", text_or_null(driver->last_branch)},
          {"satisfied", driver->satisfied},
          {"citations", citations_json(driver->citations)}};
}

}  // namespace

nlohmann::json plan_to_json(const Plan& plan) {
  nlohmann::json notes = nlohmann::json::array();
  for (const auto& note : plan.notes) {
    notes.push_back(
        {{"id", note.id}, {"text", note.text}, {"citations", citations_json(note.citations)}});
  }
  nlohmann::json alternatives = nlohmann::json::array();
  for (const auto& alternative : plan.alternatives) {
    alternatives.push_back({{"tensorflow", alternative.tensorflow},
                            {"why", alternative.why},
                            {"citations", citations_json(alternative.citations)}});
  }
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& step : plan.steps) {
    steps.push_back({{"id", step.id},
                     {"title", step.title},
                     {"why", step.why},
                     {"commands", step.commands},
                     {"needs_root", step.needs_root},
                     {"reboot", step.reboot},
                     {"shown_only", step.shown_only},
                     {"citations", citations_json(step.citations)}});
  }
  return {{"schema", plan.schema},
          {"tool_version", plan.tool_version},
          {"kb_origin", plan.kb_origin},
          {"machine", machine_json(plan.machine)},
          {"tensorflow", tensorflow_json(plan.tensorflow)},
          {"gpu_usable", plan.gpu_usable},
          {"driver", driver_json(plan.driver)},
          {"notes", notes},
          {"alternatives", alternatives},
          {"steps", steps},
          {"rests_on_unconfirmed", plan.rests_on_unconfirmed}};
}

}  // namespace tfgpu::model
