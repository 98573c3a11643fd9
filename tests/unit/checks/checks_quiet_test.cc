// SPDX-License-Identifier: Apache-2.0
// On the healthy machine of check_fixtures.h no check fires: every check's "stays quiet" case.
#include <gtest/gtest.h>

#include "check_fixtures.h"

namespace tfgpu::checks {
namespace {

TEST(ChecksQuiet, NoCheckFiresOnAHealthyMachine) {
  const auto facts = testing::healthy_facts();
  const auto kb = testing::small_kb();
  for (const auto& check : registry()) {
    const auto findings = testing::run_check(check.id, facts, kb);
    for (const auto& finding : findings) {
      EXPECT_NE(finding.severity, model::Severity::kError)
          << check.id << " fired: " << finding.summary;
      EXPECT_NE(finding.severity, model::Severity::kWarning)
          << check.id << " fired: " << finding.summary;
    }
  }
}

}  // namespace
}  // namespace tfgpu::checks
