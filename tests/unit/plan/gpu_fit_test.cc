// SPDX-License-Identifier: Apache-2.0
// Which wheel code a GPU runs: SASS of its major, else PTX it can compile, and never a GPU below
// the lowest capability built (TensorFlow skips it).
#include "tfgpu/plan/gpu_fit.h"

#include <gtest/gtest.h>

namespace tfgpu::plan {
namespace {

Version v(const char* text) {
  return Version::parse(text).value();
}

kb::WheelBuild build(std::vector<std::string> capabilities) {
  kb::WheelBuild row;
  row.lines = {v("2.17"), v("2.21")};
  row.compute_capabilities = std::move(capabilities);
  return row;
}

TEST(ArchCapability, ReadsSassPtxAndSuffixedTargets) {
  EXPECT_EQ(arch_capability("sm_80"), v("8.0"));
  EXPECT_EQ(arch_capability("compute_90"), v("9.0"));
  EXPECT_EQ(arch_capability("sm_120"), v("12.0"));
  EXPECT_EQ(arch_capability("sm_90a"), v("9.0"));
  EXPECT_EQ(arch_capability("sm_35").value().text(), "3.5");
  EXPECT_FALSE(arch_capability("gfx90a"));
  EXPECT_FALSE(arch_capability("sm_8"));
  EXPECT_FALSE(arch_capability("compute_x0"));
}

TEST(FitGpu, SassOfTheSameMajorWithALowerMinorRuns) {
  const auto row = build({"sm_60", "sm_70", "sm_80", "sm_89", "compute_90"});
  const auto ampere = fit_gpu(&row, v("8.6"));
  EXPECT_EQ(ampere.fit, CodeFit::kSass);
  EXPECT_EQ(ampere.code, "sm_80");
  EXPECT_EQ(fit_gpu(&row, v("8.9")).code, "sm_89");
  EXPECT_EQ(fit_gpu(&row, v("6.1")).code, "sm_60");
  EXPECT_EQ(fit_gpu(&row, v("7.5")).code, "sm_70");
}

TEST(FitGpu, NewerMajorsRunThePtx) {
  const auto row = build({"sm_60", "sm_70", "sm_80", "sm_89", "compute_90"});
  for (const char* capability : {"9.0", "10.0", "12.0"}) {
    const auto fit = fit_gpu(&row, v(capability));
    EXPECT_EQ(fit.fit, CodeFit::kPtxJit) << capability;
    EXPECT_EQ(fit.code, "compute_90") << capability;
  }
}

TEST(FitGpu, BelowTheLowestCapabilityIsIgnoredWhateverTheCode) {
  const auto row = build({"sm_60", "sm_70", "sm_80", "sm_89", "compute_90"});
  const auto maxwell = fit_gpu(&row, v("5.2"));
  EXPECT_EQ(maxwell.fit, CodeFit::kBelowMinimum);
  EXPECT_EQ(maxwell.lowest, v("6.0"));
  EXPECT_EQ(fit_gpu(&row, v("6.0")).fit, CodeFit::kSass);
}

TEST(FitGpu, NoCodeForAMajorBetweenSassAndNoPtx) {
  // A wheel with SASS for 6.x and 8.x only and no PTX cannot run a 7.5 GPU.
  const auto row = build({"sm_60", "sm_80"});
  EXPECT_EQ(fit_gpu(&row, v("7.5")).fit, CodeFit::kNoCode);
}

TEST(FitGpu, UnknownGpuAndMissingRow) {
  const auto row = build({"sm_60", "compute_90"});
  const auto unknown = fit_gpu(&row, std::nullopt);
  EXPECT_EQ(unknown.fit, CodeFit::kUnknownGpu);
  EXPECT_EQ(unknown.lowest, v("6.0"));
  EXPECT_EQ(fit_gpu(nullptr, v("8.6")).fit, CodeFit::kNoBuildRow);
}

}  // namespace
}  // namespace tfgpu::plan
