// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/model/finding.h"

namespace tfgpu::model {

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "info";
}

const char* layer_state_name(LayerState state) {
  switch (state) {
    case LayerState::kOk:
      return "ok";
    case LayerState::kWarning:
      return "warning";
    case LayerState::kError:
      return "error";
    case LayerState::kUnknown:
      return "unknown";
    case LayerState::kNotApplicable:
      return "not_applicable";
  }
  return "unknown";
}

}  // namespace tfgpu::model
