// SPDX-License-Identifier: Apache-2.0
#pragma once
// `tfgpu verify --json`: the VerifyReport as one document (schema tfgpu.verify/1).

#include <nlohmann/json.hpp>

#include "tfgpu/base/result.h"
#include "tfgpu/model/verification.h"

namespace tfgpu::model {

nlohmann::json verify_to_json(const VerifyReport& report);

// The native part alone, and back: verify runs the native checks in a child process (they load
// libcuda and cuBLAS) and the result crosses the pipe as this JSON. Reading fails with
// kMalformed naming what is missing or mistyped.
nlohmann::json native_to_json(const NativeVerification& native);
Result<NativeVerification> native_from_json(const nlohmann::json& json);

}  // namespace tfgpu::model
