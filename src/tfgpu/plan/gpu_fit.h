// SPDX-License-Identifier: Apache-2.0
#pragma once
// Whether a TensorFlow wheel has code a GPU can run, from the wheel_build row's list.
//
// Why these rules: a wheel carries SASS ("sm_XY", machine code) and PTX ("compute_XY", code the
// driver compiles on first use). SASS for X.Y runs on GPUs of the same major X with a minor of Y
// or more (sm_80 runs on 8.6 and 8.9, never on 9.0); PTX for X.Y runs, JIT-compiled, on any GPU
// of X.Y or newer. And TensorFlow itself skips a GPU below the lowest capability the wheel was
// built for (statement cc_below_minimum_ignored), whatever code it holds.

#include <optional>
#include <string>
#include <string_view>

#include "tfgpu/base/version.h"
#include "tfgpu/kb/knowledge_base.h"

namespace tfgpu::plan {

enum class CodeFit {
  kSass,          // machine code for this GPU: runs as is
  kPtxJit,        // only PTX of a lower capability: the driver JIT-compiles it on first use
  kBelowMinimum,  // below the lowest capability built: TensorFlow ignores the GPU
  kNoCode,        // neither SASS of the GPU's major nor PTX it can compile
  kUnknownGpu,    // the GPU's compute capability is not known
  kNoBuildRow,    // the KB has no wheel_build row for the line
};

struct GpuFit {
  CodeFit fit = CodeFit::kUnknownGpu;
  std::string code;  // the entry that runs: "sm_80", "compute_90"
  Version lowest;    // the lowest capability the wheel was built for
  const kb::WheelBuild* row = nullptr;
};

// "sm_80" → 8.0, "compute_120" → 12.0, "sm_90a" → 9.0; null when `entry` is neither form.
std::optional<Version> arch_capability(std::string_view entry);

// How `build` serves a GPU of `compute_capability` (null: unknown GPU).
GpuFit fit_gpu(const kb::WheelBuild* build, const std::optional<Version>& compute_capability);

// The lowest capability any wheel_build row of the KB was built for (3.5 for TensorFlow 2.x);
// null when the KB has none.
std::optional<Version> lowest_capability_ever(const kb::KnowledgeBase& kb);

}  // namespace tfgpu::plan
