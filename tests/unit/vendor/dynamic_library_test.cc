// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/vendor/dynamic_library.h"

#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tfgpu::vendor {
namespace {

// The real path of `path` (the fake's TARGET_FILE may itself be a symlink-free build path).
std::string real_path(const std::string& path) {
  char buffer[4096];
  return ::realpath(path.c_str(), buffer) != nullptr ? std::string(buffer) : path;
}

TEST(DynamicLibraryTest, RecordsEveryCandidatesError) {
  std::vector<std::string> candidates = {"libtfgpu_does_not_exist.so.7",
                                         "/nonexistent/dir/libcuda.so.1"};
  auto library = DynamicLibrary::open(candidates);
  ASSERT_FALSE(library);
  EXPECT_EQ(library.error().code, Errc::kNotFound);
  EXPECT_NE(library.error().message.find("libtfgpu_does_not_exist.so.7: cannot open shared object"),
            std::string::npos)
      << library.error().message;
  EXPECT_NE(library.error().message.find("/nonexistent/dir/libcuda.so.1"), std::string::npos)
      << library.error().message;
}

TEST(DynamicLibraryTest, NoCandidatesIsAnError) {
  auto library = DynamicLibrary::open({});
  ASSERT_FALSE(library);
  EXPECT_EQ(library.error().code, Errc::kInvalidArgument);
}

TEST(DynamicLibraryTest, FallsThroughToTheFirstCandidateThatLoads) {
  std::vector<std::string> candidates = {"libtfgpu_does_not_exist.so.7", TFGPU_FAKE_LIBCUDA};
  auto library = DynamicLibrary::open(candidates);
  ASSERT_TRUE(library) << library.error().message;
  EXPECT_EQ(library->requested(), TFGPU_FAKE_LIBCUDA);
  EXPECT_EQ(real_path(library->loaded_path()), real_path(TFGPU_FAKE_LIBCUDA));
}

TEST(DynamicLibraryTest, ResolvesSymbolsAndNamesMissingOnes) {
  std::vector<std::string> candidates = {TFGPU_FAKE_LIBCUDA};
  auto library = DynamicLibrary::open(candidates);
  ASSERT_TRUE(library) << library.error().message;
  auto get_version = library->symbol<int(int*)>("cuDriverGetVersion");
  ASSERT_TRUE(get_version) << get_version.error().message;
  int version = 0;
  EXPECT_EQ((*get_version)(&version), 0);
  EXPECT_EQ(version, 12040);

  auto missing = library->symbol<int(int*)>("cuDeviceGetUuid_v2");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kUnsupported);
  EXPECT_NE(missing.error().message.find("cuDeviceGetUuid_v2 not exported by "), std::string::npos);
}

TEST(DynamicLibraryTest, ReportsThePathTheLoaderFoundForASoname) {
  // libc.so.6 is always loaded; by soname the loader answers with its real file.
  std::vector<std::string> candidates = {"libc.so.6"};
  auto library = DynamicLibrary::open(candidates);
  ASSERT_TRUE(library) << library.error().message;
  EXPECT_EQ(library->requested(), "libc.so.6");
  EXPECT_EQ(library->loaded_path().front(), '/') << library->loaded_path();
  EXPECT_NE(library->loaded_path().find("libc.so.6"), std::string::npos);
}

TEST(DynamicLibraryTest, MovedFromLibraryRefusesSymbols) {
  std::vector<std::string> candidates = {TFGPU_FAKE_LIBCUDA};
  auto library = DynamicLibrary::open(candidates);
  ASSERT_TRUE(library);
  DynamicLibrary moved = std::move(*library);
  EXPECT_TRUE(moved.symbol<int(unsigned)>("cuInit"));
  EXPECT_FALSE(library->symbol<int(unsigned)>("cuInit"));  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace tfgpu::vendor
