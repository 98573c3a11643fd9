// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/ld_cache.h"

#include <elf.h>

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "ld_cache_builder.h"
#include "tfgpu/probe/sysroot.h"

namespace tfgpu::probe {
namespace {

TEST(LdCache, ParsesNewFormat) {
  auto entries =
      parse_ld_cache(LdCacheBuilder::build({{0x303, "libcudart.so.12", "/opt/a/libcudart.so.12"},
                                            {0x003, "libc.so.6", "/lib32/libc.so.6"}}));
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 2U);
  EXPECT_EQ((*entries)[0].soname, "libcudart.so.12");
  EXPECT_EQ((*entries)[0].path, "/opt/a/libcudart.so.12");
  EXPECT_EQ((*entries)[1].flags, 0x003);
}

TEST(LdCache, ParsesOldFormatFollowedByNew) {
  auto entries = parse_ld_cache(LdCacheBuilder::build(
      {{0x303, "libz.so.1", "/lib/libz.so.1", 1ULL << 62}, {0x303, "liby.so.1", "/lib/y"}}, true));
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 2U);
  EXPECT_EQ((*entries)[0].path, "/lib/libz.so.1");
  EXPECT_TRUE(ld_cache_is_hwcaps_entry((*entries)[0]));  // only the new table has hwcap
  EXPECT_FALSE(ld_cache_is_hwcaps_entry((*entries)[1]));
}

TEST(LdCache, ParsesBigEndian) {
  auto entries = parse_ld_cache(
      LdCacheBuilder::build({{0x503, "libq.so.1", "/lib64/libq.so.1"}}, false, true));
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 1U);
  EXPECT_EQ((*entries)[0].flags, 0x503);
  EXPECT_EQ((*entries)[0].path, "/lib64/libq.so.1");
}

TEST(LdCache, FlagsMatchArchitecture) {
  EXPECT_TRUE(ld_cache_flags_match(0x303, ElfClass::k64, EM_X86_64));
  EXPECT_FALSE(ld_cache_flags_match(0x003, ElfClass::k64, EM_X86_64));
  EXPECT_FALSE(ld_cache_flags_match(0xa03, ElfClass::k64, EM_X86_64));
  EXPECT_TRUE(ld_cache_flags_match(0x003, ElfClass::k32, EM_386));
  EXPECT_TRUE(ld_cache_flags_match(0xa03, ElfClass::k64, EM_AARCH64));
  EXPECT_EQ(ld_cache_flags_name(0x303), "libc6,x86-64");
  EXPECT_EQ(ld_cache_flags_name(0x003), "libc6");
  EXPECT_EQ(ld_cache_flags_name(0x1203), "libc6,flags=0x1200");
}

TEST(LdCache, RejectsBadInput) {
  auto expect_malformed = [](const std::string& bytes, const std::string& words) {
    auto entries = parse_ld_cache(bytes);
    ASSERT_FALSE(entries);
    EXPECT_EQ(entries.error().code, Errc::kMalformed);
    EXPECT_NE(entries.error().message.find(words), std::string::npos) << entries.error().message;
  };
  expect_malformed("", "magic");
  expect_malformed("hello world, this is not a cache at all, really", "magic");
  expect_malformed("glibc-ld.so.cache1.1", "truncated");
  expect_malformed("ld.so-1.7.0", "truncated");

  const std::string good = LdCacheBuilder::build({{0x303, "liba.so.1", "/lib/liba.so.1"}});
  std::string huge_count = good;
  LdCacheBuilder::put(huge_count, 20, 0xffffffffU, 4, false);
  expect_malformed(huge_count, "announces");

  std::string far_key = good;
  LdCacheBuilder::put(far_key, 48 + 4, 0x7fffffffU, 4, false);
  expect_malformed(far_key, "outside the file");

  std::string no_nul = good;
  no_nul.back() = 'x';
  expect_malformed(no_nul, "without a NUL");

  std::string invalid_order = good;
  invalid_order[28] = 1;
  expect_malformed(invalid_order, "byte order");

  std::string old = LdCacheBuilder::build({{0x303, "liba.so.1", "/lib/liba.so.1"}}, true);
  LdCacheBuilder::put(old, 12, 0x10000000U, 4, false);
  expect_malformed(old, "more than the file holds");
}

std::string read_real_cache() {
  std::ifstream in("/etc/ld.so.cache", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(LdCache, ThisMachinesCache) {
  const std::string bytes = read_real_cache();
  if (bytes.empty()) {
    GTEST_SKIP() << "no /etc/ld.so.cache";
  }
  auto entries = parse_ld_cache(bytes);
  ASSERT_TRUE(entries) << entries.error().message;
  bool libc = false;
  bool cudart = false;
  for (const LdCacheEntry& entry : *entries) {
    libc = libc || (entry.soname == "libc.so.6" &&
                    ld_cache_flags_match(entry.flags, ElfClass::k64, EM_X86_64));
    cudart = cudart || (entry.soname == "libcudart.so.13" &&
                        entry.path == "/usr/local/cuda-13.0/lib/libcudart.so.13" &&
                        ld_cache_flags_name(entry.flags) == "libc6,x86-64");
  }
  EXPECT_TRUE(libc);
  if (SysRoot("/").exists("/usr/local/cuda-13.0/lib/libcudart.so.13")) {
    EXPECT_TRUE(cudart) << "ldconfig -p lists libcudart.so.13 from /usr/local/cuda-13.0/lib";
  }
}

TEST(LdCache, EveryTruncationOfThisMachinesCacheFails) {
  const std::string bytes = read_real_cache();
  if (bytes.empty()) {
    GTEST_SKIP() << "no /etc/ld.so.cache";
  }
  // glibc 2.33+ ldconfig appends an extension section (generator string, hwcaps) after the string
  // table; ld.so ignores it when missing, and so does the parser. Every prefix that cuts into the
  // entries or their strings is malformed. This file is the new format alone (the offset at 32).
  ASSERT_GT(bytes.size(), 48U);
  std::size_t strings_end = bytes.size();
  const auto extension = static_cast<std::size_t>(
      static_cast<unsigned char>(bytes[32]) | static_cast<unsigned char>(bytes[33]) << 8U |
      static_cast<unsigned char>(bytes[34]) << 16U | static_cast<unsigned>(bytes[35]) << 24U);
  if (extension != 0 && extension < bytes.size()) {
    strings_end = extension;
  }
  for (std::size_t length = 0; length + 8 < strings_end; length += 1 + length / 64) {
    auto entries = parse_ld_cache(std::string_view(bytes).substr(0, length));
    ASSERT_FALSE(entries) << "prefix of " << length << " bytes";
    EXPECT_EQ(entries.error().code, Errc::kMalformed);
  }
  EXPECT_TRUE(parse_ld_cache(std::string_view(bytes).substr(0, strings_end)));
}

TEST(LdCache, CorruptedCopiesNeverCrash) {
  const std::string bytes = read_real_cache();
  if (bytes.empty()) {
    GTEST_SKIP() << "no /etc/ld.so.cache";
  }
  std::uint32_t seed = 12345;
  for (int round = 0; round < 300; ++round) {
    std::string copy = bytes;
    for (int flips = 0; flips < 8; ++flips) {
      seed = seed * 1103515245U + 12345U;
      const std::size_t at = (seed >> 8U) % std::min<std::size_t>(copy.size(), 48 + 24 * 700);
      copy[at] = static_cast<char>(seed & 0xffU);
    }
    auto entries = parse_ld_cache(copy);
    if (!entries) {
      EXPECT_EQ(entries.error().code, Errc::kMalformed);
    }
  }
}

}  // namespace
}  // namespace tfgpu::probe
