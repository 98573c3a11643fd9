// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/nvidia_version.h"

#include <gtest/gtest.h>

namespace tfgpu::probe {
namespace {

TEST(NvidiaVersionTest, ProprietaryModule) {
  // tensorflow-internals.md §6.4; the line is followed by the GCC line on real machines.
  auto parsed = parse_nvidia_version(
      "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024\n"
      "GCC version:  gcc version 12.3.0 (Ubuntu 12.3.0-1ubuntu1~22.04)\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->version.text(), "550.54.14");
  EXPECT_EQ(parsed->flavor, "proprietary");
  EXPECT_EQ(parsed->line,
            "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC "
            "2024");
}

TEST(NvidiaVersionTest, OpenModuleOnBothArchitectures) {
  for (const char* arch : {"x86_64", "aarch64"}) {
    auto parsed = parse_nvidia_version(
        std::string("NVRM version: NVIDIA UNIX Open Kernel Module for ") + arch +
        "  575.57.08  Release Build  (dvs-builder@U16-I3-B03-4-3)  Tue May 20 2025\n");
    ASSERT_TRUE(parsed) << arch << ": " << parsed.error().message;
    EXPECT_EQ(parsed->version.text(), "575.57.08") << arch;
    EXPECT_EQ(parsed->flavor, "open") << arch;
  }
}

TEST(NvidiaVersionTest, SingleSpacesAndCrlfStillParse) {
  // The rule must not depend on the two-space prelude older XLA code searched for.
  auto parsed = parse_nvidia_version(
      "NVRM version: NVIDIA UNIX x86_64 Kernel Module for vGPU 535.104.06 Wed Sep 6 2023\r\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->version.text(), "535.104.06");
  EXPECT_EQ(parsed->flavor, "proprietary");
}

TEST(NvidiaVersionTest, BareNumbersAreNotVersions) {
  auto parsed = parse_nvidia_version("NVRM version: NVIDIA UNIX Kernel Module  2024  01:44:30\n");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, Errc::kMalformed);
}

TEST(NvidiaVersionTest, MalformedInputFails) {
  for (const char* text :
       {"", "\n\n", "GCC version: gcc 12\n",
        "NVRM version:", "NVRM version: NVIDIA UNIX x86_64 Kernel",
        "NVRM version: NVIDIA UNIX x86_64 Kernel Module", "NVRM version: Module x86_64 abc"}) {
    auto parsed = parse_nvidia_version(text);
    EXPECT_FALSE(parsed) << text;
    if (!parsed) {
      EXPECT_EQ(parsed.error().code, Errc::kMalformed) << text;
    }
  }
}

TEST(NvidiaVersionTest, HostileBytesAreEchoedPrintably) {
  auto parsed = parse_nvidia_version(std::string("NVRM version: \x01\xff Module \x7f", 25));
  ASSERT_FALSE(parsed);
  for (char c : parsed.error().message) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << static_cast<int>(c);
  }
}

}  // namespace
}  // namespace tfgpu::probe
