// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "elf_builder.h"
#include "temp_tree.h"
#include "tfgpu/probe/cuda_sonames.h"
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {
namespace {

using model::Presence;
using model::Provider;

model::Facts probe(const TempTree& tree, const Environment& environment) {
  const SysRoot root(tree.root());
  const ProbeOptions options;
  const ProbeContext context{root, environment, options};
  model::Facts facts;
  probe_libraries(context, facts);
  return facts;
}

// A toolkit with its stub (reachable through /usr/local/cuda too) and, optionally, a driver.
void toolkit_with_stub(const TempTree& tree) {
  tree.write("/usr/local/cuda-12.4/lib64/stubs/libcuda.so", ElfBuilder::build({}));
  tree.write("/usr/local/cuda-12.4/targets/x86_64-linux/lib/stubs/libcuda.so",
             ElfBuilder::build({}));
  tree.symlink("cuda-12.4", "/usr/local/cuda");
  tree.write("/usr/local/cuda-12.4/lib64/libcudart.so.12.4.127", ElfBuilder::build({}));
  tree.symlink("libcudart.so.12.4.127", "/usr/local/cuda-12.4/lib64/libcudart.so.12");
}

TEST(LibrariesProbe, NoDriverButAStubOnLdLibraryPath) {
  TempTree tree;
  toolkit_with_stub(tree);
  tree.symlink("libcuda.so", "/usr/local/cuda-12.4/lib64/stubs/libcuda.so.1");
  const Environment environment{
      {"LD_LIBRARY_PATH", "/usr/local/cuda/lib64:/usr/local/cuda/lib64/stubs"}};
  const model::Facts facts = probe(tree, environment);

  EXPECT_EQ(facts.system_libraries.size(), all_known_sonames().size());
  const auto cudart = std::find_if(facts.system_libraries.begin(), facts.system_libraries.end(),
                                   [](const auto& r) { return r.soname == "libcudart.so.12"; });
  ASSERT_NE(cudart, facts.system_libraries.end());
  ASSERT_TRUE(cudart->path.is_present());
  EXPECT_EQ(cudart->provider, Provider::kCudaToolkit);
  EXPECT_EQ(cudart->version.value->text(), "12.4.127");

  const auto& driver = facts.user_driver;
  ASSERT_TRUE(driver.libcuda.path.is_present());
  EXPECT_EQ(driver.libcuda.provider, Provider::kStub);
  ASSERT_TRUE(driver.libcuda_is_stub.is_present());
  EXPECT_TRUE(*driver.libcuda_is_stub.value);
  EXPECT_EQ(driver.libnvidia_ml.path.presence, Presence::kAbsent);
  // One entry per real file: /usr/local/cuda/... is the same file as /usr/local/cuda-12.4/...
  EXPECT_EQ(
      driver.stub_libcuda_paths,
      (std::vector<std::string>{"/usr/local/cuda/lib64/stubs/libcuda.so",
                                "/usr/local/cuda/targets/x86_64-linux/lib/stubs/libcuda.so"}));
  EXPECT_TRUE(facts.problems.empty());
}

TEST(LibrariesProbe, DriverLibcudaIsNotAStub) {
  TempTree tree;
  toolkit_with_stub(tree);
  tree.write("/usr/lib/x86_64-linux-gnu/libcuda.so.550.54.15", ElfBuilder::build({}));
  tree.symlink("libcuda.so.550.54.15", "/usr/lib/x86_64-linux-gnu/libcuda.so.1");
  tree.write("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.550.54.15", ElfBuilder::build({}));
  tree.symlink("libnvidia-ml.so.550.54.15", "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1");
  const model::Facts facts = probe(tree, {});
  const auto& driver = facts.user_driver;
  ASSERT_TRUE(driver.libcuda.path.is_present());
  EXPECT_EQ(driver.libcuda.provider, Provider::kDriver);
  EXPECT_EQ(driver.libcuda.version.value->text(), "550.54.15");
  ASSERT_TRUE(driver.libcuda_is_stub.is_present());
  EXPECT_FALSE(*driver.libcuda_is_stub.value);
  ASSERT_TRUE(driver.libnvidia_ml.path.is_present());
  EXPECT_EQ(driver.libnvidia_ml.provider, Provider::kDriver);
  EXPECT_EQ(driver.stub_libcuda_paths.size(), 2U);
}

TEST(LibrariesProbe, NothingInstalled) {
  TempTree tree;
  const model::Facts facts = probe(tree, {});
  EXPECT_EQ(facts.user_driver.libcuda.path.presence, Presence::kAbsent);
  EXPECT_EQ(facts.user_driver.libcuda_is_stub.presence, Presence::kAbsent);
  EXPECT_TRUE(facts.user_driver.stub_libcuda_paths.empty());
  for (const auto& resolution : facts.system_libraries) {
    EXPECT_EQ(resolution.path.presence, Presence::kAbsent) << resolution.soname;
  }
}

}  // namespace
}  // namespace tfgpu::probe
