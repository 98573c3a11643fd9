// SPDX-License-Identifier: Apache-2.0
// probe_live against fake libcuda/libnvidia-ml built at test time (tests/fixtures/libs), the real
// CUDA toolkit stub, and this machine's real loader.
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "temp_tree.h"
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {
namespace {

using model::Observed;
using model::Presence;
using namespace std::chrono_literals;

constexpr const char* kRealStub = "/usr/local/cuda/lib64/stubs/libcuda.so";

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }

  ~ScopedEnv() { ::unsetenv(name_); }

  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

// Options that load the fakes; the probed environment's LD_LIBRARY_PATH matches this process's,
// so soname cross-checks are comparable.
ProbeOptions fake_options() {
  ProbeOptions options;
  options.library_overrides = {{"libcuda.so.1", TFGPU_FAKE_LIBCUDA},
                               {"libnvidia-ml.so.1", TFGPU_FAKE_LIBNVIDIA_ML}};
  if (const char* path = ::getenv("LD_LIBRARY_PATH")) {
    options.environment["LD_LIBRARY_PATH"] = path;
  }
  options.live_timeout = 5s;
  return options;
}

void run_live(const ProbeOptions& options, model::Facts& facts) {
  SysRoot root(options.root);
  ProbeContext context{root, options.environment, options};
  probe_live(context, facts);
}

model::Facts run_live(const ProbeOptions& options) {
  model::Facts facts;
  run_live(options, facts);
  return facts;
}

model::LibraryResolution predicted(std::string soname, Observed<std::string> path,
                                   bool required = true) {
  model::LibraryResolution library;
  library.soname = std::move(soname);
  library.required = required;
  library.path = std::move(path);
  return library;
}

TEST(LiveProbeTest, FakeH100) {
  model::Facts facts;
  facts.user_driver.libcuda =
      predicted("libcuda.so.1", Observed<std::string>::present(TFGPU_FAKE_LIBCUDA, "test"));
  run_live(fake_options(), facts);
  const auto& live = facts.user_driver.live;
  EXPECT_EQ(live.outcome.value_or(""), "exited");
  EXPECT_EQ(live.cuda_driver_version.value_or(Version()).text(), "12.4");
  EXPECT_EQ(live.cu_init_status.value_or(-1), 0);
  EXPECT_EQ(live.cu_init_status_name, "CUDA_SUCCESS");
  EXPECT_EQ(live.device_count.value_or(-1), 1);
  ASSERT_EQ(live.devices.size(), 1u);
  const auto& device = live.devices[0];
  EXPECT_EQ(device.name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(device.compute_capability, *Version::parse("9.0"));
  EXPECT_EQ(device.total_bytes, std::uint64_t{80} << 30);
  EXPECT_EQ(device.uuid, "GPU-12345678-9abc-def0-0123-456789abcdef");
  EXPECT_EQ(device.pci_bus_id, "0000:3B:00.0");
  EXPECT_EQ(device.free_bytes.value_or(0), std::uint64_t{75} << 30);  // NVML, joined on UUID
  EXPECT_EQ(live.nvml_status_name, "NVML_SUCCESS");
  EXPECT_EQ(live.nvml_driver_version.value_or(Version()).text(), "550.54.14");
  EXPECT_EQ(live.nvml_cuda_driver_version.value_or(Version()).text(), "12.4");
  EXPECT_EQ(live.cuda_visible_devices.presence, Presence::kAbsent);
  EXPECT_TRUE(facts.problems.empty());

  ASSERT_TRUE(facts.user_driver.libcuda.dlopen.has_value());
  const auto& check = *facts.user_driver.libcuda.dlopen;
  EXPECT_TRUE(check.loaded_path.is_present());
  EXPECT_TRUE(check.agrees.value_or(false)) << check.agrees.source << check.agrees.why_unknown;
}

TEST(LiveProbeTest, NoDevice) {
  ScopedEnv scenario("FAKE_CUDA_SCENARIO", "no_device");
  auto facts = run_live(fake_options());
  const auto& live = facts.user_driver.live;
  EXPECT_EQ(live.outcome.value_or(""), "exited");
  EXPECT_EQ(live.cu_init_status.value_or(-1), 100);
  EXPECT_EQ(live.cu_init_status_name, "CUDA_ERROR_NO_DEVICE");
  EXPECT_EQ(live.device_count.presence, Presence::kUnknown);
  EXPECT_NE(live.device_count.why_unknown.find("CUDA_ERROR_NO_DEVICE"), std::string::npos);
  EXPECT_TRUE(live.devices.empty());
  EXPECT_EQ(live.cuda_driver_version.value_or(Version()).text(), "12.4");  // works before cuInit
}

TEST(LiveProbeTest, CudaVisibleDevicesFromTheProbedEnvironmentReachesTheDriver) {
  auto options = fake_options();
  options.environment["CUDA_VISIBLE_DEVICES"] = "-1";
  auto facts = run_live(options);
  const auto& live = facts.user_driver.live;
  EXPECT_EQ(live.cuda_visible_devices.value_or("unset"), "-1");
  EXPECT_EQ(live.cu_init_status.value_or(-1), 100);
  EXPECT_EQ(::getenv("CUDA_VISIBLE_DEVICES"), nullptr);  // only the child's environment changed
}

TEST(LiveProbeTest, HangBecomesTimeout) {
  ScopedEnv scenario("FAKE_CUDA_SCENARIO", "hang");
  auto options = fake_options();
  options.live_timeout = 500ms;
  const auto start = std::chrono::steady_clock::now();
  model::Facts facts;
  facts.user_driver.libcuda = predicted("libcuda.so.1", Observed<std::string>::absent("test"));
  run_live(options, facts);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const auto& live = facts.user_driver.live;
  EXPECT_EQ(live.outcome.value_or(""), "timeout");
  // The driver child (500 ms) plus one fast dlopen cross-check.
  EXPECT_LT(elapsed, options.live_timeout + 1s);
  EXPECT_EQ(live.cu_init_status.presence, Presence::kUnknown);
  EXPECT_NE(live.cu_init_status.why_unknown.find("timed out after 500 ms"), std::string::npos)
      << live.cu_init_status.why_unknown;
  EXPECT_EQ(live.nvml_driver_version.presence, Presence::kUnknown);
  // dlopen alone does not call cuInit: the cross-check still works, and disagrees with the
  // (deliberately wrong) prediction that libcuda.so.1 is absent.
  ASSERT_TRUE(facts.user_driver.libcuda.dlopen.has_value());
  EXPECT_FALSE(facts.user_driver.libcuda.dlopen->agrees.value_or(true));
}

TEST(LiveProbeTest, CrashBecomesSignal) {
  ScopedEnv scenario("FAKE_CUDA_SCENARIO", "crash");
  auto facts = run_live(fake_options());
  const auto& live = facts.user_driver.live;
  EXPECT_EQ(live.outcome.value_or(""), "signal SIGSEGV");
  EXPECT_EQ(live.cuda_driver_version.presence, Presence::kUnknown);
  EXPECT_NE(live.cuda_driver_version.why_unknown.find("signal SIGSEGV"), std::string::npos);
}

TEST(LiveProbeTest, MissingRequiredSymbolLeavesInitUnknownWithTheSymbol) {
  auto options = fake_options();
  options.library_overrides["libcuda.so.1"] = TFGPU_FAKE_LIBCUDA_INIT_ONLY;
  auto facts = run_live(options);
  const auto& live = facts.user_driver.live;
  EXPECT_EQ(live.outcome.value_or(""), "exited");
  EXPECT_EQ(live.cu_init_status.presence, Presence::kUnknown);
  EXPECT_NE(live.cu_init_status.why_unknown.find("cuDriverGetVersion"), std::string::npos);
}

TEST(LiveProbeTest, NvmlDriverNotLoaded) {
  ScopedEnv scenario("FAKE_NVML_SCENARIO", "driver_not_loaded");
  auto facts = run_live(fake_options());
  const auto& live = facts.user_driver.live;
  EXPECT_EQ(live.nvml_status_name, "NVML_ERROR_DRIVER_NOT_LOADED");
  EXPECT_EQ(live.nvml_driver_version.presence, Presence::kUnknown);
  ASSERT_EQ(live.devices.size(), 1u);
  EXPECT_EQ(live.devices[0].free_bytes.presence, Presence::kUnknown);
}

TEST(LiveProbeTest, SkippedOnRecordedMachinesAndWithNoLive) {
  TempTree tree;
  auto options = fake_options();
  options.root = tree.root();
  options.environment["CUDA_VISIBLE_DEVICES"] = "0";
  auto recorded = run_live(options);
  EXPECT_EQ(recorded.user_driver.live.outcome.value_or(""), "skipped");
  EXPECT_EQ(recorded.user_driver.live.outcome.source, "recorded machine");
  EXPECT_EQ(recorded.user_driver.live.cu_init_status.presence, Presence::kUnknown);
  EXPECT_EQ(recorded.user_driver.live.cuda_visible_devices.value_or(""), "0");
  EXPECT_FALSE(recorded.user_driver.libcuda.dlopen.has_value());

  auto no_live = fake_options();
  no_live.run_live_checks = false;
  auto skipped = run_live(no_live);
  EXPECT_EQ(skipped.user_driver.live.outcome.value_or(""), "skipped");
  EXPECT_EQ(skipped.user_driver.live.outcome.source, "--no-live");
}

TEST(LiveProbeTest, RealToolkitStubFailsCuInitWithStubLibrary) {
  if (::access(kRealStub, R_OK) != 0) {
    GTEST_SKIP() << "no CUDA toolkit stub at " << kRealStub;
  }
  auto options = fake_options();
  options.library_overrides["libcuda.so.1"] = kRealStub;
  auto facts = run_live(options);
  const auto& live = facts.user_driver.live;
  EXPECT_EQ(live.cu_init_status.value_or(-1), 34);
  EXPECT_EQ(live.cu_init_status_name, "CUDA_ERROR_STUB_LIBRARY");
  // The stub answers cuDriverGetVersion with CUDA_ERROR_STUB_LIBRARY too.
  EXPECT_EQ(live.cuda_driver_version.presence, Presence::kUnknown);
  EXPECT_NE(live.cuda_driver_version.why_unknown.find("CUDA_ERROR_STUB_LIBRARY"),
            std::string::npos);
}

TEST(LiveProbeTest, RealLibcudaSonameOnThisMachine) {
  ProbeOptions options;  // no overrides: dlopen("libcuda.so.1") as TensorFlow does
  if (const char* path = ::getenv("LD_LIBRARY_PATH")) {
    options.environment["LD_LIBRARY_PATH"] = path;
  }
  options.library_overrides["libnvidia-ml.so.1"] = TFGPU_FAKE_LIBNVIDIA_ML;
  model::Facts facts;
  facts.user_driver.libcuda = predicted("libcuda.so.1", Observed<std::string>::absent("test"));
  run_live(options, facts);
  const auto& live = facts.user_driver.live;
  if (live.cu_init_status.is_present()) {
    GTEST_SKIP() << "this machine has a libcuda.so.1: " << live.cu_init_status.source;
  }
  EXPECT_NE(live.cu_init_status.why_unknown.find(
                "libcuda.so.1: cannot open shared object file: No such file or directory"),
            std::string::npos)
      << live.cu_init_status.why_unknown;
  ASSERT_TRUE(facts.user_driver.libcuda.dlopen.has_value());
  const auto& check = *facts.user_driver.libcuda.dlopen;
  EXPECT_EQ(check.loaded_path.presence, Presence::kAbsent);
  EXPECT_NE(check.error.find("cannot open shared object file"), std::string::npos) << check.error;
  EXPECT_TRUE(check.agrees.value_or(false));  // predicted absent, and it is
}

TEST(LiveProbeTest, CrossChecksSystemLibrariesBySoname) {
  constexpr const char* kLibm = "/lib/x86_64-linux-gnu/libm.so.6";
  if (::access(kLibm, R_OK) != 0) {
    GTEST_SKIP() << "no " << kLibm;
  }
  model::Facts facts;
  facts.system_libraries.push_back(
      predicted("libm.so.6", Observed<std::string>::present(kLibm, "test")));
  facts.system_libraries.push_back(
      predicted("libm.so.6", Observed<std::string>::present("/opt/elsewhere/libm.so.6", "test")));
  facts.system_libraries.push_back(
      predicted("libcublas.so.12", Observed<std::string>::absent("test")));  // not checked
  run_live(fake_options(), facts);
  ASSERT_TRUE(facts.system_libraries[0].dlopen.has_value());
  EXPECT_TRUE(facts.system_libraries[0].dlopen->agrees.value_or(false))
      << facts.system_libraries[0].dlopen->agrees.source;
  ASSERT_TRUE(facts.system_libraries[1].dlopen.has_value());
  EXPECT_FALSE(facts.system_libraries[1].dlopen->agrees.value_or(true));
  EXPECT_FALSE(facts.system_libraries[2].dlopen.has_value());
}

TEST(LiveProbeTest, SonameCrossCheckIsUnknownWhenLdLibraryPathDiffers) {
  constexpr const char* kLibm = "/lib/x86_64-linux-gnu/libm.so.6";
  auto options = fake_options();
  options.environment["LD_LIBRARY_PATH"] = "/tfgpu/not/this/process";
  model::Facts facts;
  facts.system_libraries.push_back(
      predicted("libm.so.6", Observed<std::string>::present(kLibm, "test")));
  run_live(options, facts);
  ASSERT_TRUE(facts.system_libraries[0].dlopen.has_value());
  EXPECT_EQ(facts.system_libraries[0].dlopen->agrees.presence, Presence::kUnknown);
}

TEST(LiveProbeTest, CrossChecksRequiredEnvLibrariesByPath) {
  model::Facts facts;
  model::PythonEnv env;
  env.libraries.push_back(predicted(
      "libcudart.so.12", Observed<std::string>::present(TFGPU_FAKE_LIBNVIDIA_ML, "test")));
  env.libraries.push_back(predicted(
      "libcublas.so.12", Observed<std::string>::present("/nonexistent/libcublas.so.12", "test")));
  env.libraries.push_back(predicted(
      "libnvinfer.so.10", Observed<std::string>::present(TFGPU_FAKE_LIBCUDA, "test"), false));
  facts.python_envs.push_back(env);
  run_live(fake_options(), facts);
  const auto& libraries = facts.python_envs[0].libraries;
  ASSERT_TRUE(libraries[0].dlopen.has_value());
  EXPECT_TRUE(libraries[0].dlopen->agrees.value_or(false));
  ASSERT_TRUE(libraries[1].dlopen.has_value());
  EXPECT_FALSE(libraries[1].dlopen->agrees.value_or(true));
  EXPECT_NE(libraries[1].dlopen->error.find("/nonexistent/libcublas.so.12"), std::string::npos);
  EXPECT_FALSE(libraries[2].dlopen.has_value());  // not required: TensorFlow does not need it
}

}  // namespace
}  // namespace tfgpu::probe
