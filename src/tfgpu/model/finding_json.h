// SPDX-License-Identifier: Apache-2.0
#pragma once
// JSON of a doctor report (schema "tfgpu.doctor/1"): layers, findings, verdicts and the facts they
// were drawn from. Key names are the member names; enums are stable snake_case strings.

#include <nlohmann/json.hpp>

#include "tfgpu/model/finding.h"

namespace tfgpu::model {

nlohmann::json doctor_to_json(const DoctorReport& report, const Facts& facts);

}  // namespace tfgpu::model
