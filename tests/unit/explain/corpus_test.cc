// SPDX-License-Identifier: Apache-2.0
// explain's accuracy on the case corpus (tests/data/cases/dev.jsonl): every record turned into the
// report users paste (case_report.h), parsed and explained with the embedded KB, and its top
// causes compared with the record's `cause_category`. Prints the accuracy and every miss.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "case_report.h"
#include "tfgpu/explain/diagnose.h"
#include "tfgpu/explain/report.h"
#include "tfgpu/kb/load.h"

namespace tfgpu::explain {
namespace {

TEST(CorpusAccuracy, MeetsTheRatchet) {
  const auto kb = kb::load_embedded();
  ASSERT_TRUE(kb) << kb.error().message;
  const auto& records = test_support::cases();
  ASSERT_EQ(records.size(), 53u);
  std::size_t top1 = 0;
  std::size_t top3 = 0;
  for (const auto& record : records) {
    const auto built = test_support::build_report(record);
    const auto explanation = explain(parse_report(built.text), *kb);
    ASSERT_TRUE(explanation) << explanation.error().message;
    const std::string expected = record.value("cause_category", "");
    std::vector<std::string> got;
    for (std::size_t i = 0; i < explanation->causes.size() && i < 3; ++i) {
      got.push_back(explanation->causes[i].id);
    }
    const bool first = !got.empty() && got[0] == expected;
    const bool in_three = std::find(got.begin(), got.end(), expected) != got.end();
    top1 += first ? 1 : 0;
    top3 += in_three ? 1 : 0;
    if (!first) {
      std::string listed;
      for (const auto& id : got) {
        listed += (listed.empty() ? "" : ", ") + id;
      }
      std::printf("miss%s %s: expected %s, got [%s]\n", in_three ? " (top-3)" : "",
                  record.value("id", "").c_str(), expected.c_str(), listed.c_str());
    }
  }
  const double top1_percent =
      100.0 * static_cast<double>(top1) / static_cast<double>(records.size());
  const double top3_percent =
      100.0 * static_cast<double>(top3) / static_cast<double>(records.size());
  std::printf("corpus accuracy: top-1 %zu/%zu (%.1f %%), top-3 %zu/%zu (%.1f %%)\n", top1,
              records.size(), top1_percent, top3, records.size(), top3_percent);
  // The floor (issue 4): >= 95 % top-1 and 100 % top-3, reached with general rules and
  // signatures only, never rules fitted to single reports (these reports are a sample; others
  // judge explain). History: top-1 36/53 (67.9 %) when this test was written; 43/53 (81.1 %)
  // with the cuDNN-major, conda, Secure Boot, RUNPATH and running-TensorFlow rules; 53/53 with the
  // title, the KB's distribution and container-image rows, and the activation, package-listing,
  // earlier-process, WSL, application-setting, bundled-CUDA and TensorFlow-not-used rules.
  EXPECT_GE(top1_percent, 95.0);
  EXPECT_GE(top3_percent, 100.0);
}

}  // namespace
}  // namespace tfgpu::explain
