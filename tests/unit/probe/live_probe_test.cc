// SPDX-License-Identifier: Apache-2.0
// probe_live against fake libcuda/libnvidia-ml built at test time (tests/fixtures/libs), the real
// CUDA toolkit stub, and this machine's real loader (the loader checks trace stand-ins with it).
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "elf_builder.h"
#include "scoped_env.h"
#include "temp_tree.h"
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {
namespace {

using model::Observed;
using model::Presence;
using namespace std::chrono_literals;

constexpr const char* kRealStub = "/usr/local/cuda/lib64/stubs/libcuda.so";

// Options that load the fakes, in a probed environment with this process's LD_LIBRARY_PATH.
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

  ASSERT_TRUE(facts.user_driver.libcuda.loader_check.has_value());
  const auto& check = *facts.user_driver.libcuda.loader_check;
  EXPECT_EQ(check.loaded_path.value_or(""), TFGPU_FAKE_LIBCUDA);
  EXPECT_TRUE(check.agrees.value_or(false)) << check.agrees.source << check.agrees.why_unknown;
  EXPECT_NE(check.method.find("stand-in requester"), std::string::npos) << check.method;
  EXPECT_TRUE(check.error.empty()) << check.error;
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
  // The driver child (500 ms) plus one fast loader trace.
  EXPECT_LT(elapsed, options.live_timeout + 1s);
  EXPECT_EQ(live.cu_init_status.presence, Presence::kUnknown);
  EXPECT_NE(live.cu_init_status.why_unknown.find("timed out after 500 ms"), std::string::npos)
      << live.cu_init_status.why_unknown;
  EXPECT_EQ(live.nvml_driver_version.presence, Presence::kUnknown);
  // The loader check runs no libcuda code: it still works, and disagrees with the (deliberately
  // wrong) prediction that libcuda.so.1 is absent.
  ASSERT_TRUE(facts.user_driver.libcuda.loader_check.has_value());
  EXPECT_FALSE(facts.user_driver.libcuda.loader_check->agrees.value_or(true));
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
  EXPECT_FALSE(recorded.user_driver.libcuda.loader_check.has_value());

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
  ASSERT_TRUE(facts.user_driver.libcuda.loader_check.has_value());
  const auto& check = *facts.user_driver.libcuda.loader_check;
  EXPECT_EQ(check.loaded_path.presence, Presence::kAbsent);
  EXPECT_EQ(check.error, "not found by ld.so");
  EXPECT_TRUE(check.agrees.value_or(false));  // predicted absent, and it is
}

TEST(LiveProbeTest, ChecksSystemLibrariesBySoname) {
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
      predicted("libtfgpu-absent.so.1", Observed<std::string>::absent("test")));
  facts.system_libraries.push_back(predicted(
      "libtfgpu-absent.so.1", Observed<std::string>::present("/opt/libtfgpu-absent.so.1", "test")));
  facts.system_libraries.push_back(
      predicted("libtfgpu-absent.so.1", Observed<std::string>::unknown("test", "unreadable")));
  run_live(fake_options(), facts);
  const auto& libraries = facts.system_libraries;
  for (const auto& library : libraries) {
    ASSERT_TRUE(library.loader_check.has_value()) << library.soname;
  }
  EXPECT_TRUE(libraries[0].loader_check->agrees.value_or(false))
      << libraries[0].loader_check->agrees.source << libraries[0].loader_check->agrees.why_unknown;
  EXPECT_FALSE(libraries[1].loader_check->agrees.value_or(true));
  EXPECT_TRUE(libraries[2].loader_check->agrees.value_or(false));  // absent, and not found
  EXPECT_FALSE(libraries[3].loader_check->agrees.value_or(true));
  EXPECT_EQ(libraries[3].loader_check->error, "not found by ld.so");
  EXPECT_EQ(libraries[4].loader_check->agrees.presence, Presence::kUnknown);
  EXPECT_EQ(libraries[4].loader_check->loaded_path.presence, Presence::kAbsent);
}

// A library only the probed environment's LD_LIBRARY_PATH leads to.
class ProbedLdLibraryPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.mkdir("/llp");
    std::filesystem::copy_file(TFGPU_FAKE_ELF_RUNPATH, tree_.host("/llp/libtfgpu-llp.so.1"));
    facts_.system_libraries.push_back(
        predicted("libtfgpu-llp.so.1",
                  Observed<std::string>::present(tree_.host("/llp/libtfgpu-llp.so.1"), "test")));
  }

  TempTree tree_;
  model::Facts facts_;
};

TEST_F(ProbedLdLibraryPathTest, AgreesWhenOnlyTheProbedEnvironmentHasIt) {
  // This process's LD_LIBRARY_PATH (as ld.so read it at start) does not name the directory;
  // a dlopen in a child of this process would search that one instead.
  auto options = fake_options();
  options.environment["LD_LIBRARY_PATH"] = "/tfgpu/not/here:" + tree_.host("/llp");
  run_live(options, facts_);
  ASSERT_TRUE(facts_.system_libraries[0].loader_check.has_value());
  const auto& check = *facts_.system_libraries[0].loader_check;
  EXPECT_EQ(check.loaded_path.value_or(""), tree_.host("/llp/libtfgpu-llp.so.1"));
  EXPECT_TRUE(check.agrees.value_or(false)) << check.agrees.source << check.agrees.why_unknown;
}

TEST_F(ProbedLdLibraryPathTest, ThisProcessEnvironmentDoesNotLeakIn) {
  ScopedEnv own("LD_LIBRARY_PATH", tree_.host("/llp").c_str());
  ProbeOptions options;  // a probed environment without LD_LIBRARY_PATH
  options.library_overrides = fake_options().library_overrides;
  run_live(options, facts_);
  ASSERT_TRUE(facts_.system_libraries[0].loader_check.has_value());
  const auto& check = *facts_.system_libraries[0].loader_check;
  EXPECT_EQ(check.loaded_path.presence, Presence::kAbsent);
  EXPECT_FALSE(check.agrees.value_or(true));
}

// A TensorFlow-shaped environment in a scratch tree on this machine: the two loader objects with
// TF 2.21's $ORIGIN-relative RUNPATHs, a "cuDNN" only the framework's RUNPATH reaches, and a
// "cuSOLVER" only libtensorflow_cc.so.2's reaches, which needs a library that is nowhere.
class EnvStandInTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ElfSpec framework;
    framework.runpath = "$ORIGIN/../nvidia/cudnn/lib";
    tree_.write(kTf + "/libtensorflow_framework.so.2", ElfBuilder::build(framework));
    ElfSpec cc;
    cc.runpath = "${ORIGIN}/../nvidia/cusolver/lib";
    tree_.write(kTf + "/libtensorflow_cc.so.2", ElfBuilder::build(cc));
    tree_.mkdir(kNvidia + "/cudnn/lib");
    std::filesystem::copy_file(TFGPU_FAKE_ELF_RUNPATH, host(kCudnn));
    ElfSpec cusolver;
    cusolver.soname = "libtfgpu-cusolver.so.11";
    cusolver.needed = {"libm.so.6", "libtfgpu-nvjitlink-nowhere.so.12"};
    tree_.write(kNvidia + "/cusolver/lib/libtfgpu-cusolver.so.11", ElfBuilder::build(cusolver));

    model::TensorflowInstall install;
    install.loader_object =
        Observed<std::string>::present(host(kTf + "/libtensorflow_framework.so.2"), "test");
    install.cc_object = host(kTf + "/libtensorflow_cc.so.2");
    env_.tensorflow.push_back(install);
  }

  std::string host(const std::string& path) const { return tree_.host(path); }

  model::LibraryResolution library(std::string soname, Observed<std::string> path,
                                   const std::string& requester) {
    model::LibraryResolution resolution = predicted(std::move(soname), std::move(path));
    resolution.requester = requester.empty() ? "" : host(kTf + "/" + requester);
    return resolution;
  }

  const std::string kTf = "/venv/site-packages/tensorflow";
  const std::string kNvidia = "/venv/site-packages/nvidia";
  const std::string kCudnn = kNvidia + "/cudnn/lib/libtfgpu-cudnn.so.9";
  TempTree tree_;
  model::PythonEnv env_;
};

TEST_F(EnvStandInTest, ChecksEachLibraryWithItsRequestersSearchPath) {
  const std::string cusolver = host(kNvidia + "/cusolver/lib/libtfgpu-cusolver.so.11");
  env_.libraries.push_back(library("libtfgpu-cudnn.so.9",
                                   Observed<std::string>::present(host(kCudnn), "test"),
                                   "libtensorflow_framework.so.2"));
  env_.libraries.push_back(library("libtfgpu-cusolver.so.11",
                                   Observed<std::string>::present(cusolver, "test"),
                                   "libtensorflow_cc.so.2"));
  // Not found through either object, so checked with both objects' search paths.
  env_.libraries.push_back(
      library("libtfgpu-absent.so.1", Observed<std::string>::absent("test"), ""));
  // A wrong prediction: libtensorflow_cc.so.2's RUNPATH does not reach cuDNN.
  env_.libraries.push_back(library("libtfgpu-cudnn.so.9",
                                   Observed<std::string>::present(host(kCudnn), "test"),
                                   "libtensorflow_cc.so.2"));
  model::Facts facts;
  facts.python_envs.push_back(env_);
  run_live(fake_options(), facts);
  const auto& libraries = facts.python_envs[0].libraries;
  for (const auto& resolution : libraries) {
    ASSERT_TRUE(resolution.loader_check.has_value()) << resolution.soname;
  }
  // ld.so prints the path as it built it from the RUNPATH entry: "…/tensorflow/../nvidia/…".
  auto normal = [](const std::string& path) {
    return std::filesystem::path(path).lexically_normal().string();
  };
  const auto& cudnn = *libraries[0].loader_check;
  EXPECT_EQ(normal(cudnn.loaded_path.value_or("")), host(kCudnn));  // $ORIGIN: the framework's
  EXPECT_TRUE(cudnn.agrees.value_or(false)) << cudnn.agrees.source << cudnn.agrees.why_unknown;
  EXPECT_TRUE(cudnn.error.empty()) << cudnn.error;

  const auto& solver = *libraries[1].loader_check;
  EXPECT_EQ(normal(solver.loaded_path.value_or("")), cusolver);
  EXPECT_TRUE(solver.agrees.value_or(false)) << solver.agrees.source << solver.agrees.why_unknown;
  EXPECT_EQ(solver.error,
            "ld.so did not find its dependencies libtfgpu-nvjitlink-nowhere.so.12 "
            "(needed by " +
                solver.loaded_path.value_or("") + ")");

  EXPECT_TRUE(libraries[2].loader_check->agrees.value_or(false));
  EXPECT_NE(libraries[2].loader_check->loaded_path.source.find("libtensorflow_cc.so.2"),
            std::string::npos)
      << libraries[2].loader_check->loaded_path.source;

  EXPECT_EQ(libraries[3].loader_check->loaded_path.presence, Presence::kAbsent);
  EXPECT_FALSE(libraries[3].loader_check->agrees.value_or(true));
}

TEST_F(EnvStandInTest, ACandidateLdSoCannotLoadStopsTheTrace) {
  // glibc skips a candidate of the wrong ELF class and searches on, but fails the whole load on
  // one that is not ELF at all ("file too short", "invalid ELF header"); here the prediction
  // claims a later candidate, so the trace must disagree and name the error.
  tree_.write(kNvidia + "/cudnn/lib/libtfgpu-garbage.so.1", "not an ELF file");
  env_.libraries.push_back(library(
      "libtfgpu-garbage.so.1", Observed<std::string>::present("/opt/later/candidate.so", "test"),
      "libtensorflow_framework.so.2"));
  env_.libraries.push_back(library("libtfgpu-cudnn.so.9",
                                   Observed<std::string>::present(host(kCudnn), "test"),
                                   "libtensorflow_framework.so.2"));
  model::Facts facts;
  facts.python_envs.push_back(env_);
  run_live(fake_options(), facts);
  const auto& libraries = facts.python_envs[0].libraries;
  ASSERT_TRUE(libraries[0].loader_check.has_value());
  EXPECT_FALSE(libraries[0].loader_check->agrees.value_or(true));
  EXPECT_NE(libraries[0].loader_check->error.find("libtfgpu-garbage.so.1: file too short"),
            std::string::npos)
      << libraries[0].loader_check->error;
  ASSERT_TRUE(libraries[1].loader_check.has_value());
  EXPECT_EQ(libraries[1].loader_check->agrees.presence, Presence::kUnknown);
  EXPECT_NE(libraries[1].loader_check->agrees.why_unknown.find("before tracing"),
            std::string::npos);
}

TEST(LiveProbeTest, LoaderChecksLeaveNoTemporaryFilesOrChildren) {
  const std::string dir = ::testing::TempDir() + "tfgpu-loader-check-tmp";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ScopedEnv tmpdir("TMPDIR", dir.c_str());
  model::Facts facts;
  facts.system_libraries.push_back(
      predicted("libtfgpu-absent.so.1", Observed<std::string>::absent("test")));
  run_live(fake_options(), facts);
  ASSERT_TRUE(facts.system_libraries[0].loader_check.has_value());
  EXPECT_TRUE(facts.system_libraries[0].loader_check->agrees.value_or(false));
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tfgpu::probe
