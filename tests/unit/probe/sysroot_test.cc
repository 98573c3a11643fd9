// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/sysroot.h"

#include <gtest/gtest.h>

#include "temp_tree.h"

namespace tfgpu::probe {
namespace {

TEST(SysRootTest, ReadsFilesUnderTheRoot) {
  TempTree tree;
  tree.write("/etc/os-release", "ID=debian\n");
  SysRoot root(tree.root());
  EXPECT_FALSE(root.is_live());
  auto text = root.read_file("/etc/os-release");
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "ID=debian\n");
  auto missing = root.read_file("/etc/nothing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  EXPECT_NE(missing.error().message.find("/etc/nothing"), std::string::npos);
}

TEST(SysRootTest, AbsoluteSymlinksStayInsideTheRoot) {
  TempTree tree;
  tree.write("/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05", "x");
  tree.symlink("/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05",
               "/usr/lib/x86_64-linux-gnu/libcuda.so.1");
  tree.symlink("libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so");
  SysRoot root(tree.root());
  auto real = root.real_path("/usr/lib/x86_64-linux-gnu/libcuda.so");
  ASSERT_TRUE(real) << (real ? "" : real.error().message);
  EXPECT_EQ(*real, "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05");
  EXPECT_TRUE(root.exists("/usr/lib/x86_64-linux-gnu/libcuda.so"));
}

TEST(SysRootTest, NoAccessorFollowsALinkOutOfTheRoot) {
  TempTree host;  // stands for the host running tfgpu
  host.write("/secret/file", "host data");
  TempTree tree;
  tree.symlink(host.host("/secret/file"), "/etc/ld.so.cache");
  tree.symlink(host.host("/secret"), "/etc/dir");
  SysRoot root(tree.root());
  auto data = root.read_file("/etc/ld.so.cache");
  EXPECT_FALSE(data.has_value() && *data == "host data");
  EXPECT_FALSE(root.read_head("/etc/ld.so.cache", 10).has_value() &&
               *root.read_head("/etc/ld.so.cache", 10) == "host data");
  auto listed = root.list_directory("/etc/dir");
  EXPECT_FALSE(listed.has_value() && !listed->empty());
  EXPECT_FALSE(root.open_file("/etc/dir/file").has_value());
  EXPECT_FALSE(root.read_link("/etc/dir/file").has_value());
}

TEST(SysRootTest, DotDotAfterASymlinkIsResolvedAfterTheLink) {
  TempTree tree;
  tree.write("/real/deep/b", "right");
  tree.write("/a/b", "wrong");
  tree.symlink("/real/deep/x", "/a/link");
  tree.mkdir("/real/deep/x");
  SysRoot root(tree.root());
  auto real = root.real_path("/a/link/../b");
  ASSERT_TRUE(real) << real.error().message;
  EXPECT_EQ(*real, "/real/deep/b");
  EXPECT_EQ(root.read_file("/a/link/../b").value_or(""), "right");
}

TEST(SysRootTest, SymlinkLoopsAreAnErrorNotAHang) {
  TempTree tree;
  tree.symlink("b", "/lib/a");
  tree.symlink("a", "/lib/b");
  SysRoot root(tree.root());
  auto real = root.real_path("/lib/a");
  ASSERT_FALSE(real);
  EXPECT_EQ(real.error().code, Errc::kMalformed);
  EXPECT_NE(real.error().message.find("symbolic links"), std::string::npos);
  EXPECT_FALSE(root.read_file("/lib/a"));
}

TEST(SysRootTest, HugeFilesAreRefusedPastTheLimit) {
  TempTree tree;
  tree.write("/big", std::string(5000, 'x'));
  SysRoot root(tree.root());
  auto big = root.read_file("/big", 1000);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::kTooLarge);
  auto head = root.read_head("/big", 1000);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->size(), 1000U);
}

TEST(SysRootTest, UnreadableDirectoriesAreReported) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root: permission bits do not stop root";
  }
  TempTree tree;
  tree.mkdir("/secret");
  ::chmod(tree.host("/secret").c_str(), 0);
  SysRoot root(tree.root());
  auto entries = root.list_directory("/secret");
  ASSERT_FALSE(entries);
  EXPECT_EQ(entries.error().code, Errc::kPermissionDenied);
}

TEST(SysRootTest, MetadataCacheRemembersWhatItSawAndIsOffByDefault) {
  TempTree tree;
  SysRoot cached(tree.root(), MetadataCache::kOn);
  SysRoot uncached(tree.root());
  EXPECT_FALSE(cached.exists("/late"));
  EXPECT_FALSE(uncached.exists("/late"));
  tree.write("/late", "x");
  EXPECT_FALSE(cached.exists("/late"));  // a probe run treats the machine as unchanging
  EXPECT_TRUE(uncached.exists("/late"));
  tree.symlink("b", "/lib/a");
  tree.symlink("a", "/lib/b");
  auto loop = cached.real_path("/lib/a");  // loops still end with an error when cached
  ASSERT_FALSE(loop);
  EXPECT_EQ(loop.error().code, Errc::kMalformed);
}

TEST(SysRootTest, NormalizesPaths) {
  EXPECT_EQ(normalize_path("/a//b/./c/../d"), "/a/b/d");
  EXPECT_EQ(normalize_path("/.."), "/");
  EXPECT_EQ(parent_path("/a/b.so"), "/a");
  EXPECT_EQ(join_path("/a/", "b"), "/a/b");
}

}  // namespace
}  // namespace tfgpu::probe
