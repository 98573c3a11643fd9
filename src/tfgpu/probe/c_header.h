// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reading version defines out of C headers (cuda.h's CUDA_VERSION, cudnn_version.h's
// CUDNN_MAJOR/MINOR/PATCHLEVEL) without a preprocessor.

#include <optional>
#include <string_view>

namespace tfgpu::probe {

// The value of the first `#define NAME <decimal>` in `text` (a longer name sharing the prefix does
// not count). nullopt when there is none, no digits follow, or the number has more than 9 digits
// (no real version define does: a damaged header).
std::optional<long> header_define(std::string_view text, std::string_view name);

}  // namespace tfgpu::probe
