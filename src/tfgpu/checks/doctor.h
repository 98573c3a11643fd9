// SPDX-License-Identifier: Apache-2.0
#pragma once
// doctor's reasoning: every registered check over the facts, then a status per layer and one
// verdict per Python environment with TensorFlow. Pure: the same facts and KB give the same report.

#include <string>

#include "tfgpu/kb/knowledge_base.h"
#include "tfgpu/model/facts.h"
#include "tfgpu/model/finding.h"

namespace tfgpu::checks {

model::DoctorReport diagnose(const model::Facts& facts, const kb::KnowledgeBase& kb);

// The layer a finding belongs to ("gpu", "driver", "cuda_libraries", "cudnn", "python").
std::string layer_of(std::string_view check_id);

}  // namespace tfgpu::checks
