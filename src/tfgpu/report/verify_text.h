// SPDX-License-Identifier: Apache-2.0
#pragma once
// `tfgpu verify` for people: one line per step (✓ pass, ✗ fail, · skip) for the native checks and
// for each TensorFlow, the matmuls with where they ran, their error against the bound and their
// speed against the GPU's peak, then what explain found in TensorFlow's log and the verdict.
// Markdown is the same content for a bug report.

#include <string>

#include "tfgpu/model/verification.h"
#include "tfgpu/report/style.h"

namespace tfgpu::report {

std::string render_verify_text(const model::VerifyReport& report, const TextStyle& style);
std::string render_verify_markdown(const model::VerifyReport& report, const TextStyle& style);

}  // namespace tfgpu::report
