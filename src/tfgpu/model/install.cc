// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/model/install.h"

namespace tfgpu::model {

const char* step_state_name(StepState state) {
  switch (state) {
    case StepState::kPending:
      return "pending";
    case StepState::kRunning:
      return "running";
    case StepState::kDone:
      return "done";
    case StepState::kFailed:
      return "failed";
  }
  return "pending";
}

std::optional<StepState> step_state_from(std::string_view name) {
  for (auto state :
       {StepState::kPending, StepState::kRunning, StepState::kDone, StepState::kFailed}) {
    if (name == step_state_name(state)) {
      return state;
    }
  }
  return std::nullopt;
}

const char* step_outcome_name(StepOutcomeKind kind) {
  switch (kind) {
    case StepOutcomeKind::kRan:
      return "ran";
    case StepOutcomeKind::kAlreadyDone:
      return "already_done";
    case StepOutcomeKind::kWouldRun:
      return "would_run";
    case StepOutcomeKind::kFailed:
      return "failed";
    case StepOutcomeKind::kTimedOut:
      return "timed_out";
    case StepOutcomeKind::kInterrupted:
      return "interrupted";
    case StepOutcomeKind::kNotReached:
      return "not_reached";
    case StepOutcomeKind::kShownOnly:
      return "shown_only";
  }
  return "not_reached";
}

}  // namespace tfgpu::model
