// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/report/facts_text.h"

#include <gtest/gtest.h>

namespace tfgpu::report {
namespace {

TEST(FactsTextTest, ShowsHomeAsTildeAndNoColourByDefault) {
  model::Facts facts;
  facts.problems.push_back({"python", "/home/ana/venv/bin/python3: permission denied"});
  TextStyle style;
  style.home = "/home/ana";
  const std::string text = render_facts_text(facts, style);
  EXPECT_NE(text.find("~/venv/bin/python3"), std::string::npos);
  EXPECT_EQ(text.find("/home/ana"), std::string::npos);
  EXPECT_EQ(text.find("\x1b["), std::string::npos);
}

TEST(FactsTextTest, AsciiFallbackForMarks) {
  TextStyle style;
  style.unicode = false;
  EXPECT_EQ(style.mark(Mark::kOk), "ok");
  EXPECT_EQ(style.mark(Mark::kError), "xx");
  style.unicode = true;
  style.color = true;
  EXPECT_NE(style.mark(Mark::kOk).find("\x1b[32m"), std::string::npos);
}

TEST(FactsTextTest, LayersSayWhenNoGpuOrTensorflowWasFound) {
  model::Facts facts;
  const std::string text = render_layers_text(facts, TextStyle{});
  EXPECT_NE(text.find("no NVIDIA GPU on the PCI bus"), std::string::npos);
  EXPECT_NE(text.find("no Python environment with TensorFlow"), std::string::npos);
}

}  // namespace
}  // namespace tfgpu::report
