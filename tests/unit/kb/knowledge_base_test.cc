// SPDX-License-Identifier: Apache-2.0
// The KB's queries over hand-built rows (the TOML loader has its own tests).
#include "tfgpu/kb/knowledge_base.h"

#include <gtest/gtest.h>

namespace tfgpu::kb {
namespace {

Version v(const char* text) {
  return Version::parse(text).value();
}

KnowledgeBase small_kb() {
  KnowledgeBase kb;
  kb.sources.push_back({"tf-docs", "TensorFlow docs", "https://www.tensorflow.org/install/source"});
  TensorflowRelease r215;
  r215.line = v("2.15");
  r215.cuda = v("12.2");
  TensorflowRelease r221;
  r221.line = v("2.21");
  r221.cuda = v("12.5");
  kb.releases = {r215, r221};
  WheelBuild build;
  build.lines = {v("2.18"), v("2.21")};
  build.compute_capabilities = {"sm_60", "compute_90"};
  kb.wheel_builds = {build};
  DriverMinimum ga{v("12.5.0"), "CUDA 12.5 GA", v("555.42.02"), v("555.85"), {}};
  DriverMinimum update{v("12.5.1"), "CUDA 12.5 Update 1", v("555.42.06"), v("555.85"), {}};
  DriverMinimum other{v("12.4.0"), "CUDA 12.4 GA", v("550.54.14"), std::nullopt, {}};
  kb.driver_minimums = {ga, update, other};
  GpuModel h100;
  h100.name = "H100";
  h100.compute_capability = v("9.0");
  GpuModel rtx;
  rtx.name = "GeForce RTX 3060";
  rtx.compute_capability = v("8.6");
  GpuModel rtx_ti;
  rtx_ti.name = "GeForce RTX 3060 Ti";
  rtx_ti.compute_capability = v("8.6");
  kb.gpus = {h100, rtx, rtx_ti};
  kb.pci_devices = {{"10de", "2b85", "GeForce RTX 3060", {}}};
  return kb;
}

TEST(KnowledgeBase, ReleaseLineCoversPatchPostAndNightlyVersions) {
  const auto kb = small_kb();
  ASSERT_NE(kb.release_for(v("2.15.0.post1")), nullptr);
  EXPECT_EQ(kb.release_for(v("2.15.0.post1"))->cuda, v("12.2"));
  ASSERT_NE(kb.release_for(v("2.21.0.dev20251101")), nullptr);
  EXPECT_EQ(kb.release_for(v("2.21.0.dev20251101"))->line, v("2.21"));
  EXPECT_EQ(kb.release_for(v("2.22.0")), nullptr);
  EXPECT_EQ(kb.newest_release()->line, v("2.21"));
}

TEST(KnowledgeBase, RangesAreInclusiveOnTheWrittenComponents) {
  const auto kb = small_kb();
  EXPECT_NE(kb.wheel_build_for(v("2.21.3")), nullptr);
  EXPECT_NE(kb.wheel_build_for(v("2.18.0")), nullptr);
  EXPECT_EQ(kb.wheel_build_for(v("2.17.1")), nullptr);
  EXPECT_EQ(kb.wheel_build_for(v("2.22.0")), nullptr);
}

TEST(KnowledgeBase, DriverMinimumPicksTheExactUpdateOrTheGaRelease) {
  const auto kb = small_kb();
  EXPECT_EQ(kb.driver_minimum_for(v("12.5.1"))->release, "CUDA 12.5 Update 1");
  EXPECT_EQ(kb.driver_minimum_for(v("12.5"))->release, "CUDA 12.5 GA");
  EXPECT_EQ(kb.driver_minimum_for(v("12.5.0"))->release, "CUDA 12.5 GA");
  EXPECT_EQ(kb.driver_minimum_for(v("12.5.2"))->release, "CUDA 12.5 Update 1");
  EXPECT_EQ(kb.driver_minimum_for(v("12.6")), nullptr);
}

TEST(KnowledgeBase, GpuNamesMatchDriverAndPciIdsSpellings) {
  const auto kb = small_kb();
  EXPECT_EQ(kb.gpu_by_name("NVIDIA H100 80GB HBM3")->name, "H100");
  EXPECT_EQ(kb.gpu_by_name("GH100 [H100 SXM5 80GB]")->name, "H100");
  EXPECT_EQ(kb.gpu_by_name("NVIDIA GeForce RTX 3060 Ti")->name, "GeForce RTX 3060 Ti");
  EXPECT_EQ(kb.gpu_by_name("GA106 [GeForce RTX 3060 Lite Hash Rate]")->name, "GeForce RTX 3060");
  EXPECT_EQ(kb.gpu_by_name("H1000"), nullptr);
  EXPECT_EQ(kb.gpu_by_name(""), nullptr);
  EXPECT_EQ(kb.pci_device("10DE", "2B85")->name, "GeForce RTX 3060");
}

TEST(KnowledgeBase, SourceUrlResolvesIdsAndKeepsUrls) {
  const auto kb = small_kb();
  EXPECT_EQ(kb.source_url("tf-docs"), "https://www.tensorflow.org/install/source");
  EXPECT_EQ(kb.source_url("https://github.com/x/y/issues/1"), "https://github.com/x/y/issues/1");
  EXPECT_EQ(kb.source_url("nope"), "");
}

}  // namespace
}  // namespace tfgpu::kb
