// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "probe_tree.h"
#include "temp_tree.h"
#include "tfgpu/probe/probe.h"

namespace tfgpu::probe {
namespace {

constexpr const char* kHeader89 =
    "#define CUDNN_MAJOR 8\n#define CUDNN_MINOR 9\n#define CUDNN_PATCHLEVEL 7\n";

void write_cudnn9_sublibraries(const TempTree& tree, const std::string& dir) {
  for (const char* sub : {"graph", "ops", "cnn", "adv", "heuristic", "engines_precompiled",
                          "engines_runtime_compiled"}) {
    tree.write(dir + "/libcudnn_" + sub + ".so.9", "");
  }
}

TEST(CudnnProbeTest, HealthyToolkitInstallHasVersionsAndNoComplaints) {
  TempTree tree;
  tree.write("/usr/local/cuda-12.4/include/cuda.h", "#define CUDA_VERSION 12040\n");
  tree.write("/usr/local/cuda-12.4/include/cudnn_version.h",
             "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 3\n#define CUDNN_PATCHLEVEL 0\n");
  tree.write("/usr/local/cuda-12.4/lib64/libcudnn.so.9.3.0", "");
  tree.symlink("libcudnn.so.9.3.0", "/usr/local/cuda-12.4/lib64/libcudnn.so.9");
  write_cudnn9_sublibraries(tree, "/usr/local/cuda-12.4/lib64");
  auto facts = probe_tree(tree);
  ASSERT_EQ(facts.cudnn.libraries.size(), 1U);
  const auto& lib = facts.cudnn.libraries[0];
  EXPECT_EQ(lib.version.value_or(Version()).text(), "9.3.0");
  EXPECT_EQ(lib.provider, model::Provider::kCudaToolkit);
  EXPECT_TRUE(lib.missing_sublibraries.empty());
  ASSERT_EQ(facts.cudnn.headers.size(), 1U);
  EXPECT_EQ(facts.cudnn.headers[0].version.value_or(Version()).text(), "9.3.0");
  EXPECT_TRUE(facts.cudnn.misplaced.empty());
  EXPECT_TRUE(facts.cudnn.header_library_mismatches.empty());
}

TEST(CudnnProbeTest, FindsMisplacedFilesMissingSublibrariesAndMismatches) {
  TempTree tree;
  tree.write("/usr/local/cuda/include/cuda.h", "#define CUDA_VERSION 11080\n");
  tree.write("/usr/local/cuda/include/cudnn_version.h", kHeader89);
  tree.write("/usr/local/cuda/include/libcudnn.so.8", "");  // library copied into include/
  tree.write("/usr/local/cuda/lib64/cudnn.h", "");          // header copied into lib64/
  tree.write("/usr/local/cuda/lib64/libcudnn.so.8.6.0", "x");
  tree.write("/usr/local/cuda/lib64/libcudnn.so.8", "x");  // copied without cp -P
  tree.write("/usr/local/cuda/lib64/libcudnn_ops_infer.so.8", "");
  auto facts = probe_tree(tree);
  ASSERT_EQ(facts.cudnn.libraries.size(), 1U);
  EXPECT_EQ(facts.cudnn.libraries[0].missing_sublibraries.size(), 5U);
  EXPECT_EQ(facts.cudnn.misplaced.size(), 3U) << ::testing::PrintToString(facts.cudnn.misplaced);
  ASSERT_EQ(facts.cudnn.header_library_mismatches.size(), 1U);
  EXPECT_NE(facts.cudnn.header_library_mismatches[0].find("8.9.7"), std::string::npos);
}

TEST(CudnnProbeTest, BrokenSymlinkIsReportedNotFatal) {
  TempTree tree;
  tree.symlink("libcudnn.so.9.1.0", "/usr/lib/x86_64-linux-gnu/libcudnn.so.9");
  auto facts = probe_tree(tree);
  ASSERT_EQ(facts.cudnn.libraries.size(), 1U);
  EXPECT_EQ(facts.cudnn.libraries[0].real_path.presence, model::Presence::kUnknown);
  EXPECT_EQ(facts.cudnn.misplaced.size(), 1U);
}

TEST(CudnnProbeTest, WheelVersionComesFromDistInfo) {
  TempTree tree;
  tree.write("/usr/local/cuda-13.0/include/cuda.h", "#define CUDA_VERSION 13000\n");
  tree.write("/usr/local/cuda-13.0/lib64/libcudnn.so.9", "");
  tree.mkdir("/usr/local/cuda-13.0/dist-info/nvidia_cudnn_cu13-9.19.0.56.dist-info");
  auto facts = probe_tree(tree);
  ASSERT_EQ(facts.cudnn.libraries.size(), 1U);
  EXPECT_EQ(facts.cudnn.libraries[0].version.value_or(Version()).text(), "9.19.0.56");
  EXPECT_TRUE(facts.cudnn.libraries[0].version.value_or(Version()).suffix().empty());
  EXPECT_EQ(facts.cudnn.libraries[0].missing_sublibraries.size(), 7U);
}

// The conda recipe for TF <= 2.13 exports LD_LIBRARY_PATH=$CONDA_PREFIX/lib: the env's cuDNN is
// still conda's, not of unknown origin (tests/machines/conda-tf213-cuda118).
TEST(CudnnProbeTest, CondaLibOnLdLibraryPathKeepsCondaProvider) {
  TempTree tree;
  const std::string env = "/home/bo/miniconda3/envs/tf";
  tree.mkdir(env + "/conda-meta");
  tree.write(env + "/bin/python3", "");
  tree.write(env + "/lib/libcudnn.so.8.9.2", "");
  tree.symlink("libcudnn.so.8.9.2", env + "/lib/libcudnn.so.8");
  auto facts = probe_tree(tree, {{"CONDA_PREFIX", env}, {"LD_LIBRARY_PATH", env + "/lib"}});
  ASSERT_EQ(facts.cudnn.libraries.size(), 1U);
  EXPECT_EQ(facts.cudnn.libraries[0].provider, model::Provider::kConda);
  EXPECT_EQ(facts.cudnn.libraries[0].version.value_or(Version()).text(), "8.9.2");
}

TEST(CudnnProbeTest, DirectoryOnlyOnLdLibraryPathHasUnknownProvider) {
  TempTree tree;
  tree.write("/opt/cudnn/lib/libcudnn.so.8.9.2", "");
  tree.symlink("libcudnn.so.8.9.2", "/opt/cudnn/lib/libcudnn.so.8");
  auto facts = probe_tree(tree, {{"LD_LIBRARY_PATH", "/opt/cudnn/lib"}});
  ASSERT_EQ(facts.cudnn.libraries.size(), 1U);
  EXPECT_EQ(facts.cudnn.libraries[0].provider, model::Provider::kUnknown);
}

TEST(CudnnProbeTest, NoCudnnAnywhereIsEmpty) {
  TempTree tree;
  auto facts = probe_tree(tree);
  EXPECT_TRUE(facts.cudnn.libraries.empty());
  EXPECT_TRUE(facts.cudnn.headers.empty());
}

}  // namespace
}  // namespace tfgpu::probe
