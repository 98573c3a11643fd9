// SPDX-License-Identifier: Apache-2.0
// The Runtime: physical devices (none here; two fake GPUs), memory configuration before and after
// initialisation with TensorFlow's errors, TF_FORCE_GPU_ALLOW_GROWTH, logical devices splitting a
// GPU, and the pools initialisation creates with their limits.
#include "tfgpu/runtime/runtime.h"

#include <vector>

#include <gtest/gtest.h>

#include "runtime_test_support.h"
#include "tfgpu/runtime/memory_config.h"

namespace tfgpu::runtime {
namespace {

using testing::fake_gpus;
using testing::kTestGiB;
using testing::kTestMiB;
using testing::options_with_env;
using testing::runtime_over;
using testing::runtime_without_gpu;

constexpr const char* kCpu0 = "/job:localhost/replica:0/task:0/device:CPU:0";

PhysicalDevice gpu_device(const Runtime& runtime, int index) {
  return runtime.list_physical_devices(DeviceType::kGpu).at(static_cast<std::size_t>(index));
}

std::uint64_t reserved_bytes(Runtime& runtime, const char* device) {
  auto stats = runtime.get_memory_info(device);
  EXPECT_TRUE(stats) << stats.error().message;
  return stats ? stats->bytes_reserved : 0;
}

// ---- devices --------------------------------------------------------------------------------

TEST(RuntimeDevices, WithoutAGpuThereIsCpu0AndTheReason) {
  auto runtime = runtime_without_gpu();
  const auto devices = runtime->list_physical_devices();
  ASSERT_EQ(devices.size(), 1U);
  EXPECT_EQ(devices[0].name, "/physical_device:CPU:0");
  EXPECT_EQ(devices[0].type, DeviceType::kCpu);
  EXPECT_FALSE(devices[0].gpu);
  EXPECT_TRUE(runtime->list_physical_devices(DeviceType::kGpu).empty());
  EXPECT_EQ(runtime->why_no_gpu(),
            "libcuda.so.1: cannot open shared object file: No such file or directory");
  EXPECT_FALSE(runtime->backend_description());
  auto logical = runtime->list_logical_devices();
  ASSERT_TRUE(logical);
  ASSERT_EQ(logical->size(), 1U);
  EXPECT_EQ((*logical)[0].name, kCpu0);
  EXPECT_FALSE((*logical)[0].memory_limit_bytes);
}

TEST(RuntimeDevices, TheRealLoaderOnThisMachineAgreesWithItself) {
  // No libcuda here: CPU:0 only, with the loader's reason. On a GPU machine: GPUs, no reason.
  Runtime runtime(options_with_env());
  const auto devices = runtime.list_physical_devices();
  ASSERT_FALSE(devices.empty());
  EXPECT_EQ(devices[0].name, "/physical_device:CPU:0");
  const bool has_gpu = !runtime.list_physical_devices(DeviceType::kGpu).empty();
  EXPECT_EQ(has_gpu, !runtime.why_no_gpu().has_value());
  EXPECT_EQ(has_gpu, runtime.backend_description().has_value());
}

TEST(RuntimeDevices, TwoFakeGpusAreListedAfterTheCpuWithTheirProperties) {
  auto runtime = runtime_over(fake_gpus(2, 80 * kTestGiB));
  const auto devices = runtime->list_physical_devices();
  ASSERT_EQ(devices.size(), 3U);
  EXPECT_EQ(devices[0].name, "/physical_device:CPU:0");
  EXPECT_EQ(devices[1].name, "/physical_device:GPU:0");
  EXPECT_EQ(devices[2].name, "/physical_device:GPU:1");
  EXPECT_EQ(devices[2].index, 1);
  ASSERT_TRUE(devices[1].gpu);
  EXPECT_EQ(devices[1].gpu->model, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(devices[1].gpu->cc_major, 9);
  EXPECT_EQ(devices[1].gpu->cc_minor, 0);
  EXPECT_EQ(devices[1].gpu->total_bytes, 80 * kTestGiB);
  EXPECT_EQ(devices[1].gpu->pci_bus_id, "0000:3B:00.0");
  EXPECT_EQ(devices[2].gpu->pci_bus_id, "0000:3C:00.0");
  EXPECT_EQ(runtime->list_physical_devices(DeviceType::kGpu).size(), 2U);
  EXPECT_EQ(runtime->list_physical_devices(DeviceType::kCpu).size(), 1U);
  EXPECT_FALSE(runtime->why_no_gpu());
  EXPECT_EQ(runtime->backend_description(), "fake GPU backend (2 GPUs)");
  EXPECT_FALSE(runtime->initialized());  // listing physical devices does not initialise
}

TEST(RuntimeDevices, ABackendWithNoGpuOrAFailingOneMeansNoGpu) {
  auto none = runtime_over(fake_gpus(0));
  EXPECT_TRUE(none->list_physical_devices(DeviceType::kGpu).empty());
  EXPECT_EQ(none->why_no_gpu(), "fake GPU backend (0 GPUs) reports no GPU");

  auto backend = fake_gpus(1);
  backend->fail_devices(
      Error{Errc::kVendorError, "GPU 0: cuDeviceGetName: CUDA_ERROR_UNKNOWN", 999});
  auto failing = runtime_over(backend);
  EXPECT_TRUE(failing->list_physical_devices(DeviceType::kGpu).empty());
  EXPECT_EQ(failing->why_no_gpu(), "GPU 0: cuDeviceGetName: CUDA_ERROR_UNKNOWN");
}

// ---- initialisation and pools ---------------------------------------------------------------

TEST(RuntimeInit, DefaultModeReservesFreeMemoryLessTheSystemReservePerGpu) {
  auto backend = fake_gpus(2, 3 * kTestGiB);
  auto runtime = runtime_over(backend);
  auto logical = runtime->list_logical_devices();
  ASSERT_TRUE(logical) << logical.error().message;
  EXPECT_TRUE(runtime->initialized());
  ASSERT_EQ(logical->size(), 3U);
  EXPECT_EQ((*logical)[0].name, kCpu0);
  // cc 9 with 3 GiB free: TensorFlow leaves 1800 MiB to the system.
  const std::uint64_t limit = 3 * kTestGiB - 1800 * kTestMiB;
  ASSERT_EQ(limit, default_memory_limit(3 * kTestGiB, 9));
  for (int i = 0; i < 2; ++i) {
    const LogicalDevice& device = (*logical)[static_cast<std::size_t>(i) + 1];
    EXPECT_EQ(device.name, full_device_name(DeviceType::kGpu, i));
    EXPECT_EQ(device.physical_index, i);
    EXPECT_EQ(device.memory_limit_bytes, limit);
    auto memory = runtime->gpu_memory(i);
    ASSERT_TRUE(memory);
    EXPECT_EQ((*memory)->pool().options().name, "GPU_" + std::to_string(i) + "_bfc");
    EXPECT_EQ((*memory)->pool().options().growth, Growth::kReserveLimit);
    const PoolStats stats = (*memory)->pool().stats();
    EXPECT_EQ(stats.bytes_reserved, limit);  // taken at start-up, as TF's scratch buffer does
    EXPECT_EQ(stats.regions, 1U);
    EXPECT_EQ(stats.bytes_in_use, 0U);
    EXPECT_EQ(backend->bytes_allocated(i), limit);
  }
  EXPECT_TRUE(runtime->warnings().empty());
  auto gpus_only = runtime->list_logical_devices(DeviceType::kGpu);
  ASSERT_TRUE(gpus_only);
  EXPECT_EQ(gpus_only->size(), 2U);
}

TEST(RuntimeInit, MemoryGrowthStartsWithOneSmallRegion) {
  auto backend = fake_gpus(2, 3 * kTestGiB);
  auto runtime = runtime_over(backend);
  ASSERT_TRUE(runtime->set_memory_growth(gpu_device(*runtime, 0), true));
  EXPECT_EQ(runtime->get_memory_growth(gpu_device(*runtime, 0)), true);
  EXPECT_EQ(runtime->get_memory_growth(gpu_device(*runtime, 1)), false);
  ASSERT_TRUE(runtime->initialize());
  EXPECT_EQ(reserved_bytes(*runtime, "/GPU:0"), kInitialGrowthRegionBytes);
  EXPECT_EQ(reserved_bytes(*runtime, "/GPU:1"), 3 * kTestGiB - 1800 * kTestMiB);
  EXPECT_EQ(backend->bytes_allocated(0), kInitialGrowthRegionBytes);
  ASSERT_TRUE(runtime->initialize());  // again: nothing more
  EXPECT_EQ(backend->bytes_allocated(0), kInitialGrowthRegionBytes);
}

TEST(RuntimeInit, ConfigurationAfterInitialisationFailsWithTensorFlowsWords) {
  auto runtime = runtime_over(fake_gpus(1));
  const PhysicalDevice gpu = gpu_device(*runtime, 0);
  ASSERT_TRUE(runtime->set_memory_growth(gpu, true));  // before: fine
  ASSERT_TRUE(runtime->list_logical_devices());        // initialises
  auto growth = runtime->set_memory_growth(gpu, false);
  ASSERT_FALSE(growth);
  EXPECT_EQ(growth.error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(growth.error().message, "Physical devices cannot be modified after being initialized");
  EXPECT_TRUE(runtime->set_memory_growth(gpu, true));  // the same value: a no-op, as in TF
  auto logical = runtime->set_logical_device_configuration(gpu, {{256}});
  ASSERT_FALSE(logical);
  EXPECT_EQ(logical.error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(logical.error().message, "Virtual devices cannot be modified after being initialized");
}

TEST(RuntimeInit, ConfiguringBeforeInitialisationStaysQuiet) {
  auto runtime = runtime_over(fake_gpus(1));
  const PhysicalDevice gpu = gpu_device(*runtime, 0);
  EXPECT_TRUE(runtime->set_memory_growth(gpu, true));
  EXPECT_TRUE(runtime->set_memory_growth(gpu, false));
  EXPECT_TRUE(runtime->set_logical_device_configuration(gpu, {{128}, {128}}));
  EXPECT_TRUE(runtime->set_logical_device_configuration(gpu, {{256}}));
  EXPECT_FALSE(runtime->initialized());
}

TEST(RuntimeInit, ADeviceTheRuntimeDoesNotHaveOrACpuIsRefused) {
  auto runtime = runtime_over(fake_gpus(1));
  const PhysicalDevice stranger{"/physical_device:GPU:5", DeviceType::kGpu, 5, std::nullopt};
  auto unknown = runtime->set_memory_growth(stranger, true);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(unknown.error().message,
            "Unrecognized device: PhysicalDevice(name='/physical_device:GPU:5', "
            "device_type='GPU')");
  EXPECT_FALSE(runtime->get_memory_growth(stranger));

  const PhysicalDevice cpu = runtime->list_physical_devices(DeviceType::kCpu).at(0);
  auto on_cpu = runtime->set_memory_growth(cpu, true);
  ASSERT_FALSE(on_cpu);
  EXPECT_EQ(on_cpu.error().message,
            "Cannot set memory growth on non-GPU and non-Pluggable devices");
  auto logical_cpu = runtime->set_logical_device_configuration(cpu, {{1}});
  ASSERT_FALSE(logical_cpu);
  EXPECT_EQ(logical_cpu.error().message,
            "/physical_device:CPU:0: tfgpu configures logical devices on GPUs only");
}

// ---- TF_FORCE_GPU_ALLOW_GROWTH --------------------------------------------------------------

TEST(RuntimeEnv, TrueTurnsGrowthOnAndWarns) {
  auto runtime = runtime_over(fake_gpus(1), options_with_env("true"));
  ASSERT_TRUE(runtime->initialize());
  EXPECT_EQ(reserved_bytes(*runtime, "/GPU:0"), kInitialGrowthRegionBytes);
  EXPECT_EQ(runtime->warnings(),
            (std::vector<std::string>{
                "Overriding allow_growth setting because the TF_FORCE_GPU_ALLOW_GROWTH "
                "environment variable is set. Original config value was 0."}));
}

TEST(RuntimeEnv, FalseTurnsConfiguredGrowthOff) {
  auto runtime = runtime_over(fake_gpus(1), options_with_env("false"));
  ASSERT_TRUE(runtime->set_memory_growth(gpu_device(*runtime, 0), true));
  ASSERT_TRUE(runtime->initialize());
  EXPECT_EQ(reserved_bytes(*runtime, "/GPU:0"), kTestGiB - 225 * kTestMiB);
  ASSERT_EQ(runtime->warnings().size(), 1U);
  EXPECT_NE(runtime->warnings()[0].find("Original config value was 1."), std::string::npos);
}

TEST(RuntimeEnv, AValueTensorFlowCannotParseKeepsTheConfigurationAndSaysSo) {
  auto runtime = runtime_over(fake_gpus(2), options_with_env("True"));
  ASSERT_TRUE(runtime->initialize());
  EXPECT_EQ(reserved_bytes(*runtime, "/GPU:0"), kTestGiB - 225 * kTestMiB);
  // Once for the process, not once per GPU.
  EXPECT_EQ(runtime->warnings(),
            (std::vector<std::string>{
                "The TF_FORCE_GPU_ALLOW_GROWTH environment variable is set but could not be "
                "parsed: \"True\". Valid values are \"true\" or \"false\". Using original config "
                "value of 0."}));
}

TEST(RuntimeEnv, TheProcessEnvironmentIsReadAtInitialisation) {
  RuntimeOptions options;  // EnvironmentSource::kProcess
  auto runtime = runtime_over(fake_gpus(1), options);
  ScopedEnv growth("TF_FORCE_GPU_ALLOW_GROWTH", "true");  // set after construction, before init
  ASSERT_TRUE(runtime->initialize());
  EXPECT_EQ(reserved_bytes(*runtime, "/GPU:0"), kInitialGrowthRegionBytes);
  EXPECT_EQ(runtime->warnings().size(), 1U);
}

TEST(RuntimeEnv, AnUnsetVariableIsQuiet) {
  RuntimeOptions options;
  auto runtime = runtime_over(fake_gpus(1), options);
  ScopedEnv unset("TF_FORCE_GPU_ALLOW_GROWTH", nullptr);
  ASSERT_TRUE(runtime->initialize());
  EXPECT_EQ(reserved_bytes(*runtime, "/GPU:0"), kTestGiB - 225 * kTestMiB);
  EXPECT_TRUE(runtime->warnings().empty());
}

// ---- logical devices ------------------------------------------------------------------------

TEST(RuntimeLogicalDevices, SplittingAGpuNumbersLogicalGpusAcrossPhysicalOnes) {
  auto backend = fake_gpus(2);
  auto runtime = runtime_over(backend);
  ASSERT_TRUE(runtime->set_logical_device_configuration(gpu_device(*runtime, 0), {{256}, {512}}));
  auto logical = runtime->list_logical_devices(DeviceType::kGpu);
  ASSERT_TRUE(logical) << logical.error().message;
  ASSERT_EQ(logical->size(), 3U);
  const std::vector<std::pair<int, std::uint64_t>> expected = {
      {0, 256 * kTestMiB}, {0, 512 * kTestMiB}, {1, kTestGiB - 225 * kTestMiB}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const LogicalDevice& device = (*logical)[i];
    EXPECT_EQ(device.name, full_device_name(DeviceType::kGpu, static_cast<int>(i)));
    EXPECT_EQ(device.index, static_cast<int>(i));
    EXPECT_EQ(device.physical_index, expected[i].first) << i;
    EXPECT_EQ(device.memory_limit_bytes, expected[i].second) << i;
    auto memory = runtime->gpu_memory(static_cast<int>(i));
    ASSERT_TRUE(memory);
    EXPECT_EQ((*memory)->pool().options().name, "GPU_" + std::to_string(i) + "_bfc");
    EXPECT_EQ((*memory)->pool().stats().bytes_reserved, expected[i].second) << i;
    EXPECT_EQ((*memory)->pool().stats().limit_bytes, expected[i].second) << i;
  }
  EXPECT_EQ(backend->bytes_allocated(0), 768 * kTestMiB);  // both logical devices on GPU 0
  EXPECT_EQ(backend->bytes_allocated(1), kTestGiB - 225 * kTestMiB);
  auto stats = runtime->get_memory_info("/job:localhost/replica:0/task:0/device:GPU:2");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->limit_bytes, kTestGiB - 225 * kTestMiB);
}

TEST(RuntimeLogicalDevices, GrowthThenLogicalDevicesGrowsEachUpToItsLimit) {
  auto runtime = runtime_over(fake_gpus(1));
  const PhysicalDevice gpu = gpu_device(*runtime, 0);
  ASSERT_TRUE(runtime->set_memory_growth(gpu, true));
  ASSERT_TRUE(runtime->set_logical_device_configuration(gpu, {{64}, {64}}));
  ASSERT_TRUE(runtime->initialize());
  EXPECT_EQ(reserved_bytes(*runtime, "/GPU:0"), kInitialGrowthRegionBytes);
  EXPECT_EQ(reserved_bytes(*runtime, "/GPU:1"), kInitialGrowthRegionBytes);
  auto stats = runtime->get_memory_info("/GPU:1");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->limit_bytes, 64 * kTestMiB);
}

TEST(RuntimeLogicalDevices, GrowthAfterLogicalDevicesIsTensorFlowsError) {
  auto runtime = runtime_over(fake_gpus(1));
  const PhysicalDevice gpu = gpu_device(*runtime, 0);
  ASSERT_TRUE(runtime->set_logical_device_configuration(gpu, {{64}}));
  auto growth = runtime->set_memory_growth(gpu, true);
  ASSERT_FALSE(growth);
  EXPECT_EQ(growth.error().message,
            "Cannot set memory growth on device when virtual devices configured");
}

TEST(RuntimeLogicalDevices, LimitsTheGpuCannotHoldAreRefusedNamingIt) {
  auto runtime = runtime_over(fake_gpus(1));
  const PhysicalDevice gpu = gpu_device(*runtime, 0);
  auto too_much = runtime->set_logical_device_configuration(gpu, {{600}, {600}});
  ASSERT_FALSE(too_much);
  EXPECT_EQ(too_much.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(too_much.error().message,
            "/physical_device:GPU:0: logical devices: memory limits of 1200 MiB in total exceed "
            "the GPU's 1024 MiB");
  auto none = runtime->set_logical_device_configuration(gpu, {});
  ASSERT_FALSE(none);
  auto zero = runtime->set_logical_device_configuration(gpu, {{0}});
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().message,
            "/physical_device:GPU:0: logical device 0: memory_limit must be more than 0 MiB");
}

// ---- failures -------------------------------------------------------------------------------

TEST(RuntimeInit, AGpuWithLessFreeThanTheLimitReservesWhatItCan) {
  // TF's BFC backs off ×0.9 when the driver refuses a region, in the default mode too: the
  // device starts with less than its limit instead of failing.
  FakeGpu busy = fake_h100(kTestGiB);
  busy.free_bytes = 100 * kTestMiB;  // another process holds the rest
  auto backend = std::make_shared<FakeGpuBackend>(std::vector<FakeGpu>{busy});
  auto runtime = runtime_over(backend);
  ASSERT_TRUE(runtime->set_logical_device_configuration(gpu_device(*runtime, 0), {{512}}));
  ASSERT_TRUE(runtime->initialize());
  auto stats = runtime->get_memory_info("/GPU:0");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->limit_bytes, 512 * kTestMiB);
  EXPECT_LE(stats->bytes_reserved, 100 * kTestMiB);
  EXPECT_GT(stats->bytes_reserved, 80 * kTestMiB);
  ASSERT_EQ(runtime->warnings().size(), 1U);
  EXPECT_NE(runtime->warnings()[0].find("exceed the 100.00 MiB free on the GPU"), std::string::npos)
      << runtime->warnings()[0];
}

TEST(RuntimeInit, AGpuWithNoFreeMemoryFailsInitialisationNamingIt) {
  FakeGpu full = fake_h100(kTestGiB);
  full.free_bytes = 0;
  auto backend = std::make_shared<FakeGpuBackend>(std::vector<FakeGpu>{fake_h100(kTestGiB), full});
  auto runtime = runtime_over(backend);
  ASSERT_TRUE(runtime->set_logical_device_configuration(gpu_device(*runtime, 1), {{512}}));
  auto initialised = runtime->initialize();
  ASSERT_FALSE(initialised);
  EXPECT_EQ(initialised.error().code, Errc::kResourceExhausted);
  EXPECT_EQ(initialised.error().message.rfind(
                "initialising /job:localhost/replica:0/task:0/device:GPU:1 on "
                "/physical_device:GPU:1: ",
                0),
            0U)
      << initialised.error().message;
  EXPECT_FALSE(runtime->initialized());
  EXPECT_EQ(backend->bytes_allocated(0), 0U);  // GPU 0's pool, made first, is not kept
  // Configuration froze all the same, as TensorFlow's does once it tried to start.
  EXPECT_TRUE(runtime->set_memory_growth(gpu_device(*runtime, 0), false));  // unchanged: fine
  auto growth = runtime->set_memory_growth(gpu_device(*runtime, 0), true);
  ASSERT_FALSE(growth);
  EXPECT_EQ(growth.error().code, Errc::kFailedPrecondition);
  // Ops fail with the same reason rather than running somewhere else.
  auto logical = runtime->list_logical_devices();
  ASSERT_FALSE(logical);
  EXPECT_EQ(logical.error().message, initialised.error().message);
}

TEST(RuntimeMemoryInfo, OnlyForGpusThatExist) {
  auto runtime = runtime_over(fake_gpus(1));
  auto cpu = runtime->get_memory_info("/CPU:0");
  ASSERT_FALSE(cpu);
  EXPECT_EQ(cpu.error().message,
            "memory info: '/CPU:0' is not a GPU (only GPUs have a memory pool)");
  auto missing = runtime->get_memory_info("/GPU:1");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "memory info of '/GPU:1': GPU:1 does not exist");
  auto malformed = runtime->get_memory_info("/GPU:one");
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, Errc::kInvalidArgument);
}

TEST(RuntimeSoftPlacement, OffByDefaultAndSwitchable) {
  auto runtime = runtime_over(fake_gpus(1));
  EXPECT_FALSE(runtime->soft_device_placement());
  runtime->set_soft_device_placement(true);
  EXPECT_TRUE(runtime->soft_device_placement());
  RuntimeOptions options = options_with_env();
  options.soft_device_placement = true;
  auto soft = runtime_over(fake_gpus(1), options);
  EXPECT_TRUE(soft->soft_device_placement());
}

}  // namespace
}  // namespace tfgpu::runtime
