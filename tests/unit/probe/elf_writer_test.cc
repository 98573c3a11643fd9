// SPDX-License-Identifier: Apache-2.0
// build_shared_object(): read back by the ELF reader, and accepted by this machine's real dynamic
// loader, which is what the live probe's loader check relies on.
#include "tfgpu/probe/elf_writer.h"

#include <elf.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "temp_tree.h"
#include "tfgpu/probe/child_process.h"
#include "tfgpu/probe/elf_reader.h"
#include "tfgpu/probe/ld_trace.h"
#include "tfgpu/vendor/dynamic_library.h"

namespace tfgpu::probe {
namespace {

using namespace std::chrono_literals;

TEST(ElfWriterTest, ReadsBackWithTheNativeIdentityByDefault) {
  SharedObjectSpec spec;
  spec.soname = "libstand-in.so";
  spec.needed = {"libcudnn.so.9", "/abs/path/libfake.so"};
  spec.runpath = "/opt/a:/opt/b";
  auto info = parse_elf(build_shared_object(spec));
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->header.type, ET_DYN);
  EXPECT_EQ(info->header.elf_class, sizeof(void*) == 8 ? ElfClass::k64 : ElfClass::k32);
#if defined(__x86_64__)
  EXPECT_EQ(info->header.machine, EM_X86_64);
#endif
  EXPECT_EQ(info->soname, "libstand-in.so");
  EXPECT_EQ(info->needed, spec.needed);
  EXPECT_TRUE(info->has_runpath);
  EXPECT_FALSE(info->has_rpath);
  EXPECT_EQ(info->runpath, (std::vector<std::string>{"/opt/a", "/opt/b"}));
  EXPECT_FALSE(info->interpreter.has_value());

  SharedObjectSpec rpath_only;
  rpath_only.rpath = "/opt/r";
  auto rpath_info = parse_elf(build_shared_object(rpath_only));
  ASSERT_TRUE(rpath_info);
  EXPECT_TRUE(rpath_info->has_rpath);
  EXPECT_FALSE(rpath_info->has_runpath);
  EXPECT_TRUE(rpath_info->needed.empty());
}

// This process's loader, or empty (and why) when it cannot be found.
std::string own_loader(std::string& why) {
  SysRoot root("/");
  auto self = read_elf_file(root, "/proc/self/exe");
  if (!self) {
    why = self.error().message;
    return {};
  }
  if (!self->interpreter) {
    why = "this test binary has no PT_INTERP";
    return {};
  }
  if (::access(self->interpreter->c_str(), X_OK) != 0) {
    why = "cannot execute " + *self->interpreter;
    return {};
  }
  return *self->interpreter;
}

class RealLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    loader_ = own_loader(why);
    if (loader_.empty()) {
      GTEST_SKIP() << "no dynamic loader to test against: " << why;
    }
  }

  // ld.so's trace of a stand-in built from `spec`, written into the scratch tree.
  ChildOutcome trace(const SharedObjectSpec& spec, std::vector<std::string> env = {}) {
    tree_.write("/stand-in.so", build_shared_object(spec));
    env.emplace_back("LD_TRACE_LOADED_OBJECTS=1");
    auto outcome = run_command({loader_, tree_.host("/stand-in.so")}, env, 10s);
    EXPECT_TRUE(outcome) << outcome.error().message;
    return outcome ? *outcome : ChildOutcome{};
  }

  std::string loader_;
  TempTree tree_;
};

TEST_F(RealLoaderTest, TracesTheStandInsNeeds) {
  SharedObjectSpec spec;
  spec.needed = {"libm.so.6", "libtfgpu-does-not-exist.so.1"};
  const ChildOutcome outcome = trace(spec);
  ASSERT_EQ(outcome.end, ChildEnd::kExited) << outcome.describe();
  EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
  const LdTrace parsed = parse_ld_trace(outcome.output);
  const LdTraceEntry* libm = parsed.find("libm.so.6");
  ASSERT_NE(libm, nullptr) << outcome.output;
  ASSERT_TRUE(libm->path.has_value());
  EXPECT_TRUE(libm->path->ends_with("/libm.so.6")) << *libm->path;
  const LdTraceEntry* missing = parsed.find("libtfgpu-does-not-exist.so.1");
  ASSERT_NE(missing, nullptr) << outcome.output;
  EXPECT_FALSE(missing->path.has_value());
  EXPECT_TRUE(parsed.messages.empty()) << parsed.messages.front();
}

TEST_F(RealLoaderTest, SearchesTheStandInsRunpath) {
  // The linker-built libcudnn.so.9 stand-in, where only the RUNPATH points.
  tree_.mkdir("/lib");
  std::filesystem::copy_file(TFGPU_FAKE_ELF_RUNPATH, tree_.host("/lib/libcudnn.so.9"));
  SharedObjectSpec spec;
  spec.needed = {"libcudnn.so.9"};
  spec.runpath = "/nonexistent/dir:" + tree_.host("/lib");
  const LdTraceEntry* found = nullptr;
  const LdTrace with = parse_ld_trace(trace(spec).output);
  found = with.find("libcudnn.so.9");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->path.value_or(""), tree_.host("/lib/libcudnn.so.9"));

  spec.runpath.reset();
  const LdTrace without = parse_ld_trace(trace(spec).output);
  found = without.find("libcudnn.so.9");
  ASSERT_NE(found, nullptr);
  EXPECT_NE(found->path.value_or(""), tree_.host("/lib/libcudnn.so.9"));

  // LD_LIBRARY_PATH in the command's environment reaches the fresh loader.
  const LdTrace via_env =
      parse_ld_trace(trace(spec, {"LD_LIBRARY_PATH=" + tree_.host("/lib")}).output);
  found = via_env.find("libcudnn.so.9");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->path.value_or(""), tree_.host("/lib/libcudnn.so.9"));
}

TEST_F(RealLoaderTest, TracingRunsNoInitialiser) {
  // Loading the library for real runs its initialiser, which aborts...
  auto dlopened = run_in_child(
      [] {
        std::vector<std::string> candidates = {TFGPU_FAKE_CTOR_ABORTS};
        (void)vendor::DynamicLibrary::open(candidates);
        return std::string("survived");
      },
      10s);
  ASSERT_TRUE(dlopened);
  EXPECT_EQ(dlopened->describe(), "signal SIGABRT");
  // ...but the trace only maps it.
  SharedObjectSpec spec;
  spec.needed = {TFGPU_FAKE_CTOR_ABORTS};
  const ChildOutcome outcome = trace(spec);
  EXPECT_EQ(outcome.describe(), "exited") << outcome.output;
  const LdTrace parsed = parse_ld_trace(outcome.output);
  const LdTraceEntry* entry = parsed.find(TFGPU_FAKE_CTOR_ABORTS);
  ASSERT_NE(entry, nullptr) << outcome.output;
  EXPECT_EQ(entry->path.value_or(""), TFGPU_FAKE_CTOR_ABORTS);
}

}  // namespace
}  // namespace tfgpu::probe
