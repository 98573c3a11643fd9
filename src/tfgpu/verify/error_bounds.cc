// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/verify/error_bounds.h"

namespace tfgpu::verify {

double error_bound(std::string_view dtype) {
  if (dtype == "tf32" || dtype == "fp16") {
    return 5e-3;
  }
  if (dtype == "bf16") {
    return 3e-2;
  }
  return 1e-5;
}

}  // namespace tfgpu::verify
