// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "probe_tree.h"
#include "temp_tree.h"
#include "tfgpu/probe/probe.h"

namespace tfgpu::probe {
namespace {

TEST(HostProbeTest, ReadsOsKernelAndWsl) {
  TempTree tree;
  tree.write("/etc/os-release",
             "ID=ubuntu\nVERSION_ID=\"22.04\"\nPRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n");
  tree.write("/proc/sys/kernel/osrelease", "5.15.153.1-microsoft-standard-WSL2\n");
  tree.write("/proc/version", "Linux version 5.15.153.1-microsoft-standard-WSL2 (root@x)\n");
  tree.write("/usr/lib/wsl/lib/libcuda.so.1", "");
  auto facts = probe_tree(tree);
  EXPECT_EQ(facts.host.os_id.value_or(""), "ubuntu");
  EXPECT_EQ(facts.host.os_version_id.value_or(""), "22.04");
  EXPECT_EQ(facts.host.kernel_release.value_or(""), "5.15.153.1-microsoft-standard-WSL2");
  EXPECT_TRUE(facts.host.wsl2.value_or(false));
  EXPECT_TRUE(facts.host.wsl_lib_dir.is_present());
  EXPECT_EQ(facts.host.wsl_driver_libraries, std::vector<std::string>{"libcuda.so.1"});
  EXPECT_FALSE(facts.live);
}

TEST(HostProbeTest, PlainLinuxIsNotWslAndMissingFilesAreAbsent) {
  TempTree tree;
  tree.write("/proc/version", "Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org)\n");
  auto facts = probe_tree(tree);
  EXPECT_FALSE(facts.host.wsl2.value_or(true));
  EXPECT_EQ(facts.host.os_id.presence, model::Presence::kAbsent);
  EXPECT_EQ(facts.host.wsl_lib_dir.presence, model::Presence::kAbsent);
  EXPECT_EQ(facts.host.container.presence, model::Presence::kAbsent);
}

TEST(HostProbeTest, DetectsContainers) {
  TempTree docker;
  docker.write("/.dockerenv", "");
  EXPECT_EQ(probe_tree(docker).host.container.value_or(""), "docker");
  TempTree podman;
  podman.write("/run/.containerenv", "");
  EXPECT_EQ(probe_tree(podman).host.container.value_or(""), "podman");
  TempTree k8s;
  EXPECT_EQ(probe_tree(k8s, {{"KUBERNETES_SERVICE_HOST", "10.0.0.1"}}).host.container.value_or(""),
            "kubernetes");
}

TEST(HostProbeTest, ReadsArchAndGlibcFromLibc) {
  TempTree tree;
  std::string elf(64, '\0');
  elf.replace(0, 4,
              "\x7f"
              "ELF");
  elf[4] = 2;    // ELFCLASS64
  elf[5] = 1;    // little-endian
  elf[18] = 62;  // EM_X86_64
  elf += "GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36.\n";
  tree.write("/lib/x86_64-linux-gnu/libc.so.6", elf);
  auto facts = probe_tree(tree);
  EXPECT_EQ(facts.host.arch.value_or(""), "x86_64");
  ASSERT_TRUE(facts.host.glibc_version.is_present());
  EXPECT_EQ(facts.host.glibc_version.value->text(), "2.36");
}

TEST(HostProbeTest, TruncatedLibcIsUnknownNotACrash) {
  TempTree tree;
  tree.write("/lib/x86_64-linux-gnu/libc.so.6",
             "\x7f"
             "EL");
  auto facts = probe_tree(tree);
  EXPECT_EQ(facts.host.arch.presence, model::Presence::kUnknown);
  EXPECT_EQ(facts.host.glibc_version.presence, model::Presence::kUnknown);
}

}  // namespace
}  // namespace tfgpu::probe
