// SPDX-License-Identifier: Apache-2.0
// The verdict and the layer lines, from the findings of every check.
#include "tfgpu/checks/doctor.h"

#include <gtest/gtest.h>

#include "check_fixtures.h"

namespace tfgpu::checks {
namespace {

using testing::healthy_facts;
using testing::small_kb;
using testing::ver;

const model::LayerStatus* layer(const model::DoctorReport& report, std::string_view name) {
  for (const auto& status : report.layers) {
    if (status.layer == name) {
      return &status;
    }
  }
  return nullptr;
}

TEST(Diagnose, HealthyMachineWillUseTheGpuAndSaysWhichOne) {
  const auto report = diagnose(healthy_facts(), small_kb());
  ASSERT_EQ(report.verdicts.size(), 1U);
  const auto& verdict = report.verdicts.front();
  EXPECT_TRUE(verdict.will_use_gpu);
  EXPECT_TRUE(verdict.certain);
  EXPECT_EQ(verdict.sentence,
            "TensorFlow 2.21.0 in /home/ana/venv will use GPU 0 (NVIDIA H100 80GB HBM3, sm_90).");
  EXPECT_TRUE(verdict.blocked_by.empty());
  EXPECT_FALSE(report.no_tensorflow);
  EXPECT_FALSE(report.could_not_check);
  for (const char* name : {"gpu", "driver", "cuda_libraries", "cudnn", "python"}) {
    ASSERT_NE(layer(report, name), nullptr) << name;
    EXPECT_EQ(layer(report, name)->state, model::LayerState::kOk) << name;
  }
  EXPECT_EQ(layer(report, "driver")->detail, "NVIDIA 550.54.14 (CUDA 12.4)");
}

TEST(Diagnose, AMachineErrorBlocksEveryEnvironmentAndNamesTheCause) {
  auto facts = healthy_facts();
  facts.kernel_driver.module_version = testing::seen(ver("535.104.05"));
  const auto report = diagnose(facts, small_kb());
  ASSERT_EQ(report.verdicts.size(), 1U);
  const auto& verdict = report.verdicts.front();
  EXPECT_FALSE(verdict.will_use_gpu);
  ASSERT_FALSE(verdict.blocked_by.empty());
  EXPECT_NE(
      std::find(verdict.blocked_by.begin(), verdict.blocked_by.end(), "driver_library_mismatch"),
      verdict.blocked_by.end());
  EXPECT_NE(verdict.sentence.find("will NOT use the GPU"), std::string::npos);
  EXPECT_EQ(layer(report, "driver")->state, model::LayerState::kError);
  // Errors come first.
  EXPECT_EQ(report.findings.front().severity, model::Severity::kError);
}

TEST(Diagnose, WithoutTheLiveDriverTheVerdictIsNotCertain) {
  auto facts = healthy_facts();
  facts.live = false;
  facts.user_driver.live = {};
  const auto report = diagnose(facts, small_kb());
  ASSERT_EQ(report.verdicts.size(), 1U);
  EXPECT_TRUE(report.verdicts.front().will_use_gpu);
  EXPECT_FALSE(report.verdicts.front().certain);
  EXPECT_NE(report.verdicts.front().sentence.find("as far as the files show"), std::string::npos);
  // The GPU is still named, from pci.ids and the KB.
  EXPECT_NE(report.verdicts.front().sentence.find("H100 SXM5 80GB"), std::string::npos);
}

TEST(Diagnose, NoTensorflowAnywhereIsSaid) {
  auto facts = healthy_facts();
  facts.python_envs.front().tensorflow.clear();
  const auto report = diagnose(facts, small_kb());
  EXPECT_TRUE(report.no_tensorflow);
  EXPECT_TRUE(report.verdicts.empty());
}

TEST(Diagnose, NoCudnnWithoutTensorflowReadsAsNotNeeded) {
  auto facts = healthy_facts();
  facts.python_envs.front().tensorflow.clear();
  facts.cudnn.libraries.clear();
  auto report = diagnose(facts, small_kb());
  EXPECT_EQ(layer(report, "cudnn")->detail, "none needed (no TensorFlow) and none on the system");
  // With TensorFlow and no cuDNN anywhere, it is plainly missing.
  facts = healthy_facts();
  facts.cudnn.libraries.clear();
  for (auto& library : facts.python_envs.front().libraries) {
    if (library.family == "cudnn") {
      library.family = "not-cudnn";
    }
  }
  report = diagnose(facts, small_kb());
  EXPECT_EQ(layer(report, "cudnn")->detail, "none found");
}

TEST(Diagnose, APciProbeFailureWithNoLiveAnswerMeansCouldNotCheck) {
  auto facts = healthy_facts();
  facts.pci_gpus.clear();
  facts.user_driver.live = {};
  facts.problems.push_back({"pci", "reading /sys/bus/pci/devices: permission denied"});
  const auto report = diagnose(facts, small_kb());
  EXPECT_TRUE(report.could_not_check);
  EXPECT_NE(report.could_not_check_reason.find("permission denied"), std::string::npos);
}

TEST(LayerOf, MapsCheckIdsToTheLayerTheyConcern) {
  EXPECT_EQ(layer_of("no_nvidia_gpu"), "gpu");
  EXPECT_EQ(layer_of("gpu_needs_ptx_jit"), "gpu");
  EXPECT_EQ(layer_of("driver_library_mismatch"), "driver");
  EXPECT_EQ(layer_of("stub_libcuda_on_path"), "driver");
  EXPECT_EQ(layer_of("library_missing"), "cuda_libraries");
  EXPECT_EQ(layer_of("cudnn_version_mismatch"), "cudnn");
  EXPECT_EQ(layer_of("tensorflow_cpu_package"), "python");
}

}  // namespace
}  // namespace tfgpu::checks
