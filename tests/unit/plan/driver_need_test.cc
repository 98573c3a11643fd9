// SPDX-License-Identifier: Apache-2.0
// The driver a release needs on a GPU: each rule fires where it applies and stays quiet where it
// does not, over hand-built KB rows (the shipped rows are the scenarios' business).
#include "tfgpu/plan/driver_need.h"

#include <gtest/gtest.h>

#include "check_fixtures.h"

namespace tfgpu::plan {
namespace {

using testing::provenance;
using testing::ver;

kb::KnowledgeBase rows() {
  kb::KnowledgeBase kb;
  kb.driver_minimums = {
      {ver("12.5.0"), "CUDA 12.5 GA", ver("555.42.02"), ver("555.85"),
       provenance("driver_minimum", "12.5.0")},
      {ver("12.5.1"), "CUDA 12.5 Update 1", ver("555.42.06"), ver("555.85"),
       provenance("driver_minimum", "12.5.1")},
      {ver("12.8.0"), "CUDA 12.8 GA", ver("570.26"), ver("570.65"),
       provenance("driver_minimum", "12.8.0")},
      {ver("11.8.0"), "CUDA 11.8 GA", ver("520.61.05"), ver("520.06"),
       provenance("driver_minimum", "11.8.0")},
      {ver("10.1.105"), "CUDA 10.1", ver("418.39"), ver("418.96"),
       provenance("driver_minimum", "10.1.105")},
  };
  kb.minor_version_compat = {
      {12, ver("525.60.13"), ver("527.41"), ver("580"), provenance("minor_version_compat", "12")},
      {11, ver("450.80.02"), ver("452.39"), ver("525"), provenance("minor_version_compat", "11")},
  };
  kb.arch_support = {
      {{ver("12.8"), ver("12.8")},
       {ver("8.6"), ver("9.0"), ver("10.0"), ver("12.0")},
       provenance("arch_support", "12.8")},
      {{ver("11.8"), ver("11.8")}, {ver("8.6"), ver("9.0")}, provenance("arch_support", "11.8")},
  };
  kb.driver_branch_ends = {
      {{ver("3.0"), ver("3.7")}, "Kepler", ver("470"), provenance("driver_branch_end", "Kepler")}};
  kb.statements = {{"minor_version_compat_ptx", "PTX needs the toolkit's driver",
                    provenance("statement", "minor_version_compat_ptx")}};
  return kb;
}

kb::TensorflowRelease release(const char* line, const char* cuda) {
  kb::TensorflowRelease row;
  row.line = ver(line);
  row.first_version = ver(std::string(line) + ".0");
  row.cuda = ver(cuda);
  row.provenance = provenance("release", line);
  return row;
}

GpuFit fit(CodeFit kind, const char* code = "") {
  GpuFit out;
  out.fit = kind;
  out.code = code;
  return out;
}

TEST(DriverNeeds, CudaMajorFloorFromMinorVersionCompatibility) {
  const auto kb = rows();
  const auto needs = driver_needs(release("2.21", "12.5"), fit(CodeFit::kSass, "sm_80"), ver("8.6"),
                                  DriverColumn::kLinux, kb);
  ASSERT_TRUE(needs.minimum);
  EXPECT_EQ(needs.minimum->text(), "525.60.13");
  EXPECT_EQ(needs.binding()->id, "cuda_major");
  EXPECT_FALSE(driver_satisfies(ver("470.82.01"), needs));
  EXPECT_TRUE(driver_satisfies(ver("525.60.13"), needs));
  // The Windows column for WSL2 and native Windows.
  EXPECT_EQ(driver_needs(release("2.21", "12.5"), fit(CodeFit::kSass, "sm_80"), ver("8.6"),
                         DriverColumn::kWindows, kb)
                .minimum->text(),
            "527.41");
}

TEST(DriverNeeds, PtxJitNeedsTheToolkitsOwnDriverAndSassDoesNot) {
  const auto kb = rows();
  const auto jit = driver_needs(release("2.21", "12.5"), fit(CodeFit::kPtxJit, "compute_90"),
                                ver("9.0"), DriverColumn::kLinux, kb);
  EXPECT_EQ(jit.minimum->text(), "555.42.02");
  EXPECT_EQ(jit.binding()->id, "ptx_jit");
  EXPECT_NE(jit.binding()->why.find("compute_90"), std::string::npos);
  EXPECT_FALSE(driver_satisfies(ver("550.54.14"), jit));
  const auto sass = driver_needs(release("2.21", "12.5"), fit(CodeFit::kSass, "sm_89"), ver("8.9"),
                                 DriverColumn::kLinux, kb);
  EXPECT_EQ(sass.minimum->text(), "525.60.13");
}

TEST(DriverNeeds, AGpuNeedsTheDriverOfTheFirstToolkitThatTargetsIt) {
  const auto kb = rows();
  const auto blackwell = driver_needs(release("2.21", "12.5"), fit(CodeFit::kPtxJit, "compute_90"),
                                      ver("12.0"), DriverColumn::kLinux, kb);
  EXPECT_EQ(blackwell.minimum->text(), "570.26");
  EXPECT_EQ(blackwell.binding()->id, "gpu_architecture");
  // 8.6 is in both rows; the first toolkit (11.8 here) decides, below the CUDA 12 floor.
  const auto ampere = driver_needs(release("2.21", "12.5"), fit(CodeFit::kSass, "sm_80"),
                                   ver("8.6"), DriverColumn::kLinux, kb);
  EXPECT_EQ(ampere.binding()->id, "cuda_major");
}

TEST(DriverNeeds, BeforeCuda11TheToolkitsDriver) {
  const auto kb = rows();
  // "10.1" names 10.1.105, which has no x.y.0 row.
  EXPECT_EQ(toolkit_driver(kb, ver("10.1"))->release, "CUDA 10.1");
  const auto needs = driver_needs(release("2.3", "10.1"), fit(CodeFit::kSass, "sm_35"),
                                  std::nullopt, DriverColumn::kLinux, kb);
  EXPECT_EQ(needs.minimum->text(), "418.39");
  EXPECT_EQ(needs.binding()->id, "cuda_toolkit");
  EXPECT_EQ(toolkit_driver(kb, ver("9.2")), nullptr);
}

TEST(DriverNeeds, LastBranchCapsTheDriver) {
  const auto kb = rows();
  const auto kepler = driver_needs(release("2.14", "11.8"), fit(CodeFit::kSass, "sm_35"),
                                   ver("3.5"), DriverColumn::kLinux, kb);
  ASSERT_NE(kepler.branch_end, nullptr);
  EXPECT_FALSE(kepler.beyond_branch_end());
  EXPECT_TRUE(driver_satisfies(ver("470.82.01"), kepler));
  EXPECT_TRUE(driver_beyond_branch(ver("535.104.05"), kepler));
  EXPECT_FALSE(driver_satisfies(ver("535.104.05"), kepler));
  // A CUDA 12 release needs 525.60.13, past Kepler's R470: no driver can serve both.
  const auto cuda12 = driver_needs(release("2.21", "12.5"), fit(CodeFit::kSass, "sm_35"),
                                   ver("3.5"), DriverColumn::kLinux, kb);
  EXPECT_TRUE(cuda12.beyond_branch_end());
  // No branch end for newer GPUs.
  EXPECT_EQ(driver_needs(release("2.21", "12.5"), fit(CodeFit::kSass, "sm_80"), ver("8.6"),
                         DriverColumn::kLinux, kb)
                .branch_end,
            nullptr);
}

TEST(DriverAtLeast, ABareBranchHoldsTheMinimumInIt) {
  EXPECT_TRUE(driver_at_least(ver("525"), ver("525.60.13")));
  EXPECT_FALSE(driver_at_least(ver("520"), ver("525.60.13")));
  EXPECT_FALSE(driver_at_least(ver("525.53"), ver("525.60.13")));
  EXPECT_TRUE(driver_at_least(ver("525.60.13"), ver("525.60.13")));
}

}  // namespace
}  // namespace tfgpu::plan
