// SPDX-License-Identifier: Apache-2.0
#pragma once
// The CPU's matrix product, with Eigen (what TensorFlow's CPU MatMul kernel uses too).

#include <cstdint>

namespace tfgpu::runtime {

// C = A·B for row-major m×k A, k×n B and m×n C, in float32 (Eigen's blocked GEMM). Any size may
// be 0 (k = 0 gives zeros). The pointers must hold m·k, k·n and m·n floats; C must not overlap
// A or B.
void cpu_gemm_f32(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, const float* b,
                  float* c);

}  // namespace tfgpu::runtime
