// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/plan/gpu_fit.h"

#include <fmt/format.h>

namespace tfgpu::plan {

std::optional<Version> arch_capability(std::string_view entry) {
  std::string_view digits;
  if (entry.starts_with("sm_")) {
    digits = entry.substr(3);
  } else if (entry.starts_with("compute_")) {
    digits = entry.substr(8);
  } else {
    return std::nullopt;
  }
  // "sm_90a", "sm_100f": architecture- and family-specific targets still name the capability.
  if (!digits.empty() && digits.back() >= 'a' && digits.back() <= 'z') {
    digits.remove_suffix(1);
  }
  if (digits.size() < 2) {
    return std::nullopt;
  }
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  // The last digit is the minor: "sm_120" is 12.0, "sm_89" is 8.9.
  return Version::parse(fmt::format("{}.{}", digits.substr(0, digits.size() - 1), digits.back()));
}

GpuFit fit_gpu(const kb::WheelBuild* build, const std::optional<Version>& compute_capability) {
  GpuFit fit;
  fit.row = build;
  if (build == nullptr) {
    fit.fit = CodeFit::kNoBuildRow;
    return fit;
  }
  std::optional<Version> lowest;
  std::optional<Version> best_sass;
  std::optional<Version> best_ptx;
  std::string sass_entry;
  std::string ptx_entry;
  for (const auto& entry : build->compute_capabilities) {
    auto capability = arch_capability(entry);
    if (!capability) {
      continue;
    }
    if (!lowest || *capability < *lowest) {
      lowest = capability;
    }
    if (!compute_capability) {
      continue;
    }
    const Version& gpu = *compute_capability;
    if (entry.starts_with("sm_")) {
      if (capability->major() == gpu.major() && capability->minor() <= gpu.minor() &&
          (!best_sass || *capability > *best_sass)) {
        best_sass = capability;
        sass_entry = entry;
      }
    } else if (*capability <= gpu && (!best_ptx || *capability > *best_ptx)) {
      best_ptx = capability;
      ptx_entry = entry;
    }
  }
  fit.lowest = lowest.value_or(Version{});
  if (!compute_capability) {
    fit.fit = CodeFit::kUnknownGpu;
  } else if (lowest && *compute_capability < *lowest) {
    fit.fit = CodeFit::kBelowMinimum;
  } else if (best_sass) {
    fit.fit = CodeFit::kSass;
    fit.code = sass_entry;
  } else if (best_ptx) {
    fit.fit = CodeFit::kPtxJit;
    fit.code = ptx_entry;
  } else {
    fit.fit = CodeFit::kNoCode;
  }
  return fit;
}

std::optional<Version> lowest_capability_ever(const kb::KnowledgeBase& kb) {
  std::optional<Version> lowest;
  for (const auto& build : kb.wheel_builds) {
    for (const auto& entry : build.compute_capabilities) {
      auto capability = arch_capability(entry);
      if (capability && (!lowest || *capability < *lowest)) {
        lowest = capability;
      }
    }
  }
  return lowest;
}

}  // namespace tfgpu::plan
