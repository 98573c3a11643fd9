// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/ld_trace.h"

#include <string>

#include <gtest/gtest.h>

namespace tfgpu::probe {
namespace {

// Shaped on glibc 2.36's output for a stand-in needing TF 2.21's CUDA 12 wheels on this machine.
constexpr const char* kTrace =
    "\tlinux-vdso.so.1 (0x00007ffd6b5f4000)\n"
    "\tlibcudnn.so.9 => "
    "/venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn.so.9 (0x00007f3c1a000000)\n"
    "\tlibcusolver.so.11 => /venv/lib/python3.11/site-packages/nvidia/cusolver/lib/"
    "libcusolver.so.11 (0x00007f3c0e000000)\n"
    "\tlibtfgpu-missing.so.1 => not found\n"
    "\t/abs/path/libfake.so (0x00007f3c0d000000)\n"
    "\tlibc.so.6 => /lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libc.so.6 (0x00007f3c0ce00000)\n"
    "\tlibnvJitLink.so.12 => not found\n"
    "\t/lib64/ld-linux-x86-64.so.2 (0x00007f3c1b5f6000)\n";

TEST(LdTraceTest, ParsesFoundNotFoundPathAndLoaderLines) {
  const LdTrace trace = parse_ld_trace(kTrace);
  ASSERT_EQ(trace.entries.size(), 8u);
  EXPECT_TRUE(trace.messages.empty());
  EXPECT_FALSE(trace.statically_linked);

  EXPECT_EQ(trace.entries[0].name, "linux-vdso.so.1");
  EXPECT_EQ(trace.entries[0].path.value_or(""), "linux-vdso.so.1");
  EXPECT_EQ(trace.entries[0].address.value_or(0), 0x00007ffd6b5f4000u);

  const LdTraceEntry* cudnn = trace.find("libcudnn.so.9");
  ASSERT_NE(cudnn, nullptr);
  EXPECT_EQ(cudnn->path.value_or(""),
            "/venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn.so.9");
  EXPECT_EQ(cudnn->address.value_or(0), 0x00007f3c1a000000u);

  const LdTraceEntry* missing = trace.find("libnvJitLink.so.12");
  ASSERT_NE(missing, nullptr);
  EXPECT_FALSE(missing->path.has_value());
  EXPECT_FALSE(missing->address.has_value());

  const LdTraceEntry* by_path = trace.find("/abs/path/libfake.so");
  ASSERT_NE(by_path, nullptr);
  EXPECT_EQ(by_path->path.value_or(""), "/abs/path/libfake.so");

  // glibc-hwcaps subdirectories (which the emulation does not model) come through as they are.
  EXPECT_EQ(trace.find("libc.so.6")->path.value_or(""),
            "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libc.so.6");
  EXPECT_EQ(trace.find("/lib64/ld-linux-x86-64.so.2")->path.value_or(""),
            "/lib64/ld-linux-x86-64.so.2");
  EXPECT_EQ(trace.find("libcuda.so.1"), nullptr);
}

TEST(LdTraceTest, FirstEntryForANameWins) {
  const LdTrace trace = parse_ld_trace(
      "\tlibx.so.1 => /a/libx.so.1 (0x1000)\n"
      "\tlibx.so.1 => /b/libx.so.1 (0x2000)\n");
  ASSERT_EQ(trace.entries.size(), 2u);
  EXPECT_EQ(trace.find("libx.so.1")->path.value_or(""), "/a/libx.so.1");
}

TEST(LdTraceTest, PathsWithSpacesAndParentheses) {
  const LdTrace trace =
      parse_ld_trace("\tlibx.so.1 => /home/a b/lib (x86)/libx.so.1 (0x00007f0000001000)\r\n");
  ASSERT_EQ(trace.entries.size(), 1u);
  EXPECT_EQ(trace.entries[0].path.value_or(""), "/home/a b/lib (x86)/libx.so.1");
  EXPECT_EQ(trace.entries[0].address.value_or(0), 0x00007f0000001000u);
}

TEST(LdTraceTest, StaticallyLinkedAndErrorMessages) {
  const LdTrace statically = parse_ld_trace("\tstatically linked\n");
  EXPECT_TRUE(statically.statically_linked);
  EXPECT_TRUE(statically.entries.empty());

  // A candidate that is not a loadable ELF file stops ld.so before it prints anything.
  const LdTrace fatal = parse_ld_trace(
      "/tmp/x/stand-in-1.so: error while loading shared libraries: /opt/d1/libx.so.1: invalid "
      "ELF header\n");
  EXPECT_TRUE(fatal.entries.empty());
  ASSERT_EQ(fatal.messages.size(), 1u);
  EXPECT_NE(fatal.messages[0].find("/opt/d1/libx.so.1: invalid ELF header"), std::string::npos);

  // Version complaints arrive on stderr, interleaved with the trace.
  const LdTrace mixed = parse_ld_trace(
      "\tlibx.so.1 => /a/libx.so.1 (0x1000)\n"
      "/tmp/s.so: /a/libx.so.1: version `GLIBC_2.99' not found (required by /a/libx.so.1)\n");
  ASSERT_EQ(mixed.entries.size(), 1u);
  ASSERT_EQ(mixed.messages.size(), 1u);
}

TEST(LdTraceTest, GarbageBecomesMessagesNeverEntries) {
  const char* lines[] = {
      "\t",                                 // empty object line
      "\t => /a (0x1000)",                  // no name
      "\tlibx.so.1 => (0x1000)",            // no path
      "\tlibx.so.1 => /a/libx.so.1",        // found but no address
      "\tlibx.so.1 => not found (0x1000)",  // not found with an address
      "\tlibx.so.1",                        // a name alone
      "\tlibx.so.1 (0xzz)",                 // bad hex
      "\tlibx.so.1 (0x11112222333344445)",  // 17 hex digits
      "\t\tlibc.so.6 (GLIBC_2.2.5) => /lib/x86_64-linux-gnu/libc.so.6",  // LD_VERBOSE
      "\tlibx.so.1 (0x)",
      "\tlibx.so.1 ()",
  };
  for (const char* line : lines) {
    const LdTrace trace = parse_ld_trace(line);
    EXPECT_TRUE(trace.entries.empty()) << line;
  }
  std::string binary("\0\x01\xff\tlib\0x.so => /\0 (0x1)\n", 25);
  const LdTrace hostile = parse_ld_trace(binary);
  for (const std::string& message : hostile.messages) {
    for (char c : message) {
      EXPECT_TRUE(c >= 0x20 && c < 0x7f) << message;
    }
  }
  EXPECT_TRUE(parse_ld_trace("").entries.empty());
  EXPECT_TRUE(parse_ld_trace("").messages.empty());
}

TEST(LdTraceTest, MessagesAreBounded) {
  std::string many;
  for (int i = 0; i < 1000; ++i) {
    many += std::string(5000, 'x') + "\n";
  }
  const LdTrace trace = parse_ld_trace(many);
  EXPECT_LE(trace.messages.size(), 64u);
  for (const std::string& message : trace.messages) {
    EXPECT_LE(message.size(), 410u);
  }
}

}  // namespace
}  // namespace tfgpu::probe
