// SPDX-License-Identifier: Apache-2.0
#pragma once
// `tfgpu bench` as text for people: the GPU and the peaks used, then one table per section
// (GEMM, bandwidth, pool vs driver, growth), each figure beside the peak or target it is
// compared with. Plain ASCII, so it pastes anywhere. Returns the text; the CLI prints it.

#include <string>

#include "tfgpu/bench/bench_result.h"

namespace tfgpu::bench {

std::string render_bench_text(const BenchReport& report);

}  // namespace tfgpu::bench
