// SPDX-License-Identifier: Apache-2.0
// The exact commands of plan steps: quoting of paths, the distribution's repository, the cuDNN
// archive placement, and the wiring of the nvidia-* wheels.
#include "tfgpu/plan/steps.h"

#include <gtest/gtest.h>

#include "check_fixtures.h"
#include "tfgpu/kb/load.h"

namespace tfgpu::plan {
namespace {

using testing::ver;

const kb::KnowledgeBase& shipped_kb() {
  static const kb::KnowledgeBase kb = kb::compiled_kb();
  return kb;
}

const kb::TensorflowRelease& release(const char* line) {
  return *shipped_kb().release_for(ver(line));
}

TEST(PathWord, KeepsTildeExpandingAndQuotesTheRest) {
  EXPECT_EQ(path_word("~/tf-venv"), "~/tf-venv");
  EXPECT_EQ(path_word("~/my venv"), "~/'my venv'");
  EXPECT_EQ(path_word("/opt/it's"), "'/opt/it'\\''s'");
  EXPECT_EQ(path_word("~"), "~");
  EXPECT_EQ(path_word("~/tf-venv/", "bin/python"), "~/tf-venv/bin/python");
  EXPECT_EQ(venv_python("/srv/a b"), "'/srv/a b/bin/python'");
  EXPECT_EQ(venv_site_packages("~/v", ver("3.12")), "~/v/lib/python3.12/site-packages");
}

TEST(VenvStep, UsesTheChosenPythonAndQuotesTheFolder) {
  const auto& r = release("2.21");
  const auto step = venv_step("~/tf venv", ver("3.12"), r, r.python);
  ASSERT_EQ(step.commands.size(), 1U);
  EXPECT_EQ(step.commands.front(), "python3.12 -m venv ~/'tf venv'");
  EXPECT_FALSE(step.needs_root);
  // An interpreter named with --python makes it, quoted like the folder.
  const auto own = venv_step("/srv/v", ver("3.12"), r, r.python, "/opt/py 3.12/bin/python3");
  EXPECT_EQ(own.commands.front(), "'/opt/py 3.12/bin/python3' -m venv /srv/v");
}

TEST(CudaToolkitStep, NvidiasRepositoryPerDistribution) {
  const auto& r = release("2.13");
  const auto ubuntu = cuda_toolkit_step(r, "ubuntu-22.04", "x86_64", shipped_kb());
  EXPECT_EQ(ubuntu.commands.front(),
            "wget https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64/"
            "cuda-keyring_1.1-1_all.deb");
  EXPECT_EQ(ubuntu.commands.back(), "sudo apt-get install cuda-toolkit-11-8");
  EXPECT_TRUE(ubuntu.needs_root);
  EXPECT_TRUE(ubuntu.shown_only);
  const auto rhel = cuda_toolkit_step(r, "rhel-9", "aarch64", shipped_kb());
  EXPECT_EQ(rhel.commands.front(),
            "sudo dnf config-manager --add-repo https://developer.download.nvidia.com/compute/"
            "cuda/repos/rhel9/sbsa/cuda-rhel9.repo");
  const auto wsl = cuda_toolkit_step(r, "wsl2", "x86_64", shipped_kb());
  EXPECT_NE(wsl.commands.front().find("/repos/wsl-ubuntu/x86_64/"), std::string::npos);
  // No derivable repository: a manual step pointing at the archive.
  const auto fedora = cuda_toolkit_step(r, "fedora", "x86_64", shipped_kb());
  EXPECT_TRUE(fedora.commands.empty());
  EXPECT_NE(fedora.why.find("cuda-toolkit-archive"), std::string::npos);
}

TEST(CudnnStep, HeadersIntoIncludeLibrariesWithSymlinksIntoLib64ThenLdconfig) {
  const auto step = cudnn_step(release("2.13"), shipped_kb());
  const std::vector<std::string> expected{
      "sudo cp cudnn-*-archive/include/cudnn*.h /usr/local/cuda-11.8/include/",
      "sudo cp -P cudnn-*-archive/lib/libcudnn* /usr/local/cuda-11.8/lib64/",
      "sudo chmod a+r /usr/local/cuda-11.8/include/cudnn*.h /usr/local/cuda-11.8/lib64/libcudnn*",
      "echo /usr/local/cuda-11.8/lib64 | sudo tee /etc/ld.so.conf.d/cuda-11-8.conf",
      "sudo ldconfig"};
  EXPECT_EQ(step.commands, expected);
  EXPECT_TRUE(step.needs_root);
  EXPECT_NE(step.why.find("cuDNN 8.6"), std::string::npos);
  EXPECT_NE(step.why.find("major 8 and a minor >= 6"), std::string::npos);
}

TEST(LinkLibrariesStep, LinksTheWheelsTheRunpathMissesIntoOneItNames) {
  const auto& kb = shipped_kb();
  const auto* route = kb.and_cuda_route_for(ver("2.21"));
  ASSERT_NE(route, nullptr);
  const auto step =
      link_libraries_step("~/v", ver("3.12"), *route, kb.and_cuda_for(ver("2.21")), kb);
  ASSERT_EQ(step.commands.size(), 1U);
  const std::string& command = step.commands.front();
  EXPECT_EQ(command.rfind("(cd ~/v/lib/python3.12/site-packages/nvidia/cuda_runtime/lib && ", 0),
            0U)
      << command;
  // cusolver is not on 2.21's framework RUNPATH; cublas is.
  EXPECT_NE(command.find("../../cusolver/lib/*.so*"), std::string::npos) << command;
  EXPECT_EQ(command.find("../../cublas/lib"), std::string::npos) << command;
  EXPECT_NE(step.why.find("not cuda_nvcc, cuda_nvrtc, curand, cusolver, nvjitlink"),
            std::string::npos)
      << step.why;
  EXPECT_FALSE(step.needs_root);
}

TEST(LinkPtxasStep, PutsTheWheelsPtxasInTheVenvsBin) {
  const auto& kb = shipped_kb();
  const auto step = link_ptxas_step("~/v", ver("3.11"), *kb.and_cuda_route_for(ver("2.16")), kb);
  EXPECT_EQ(step.commands.front(),
            "ln -sf ~/v/lib/python3.11/site-packages/nvidia/cuda_nvcc/bin/ptxas ~/v/bin/ptxas");
}

TEST(DriverStep, WslAndWindowsAreManualAndLinuxUsesTheDistribution) {
  const auto& kb = shipped_kb();
  DriverStepInput input;
  input.minimum = ver("525.60.13");
  input.os = "debian-12";
  auto debian = driver_step(input, kb);
  EXPECT_EQ(debian.commands,
            (std::vector<std::string>{"sudo apt update",
                                      "sudo apt install nvidia-driver firmware-misc-nonfree"}));
  EXPECT_TRUE(debian.needs_root);
  EXPECT_TRUE(debian.reboot);
  EXPECT_NE(debian.title.find("Make sure"), std::string::npos) << debian.title;
  input.current = ver("470.82.01");
  EXPECT_NE(driver_step(input, kb).title.find("now 470.82.01"), std::string::npos);
  input.platform = Platform::kWsl2;
  auto wsl = driver_step(input, kb);
  EXPECT_TRUE(wsl.commands.empty());
  EXPECT_FALSE(wsl.reboot);
  EXPECT_NE(wsl.why.find("install no Linux NVIDIA driver inside WSL2"), std::string::npos);
  input.platform = Platform::kLinux;
  input.os = "linux";
  auto other = driver_step(input, kb);
  EXPECT_TRUE(other.commands.empty());
  EXPECT_NE(other.why.find("https://www.nvidia.com/en-us/drivers/"), std::string::npos);
}

TEST(PipStep, DoubleQuotesEachRequirement) {
  const auto step = pip_step(
      "~/v", {"tensorflow[and-cuda]==2.21.0", "nvidia-cudnn-cu12>=9.3.0.75,<9.11"}, "why", {});
  EXPECT_EQ(step.commands.front(),
            "~/v/bin/python -m pip install \"tensorflow[and-cuda]==2.21.0\" "
            "\"nvidia-cudnn-cu12>=9.3.0.75,<9.11\"");
}

}  // namespace
}  // namespace tfgpu::plan
