// SPDX-License-Identifier: Apache-2.0
#include <unistd.h>

#include <gtest/gtest.h>

#include "temp_tree.h"
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {
namespace {

using model::Presence;

constexpr const char* kSecureBootVar =
    "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";

model::Facts run_driver(const std::string& root_dir, bool wsl2 = false) {
  SysRoot root(root_dir);
  Environment environment;
  ProbeOptions options;
  ProbeContext context{root, environment, options};
  model::Facts facts;
  facts.host.wsl2 = model::Observed<bool>::present(wsl2, "test");
  probe_kernel_driver(context, facts);
  return facts;
}

const model::DevNode* node(const model::Facts& facts, const std::string& path) {
  for (const auto& n : facts.kernel_driver.dev_nodes) {
    if (n.path == path) {
      return &n;
    }
  }
  return nullptr;
}

TEST(KernelDriverProbeTest, HealthyProprietaryDriver) {
  TempTree tree;
  tree.write("/proc/driver/nvidia/version",
             "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC "
             "2023\nGCC version:  gcc version 11.4.0 (Ubuntu 11.4.0-1ubuntu1~22.04)\n");
  tree.write("/proc/modules",
             "nvidia_uvm 1515520 0 - Live 0x0000000000000000 (POE)\n"
             "nvidia_drm 77824 0 - Live 0x0000000000000000 (POE)\n"
             "nvidia 56823808 2 nvidia_uvm,nvidia_modeset, Live 0x0000000000000000 (POE)\n");
  tree.write(kSecureBootVar, std::string("\x06\x00\x00\x00\x00", 5));
  for (const char* dev : {"/dev/nvidia0", "/dev/nvidia1", "/dev/nvidia10", "/dev/nvidia2",
                          "/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-caps/nvidia-cap1"}) {
    tree.write(dev, "");
  }
  const auto facts = run_driver(tree.root());
  const auto& driver = facts.kernel_driver;
  EXPECT_EQ(driver.module_version.value_or(Version()).text(), "535.104.05");
  EXPECT_EQ(driver.module_flavor.value_or(""), "proprietary");
  EXPECT_EQ(driver.version_line.value_or("").substr(0, 14), "NVRM version: ");
  EXPECT_TRUE(driver.nvidia_module_loaded.value_or(false));
  EXPECT_FALSE(driver.nouveau_loaded.value_or(true));
  EXPECT_EQ(driver.secure_boot.presence, Presence::kPresent);
  EXPECT_FALSE(driver.secure_boot.value_or(true));

  std::vector<std::string> paths;
  for (const auto& n : driver.dev_nodes) {
    paths.push_back(n.path);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"/dev/nvidia0", "/dev/nvidia1", "/dev/nvidia2",
                                             "/dev/nvidia10", "/dev/nvidiactl", "/dev/nvidia-uvm",
                                             "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset"}));
  EXPECT_TRUE(node(facts, "/dev/nvidia0")->exists);
  EXPECT_EQ(node(facts, "/dev/nvidia0")->accessible.presence, Presence::kUnknown);
  EXPECT_EQ(node(facts, "/dev/nvidia0")->accessible.why_unknown, "not a live machine");
  EXPECT_FALSE(node(facts, "/dev/nvidia-uvm-tools")->exists);
  EXPECT_EQ(node(facts, "/dev/nvidia-uvm-tools")->accessible.presence, Presence::kAbsent);
  EXPECT_EQ(node(facts, "/dev/dxg"), nullptr);
  EXPECT_TRUE(facts.problems.empty());
}

TEST(KernelDriverProbeTest, OpenModuleAndSecureBootEnabled) {
  TempTree tree;
  tree.write("/proc/driver/nvidia/version",
             "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  575.57.08  Release Build  "
             "(dvs-builder@U16-I3-B03-4-3)  Tue May 20 2025\n");
  tree.write(kSecureBootVar, std::string("\x06\x00\x00\x00\x01", 5));
  const auto facts = run_driver(tree.root());
  EXPECT_EQ(facts.kernel_driver.module_version.value_or(Version()).text(), "575.57.08");
  EXPECT_EQ(facts.kernel_driver.module_flavor.value_or(""), "open");
  EXPECT_TRUE(facts.kernel_driver.secure_boot.value_or(false));
}

TEST(KernelDriverProbeTest, NouveauAndNoNvidiaModule) {
  TempTree tree;
  tree.write("/proc/modules",
             "nouveau 2433024 3 - Live 0x0000000000000000\n"
             "nvidiafb 1 0 - Live 0x0\n"  // a prefix of "nvidia" is not nvidia
             "mxm_wmi 16384 1 nouveau, Live 0x0000000000000000\n");
  tree.mkdir("/dev");
  const auto facts = run_driver(tree.root());
  const auto& driver = facts.kernel_driver;
  EXPECT_EQ(driver.module_version.presence, Presence::kAbsent);
  EXPECT_EQ(driver.module_flavor.presence, Presence::kAbsent);
  EXPECT_EQ(driver.version_line.presence, Presence::kAbsent);
  EXPECT_FALSE(driver.nvidia_module_loaded.value_or(true));
  EXPECT_TRUE(driver.nouveau_loaded.value_or(false));
  EXPECT_EQ(driver.secure_boot.presence, Presence::kAbsent);  // no /sys/firmware/efi: BIOS
  ASSERT_NE(node(facts, "/dev/nvidia0"), nullptr);            // reported missing
  EXPECT_FALSE(node(facts, "/dev/nvidia0")->exists);
}

TEST(KernelDriverProbeTest, SysModuleIsTheFallbackForProcModules) {
  TempTree loaded;
  loaded.mkdir("/sys/module/nvidia");
  auto facts = run_driver(loaded.root());
  EXPECT_TRUE(facts.kernel_driver.nvidia_module_loaded.value_or(false));
  EXPECT_EQ(facts.kernel_driver.nvidia_module_loaded.source, "/sys/module/nvidia");
  EXPECT_FALSE(facts.kernel_driver.nouveau_loaded.value_or(true));

  TempTree nothing;  // neither /proc/modules nor /sys/module: cannot tell
  facts = run_driver(nothing.root());
  EXPECT_EQ(facts.kernel_driver.nvidia_module_loaded.presence, Presence::kUnknown);
  EXPECT_EQ(facts.kernel_driver.nouveau_loaded.presence, Presence::kUnknown);
}

TEST(KernelDriverProbeTest, MalformedVersionFileIsUnknownWithTheLineKept) {
  TempTree tree;
  tree.write("/proc/driver/nvidia/version", "NVRM version: something new\n");
  const auto facts = run_driver(tree.root());
  EXPECT_EQ(facts.kernel_driver.module_version.presence, Presence::kUnknown);
  EXPECT_NE(facts.kernel_driver.module_version.why_unknown.find("Module"), std::string::npos);
  EXPECT_EQ(facts.kernel_driver.version_line.value_or(""), "NVRM version: something new");
}

TEST(KernelDriverProbeTest, UnreadableVersionFileIsUnknown) {
  TempTree tree;
  tree.mkdir("/proc/driver/nvidia/version");  // a directory where a file should be
  const auto facts = run_driver(tree.root());
  EXPECT_EQ(facts.kernel_driver.module_version.presence, Presence::kUnknown);
  EXPECT_EQ(facts.kernel_driver.version_line.presence, Presence::kUnknown);
}

TEST(KernelDriverProbeTest, SecureBootEdgeCases) {
  TempTree truncated;
  truncated.write(kSecureBootVar, std::string("\x06\x00\x00", 3));
  EXPECT_EQ(run_driver(truncated.root()).kernel_driver.secure_boot.presence, Presence::kUnknown);

  TempTree odd_value;
  odd_value.write(kSecureBootVar, std::string("\x06\x00\x00\x00\x07", 5));
  EXPECT_EQ(run_driver(odd_value.root()).kernel_driver.secure_boot.presence, Presence::kUnknown);

  TempTree unmounted;  // EFI boot but efivarfs not mounted
  unmounted.mkdir("/sys/firmware/efi/efivars");
  EXPECT_EQ(run_driver(unmounted.root()).kernel_driver.secure_boot.presence, Presence::kUnknown);

  TempTree no_variable;  // EFI firmware without Secure Boot support
  no_variable.write("/sys/firmware/efi/efivars/BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c",
                    std::string("\x07\x00\x00\x00\x01\x00", 6));
  const auto facts = run_driver(no_variable.root());
  EXPECT_EQ(facts.kernel_driver.secure_boot.presence, Presence::kPresent);
  EXPECT_FALSE(facts.kernel_driver.secure_boot.value_or(true));
}

TEST(KernelDriverProbeTest, Wsl2RecordsDxg) {
  TempTree tree;
  tree.write("/dev/dxg", "");
  const auto facts = run_driver(tree.root(), true);
  ASSERT_NE(node(facts, "/dev/dxg"), nullptr);
  EXPECT_TRUE(node(facts, "/dev/dxg")->exists);
  EXPECT_FALSE(node(facts, "/dev/nvidia0")->exists);
  EXPECT_EQ(facts.kernel_driver.module_version.presence, Presence::kAbsent);

  TempTree wsl_without_dxg;
  const auto no_dxg = run_driver(wsl_without_dxg.root(), true);
  ASSERT_NE(node(no_dxg, "/dev/dxg"), nullptr);
  EXPECT_FALSE(node(no_dxg, "/dev/dxg")->exists);
}

TEST(KernelDriverProbeTest, LiveMachineChecksAccess) {
  // This machine has no NVIDIA driver; /dev/null stands in to show access is asked live.
  SysRoot root("/");
  EXPECT_EQ(root.can_read_write("/dev/null"), std::optional<bool>(true));
  const auto facts = run_driver("/");
  for (const auto& n : facts.kernel_driver.dev_nodes) {
    if (n.exists) {
      EXPECT_EQ(n.accessible.presence, Presence::kPresent) << n.path;
    } else {
      EXPECT_EQ(n.accessible.presence, Presence::kAbsent) << n.path;
    }
  }
}

}  // namespace
}  // namespace tfgpu::probe
