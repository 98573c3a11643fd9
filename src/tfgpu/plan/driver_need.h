// SPDX-License-Identifier: Apache-2.0
#pragma once
// The NVIDIA driver a TensorFlow release needs on a given GPU, from the KB's CUDA rows.
//
// Why several requirements: the driver must (1) run the CUDA the wheel was built with (from CUDA
// 11, minor version compatibility: one driver per major; before, the toolkit's own driver),
// (2) JIT-compile the wheel's PTX when the GPU has no SASS in it, which minor version
// compatibility does not cover (statement minor_version_compat_ptx: a driver at least as new as
// the toolkit that wrote the PTX), and (3) know the GPU at all: the first driver of the first
// CUDA release whose nvcc can target the GPU's compute capability (arch_support; derived). The
// need is the highest of them. Separately, an old architecture's last driver branch
// (driver_branch_end) caps what can drive it.

#include <optional>
#include <string>
#include <vector>

#include "tfgpu/base/version.h"
#include "tfgpu/kb/knowledge_base.h"
#include "tfgpu/model/finding.h"
#include "tfgpu/plan/gpu_fit.h"

namespace tfgpu::plan {

// Which driver version column applies: Linux, or the Windows driver (native Windows and WSL2).
enum class DriverColumn { kLinux, kWindows };

struct DriverRequirement {
  Version minimum;
  std::string id;  // "cuda_major", "ptx_jit", "gpu_architecture", "cuda_toolkit"
  std::string why;
  std::vector<model::KbCitation> citations;
};

struct DriverNeeds {
  std::vector<DriverRequirement> requirements;      // each applicable rule
  std::optional<Version> minimum;                   // the highest; null when no rule applied
  const kb::DriverBranchEnd* branch_end = nullptr;  // the GPU's last driver branch, if any

  // The requirement that sets the minimum (the last of equals); null when none.
  const DriverRequirement* binding() const;

  // True when the minimum is above the GPU's last driver branch: no driver can do both.
  bool beyond_branch_end() const;
};

// The toolkit driver of CUDA `cuda` ("11.2" → 11.2 GA's row, "10.1" → 10.1.105's): the KB's
// driver_minimum_for, else the first row of that major.minor. Null when the KB has none.
const kb::DriverMinimum* toolkit_driver(const kb::KnowledgeBase& kb, const Version& cuda);

DriverNeeds driver_needs(const kb::TensorflowRelease& release, const GpuFit& fit,
                         const std::optional<Version>& compute_capability, DriverColumn column,
                         const kb::KnowledgeBase& kb);

// True when `driver` is at least `minimum`. A driver given as a bare branch ("525") is taken to
// be a release of that branch new enough for a minimum in it ("525.60.13").
bool driver_at_least(const Version& driver, const Version& minimum);

// True when `driver` is at least `needs.minimum` (no minimum: true) and not above the GPU's last
// driver branch.
bool driver_satisfies(const Version& driver, const DriverNeeds& needs);

// True when `driver`'s branch is newer than the GPU's last one (R535 on a Kepler GPU).
bool driver_beyond_branch(const Version& driver, const DriverNeeds& needs);

}  // namespace tfgpu::plan
