// SPDX-License-Identifier: Apache-2.0
#pragma once
// JSON of a plan (schema "tfgpu.plan/1"): the machine planned for, the chosen TensorFlow
// (`tensorflow.version` null when none can use the GPU), the driver need, notes, alternatives and
// the ordered steps with their commands. Key names are the member names; unknown values are null.

#include <nlohmann/json.hpp>

#include "tfgpu/model/plan.h"

namespace tfgpu::model {

nlohmann::json plan_to_json(const Plan& plan);

}  // namespace tfgpu::model
