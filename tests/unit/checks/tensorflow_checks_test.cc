// SPDX-License-Identifier: Apache-2.0
// The environment checks of tensorflow_checks.cc: each fires on the healthy machine of
// check_fixtures.h (TensorFlow 2.21.0, Python 3.11 in ~/venv) with one thing changed, and stays
// quiet at the boundary that matters.
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "check_test_helpers.h"

namespace tfgpu::checks {
namespace {

using model::Finding;
using model::Severity;
using testing::cites;
using testing::has_command;
using testing::healthy_facts;
using testing::kPython;
using testing::mentions;
using testing::quiet;
using testing::run_one;
using testing::seen;
using testing::small_kb;
using testing::tf;
using testing::the;
using testing::venv;
using testing::ver;

bool any_fix_says(const Finding& finding, std::string_view text) {
  for (const auto& fix : finding.fixes) {
    if (fix.why.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// The healthy machine with `package` `version` in place of tensorflow 2.21.0.
model::Facts with_distribution(const std::string& package, const std::string& version) {
  auto facts = healthy_facts();
  auto& install = tf(facts);
  install.package = package;
  install.version = seen(ver(version), "/home/ana/venv/lib/python3.11/site-packages/" + package +
                                           "-" + version + ".dist-info/METADATA");
  venv(facts).packages.front().name = package;
  venv(facts).packages.front().version = version;
  return facts;
}

// ---- tensorflow_cpu_package -----------------------------------------------------------------

TEST(TensorflowCpuPackage, FiresOnTensorflowCpuAndReinstallsTheAndCudaBuild) {
  auto facts = with_distribution("tensorflow-cpu", "2.21.0");
  tf(facts).build_info.is_cuda_build = seen(false, tf(facts).build_info.source);
  const auto finding = run_one("tensorflow_cpu_package", facts);
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_EQ(finding.scope, "/home/ana/venv");
  EXPECT_TRUE(mentions(finding.summary, "tensorflow-cpu 2.21.0")) << finding.summary;
  ASSERT_EQ(finding.fixes.size(), 2u);
  EXPECT_EQ(finding.fixes[0].commands,
            std::vector<std::string>{kPython + " -m pip uninstall -y tensorflow-cpu"});
  EXPECT_EQ(finding.fixes[1].commands,
            std::vector<std::string>{kPython + " -m pip install 'tensorflow[and-cuda]==2.21.0'"});
  EXPECT_TRUE(cites(finding, "tensorflow_cpu_package"));
  EXPECT_TRUE(cites(finding, "and_cuda_from_2_14"));  // small_kb has no and_cuda row
}

TEST(TensorflowCpuPackage, CitesTheAndCudaRowWhenTheKbHasOne) {
  auto kb = small_kb();
  kb.and_cuda.push_back({ver("2.21"),
                         {"nvidia-cudnn-cu12>=9.3.0.75,<10.0"},
                         {},
                         testing::provenance("and_cuda", "2.21")});
  const auto finding =
      run_one("tensorflow_cpu_package", with_distribution("tensorflow-cpu", "2.21.0"), kb);
  EXPECT_TRUE(cites(finding, "2.21"));
  EXPECT_TRUE(has_command(finding, kPython + " -m pip install 'tensorflow[and-cuda]==2.21.0'"));
}

TEST(TensorflowCpuPackage, BeforeTheAndCudaExtraNamesTheSystemCudaAndCudnn) {
  auto facts = with_distribution("tensorflow-cpu", "2.10.1");
  venv(facts).python_version = seen(ver("3.10.12"));
  const auto finding = run_one("tensorflow_cpu_package", facts);
  EXPECT_TRUE(has_command(finding, kPython + " -m pip install tensorflow==2.10.1"));
  EXPECT_TRUE(any_fix_says(finding, "CUDA 11.2 and cuDNN 8.1"));
  EXPECT_TRUE(cites(finding, "2.10"));
}

TEST(TensorflowCpuPackage, FiresOnRocmAndOnABuildWithoutCuda) {
  auto rocm = with_distribution("tensorflow-rocm", "2.21.0");
  EXPECT_TRUE(mentions(run_one("tensorflow_cpu_package", rocm).summary, "ROCm"));
  auto built = healthy_facts();
  tf(built).build_info.is_cuda_build = seen(false, tf(built).build_info.source);
  const auto finding = run_one("tensorflow_cpu_package", built);
  EXPECT_TRUE(mentions(finding.summary, "is_cuda_build False")) << finding.summary;
  EXPECT_TRUE(has_command(finding, kPython + " -m pip uninstall -y tensorflow"));
}

TEST(TensorflowCpuPackage, QuietOnTheGpuBuildEvenWithoutBuildInfo) {
  EXPECT_TRUE(quiet("tensorflow_cpu_package", healthy_facts()));
  auto facts = healthy_facts();
  tf(facts).build_info.is_cuda_build =
      model::Observed<bool>::unknown(tf(facts).build_info.source, "no build_info.py");
  EXPECT_TRUE(quiet("tensorflow_cpu_package", facts));
}

TEST(TensorflowCpuPackage, OnAPlatformWithoutGpuBuildsPointsThereInsteadOfPip) {
  auto facts = with_distribution("tensorflow-cpu", "2.21.0");
  facts.host.os_id = seen(std::string("windows"));
  const auto finding = run_one("tensorflow_cpu_package", facts);
  ASSERT_EQ(finding.fixes.size(), 1u);
  EXPECT_TRUE(finding.fixes.front().commands.empty());
  EXPECT_TRUE(mentions(finding.fixes.front().why, "platform_without_gpu_support"));
}

// ---- multiple_tensorflow_packages -----------------------------------------------------------

TEST(MultipleTensorflowPackages, FiresAndUninstallsAllInOneCommand) {
  auto facts = healthy_facts();
  const std::string site = venv(facts).site_packages.front();
  venv(facts).packages.push_back(
      {"tensorflow-cpu", "2.21.0", site + "/tensorflow_cpu-2.21.0.dist-info"});
  const auto finding = run_one("multiple_tensorflow_packages", facts);
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_TRUE(mentions(finding.summary, "tensorflow 2.21.0, tensorflow-cpu 2.21.0"))
      << finding.summary;
  ASSERT_EQ(finding.fixes.size(), 2u);
  EXPECT_TRUE(has_command(finding, kPython + " -m pip uninstall -y tensorflow tensorflow-cpu"));
  EXPECT_TRUE(has_command(finding, kPython + " -m pip install 'tensorflow[and-cuda]==2.21.0'"));
}

TEST(MultipleTensorflowPackages, FiresOnTwoInstallsTheProbeListed) {
  auto facts = healthy_facts();
  auto nightly = tf(facts);
  nightly.package = "tf-nightly";
  nightly.version = seen(ver("2.22.0.dev20260101"));
  venv(facts).tensorflow.push_back(nightly);
  const auto finding = run_one("multiple_tensorflow_packages", facts);
  EXPECT_TRUE(mentions(finding.summary, "tf-nightly")) << finding.summary;
}

TEST(MultipleTensorflowPackages, QuietOnOneDistributionAndOnTheCollaboratorPair) {
  EXPECT_TRUE(quiet("multiple_tensorflow_packages", healthy_facts()));
  // On Linux ARM64, `tensorflow` is an empty wheel depending on tensorflow-cpu-aws of the same
  // version.
  auto facts = healthy_facts();
  venv(facts).packages.push_back({"tensorflow-cpu-aws", "2.21.0", "x"});
  EXPECT_TRUE(quiet("multiple_tensorflow_packages", facts));
  venv(facts).packages.back().version = "2.20.0";
  EXPECT_FALSE(quiet("multiple_tensorflow_packages", facts));
}

// ---- python_version_unsupported -------------------------------------------------------------

TEST(PythonVersionUnsupported, FiresBelowTheRangeWithAVenvAndAnOlderReleaseAsFixes) {
  auto facts = healthy_facts();
  venv(facts).python_version = seen(ver("3.9.18"), "/home/ana/venv/pyvenv.cfg");
  const auto finding = run_one("python_version_unsupported", facts);
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_TRUE(mentions(finding.summary, "3.10–3.13")) << finding.summary;
  EXPECT_TRUE(mentions(finding.summary, "3.9.18")) << finding.summary;
  EXPECT_TRUE(has_command(finding, "python3.13 -m venv /home/ana/venv-py3.13"));
  EXPECT_TRUE(has_command(
      finding, "/home/ana/venv-py3.13/bin/python -m pip install 'tensorflow[and-cuda]==2.21.0'"));
  // 2.10 (Python 3.7–3.10) is the newest release in small_kb that takes 3.9.
  EXPECT_TRUE(has_command(finding, kPython + " -m pip install 'tensorflow==2.10.*'"));
  EXPECT_TRUE(cites(finding, "2.21"));
}

TEST(PythonVersionUnsupported, AboveEveryRangeOffersOnlyTheVenv) {
  auto facts = healthy_facts();
  venv(facts).python_version = seen(ver("3.14.0"));
  const auto finding = run_one("python_version_unsupported", facts);
  EXPECT_EQ(finding.fixes.size(), 1u);
}

TEST(PythonVersionUnsupported, QuietAtBothEndsOfTheRangeAndWhenUnknown) {
  for (const char* python : {"3.10.0", "3.13.9"}) {
    auto facts = healthy_facts();
    venv(facts).python_version = seen(ver(python));
    EXPECT_TRUE(quiet("python_version_unsupported", facts)) << python;
  }
  auto facts = healthy_facts();
  venv(facts).python_version = model::Observed<Version>::unknown("pyvenv.cfg", "unreadable");
  EXPECT_TRUE(quiet("python_version_unsupported", facts));
}

// ---- platform_without_gpu_support -----------------------------------------------------------

TEST(PlatformWithoutGpuSupport, FiresOnNativeWindowsAfter210WithBothRoutes) {
  auto facts = healthy_facts();
  facts.host.os_id = seen(std::string("windows"));
  const auto finding = run_one("platform_without_gpu_support", facts);
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_TRUE(mentions(finding.summary, "native Windows")) << finding.summary;
  EXPECT_TRUE(cites(finding, "windows_native_gpu_ends_2_10"));
  EXPECT_TRUE(has_command(finding, "wsl --install"));
  EXPECT_TRUE(any_fix_says(finding, "CUDA 11.2, cuDNN 8.1 and Python 3.7–3.10"));
}

TEST(PlatformWithoutGpuSupport, FiresOnMacosWithTheMetalRoute) {
  auto facts = healthy_facts();
  facts.host.os_id = seen(std::string("macos"));
  const auto finding = run_one("platform_without_gpu_support", facts);
  EXPECT_TRUE(cites(finding, "macos_no_cuda"));
  EXPECT_TRUE(has_command(finding, kPython + " -m pip install tensorflow tensorflow-metal"));
}

TEST(PlatformWithoutGpuSupport, QuietOnLinuxWsl2AndWindowsWith210) {
  EXPECT_TRUE(quiet("platform_without_gpu_support", healthy_facts()));
  auto wsl = healthy_facts();
  wsl.host.wsl2 = seen(true);
  EXPECT_TRUE(quiet("platform_without_gpu_support", wsl));
  auto windows = with_distribution("tensorflow", "2.10.1");
  windows.host.os_id = seen(std::string("windows"));
  EXPECT_TRUE(quiet("platform_without_gpu_support", windows));
}

// ---- tensorflow_line_unknown ----------------------------------------------------------------

TEST(TensorflowLineUnknown, InformsOnANightlyBeyondTheNewestRow) {
  auto facts = with_distribution("tf-nightly", "2.22.0.dev20260101");
  const auto finding = run_one("tensorflow_line_unknown", facts);
  EXPECT_EQ(finding.severity, Severity::kInfo);
  EXPECT_TRUE(finding.rests_on_unconfirmed);
  EXPECT_TRUE(mentions(finding.summary, "2.22.0")) << finding.summary;
  EXPECT_TRUE(mentions(finding.summary, "CUDA 12.5.1")) << finding.summary;
  EXPECT_TRUE(mentions(finding.summary, "newest: 2.21")) << finding.summary;
}

TEST(TensorflowLineUnknown, WarnsWhenOlderThanEveryRow) {
  auto facts = with_distribution("tensorflow", "1.15.5");
  const auto finding = run_one("tensorflow_line_unknown", facts);
  EXPECT_EQ(finding.severity, Severity::kWarning);
  EXPECT_TRUE(mentions(finding.summary, "oldest: 2.10")) << finding.summary;
}

TEST(TensorflowLineUnknown, QuietWhenTheKbHasTheLine) {
  EXPECT_TRUE(quiet("tensorflow_line_unknown", healthy_facts()));
  EXPECT_TRUE(quiet("tensorflow_line_unknown", with_distribution("tensorflow", "2.10.1")));
}

// ---- tfgpu_install_incomplete --------------------------------------------------------------

model::TfgpuInstallMark unfinished_mark() {
  model::TfgpuInstallMark mark;
  mark.source = "/home/ana/venv/.tfgpu-install.json";
  mark.tensorflow = "2.21.0";
  mark.started_at = "2026-11-26T18:00:00Z";
  mark.unfinished_step = "pip";
  mark.detail = "interrupted (SIGINT)";
  return mark;
}

TEST(TfgpuInstallIncomplete, FiresOnAnUnfinishedInstallAndSaysHowToResume) {
  auto facts = healthy_facts();
  venv(facts).tfgpu_install = unfinished_mark();
  const auto finding = testing::run_one("tfgpu_install_incomplete", facts);
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_EQ(finding.scope, "/home/ana/venv");
  EXPECT_EQ(finding.summary,
            "The tfgpu install of TensorFlow 2.21.0 into /home/ana/venv did not finish (its 'pip' "
            "step: interrupted (SIGINT)): the environment is incomplete.");
  EXPECT_TRUE(testing::has_command(finding, "tfgpu install --venv /home/ana/venv --tf 2.21"));
  EXPECT_TRUE(testing::evidence_shows(finding, "complete: false, started 2026-11-26T18:00:00Z"));
}

TEST(TfgpuInstallIncomplete, SpeaksOfAVenvWithoutTensorflowToo) {
  auto facts = healthy_facts();
  venv(facts).tensorflow.clear();  // pip never finished
  venv(facts).prefix = "/home/ana/it's a venv";
  venv(facts).tfgpu_install = unfinished_mark();
  const auto finding = testing::run_one("tfgpu_install_incomplete", facts);
  EXPECT_TRUE(
      testing::has_command(finding, "tfgpu install --venv '/home/ana/it'\\''s a venv' --tf 2.21"));
}

TEST(TfgpuInstallIncomplete, AnUnreadableRecordIsAWarning) {
  auto facts = healthy_facts();
  model::TfgpuInstallMark mark;
  mark.source = "/home/ana/venv/.tfgpu-install.json";
  mark.problem = "not JSON";
  venv(facts).tfgpu_install = mark;
  const auto finding = testing::run_one("tfgpu_install_incomplete", facts);
  EXPECT_EQ(finding.severity, Severity::kWarning);
  EXPECT_TRUE(testing::evidence_shows(finding, "not JSON"));
}

TEST(TfgpuInstallIncomplete, QuietWithoutARecordOrWhenComplete) {
  auto facts = healthy_facts();
  EXPECT_TRUE(quiet("tfgpu_install_incomplete", facts));
  model::TfgpuInstallMark done;
  done.complete = true;
  done.tensorflow = "2.21.0";
  venv(facts).tfgpu_install = done;
  EXPECT_TRUE(quiet("tfgpu_install_incomplete", facts));
}

}  // namespace
}  // namespace tfgpu::checks
