// SPDX-License-Identifier: Apache-2.0
#pragma once
// The check groups registry.cc concatenates; one .cc file each.

#include <vector>

#include "tfgpu/checks/check.h"

namespace tfgpu::checks {

// The GPU, the kernel driver, libcuda, device nodes, WSL2, CUDA_VISIBLE_DEVICES, the environment.
std::vector<CheckInfo> driver_checks();

// The TensorFlow package itself: which distribution, which Python, which platform.
std::vector<CheckInfo> tensorflow_checks();

// What TensorFlow dlopens: sonames, cuDNN, shadowing copies, LD_LIBRARY_PATH, ptxas/libdevice.
std::vector<CheckInfo> library_checks();

// The build against the hardware: driver minimum, compute capability, PTX JIT.
std::vector<CheckInfo> compatibility_checks();

}  // namespace tfgpu::checks
