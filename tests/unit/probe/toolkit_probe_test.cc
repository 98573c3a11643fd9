// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "probe_tree.h"
#include "temp_tree.h"
#include "tfgpu/probe/probe.h"

namespace tfgpu::probe {
namespace {

TEST(ToolkitProbeTest, CountsASymlinkedToolkitOnceWithEveryWayItWasFound) {
  TempTree tree;
  tree.write("/usr/local/cuda-12.4/version.json",
             R"({"cuda": {"name": "CUDA SDK", "version": "12.4.1"}})");
  tree.write("/usr/local/cuda-12.4/bin/nvcc", "");
  tree.write("/usr/local/cuda-12.4/bin/ptxas", "");
  tree.symlink("/usr/local/cuda-12.4", "/usr/local/cuda");
  auto facts = probe_tree(
      tree, {{"PATH", "/usr/local/cuda/bin:/usr/bin"}, {"CUDA_HOME", "/usr/local/cuda"}});
  ASSERT_EQ(facts.cuda_toolkits.size(), 1U);
  const auto& toolkit = facts.cuda_toolkits[0];
  EXPECT_EQ(toolkit.root, "/usr/local/cuda-12.4");
  EXPECT_EQ(toolkit.version.value_or(Version()).text(), "12.4.1");
  EXPECT_EQ(toolkit.found_via.size(), 4U) << ::testing::PrintToString(toolkit.found_via);
  EXPECT_TRUE(toolkit.ptxas.is_present());
  EXPECT_EQ(toolkit.libdevice.presence, model::Presence::kAbsent);
}

TEST(ToolkitProbeTest, ReadsEveryVersionSource) {
  TempTree tree;
  tree.write("/usr/local/cuda-10.2/version.txt", "CUDA Version 10.2.89\n");
  tree.write("/usr/local/cuda-11.8/include/cuda.h",
             "#define CUDA_VERSION_X 1\n#define CUDA_VERSION 11080\n");
  tree.write("/opt/cuda/include/cuda.h", "nothing here\n");
  tree.mkdir("/opt/cuda/dist-info/nvidia_cuda_nvcc-13.0.88.dist-info");
  auto facts = probe_tree(tree);
  ASSERT_EQ(facts.cuda_toolkits.size(), 3U);
  std::map<std::string, std::string> versions;
  for (const auto& t : facts.cuda_toolkits) {
    versions[t.root] = t.version.value_or(Version()).text();
  }
  EXPECT_EQ(versions["/usr/local/cuda-10.2"], "10.2.89");
  EXPECT_EQ(versions["/usr/local/cuda-11.8"], "11.8");
  EXPECT_EQ(versions["/opt/cuda"], "13.0.88");
  for (const auto& t : facts.cuda_toolkits) {
    EXPECT_TRUE(t.version.value_or(Version()).suffix().empty())
        << t.version.value_or(Version()).suffix();
  }
}

TEST(ToolkitProbeTest, IgnoresDirectoriesThatAreNoToolkitAndBrokenVersionFiles) {
  TempTree tree;
  tree.mkdir("/usr/local/cuda-samples");
  tree.write("/usr/local/cuda-12.0/version.json", "{not json");
  tree.write("/usr/local/cuda-12.0/include/cuda.h", "#define CUDA_VERSION 99999999999999999999\n");
  auto facts = probe_tree(tree);
  ASSERT_EQ(facts.cuda_toolkits.size(), 1U);
  EXPECT_EQ(facts.cuda_toolkits[0].version.presence, model::Presence::kUnknown);
  EXPECT_NE(facts.cuda_toolkits[0].version.why_unknown.find("no cuda.version string"),
            std::string::npos)
      << facts.cuda_toolkits[0].version.why_unknown;
}

TEST(ToolkitProbeTest, NoToolkitIsAnEmptyList) {
  TempTree tree;
  EXPECT_TRUE(probe_tree(tree).cuda_toolkits.empty());
}

}  // namespace
}  // namespace tfgpu::probe
