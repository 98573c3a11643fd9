// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/library_resolver.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "elf_builder.h"
#include "ld_cache_builder.h"
#include "temp_tree.h"

namespace tfgpu::probe {
namespace {

using model::Presence;
using model::Provider;
using model::SearchStep;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::string kSitePackages = "/venv/lib/python3.11/site-packages";
const std::string kFramework = kSitePackages + "/tensorflow/libtensorflow_framework.so.2";

class LibraryResolverTest : public ::testing::Test {
 protected:
  // A loadable x86_64 object with soname `soname`.
  void library(const std::string& path, const std::string& soname = "") const {
    ElfSpec spec;
    if (!soname.empty()) {
      spec.soname = soname;
    }
    tree_.write(path, ElfBuilder::build(spec));
  }

  model::LibraryResolution resolve(const std::string& soname,
                                   std::vector<std::string> requesters = {}) {
    if (!resolver_) {
      resolver_.emplace(root_, env_);
    }
    return resolver_->resolve({soname, "test", true, std::move(requesters)});
  }

  // The TF layout: the linker-built object with RUNPATH $ORIGIN/../nvidia/cudnn/lib as the
  // framework library, and the cuDNN wheel with its RECORD.
  void tensorflow_with_cudnn_wheel() const {
    tree_.write(kFramework, slurp(TFGPU_FAKE_ELF_RUNPATH));
    library(kSitePackages + "/nvidia/cudnn/lib/libcudnn.so.9", "libcudnn.so.9");
    tree_.write(kSitePackages + "/nvidia_cudnn_cu12-9.3.0.75.dist-info/RECORD",
                "nvidia/__init__.py,,\n"
                "nvidia/cudnn/lib/libcudnn.so.9,sha256=abc,137432\n");
    tree_.write(kSitePackages + "/nvidia_cudnn_cu12-9.3.0.75.dist-info/METADATA",
                "Metadata-Version: 2.1\nName: nvidia-cudnn-cu12\nVersion: 9.3.0.75\n\nbody\n");
  }

  TempTree tree_;
  SysRoot root_{tree_.root()};
  Environment env_;
  std::optional<LibraryResolver> resolver_;
};

TEST_F(LibraryResolverTest, RunpathFindsTheWheelAndItsVersion) {
  tensorflow_with_cudnn_wheel();
  auto resolution = resolve("libcudnn.so.9", {kFramework});
  ASSERT_TRUE(resolution.path.is_present()) << resolution.path.source;
  EXPECT_EQ(*resolution.path.value, kSitePackages + "/nvidia/cudnn/lib/libcudnn.so.9");
  EXPECT_EQ(resolution.requester, kFramework);
  EXPECT_EQ(resolution.provider, Provider::kPipWheel);
  EXPECT_EQ(resolution.wheel, "nvidia-cudnn-cu12");
  ASSERT_TRUE(resolution.version.is_present());
  EXPECT_EQ(resolution.version.value->text(), "9.3.0.75");
  ASSERT_FALSE(resolution.candidates.empty());
  const auto& winner = resolution.candidates.front();  // the first RUNPATH entry
  EXPECT_EQ(winner.step, SearchStep::kRunpath);
  EXPECT_EQ(winner.search_dir, "$ORIGIN/../nvidia/cudnn/lib");
  EXPECT_TRUE(winner.exists);
  EXPECT_TRUE(winner.rejected_because.empty());
}

TEST_F(LibraryResolverTest, LdLibraryPathComesBeforeRunpath) {
  tensorflow_with_cudnn_wheel();
  library("/llp/libcudnn.so.9.1.0", "libcudnn.so.9");
  tree_.symlink("libcudnn.so.9.1.0", "/llp/libcudnn.so.9");
  env_["LD_LIBRARY_PATH"] = "/nowhere:/llp";
  auto resolution = resolve("libcudnn.so.9", {kFramework});
  ASSERT_TRUE(resolution.path.is_present());
  EXPECT_EQ(*resolution.path.value, "/llp/libcudnn.so.9");
  EXPECT_EQ(*resolution.real_path.value, "/llp/libcudnn.so.9.1.0");
  EXPECT_TRUE(resolution.requester.empty());
  EXPECT_EQ(resolution.version.value->text(), "9.1.0");
  EXPECT_TRUE(resolution.wheel.empty());
  ASSERT_EQ(resolution.candidates.size(), 2U);
  EXPECT_EQ(resolution.candidates[0].path, "/nowhere/libcudnn.so.9");
  EXPECT_EQ(resolution.candidates[0].rejected_because, "not found");
  EXPECT_EQ(resolution.candidates[1].step, SearchStep::kLdLibraryPath);
}

TEST_F(LibraryResolverTest, RpathComesBeforeLdLibraryPathWhenThereIsNoRunpath) {
  const std::string requester = "/app/libfoo.so";
  tree_.write(requester, slurp(TFGPU_FAKE_ELF_RPATH));  // RPATH /opt/rpath_dir:${ORIGIN}/lib
  library("/opt/rpath_dir/libx.so.1");
  library("/llp/libx.so.1");
  library("/llp/liby.so.1");
  library("/app/lib/liby.so.1");
  env_["LD_LIBRARY_PATH"] = "/llp";
  auto x = resolve("libx.so.1", {requester});
  ASSERT_TRUE(x.path.is_present());
  EXPECT_EQ(*x.path.value, "/opt/rpath_dir/libx.so.1");
  EXPECT_EQ(x.candidates.front().step, SearchStep::kRpath);
  EXPECT_EQ(x.requester, requester);
  // ${ORIGIN} is expanded too.
  auto y = resolve("liby.so.1", {requester});
  ASSERT_TRUE(y.path.is_present());
  EXPECT_EQ(*y.path.value, "/app/lib/liby.so.1");
  EXPECT_EQ(y.candidates.back().search_dir, "${ORIGIN}/lib");
}

TEST_F(LibraryResolverTest, RunpathDisablesRpath) {
  ElfSpec spec;
  spec.rpath = "/r";
  spec.runpath = "/u";
  tree_.write("/app/libboth.so", ElfBuilder::build(spec));
  library("/r/libz.so.1");
  library("/u/libz.so.1");
  auto resolution = resolve("libz.so.1", {"/app/libboth.so"});
  ASSERT_TRUE(resolution.path.is_present());
  EXPECT_EQ(*resolution.path.value, "/u/libz.so.1");
  ASSERT_EQ(resolution.candidates.size(), 1U);
  EXPECT_EQ(resolution.candidates[0].step, SearchStep::kRunpath);
}

TEST(SplitLibraryPathTest, ColonsAndSemicolonsSeparateAndEmptyEntriesStay) {
  EXPECT_EQ(split_library_path("/a:/b;/c::"), (std::vector<std::string>{"/a", "/b", "/c", "", ""}));
  EXPECT_EQ(split_library_path(""), (std::vector<std::string>{""}));
}

TEST_F(LibraryResolverTest, OriginIsTheDirectoryTheObjectWasOpenedFrom) {
  // Checked against glibc 2.36's ld.so: a requester opened as /t/link/libtf.so (a symlink to
  // /t/real/bin/libtf.so) with RUNPATH $ORIGIN/../deps loads /t/link/../deps/libd.so.1.
  ElfSpec spec;
  spec.runpath = "$ORIGIN/../deps";
  tree_.write("/real/bin/libtf.so", ElfBuilder::build(spec));
  tree_.symlink("/real/bin/libtf.so", "/link/libtf.so");
  library("/real/deps/libd.so.1");  // where the file's real directory would point
  library("/deps/libd.so.1");
  auto resolution = resolve("libd.so.1", {"/link/libtf.so"});
  ASSERT_TRUE(resolution.path.is_present());
  EXPECT_EQ(*resolution.path.value, "/deps/libd.so.1");
}

TEST_F(LibraryResolverTest, OriginDirectorySymlinksResolveBeforeDotDot) {
  // The kernel resolves a symlinked directory before applying "..": lib64 -> lib in a venv.
  ElfSpec spec;
  spec.runpath = "$ORIGIN/../deps";
  tree_.write("/venv/lib/pkg/libtf.so", ElfBuilder::build(spec));
  tree_.symlink("lib", "/venv/lib64");
  library("/venv/lib/deps/libd.so.1");
  auto resolution = resolve("libd.so.1", {"/venv/lib64/pkg/libtf.so"});
  ASSERT_TRUE(resolution.path.is_present());
  EXPECT_EQ(*resolution.path.value, "/venv/lib/deps/libd.so.1");
}

TEST_F(LibraryResolverTest, WrongClassIsRejectedAndTheSearchGoesOn) {
  tensorflow_with_cudnn_wheel();
  ElfSpec thirty_two;
  thirty_two.is_64 = false;
  thirty_two.machine = EM_386;
  tree_.write("/llp/libcudnn.so.9", ElfBuilder::build(thirty_two));
  ElfSpec arm;
  arm.machine = EM_AARCH64;
  tree_.write("/llp2/libcudnn.so.9", ElfBuilder::build(arm));
  env_["LD_LIBRARY_PATH"] = "/llp:/llp2";
  auto resolution = resolve("libcudnn.so.9", {kFramework});
  ASSERT_TRUE(resolution.path.is_present());
  EXPECT_EQ(*resolution.path.value, kSitePackages + "/nvidia/cudnn/lib/libcudnn.so.9");
  ASSERT_GE(resolution.candidates.size(), 3U);
  EXPECT_TRUE(resolution.candidates[0].exists);
  EXPECT_NE(resolution.candidates[0].rejected_because.find("wrong ELF class"), std::string::npos);
  EXPECT_NE(resolution.candidates[1].rejected_because.find("wrong ELF machine: aarch64"),
            std::string::npos);
}

TEST_F(LibraryResolverTest, AFileThatIsNotElfEndsTheSearchAsInGlibc) {
  // glibc's open_verify signals "file too short" / "invalid ELF header" and the dlopen fails;
  // it does not go on to the wheel that RUNPATH would have found (the WSL "libcuda.so.1: file
  // too short" reports).
  tensorflow_with_cudnn_wheel();
  tree_.write("/llp3/libcudnn.so.9", "not an elf file");
  env_["LD_LIBRARY_PATH"] = "/llp3";
  auto resolution = resolve("libcudnn.so.9", {kFramework});
  EXPECT_EQ(resolution.path.presence, Presence::kAbsent);
  EXPECT_NE(resolution.path.source.find("ld.so stops at /llp3/libcudnn.so.9"), std::string::npos)
      << resolution.path.source;
  ASSERT_EQ(resolution.candidates.size(), 1U);
  EXPECT_NE(resolution.candidates[0].rejected_because.find("not an ELF file"), std::string::npos);
}

TEST_F(LibraryResolverTest, EmptyAndRelativeLdLibraryPathEntriesAreNotSearched) {
  library("/llp/liba.so.1");
  env_["LD_LIBRARY_PATH"] = ":rel/dir:$ORIGIN/x;/llp";
  auto resolution = resolve("liba.so.1");
  ASSERT_TRUE(resolution.path.is_present());
  ASSERT_EQ(resolution.candidates.size(), 4U);  // "", "rel/dir", "$ORIGIN/x", "/llp" (dedup: no)
  EXPECT_NE(resolution.candidates[0].rejected_because.find("current directory"), std::string::npos);
  EXPECT_NE(resolution.candidates[1].rejected_because.find("relative"), std::string::npos);
  EXPECT_NE(resolution.candidates[2].rejected_because.find("executable"), std::string::npos);
  EXPECT_EQ(*resolution.path.value, "/llp/liba.so.1");
}

TEST_F(LibraryResolverTest, CacheHitThroughSymlinkGivesToolkitVersion) {
  library("/usr/local/cuda-12.4/lib64/libcudart.so.12.4.127", "libcudart.so.12");
  tree_.symlink("libcudart.so.12.4.127", "/usr/local/cuda-12.4/lib64/libcudart.so.12");
  tree_.write("/etc/ld.so.cache",
              LdCacheBuilder::build(
                  {{0x003, "libcudart.so.12", "/lib32/libcudart.so.12"},
                   {0x303, "libcudart.so.12", "/usr/local/cuda-12.4/lib64/libcudart.so.12"},
                   {0x303, "libcudart.so.12", "/second/libcudart.so.12"}}));
  auto resolution = resolve("libcudart.so.12");
  ASSERT_TRUE(resolution.path.is_present());
  EXPECT_EQ(*resolution.path.value, "/usr/local/cuda-12.4/lib64/libcudart.so.12");
  EXPECT_EQ(*resolution.real_path.value, "/usr/local/cuda-12.4/lib64/libcudart.so.12.4.127");
  EXPECT_EQ(resolution.provider, Provider::kCudaToolkit);
  EXPECT_EQ(resolution.version.value->text(), "12.4.127");
  ASSERT_EQ(resolution.candidates.size(), 2U);
  EXPECT_EQ(resolution.candidates[0].rejected_because, "ld.so.cache entry is for libc6");
  EXPECT_EQ(resolution.candidates[1].step, SearchStep::kLdCache);
}

TEST_F(LibraryResolverTest, ToolkitAssembledFromWheelsTakesVersionsFromItsDistInfo) {
  library("/usr/local/cuda-13.0/lib/libcublas.so.13", "libcublas.so.13");
  tree_.write("/usr/local/cuda-13.0/dist-info/nvidia_cublas-13.1.0.3.dist-info/RECORD",
              "nvidia/cu13/lib/libcublas.so.13,sha256=x,1\n");
  tree_.write("/usr/local/cuda-13.0/dist-info/nvidia_cufft-12.0.0.61.dist-info/RECORD",
              "nvidia/cu13/lib/libcufft.so.12,sha256=x,1\n");
  env_["LD_LIBRARY_PATH"] = "/usr/local/cuda-13.0/lib";
  auto resolution = resolve("libcublas.so.13");
  ASSERT_TRUE(resolution.path.is_present());
  EXPECT_EQ(resolution.provider, Provider::kCudaToolkit);
  EXPECT_EQ(resolution.wheel, "nvidia-cublas");
  ASSERT_TRUE(resolution.version.is_present());
  EXPECT_EQ(resolution.version.value->text(), "13.1.0.3");
}

TEST_F(LibraryResolverTest, ToolkitLibraryNoDistInfoOwnsKeepsAnUnknownVersion) {
  library("/usr/local/cuda-13.0/lib/libcurand.so.10", "libcurand.so.10");
  tree_.write("/usr/local/cuda-13.0/dist-info/nvidia_cufft-12.0.0.61.dist-info/RECORD",
              "nvidia/cu13/lib/libcufft.so.12,sha256=x,1\n");
  env_["LD_LIBRARY_PATH"] = "/usr/local/cuda-13.0/lib";
  auto resolution = resolve("libcurand.so.10");
  ASSERT_TRUE(resolution.path.is_present());
  EXPECT_TRUE(resolution.wheel.empty());
  EXPECT_EQ(resolution.version.presence, Presence::kUnknown);
}

TEST_F(LibraryResolverTest, StaleCacheEntryFallsBackToDefaultDirectories) {
  tree_.mkdir("/usr/lib/x86_64-linux-gnu");
  library("/usr/lib/x86_64-linux-gnu/libcudnn.so.8.9.7", "libcudnn.so.8");
  tree_.symlink("libcudnn.so.8.9.7", "/usr/lib/x86_64-linux-gnu/libcudnn.so.8");
  tree_.write("/etc/ld.so.cache",
              LdCacheBuilder::build({{0x303, "libcudnn.so.8", "/gone/libcudnn.so.8"}}));
  auto resolution = resolve("libcudnn.so.8");
  ASSERT_TRUE(resolution.path.is_present());
  EXPECT_EQ(*resolution.path.value, "/usr/lib/x86_64-linux-gnu/libcudnn.so.8");
  EXPECT_EQ(resolution.provider, Provider::kDistribution);
  EXPECT_EQ(resolution.candidates.front().rejected_because, "not found");
  EXPECT_EQ(resolution.candidates.back().step, SearchStep::kDefaultDir);
  EXPECT_EQ(resolution.version.value->text(), "8.9.7");
}

TEST_F(LibraryResolverTest, MalformedCacheIsAProblemAndACandidate) {
  tree_.write("/etc/ld.so.cache", "glibc-ld.so.cache1.1 truncated");
  auto resolution = resolve("libnothing.so.1");
  EXPECT_EQ(resolution.path.presence, Presence::kAbsent);
  ASSERT_FALSE(resolver_->problems().empty());
  EXPECT_NE(resolver_->problems()[0].message.find("ld.so.cache"), std::string::npos);
  EXPECT_EQ(resolution.candidates.front().step, SearchStep::kLdCache);
}

TEST_F(LibraryResolverTest, NotFoundIsAbsentWithEveryPlaceSearched) {
  tree_.mkdir("/usr/lib/x86_64-linux-gnu");
  tensorflow_with_cudnn_wheel();
  auto resolution = resolve("libcublas.so.12", {kFramework});
  EXPECT_EQ(resolution.path.presence, Presence::kAbsent);
  EXPECT_NE(resolution.path.source.find("searched"), std::string::npos);
  // RUNPATH (2 entries) and the four default directories.
  ASSERT_EQ(resolution.candidates.size(), 6U);
  EXPECT_EQ(resolution.candidates[0].step, SearchStep::kRunpath);
  EXPECT_EQ(resolution.candidates[2].path, "/lib/x86_64-linux-gnu/libcublas.so.12");
  EXPECT_EQ(resolution.candidates[5].path, "/usr/lib/libcublas.so.12");
  EXPECT_TRUE(resolution.requester.empty());
  EXPECT_TRUE(resolver_->problems().empty());
}

TEST_F(LibraryResolverTest, UnreadableRequesterMakesAMissTheUnknown) {
  auto resolution = resolve("libcudnn.so.9", {"/venv/missing/libtensorflow_framework.so.2"});
  EXPECT_EQ(resolution.path.presence, Presence::kUnknown);
  EXPECT_FALSE(resolver_->problems().empty());
}

TEST_F(LibraryResolverTest, StubAndDriverLibcuda) {
  library("/usr/local/cuda-12.4/lib64/stubs/libcuda.so", "libcuda.so.1");
  tree_.symlink("libcuda.so", "/usr/local/cuda-12.4/lib64/stubs/libcuda.so.1");
  tree_.mkdir("/usr/lib/x86_64-linux-gnu");
  library("/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05", "libcuda.so.1");
  tree_.symlink("libcuda.so.535.104.05", "/usr/lib/x86_64-linux-gnu/libcuda.so.1");

  auto driver = resolve("libcuda.so.1");
  ASSERT_TRUE(driver.path.is_present());
  EXPECT_EQ(driver.provider, Provider::kDriver);
  EXPECT_EQ(driver.version.value->text(), "535.104.05");
  EXPECT_FALSE(is_stub_libcuda_path(*driver.path.value, *driver.real_path.value));

  env_["LD_LIBRARY_PATH"] = "/usr/local/cuda-12.4/lib64/stubs";
  resolver_.reset();
  auto stub = resolve("libcuda.so.1");
  ASSERT_TRUE(stub.path.is_present());
  EXPECT_EQ(stub.provider, Provider::kStub);
  EXPECT_TRUE(is_stub_libcuda_path(*stub.path.value, *stub.real_path.value));
  EXPECT_TRUE(is_stub_libcuda_path("/usr/lib/libcuda.so.1", "/opt/x/libcuda.so"));
}

TEST_F(LibraryResolverTest, CondaAndWslProviders) {
  tree_.mkdir("/opt/conda/conda-meta");
  library("/opt/conda/lib/libcublas.so.12.1.3.1");
  tree_.symlink("libcublas.so.12.1.3.1", "/opt/conda/lib/libcublas.so.12");
  library("/usr/lib/wsl/lib/libcuda.so.1");
  env_["LD_LIBRARY_PATH"] = "/opt/conda/lib:/usr/lib/wsl/lib";
  EXPECT_EQ(resolve("libcublas.so.12").provider, Provider::kConda);
  auto wsl = resolve("libcuda.so.1");
  EXPECT_EQ(wsl.provider, Provider::kWsl);
  EXPECT_EQ(wsl.version.presence, Presence::kUnknown);  // the file name has only the major
}

// The real TensorFlow 2.21 venv, when present.
std::string real_site_packages() {
  const char* venv = std::getenv("TFGPU_TF_VENV");
  return std::string(venv != nullptr ? venv : "/root/.cache/tfgpu/tf-2.21.0") +
         "/lib/python3.11/site-packages";
}

TEST(LibraryResolverReal, TensorflowFindsItsCudnnWheelThroughRunpath) {
  const std::string tf = real_site_packages() + "/tensorflow";
  const SysRoot root("/");
  if (!root.exists(tf + "/libtensorflow_framework.so.2")) {
    GTEST_SKIP() << "no TensorFlow venv at " << tf << " (set TFGPU_TF_VENV)";
  }
  const Environment env;
  LibraryResolver resolver(root, env);
  const std::vector<std::string> requesters = {tf + "/libtensorflow_framework.so.2",
                                               tf + "/libtensorflow_cc.so.2"};
  auto cudnn = resolver.resolve({"libcudnn.so.9", "cudnn", true, requesters});
  ASSERT_TRUE(cudnn.path.is_present()) << cudnn.path.source;
  EXPECT_EQ(*cudnn.path.value, real_site_packages() + "/nvidia/cudnn/lib/libcudnn.so.9");
  EXPECT_EQ(cudnn.requester, requesters[0]);
  EXPECT_EQ(cudnn.provider, Provider::kPipWheel);
  EXPECT_EQ(cudnn.wheel, "nvidia-cudnn-cu12");
  ASSERT_TRUE(cudnn.version.is_present());
  EXPECT_EQ(cudnn.version.value->major(), 9);

  // Only libtensorflow_cc.so.2's RUNPATH names nvidia/cusolver/lib.
  auto cusolver = resolver.resolve({"libcusolver.so.11", "cusolver", true, requesters});
  ASSERT_TRUE(cusolver.path.is_present()) << cusolver.path.source;
  EXPECT_EQ(cusolver.requester, requesters[1]);
  EXPECT_EQ(cusolver.wheel, "nvidia-cusolver-cu12");
  EXPECT_TRUE(resolver.problems().empty());
}

TEST(LibraryResolverReal, ThisMachinesCacheFindsTheToolkitCudart) {
  const SysRoot root("/");
  if (!root.exists("/usr/local/cuda-13.0/lib/libcudart.so.13")) {
    GTEST_SKIP() << "no CUDA 13.0 toolkit";
  }
  const Environment env;
  LibraryResolver resolver(root, env);
  auto cudart = resolver.resolve({"libcudart.so.13", "cudart", true, {}});
  ASSERT_TRUE(cudart.path.is_present()) << cudart.path.source;
  EXPECT_EQ(cudart.candidates.back().step, SearchStep::kLdCache);
  EXPECT_EQ(*cudart.real_path.value, "/usr/local/cuda-13.0/lib/libcudart.so.13");
  EXPECT_EQ(cudart.provider, Provider::kCudaToolkit);
}

}  // namespace
}  // namespace tfgpu::probe
