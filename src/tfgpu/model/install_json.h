// SPDX-License-Identifier: Apache-2.0
#pragma once
// JSON of `tfgpu install`: the record kept in the venv (schema "tfgpu.install-record/1"), both
// ways, and the report of one run (schema "tfgpu.install/1"). Key names are the member names.

#include <nlohmann/json.hpp>

#include "tfgpu/base/result.h"
#include "tfgpu/model/install.h"

namespace tfgpu::model {

nlohmann::json install_record_to_json(const InstallRecord& record);

// Fails with kMalformed naming the missing or mistyped key, an unknown step state, or another
// schema (a record written by a newer tfgpu is not guessed at).
Result<InstallRecord> install_record_from_json(const nlohmann::json& json);

nlohmann::json install_report_to_json(const InstallReport& report);

}  // namespace tfgpu::model
