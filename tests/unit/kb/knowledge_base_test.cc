// SPDX-License-Identifier: Apache-2.0
// The KB's queries over hand-built rows (the TOML loader has its own tests), and a few over the
// shipped rows.
#include "tfgpu/kb/knowledge_base.h"

#include <optional>

#include <gtest/gtest.h>

#include "tfgpu/kb/load.h"

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

// The shipped rows (data/kb/tensorflow.toml): the plain `tensorflow` name was CPU-only before
// 1.15, at 1.15.2-1.15.5 and in 2.0; GPU-capable at 1.15.0 and from 2.1.
TEST(KnowledgeBase, DistributionRowsOfTheShippedKb) {
  const KnowledgeBase kb = compiled_kb();
  const auto cuda = [&](std::string_view name, const char* version) -> std::optional<bool> {
    const auto* row = kb.distribution(name, v(version));
    return row == nullptr ? std::nullopt : std::optional<bool>(row->cuda);
  };
  EXPECT_EQ(cuda("tensorflow", "1.14.0"), false);
  EXPECT_EQ(cuda("tensorflow", "1.15.0"), true);
  EXPECT_EQ(cuda("tensorflow", "1.15.2"), false);
  EXPECT_EQ(cuda("tensorflow", "1.15.5"), false);
  EXPECT_EQ(cuda("tensorflow", "2.0.4"), false);
  EXPECT_EQ(cuda("tensorflow", "2.1.0"), true);
  EXPECT_EQ(cuda("tensorflow", "2.21.0"), true);
  EXPECT_EQ(cuda("Tensorflow_GPU", "1.15.2"), true);
  EXPECT_EQ(cuda("tensorflow-cpu", "2.16.1"), false);
  EXPECT_EQ(cuda("tensorflow", "2.22.0"), std::nullopt);
  EXPECT_EQ(cuda("tf-nightly", "2.21.0"), std::nullopt);

  const auto* image = kb.container_image("tensorflow/tensorflow", v("2.18.0"));
  ASSERT_NE(image, nullptr);
  EXPECT_EQ(image->cudnn.major(), 8);
  EXPECT_EQ(kb.container_image("tensorflow/tensorflow", v("2.17.0")), nullptr);
}

// The driver's spellings reach the right row; an unknown GPU has none (no made-up peak).
TEST(KnowledgeBase, PeakForTheDriversName) {
  const KnowledgeBase kb = compiled_kb();
  const auto* sxm = kb.peak_for("NVIDIA H100 80GB HBM3");
  ASSERT_NE(sxm, nullptr);
  EXPECT_DOUBLE_EQ(sxm->bf16_tflops, 989.4);
  const auto* pcie = kb.peak_for("NVIDIA H100 PCIe");
  ASSERT_NE(pcie, nullptr);
  EXPECT_DOUBLE_EQ(pcie->memory_bandwidth_gbs, 2000);
  const auto* h200 = kb.peak_for("nvidia h200");
  ASSERT_NE(h200, nullptr);
  EXPECT_DOUBLE_EQ(h200->memory_bandwidth_gbs, 4800);
  EXPECT_EQ(kb.peak_for("NVIDIA GeForce GTX 1080"), nullptr);
}

// The shipped rows (data/kb/gpus.toml [[pcie_generation]]): generations 1 to 6, each giving the
// payload rate per direction of a x16 link the PCI Express tables print.
TEST(KnowledgeBase, PcieGenerationsOneToSix) {
  const KnowledgeBase kb = compiled_kb();
  const double x16_gbs[] = {4.0, 8.0, 15.754, 31.508, 63.015, 121.0};
  for (int generation = 1; generation <= 6; ++generation) {
    const PcieGeneration* row = kb.pcie_generation(generation);
    ASSERT_NE(row, nullptr) << generation;
    EXPECT_NEAR(row->transfer_rate_gts * 16 * row->payload_efficiency / 8, x16_gbs[generation - 1],
                1e-3)
        << generation;
    EXPECT_EQ(row->provenance.confidence,
              generation == 6 ? Confidence::kDerived : Confidence::kConfirmed)
        << generation;
  }
  EXPECT_EQ(kb.pcie_generation(3)->encoding, "128b/130b");
  EXPECT_EQ(kb.pcie_generation(6)->encoding, "1b/1b FLIT");
  EXPECT_EQ(kb.pcie_generation(0), nullptr);
  EXPECT_EQ(kb.pcie_generation(7), nullptr);
}

// The shipped rows (data/kb/gpus.toml [[driver_branch_end]]): Kepler's last driver is R470,
// Maxwell to Volta's R580; Turing and newer have no last branch yet.
TEST(KnowledgeBase, DriverBranchEndByComputeCapability) {
  const KnowledgeBase kb = compiled_kb();
  const auto last = [&](const char* capability) -> std::optional<int> {
    const auto* row = kb.driver_branch_end_for(v(capability));
    return row == nullptr ? std::nullopt : std::optional<int>(row->last_branch.major());
  };
  EXPECT_EQ(last("3.5"), 470);
  EXPECT_EQ(last("3.7"), 470);
  EXPECT_EQ(last("5.2"), 580);
  EXPECT_EQ(last("6.1"), 580);
  EXPECT_EQ(last("7.0"), 580);
  EXPECT_EQ(last("7.5"), std::nullopt);
  EXPECT_EQ(last("12.0"), std::nullopt);
  EXPECT_EQ(last("2.1"), 390);
}

// [[and_cuda_route]] of the shipped KB: 2.15 pins the post1 wheel, 2.16 needs libraries and
// ptxas linked, 2.18 needs nothing more.
TEST(KnowledgeBase, AndCudaRouteByLine) {
  const KnowledgeBase kb = compiled_kb();
  const auto* r215 = kb.and_cuda_route_for(v("2.15"));
  ASSERT_NE(r215, nullptr);
  EXPECT_EQ(r215->pin, "2.15.0.post1");
  EXPECT_FALSE(r215->link_libraries);
  const auto* r216 = kb.and_cuda_route_for(v("2.16.1"));
  ASSERT_NE(r216, nullptr);
  EXPECT_TRUE(r216->link_libraries);
  EXPECT_TRUE(r216->link_ptxas);
  EXPECT_TRUE(r216->pin.empty());
  EXPECT_EQ(kb.and_cuda_route_for(v("2.18.0")), nullptr);
}

}  // namespace
}  // namespace tfgpu::kb
