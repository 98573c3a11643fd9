// SPDX-License-Identifier: Apache-2.0
#pragma once
// Readable text for `tfgpu probe` and for the layer lines of `tfgpu doctor`.

#include <string>

#include "tfgpu/model/facts.h"
#include "tfgpu/report/style.h"

namespace tfgpu::report {

// Every fact, grouped by layer, with where it came from.
std::string render_facts_text(const model::Facts& facts, const TextStyle& style);

// One line per layer (host, GPU, kernel driver, user-space driver, CUDA libraries, toolkit,
// cuDNN, each Python environment with TensorFlow) with a mark and a short detail.
std::string render_layers_text(const model::Facts& facts, const TextStyle& style);

}  // namespace tfgpu::report
