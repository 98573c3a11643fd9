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

TEST(FactsTextTest, HomeInsideMessagesIsShownAsTilde) {
  TextStyle style;
  style.home = "/home/ana";
  EXPECT_EQ(style.text("reading /home/ana/x: bad; see /home/anabel/y and /home/ana"),
            "reading ~/x: bad; see /home/anabel/y and ~");
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

TEST(FactsTextTest, SaysWhereTheRealLoaderDisagrees) {
  using model::Observed;
  auto library = [](std::string soname, Observed<std::string> path,
                    std::optional<std::string> loaded, bool agrees) {
    model::LibraryResolution resolution;
    resolution.soname = std::move(soname);
    resolution.path = std::move(path);
    model::LoaderCheck check;
    check.loaded_path = loaded ? Observed<std::string>::present(*loaded, "trace")
                               : Observed<std::string>::absent("trace");
    check.error = loaded ? "" : "not found by ld.so";
    check.agrees = Observed<bool>::present(agrees, "trace");
    resolution.loader_check = check;
    return resolution;
  };
  model::Facts facts;
  facts.system_libraries.push_back(library(
      "libagrees.so.1", Observed<std::string>::present("/a/libagrees.so.1", "t"), "/a/x", true));
  facts.system_libraries.push_back(
      library("libelsewhere.so.1", Observed<std::string>::present("/a/libelsewhere.so.1", "t"),
              "/b/libelsewhere.so.1", false));
  facts.system_libraries.push_back(library(
      "libgone.so.1", Observed<std::string>::present("/a/libgone.so.1", "t"), std::nullopt, false));
  facts.system_libraries.push_back(
      library("libmissed.so.1", Observed<std::string>::absent("t"), "/c/libmissed.so.1", false));
  const std::string text = render_facts_text(facts, TextStyle{});
  EXPECT_EQ(text.find("/a/x"), std::string::npos);  // agreeing checks say nothing
  EXPECT_NE(text.find("ld.so loads /b/libelsewhere.so.1 instead"), std::string::npos) << text;
  EXPECT_NE(text.find("ld.so does not load it: not found by ld.so"), std::string::npos) << text;
  EXPECT_NE(text.find("not found, but ld.so loads /c/libmissed.so.1"), std::string::npos) << text;
}

}  // namespace
}  // namespace tfgpu::report
