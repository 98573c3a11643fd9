// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/os_release.h"

#include <gtest/gtest.h>

namespace tfgpu::probe {
namespace {

TEST(OsReleaseTest, ParsesQuotedAndBareValues) {
  auto fields = parse_os_release(
      "PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\nID=ubuntu\nVERSION_ID='22.04'\n# comment\n"
      "NAME=\"with \\\"escape\\\"\"\r\nbroken line\n=novalue\n");
  EXPECT_EQ(fields["PRETTY_NAME"], "Ubuntu 22.04.4 LTS");
  EXPECT_EQ(fields["ID"], "ubuntu");
  EXPECT_EQ(fields["VERSION_ID"], "22.04");
  EXPECT_EQ(fields["NAME"], "with \"escape\"");
  EXPECT_EQ(fields.count("broken line"), 0U);
  EXPECT_EQ(fields.size(), 4U);
}

TEST(OsReleaseTest, SurvivesUnterminatedQuotesAndGarbage) {
  auto fields = parse_os_release(std::string("ID=\"debian\nX=\xff\xfe\0\n", 17));
  EXPECT_EQ(fields["ID"], "debian");
}

}  // namespace
}  // namespace tfgpu::probe
