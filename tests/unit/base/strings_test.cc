// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/base/strings.h"

#include <gtest/gtest.h>

namespace tfgpu {
namespace {

TEST(StringsTest, SplitLinesDropsCarriageReturns) {
  auto lines = split_lines("a\r\nb\nc");
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines[0], "a");
  EXPECT_EQ(lines[2], "c");
}

TEST(StringsTest, JoinPutsTheSeparatorBetweenItemsOnly) {
  EXPECT_EQ(join({"sm_80", "sm_90", "compute_90"}, " "), "sm_80 sm_90 compute_90");
  EXPECT_EQ(join({"/a", "/b"}, ", "), "/a, /b");
  EXPECT_EQ(join({"only"}, ":"), "only");
  EXPECT_EQ(join({}, ":"), "");
  // Empty items keep their place: an LD_LIBRARY_PATH with an empty entry stays one.
  EXPECT_EQ(join({"", "/x", ""}, ":"), ":/x:");
}

TEST(StringsTest, TildeHomeOnlyReplacesWholeComponents) {
  EXPECT_EQ(tilde_home("/root/venv/bin", "/root"), "~/venv/bin");
  EXPECT_EQ(tilde_home("/rootless/x", "/root"), "/rootless/x");
  EXPECT_EQ(tilde_home("/root", "/root/"), "~");
  EXPECT_EQ(tilde_home("/x", ""), "/x");
}

TEST(StringsTest, TildeHomeInListReplacesEveryEntry) {
  EXPECT_EQ(tilde_home_in_list("/root/a:/usr/bin:/root", "/root"), "~/a:/usr/bin:~");
  EXPECT_EQ(tilde_home_in_list("", "/root"), "");
}

TEST(StringsTest, FromCBufferStopsAtNulOrTheEnd) {
  const char terminated[8] = {'G', 'P', 'U', '\0', 'x', 'x', 'x', 'x'};
  EXPECT_EQ(from_c_buffer(terminated, sizeof(terminated)), "GPU");
  const char unterminated[3] = {'A', 'B', 'C'};
  EXPECT_EQ(from_c_buffer(unterminated, sizeof(unterminated)), "ABC");
}

TEST(StringsTest, PrintableMasksControlBytes) {
  EXPECT_EQ(printable(std::string("a\0b\x7f", 4)), "a?b?");
  EXPECT_EQ(printable("abcdef", 3), "abc...");
}

}  // namespace
}  // namespace tfgpu

namespace tfgpu {
namespace {

TEST(ShellQuote, LeavesSafeWordsAndQuotesEverythingElse) {
  EXPECT_EQ(shell_quote("/home/ana/venv/bin/python"), "/home/ana/venv/bin/python");
  EXPECT_EQ(shell_quote("tensorflow[and-cuda]==2.21.0"), "'tensorflow[and-cuda]==2.21.0'");
  EXPECT_EQ(shell_quote("/home/ana/my venv"), "'/home/ana/my venv'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("~user"), "'~user'");
  EXPECT_EQ(shell_quote("$HOME"), "'$HOME'");
}

TEST(SingleQuote, AlwaysQuotes) {
  EXPECT_EQ(single_quote("/usr/bin"), "'/usr/bin'");
  EXPECT_EQ(single_quote("a:b c"), "'a:b c'");
  EXPECT_EQ(single_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(single_quote(""), "''");
}

}  // namespace
}  // namespace tfgpu
