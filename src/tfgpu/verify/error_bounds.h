// SPDX-License-Identifier: Apache-2.0
#pragma once
// The error a matmul must meet against a float64 reference, per dtype: max |C − C_ref| divided by
// max |C_ref|, for n×n operands uniform in [−1, 1]. The bound follows the format's unit roundoff
// u (fp32 2^-24, tf32 2^-11, fp16 2^-11, bf16 2^-8), with headroom for accumulation over n ≤ 8192
// terms whose rounding errors largely cancel (random signs): fp32 1e-5 (the bound), tf32
// and fp16 5e-3, bf16 3e-2. A GPU that computes garbage, or another dtype than asked, misses
// them by orders of magnitude.

#include <string_view>

namespace tfgpu::verify {

// The bound for "fp32", "tf32", "fp16", "bf16"; fp32's for anything else.
double error_bound(std::string_view dtype);

}  // namespace tfgpu::verify
