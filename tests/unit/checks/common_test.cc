// SPDX-License-Identifier: Apache-2.0
// The helpers every check group shares (common.h): how observed values read as evidence, the
// TensorFlow name in sentences, the per-distribution driver commands, and the path helpers.
#include "tfgpu/checks/common.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "check_test_helpers.h"

namespace tfgpu::checks {
namespace {

using model::Observed;
using testing::healthy_facts;
using testing::seen;
using testing::small_kb;
using testing::tf;
using testing::venv;
using testing::ver;

TEST(Shown, PresentValuesReadAsText) {
  EXPECT_EQ(shown(seen(std::string("nvidia"))), "nvidia");
  EXPECT_EQ(shown(seen(ver("2.15.0.post1"))), "2.15.0.post1");  // the suffix is kept
  EXPECT_EQ(shown(seen(ver("535.104.05"))), "535.104.05");
  EXPECT_EQ(shown(seen(true)), "yes");
  EXPECT_EQ(shown(seen(false)), "no");
  EXPECT_EQ(shown(seen(2)), "2");
  EXPECT_EQ(shown(seen(std::vector<std::string>{"sm_80", "compute_90"})), "sm_80 compute_90");
}

TEST(Shown, AbsentAndUnknownSaySo) {
  EXPECT_EQ(shown(Observed<bool>::absent("/sys/firmware/efi")), "absent");
  EXPECT_EQ(shown(Observed<Version>::unknown("/proc/driver/nvidia/version", "malformed")),
            "unknown (malformed)");
  EXPECT_EQ(shown(Observed<int>::unknown("cuDeviceGetCount", "")), "unknown");
}

TEST(Shown, AFormatterRendersTheValueItsOwnWay) {
  EXPECT_EQ(shown(seen(true), python_bool), "True");
  EXPECT_EQ(shown(seen(false), python_bool), "False");
  EXPECT_EQ(shown(Observed<bool>::absent("build_info.py"), python_bool), "absent");
}

TEST(TextOr, GivesTheFallbackUnlessPresent) {
  EXPECT_EQ(text_or(seen(ver("2.22.0.dev20260101")), "?"), "2.22.0.dev20260101");
  EXPECT_EQ(text_or(Observed<Version>::absent("METADATA"), "?"), "?");
  EXPECT_EQ(text_or(Observed<Version>::unknown("METADATA", "unreadable"), "(version unknown)"),
            "(version unknown)");
}

TEST(AddObserved, NamesTheSourceOrSaysItWasNotProbed) {
  model::Finding finding;
  add_observed(finding, "WSL2", seen(false, "/proc/version"));
  add_observed(finding, "container", Observed<std::string>{});
  ASSERT_EQ(finding.evidence.size(), 2U);
  EXPECT_EQ(finding.evidence[0].value, "no");
  EXPECT_EQ(finding.evidence[0].source, "/proc/version");
  EXPECT_EQ(finding.evidence[1].value, "unknown");
  EXPECT_EQ(finding.evidence[1].source, "not probed");
}

TEST(TensorflowName, SpellsTheVersionAsPipDoes) {
  auto facts = healthy_facts();
  tf(facts).version = seen(ver("2.15.0.post1"));
  const auto kb = small_kb();
  const auto gpus = gpu_views(facts, kb);
  const auto target = build_target(tf(facts), kb);
  EXPECT_EQ(tensorflow_name(EnvView{facts, kb, gpus, venv(facts), tf(facts), target}),
            "TensorFlow 2.15.0.post1");
  tf(facts).version = Observed<Version>::unknown("METADATA", "unreadable");
  EXPECT_EQ(tensorflow_name(EnvView{facts, kb, gpus, venv(facts), tf(facts), target}),
            "TensorFlow");
}

TEST(InWsl2, AnUnknownAnswerCountsAsNot) {
  auto facts = healthy_facts();
  EXPECT_FALSE(in_wsl2(facts));
  facts.host.wsl2 = seen(true);
  EXPECT_TRUE(in_wsl2(facts));
  facts.host.wsl2 = Observed<bool>::unknown("/proc/version", "unreadable");
  EXPECT_FALSE(in_wsl2(facts));
}

TEST(DriverInstall, EachDistributionHasItsCommands) {
  using Via = DriverInstall::Via;
  auto facts = healthy_facts();  // ubuntu 22.04
  auto install = driver_install(facts);
  EXPECT_EQ(install.via, Via::kUbuntuDrivers);
  EXPECT_EQ(install.commands, std::vector<std::string>{"sudo ubuntu-drivers install"});

  facts.host.os_id = seen(std::string("Debian"));  // os-release IDs are compared in lower case
  install = driver_install(facts);
  EXPECT_EQ(install.via, Via::kDebianNonFree);
  EXPECT_EQ(install.commands,
            (std::vector<std::string>{"sudo apt update",
                                      "sudo apt install nvidia-driver firmware-misc-nonfree"}));

  facts.host.os_id = seen(std::string("fedora"));
  install = driver_install(facts);
  EXPECT_EQ(install.via, Via::kRpmFusion);
  EXPECT_EQ(install.commands,
            std::vector<std::string>{"sudo dnf install akmod-nvidia xorg-x11-drv-nvidia-cuda"});

  facts.host.os_id = seen(std::string("almalinux"));
  facts.host.os_version_id = seen(std::string("8.10"));
  facts.host.arch = seen(std::string("aarch64"));
  install = driver_install(facts);
  EXPECT_EQ(install.via, Via::kNvidiaRhelRepo);
  EXPECT_EQ(install.rhel_major, "8");
  EXPECT_EQ(install.repo_arch, "sbsa");
  ASSERT_EQ(install.commands.size(), 2U);
  EXPECT_EQ(install.commands[0],
            "sudo dnf config-manager --add-repo "
            "https://developer.download.nvidia.com/compute/cuda/repos/rhel8/sbsa/cuda-rhel8.repo");
  EXPECT_EQ(install.commands[1], "sudo dnf install cuda-drivers");
}

TEST(DriverInstall, UnknownDistributionsAndVersionlessRhelAreAManualStep) {
  auto facts = healthy_facts();
  facts.host.os_id = seen(std::string("gentoo"));
  EXPECT_EQ(driver_install(facts).via, DriverInstall::Via::kManual);
  EXPECT_TRUE(driver_install(facts).commands.empty());
  facts.host.os_id = seen(std::string("rhel"));
  facts.host.os_version_id = Observed<std::string>::absent("/etc/os-release");
  EXPECT_EQ(driver_install(facts).via, DriverInstall::Via::kManual);
  facts.host.os_id = Observed<std::string>::absent("/etc/os-release");
  EXPECT_TRUE(driver_install(facts).commands.empty());
}

TEST(ParentDir, IsEmptyForAPathWithoutADirectory) {
  EXPECT_EQ(parent_dir("/usr/lib/x86_64-linux-gnu/libcuda.so.1"), "/usr/lib/x86_64-linux-gnu");
  EXPECT_EQ(parent_dir("/libcuda.so.1"), "/");
  EXPECT_EQ(parent_dir("libcuda.so.1"), "");
}

TEST(StripTrailingSlash, KeepsTheRoot) {
  EXPECT_EQ(strip_trailing_slash("/usr/local/cuda//"), "/usr/local/cuda");
  EXPECT_EQ(strip_trailing_slash("/"), "/");
  EXPECT_EQ(strip_trailing_slash("stubs"), "stubs");
}

TEST(WinnerOf, TheFirstCandidateThatExistsAndWasNotRejected) {
  model::LibraryResolution library;
  EXPECT_EQ(winner_of(library), nullptr);
  library.candidates = {
      {"/opt/a/libcudnn.so.9", model::SearchStep::kLdLibraryPath, "/opt/a", false, "not found"},
      {"/opt/b/libcudnn.so.9", model::SearchStep::kLdLibraryPath, "/opt/b", true,
       "wrong ELF class"},
      {"/opt/c/libcudnn.so.9", model::SearchStep::kRunpath, "/opt/c", true, ""},
      {"/opt/d/libcudnn.so.9", model::SearchStep::kLdCache, "/opt/d", true, ""}};
  ASSERT_NE(winner_of(library), nullptr);
  EXPECT_EQ(winner_of(library)->search_dir, "/opt/c");
}

}  // namespace
}  // namespace tfgpu::checks
