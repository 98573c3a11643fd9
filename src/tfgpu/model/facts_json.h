// SPDX-License-Identifier: Apache-2.0
#pragma once
// JSON (de)serialisation of Facts. Key names are the member names (units included); enums are
// stable snake_case strings; an Observed<T> is {presence, value, source, why_unknown}; a Version
// is its text; unknown and absent values are null.

#include <string>

#include <nlohmann/json.hpp>

#include "tfgpu/base/result.h"
#include "tfgpu/model/facts.h"

namespace tfgpu::model {

nlohmann::json facts_to_json(const Facts& facts);

// Parse a document produced by facts_to_json. Fails with kMalformed when the schema differs or a
// field has the wrong type.
Result<Facts> facts_from_json(const nlohmann::json& document);

}  // namespace tfgpu::model
