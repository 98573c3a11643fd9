// SPDX-License-Identifier: Apache-2.0
// The compatibility checks (driver against the build's CUDA, GPUs against the wheel's kernels):
// each fires on one change to the healthy machine of check_fixtures.h, with the boundaries that
// must stay quiet.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "check_test_helpers.h"

namespace tfgpu::checks {
namespace {

using testing::cites;
using testing::fired;
using testing::has_command;
using testing::healthy_facts;
using testing::kPython;
using testing::run_check;
using testing::seen;
using testing::small_kb;
using testing::tf;
using testing::ver;

void set_driver(model::Facts& facts, const std::string& version) {
  facts.kernel_driver.module_version = seen(ver(version), "/proc/driver/nvidia/version");
  facts.user_driver.live.nvml_driver_version = seen(ver(version));
}

// The healthy machine with its one GPU replaced by `name` of compute capability `cc`.
model::Facts with_gpu(const std::string& name, const std::string& cc) {
  auto facts = healthy_facts();
  auto& device = facts.user_driver.live.devices.front();
  device.name = name;
  device.compute_capability = ver(cc);
  return facts;
}

// --- driver_too_old_for_build ------------------------------------------------------------------

TEST(DriverTooOldForBuild, ADriverBelowTheCuda12FloorFiresWithTheUbuntuUpgrade) {
  auto facts = healthy_facts();
  set_driver(facts, "520.61.05");
  const auto findings = run_check("driver_too_old_for_build", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  const auto& finding = findings.front();
  EXPECT_EQ(finding.severity, model::Severity::kError);
  EXPECT_NE(finding.summary.find("520.61.05"), std::string::npos) << finding.summary;
  EXPECT_NE(finding.summary.find("525.60.13"), std::string::npos) << finding.summary;
  EXPECT_TRUE(cites(finding, "12"));  // minor_version_compat row for CUDA 12
  EXPECT_TRUE(has_command(finding, "sudo ubuntu-drivers install"));
  ASSERT_FALSE(finding.fixes.empty());
  EXPECT_TRUE(finding.fixes.front().needs_root);
  EXPECT_TRUE(finding.fixes.front().reboot);
  EXPECT_NE(finding.fixes.front().why.find("branch 525"), std::string::npos);
}

TEST(DriverTooOldForBuild, QuietExactlyAtTheMinimum) {
  auto facts = healthy_facts();
  set_driver(facts, "525.60.13");
  facts.user_driver.live.cuda_driver_version = seen(ver("12.0"));
  EXPECT_TRUE(run_check("driver_too_old_for_build", facts, small_kb()).empty());
}

TEST(DriverTooOldForBuild, ALiveCudaVersionOfAnOlderMajorFires) {
  auto facts = healthy_facts();
  facts.kernel_driver.module_version = model::Observed<Version>::absent("/proc/driver/nvidia");
  facts.user_driver.live.nvml_driver_version = model::Observed<Version>::absent("nvml");
  facts.user_driver.libcuda_is_stub = seen(true);
  facts.user_driver.live.cuda_driver_version = seen(ver("11.8"));
  const auto findings = run_check("driver_too_old_for_build", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_NE(findings.front().summary.find("cuDriverGetVersion"), std::string::npos);
}

TEST(DriverTooOldForBuild, OnWsl2TheWindowsColumnAndTheWindowsDriverCount) {
  auto facts = healthy_facts();
  facts.host.wsl2 = seen(true);
  facts.kernel_driver.module_version = model::Observed<Version>::absent("/proc/driver/nvidia");
  facts.user_driver.live.nvml_driver_version = seen(ver("526.98"));
  const auto findings = run_check("driver_too_old_for_build", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  const auto& finding = findings.front();
  EXPECT_NE(finding.summary.find("527.41"), std::string::npos) << finding.summary;
  EXPECT_NE(finding.summary.find("Windows"), std::string::npos) << finding.summary;
  ASSERT_FALSE(finding.fixes.empty());
  EXPECT_TRUE(finding.fixes.front().commands.empty());
  EXPECT_NE(finding.fixes.front().why.find("Windows"), std::string::npos);
  // 527.41 on Windows is enough, although it is below the Linux floor.
  facts.user_driver.live.nvml_driver_version = seen(ver("527.41"));
  EXPECT_TRUE(run_check("driver_too_old_for_build", facts, small_kb()).empty());
}

TEST(DriverTooOldForBuild, BeforeCuda11TheExactReleasesDriverIsTheFloor) {
  auto facts = healthy_facts();
  facts.host.os_id = seen(std::string("debian"));
  tf(facts).version = seen(ver("2.3.0"));
  tf(facts).build_info.cuda_version = seen(ver("10.1"));
  set_driver(facts, "410.48");
  facts.user_driver.live.cuda_driver_version = seen(ver("10.0"));
  auto kb = small_kb();
  kb.driver_minimums.push_back({ver("10.1.0"), "CUDA 10.1 GA", ver("418.39"), ver("418.96"),
                                testing::provenance("driver_minimum", "CUDA 10.1 GA")});
  const auto findings = run_check("driver_too_old_for_build", facts, kb);
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_NE(findings.front().summary.find("418.39"), std::string::npos);
  EXPECT_TRUE(cites(findings.front(), "CUDA 10.1 GA"));
  // The same per-distribution commands as driver_checks' install fix (common.h driver_install).
  EXPECT_TRUE(
      has_command(findings.front(), "sudo apt install nvidia-driver firmware-misc-nonfree"));
}

TEST(DriverTooOldForBuild, OnRockyTheUpgradeUsesNvidiasRepositoryForItsMajor) {
  auto facts = healthy_facts();
  facts.host.os_id = seen(std::string("rocky"));
  facts.host.os_version_id = seen(std::string("9.3"));
  set_driver(facts, "520.61.05");
  const auto findings = run_check("driver_too_old_for_build", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  const auto& finding = findings.front();
  EXPECT_TRUE(has_command(finding,
                          "sudo dnf config-manager --add-repo "
                          "https://developer.download.nvidia.com/compute/cuda/repos/rhel9/x86_64/"
                          "cuda-rhel9.repo"));
  EXPECT_TRUE(has_command(finding, "sudo dnf install cuda-drivers"));
  ASSERT_FALSE(finding.fixes.empty());
  EXPECT_NE(finding.fixes.front().why.find("branch 525 or newer"), std::string::npos);
  // Without a version there is no repository to name: the manual step, with NVIDIA's URL.
  facts.host.os_version_id = model::Observed<std::string>::absent("/etc/os-release");
  const auto manual = run_check("driver_too_old_for_build", facts, small_kb());
  ASSERT_EQ(manual.size(), 1U);
  ASSERT_FALSE(manual.front().fixes.empty());
  EXPECT_TRUE(manual.front().fixes.front().commands.empty());
  EXPECT_NE(manual.front().fixes.front().why.find("https://www.nvidia.com/en-us/drivers/"),
            std::string::npos);
}

// --- ptx_jit_driver_too_old --------------------------------------------------------------------

TEST(PtxJitDriverTooOld, ABlackwellGpuOnADriverOlderThanTheBuildsToolkitFires) {
  auto facts = with_gpu("NVIDIA GeForce RTX 5090", "12.0");  // driver 550.54.14
  const auto findings = run_check("ptx_jit_driver_too_old", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  const auto& finding = findings.front();
  EXPECT_EQ(finding.severity, model::Severity::kError);
  EXPECT_NE(finding.summary.find("555.42.06"), std::string::npos) << finding.summary;
  EXPECT_NE(finding.summary.find("CUDA_ERROR_UNSUPPORTED_PTX_VERSION"), std::string::npos);
  EXPECT_TRUE(cites(finding, "minor_version_compat_ptx"));
  EXPECT_TRUE(cites(finding, "CUDA 12.5 Update 1"));
}

TEST(PtxJitDriverTooOld, QuietAtTheToolkitsDriverAndForAGpuWithItsOwnKernels) {
  auto facts = with_gpu("NVIDIA GeForce RTX 5090", "12.0");
  set_driver(facts, "555.42.06");
  EXPECT_TRUE(run_check("ptx_jit_driver_too_old", facts, small_kb()).empty());
  EXPECT_TRUE(run_check("ptx_jit_driver_too_old", healthy_facts(), small_kb()).empty());
}

// --- gpu_cc_below_build_minimum ----------------------------------------------------------------

TEST(GpuCcBelowBuildMinimum, ATeslaK80FiresAndTheFixNamesTheNewestWheelForIt) {
  auto facts = with_gpu("Tesla K80", "3.7");
  auto kb = small_kb();
  kb::WheelBuild old_build;
  old_build.lines = {ver("2.4"), ver("2.11")};
  old_build.compute_capabilities = {"sm_35", "sm_50", "sm_60", "sm_70", "sm_75", "compute_80"};
  old_build.provenance = testing::provenance("wheel_build", "2.4-2.11");
  kb.wheel_builds.push_back(old_build);
  const auto findings = run_check("gpu_cc_below_build_minimum", facts, kb);
  ASSERT_EQ(findings.size(), 1U);
  const auto& finding = findings.front();
  EXPECT_EQ(finding.severity, model::Severity::kError);
  EXPECT_NE(finding.summary.find("3.7 is below 6.0"), std::string::npos) << finding.summary;
  EXPECT_TRUE(cites(finding, "cc_below_minimum_ignored"));
  // 2.10 is the newest line of that wheel in the KB; it has no and-cuda extra.
  EXPECT_TRUE(has_command(finding, kPython + " -m pip install 'tensorflow==2.10.*'"));
  EXPECT_NE(finding.fixes.front().why.find("Python 3.7 to 3.10"), std::string::npos)
      << finding.fixes.front().why;
  // Below the minimum is not also reported as "no usable kernels".
  EXPECT_TRUE(run_check("gpu_no_usable_kernels", facts, kb).empty());
}

// --- gpu_needs_ptx_jit -------------------------------------------------------------------------

TEST(GpuNeedsPtxJit, AnRtx5090WithTf221sListNeedsTheCompute90Ptx) {
  const auto facts = with_gpu("NVIDIA GeForce RTX 5090", "12.0");
  const auto findings = run_check("gpu_needs_ptx_jit", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  const auto& finding = findings.front();
  EXPECT_EQ(finding.severity, model::Severity::kWarning);
  EXPECT_NE(finding.summary.find("compute_90"), std::string::npos) << finding.summary;
  EXPECT_NE(finding.summary.find("30 minutes"), std::string::npos);
  EXPECT_TRUE(cites(finding, "ptx_jit_first_use"));
  EXPECT_TRUE(has_command(finding, "export CUDA_CACHE_MAXSIZE=4294967296"));
}

TEST(GpuNeedsPtxJit, QuietForAnAmpereGpuOnSm80AndForTheH100) {
  EXPECT_TRUE(run_check("gpu_needs_ptx_jit", with_gpu("NVIDIA A10", "8.6"), small_kb()).empty());
  EXPECT_TRUE(run_check("gpu_needs_ptx_jit", healthy_facts(), small_kb()).empty());
  auto facts = with_gpu("NVIDIA GeForce RTX 5090", "12.0");
  tf(facts).build_info.cuda_compute_capabilities =
      seen(std::vector<std::string>{"sm_80", "sm_90", "sm_120", "compute_120"});
  EXPECT_TRUE(run_check("gpu_needs_ptx_jit", facts, small_kb()).empty());
}

// --- gpu_no_usable_kernels ---------------------------------------------------------------------

TEST(GpuNoUsableKernels, ABuildWithoutPtxHasNothingForANewerMajor) {
  auto facts = healthy_facts();  // H100, 9.0
  tf(facts).build_info.cuda_compute_capabilities =
      seen(std::vector<std::string>{"sm_60", "sm_70", "sm_80"});
  const auto findings = run_check("gpu_no_usable_kernels", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings.front().severity, model::Severity::kError);
  EXPECT_NE(findings.front().summary.find("compute capability 9.0"), std::string::npos)
      << findings.front().summary;
  // small_kb's 2.18-2.21 wheel serves 9.0 through its compute_90 PTX.
  EXPECT_TRUE(has_command(findings.front(), kPython + " -m pip install 'tensorflow==2.21.*'"));
  EXPECT_TRUE(run_check("gpu_needs_ptx_jit", facts, small_kb()).empty());
}

TEST(GpuNoUsableKernels, QuietWhenPtxCanServe) {
  EXPECT_TRUE(
      run_check("gpu_no_usable_kernels", with_gpu("NVIDIA GeForce RTX 5090", "12.0"), small_kb())
          .empty());
}

// --- gpu_compute_capability_unknown ------------------------------------------------------------

TEST(GpuComputeCapabilityUnknown, AGpuNeitherTheDriverNorTheKbKnowsIsInfo) {
  auto facts = healthy_facts();
  facts.user_driver.live.devices.clear();
  facts.pci_gpus.front().device_id = "2b85";
  facts.pci_gpus.front().model_name = model::Observed<std::string>::absent("pci.ids");
  const auto findings = run_check("gpu_compute_capability_unknown", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings.front().severity, model::Severity::kInfo);
  EXPECT_NE(findings.front().summary.find("10de:2b85"), std::string::npos)
      << findings.front().summary;
  // Nothing else is claimed about its kernels.
  for (const char* id : {"gpu_needs_ptx_jit", "gpu_no_usable_kernels", "gpu_cc_below_build_minimum",
                         "ptx_jit_driver_too_old"}) {
    EXPECT_FALSE(fired(run_check(id, facts, small_kb()), id)) << id;
  }
}

TEST(GpuComputeCapabilityUnknown, QuietOnTheHealthyMachine) {
  EXPECT_TRUE(run_check("gpu_compute_capability_unknown", healthy_facts(), small_kb()).empty());
}

// --- malformed build lists ------------------------------------------------------------------

TEST(GpuKernelChecks, UnreadableCapabilityEntriesAreSkippedNotGuessed) {
  auto facts = healthy_facts();
  tf(facts).build_info.cuda_compute_capabilities =
      seen(std::vector<std::string>{"sm_", "compute_x", "banana", "sm_99999", "", "sm_8"});
  for (const char* id : {"gpu_cc_below_build_minimum", "gpu_needs_ptx_jit", "gpu_no_usable_kernels",
                         "ptx_jit_driver_too_old"}) {
    EXPECT_TRUE(run_check(id, facts, small_kb()).empty()) << id;
  }
  // One readable entry among them is used: sm_120 alone leaves the H100 below the minimum.
  tf(facts).build_info.cuda_compute_capabilities =
      seen(std::vector<std::string>{"banana", "sm_120"});
  EXPECT_TRUE(fired(run_check("gpu_cc_below_build_minimum", facts, small_kb()),
                    "gpu_cc_below_build_minimum"));
}

}  // namespace
}  // namespace tfgpu::checks
