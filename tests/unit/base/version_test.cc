// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/base/version.h"

#include <gtest/gtest.h>

namespace tfgpu {
namespace {

TEST(VersionTest, ParsesDriverVersionKeepingItsSpelling) {
  auto v = Version::parse("535.104.05");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->parts(), (std::vector<int>{535, 104, 5}));
  EXPECT_EQ(v->text(), "535.104.05");
  EXPECT_TRUE(v->suffix().empty());
}

TEST(VersionTest, KeepsNonNumericSuffixApart) {
  auto v = Version::parse("2.15.0.post1");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->parts(), (std::vector<int>{2, 15, 0}));
  EXPECT_EQ(v->suffix(), ".post1");
  auto rc = Version::parse("2.21.0rc1");
  ASSERT_TRUE(rc);
  EXPECT_EQ(rc->text(), "2.21.0");
  EXPECT_EQ(rc->suffix(), "rc1");
}

TEST(VersionTest, SuffixStopsAtBlanks) {
  auto v = Version::parse("2.36.\nCopyright (C) 2022");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->text(), "2.36");
  EXPECT_EQ(v->suffix(), ".");
}

TEST(VersionTest, RejectsTextThatIsNoVersion) {
  EXPECT_FALSE(Version::parse(""));
  EXPECT_FALSE(Version::parse("abc"));
  EXPECT_FALSE(Version::parse("99999999999999999999"));
}

TEST(VersionTest, DecodesCudaDriverIntegers) {
  EXPECT_EQ(Version::from_cuda_int(12040)->text(), "12.4");
  EXPECT_EQ(Version::from_cuda_int(13000)->text(), "13.0");
  EXPECT_EQ(Version::from_cuda_int(11080)->text(), "11.8");
  EXPECT_FALSE(Version::from_cuda_int(0));
}

TEST(VersionTest, DecodesBothCudnnEncodings) {
  EXPECT_EQ(Version::from_cudnn_int(8902)->text(), "8.9.2");
  EXPECT_EQ(Version::from_cudnn_int(7605)->text(), "7.6.5");
  EXPECT_EQ(Version::from_cudnn_int(90300)->text(), "9.3.0");
  EXPECT_EQ(Version::from_cudnn_int(91901)->text(), "9.19.1");
}

TEST(VersionTest, ComparesNumericallyNotLexically) {
  EXPECT_LT(*Version::parse("9.3.0"), *Version::parse("9.19.0"));
  EXPECT_LT(*Version::parse("535.54.03"), *Version::parse("535.104.05"));
  EXPECT_EQ(*Version::parse("12.4"), *Version::parse("12.4.0"));
  EXPECT_TRUE(Version::parse("12.5.82")->same_prefix(*Version::parse("12.2"), 1));
  EXPECT_FALSE(Version::parse("12.5.82")->same_prefix(*Version::parse("12.2"), 2));
}

}  // namespace
}  // namespace tfgpu
