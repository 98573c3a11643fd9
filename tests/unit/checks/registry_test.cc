// SPDX-License-Identifier: Apache-2.0
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "tfgpu/checks/check.h"

namespace tfgpu::checks {
namespace {

TEST(Registry, IdsAreUniqueSnakeCaseAndEachCheckHasOneFunction) {
  std::set<std::string> seen;
  for (const auto& check : registry()) {
    const std::string id(check.id);
    EXPECT_TRUE(seen.insert(id).second) << "duplicate id " << id;
    EXPECT_FALSE(id.empty());
    for (char c : id) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') << id;
    }
    EXPECT_NE(check.machine == nullptr, check.env == nullptr) << id;
    EXPECT_FALSE(check.title.empty()) << id;
  }
}

}  // namespace
}  // namespace tfgpu::checks
