// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/runtime/cpu_gemm.h"

#include <Eigen/Core>

namespace tfgpu::runtime {

void cpu_gemm_f32(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, const float* b,
                  float* c) {
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const RowMajor> left(a, m, k);
  const Eigen::Map<const RowMajor> right(b, k, n);
  Eigen::Map<RowMajor> out(c, m, n);
  // noalias: C is its own buffer, so Eigen may write into it directly without a temporary.
  out.noalias() = left * right;
}

}  // namespace tfgpu::runtime
