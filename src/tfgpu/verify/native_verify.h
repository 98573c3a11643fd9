// SPDX-License-Identifier: Apache-2.0
#pragma once
// `tfgpu verify`, natively: the three checks of TensorFlow's GPU how-to with tfgpu's own runtime
// (runtime/), no Python involved — list the devices, set memory growth before first use, and run
// matmuls pinned to GPU:0 with soft placement off, checking where each ran and what it computed
// against a float64 reference, and timing it against the GPU's peak (the KB's [[peak]] rows).
// Without a GPU the pinned matmul must be refused (proof that nothing falls back silently) and
// the same matmul on CPU:0 must still verify.

#include "tfgpu/kb/knowledge_base.h"
#include "tfgpu/model/verification.h"
#include "tfgpu/runtime/runtime.h"

namespace tfgpu::verify {

struct NativeVerifyOptions {
  int small_size = 1000;  // the how-to's matmul, on CPU:0 and on GPU:0
  int large_size = 4096;  // the larger one, on GPU:0 (fp32, and tf32 from compute capability 8.0)
  bool memory_growth = true;
};

model::NativeVerification verify_native(runtime::Runtime& runtime, const kb::KnowledgeBase& kb,
                                        const NativeVerifyOptions& options = {});

}  // namespace tfgpu::verify
