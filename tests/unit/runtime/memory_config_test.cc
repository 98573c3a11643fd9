// SPDX-License-Identifier: Apache-2.0
// TensorFlow's memory policy: the system reserve by compute capability, the default limit,
// TF_FORCE_GPU_ALLOW_GROWTH, memory growth and logical devices (with TF's errors after
// initialisation), and the pools they turn into.
#include "tfgpu/runtime/memory_config.h"

#include <gtest/gtest.h>

namespace tfgpu::runtime {
namespace {

constexpr std::uint64_t kMiBBytes = std::uint64_t{1} << 20;
constexpr std::uint64_t kGiBBytes = std::uint64_t{1} << 30;

// ---- min_system_memory and the default limit -----------------------------------------------

TEST(MinSystemMemory, Below2GiBAvailableIs225MiBWhateverTheGpu) {
  for (int cc_major : {3, 6, 7, 8, 9, 12}) {
    EXPECT_EQ(min_system_memory(2 * kGiBBytes - 1, cc_major), 225 * kMiBBytes) << cc_major;
    EXPECT_EQ(min_system_memory(0, cc_major), 225 * kMiBBytes) << cc_major;
  }
}

TEST(MinSystemMemory, From2GiBItDependsOnComputeCapability) {
  const std::uint64_t available = 2 * kGiBBytes;
  EXPECT_EQ(min_system_memory(available, 5), 500 * kMiBBytes);
  EXPECT_EQ(min_system_memory(available, 6), 500 * kMiBBytes);
  EXPECT_EQ(min_system_memory(available, 7), 1050 * kMiBBytes);
  EXPECT_EQ(min_system_memory(available, 8), 1536 * kMiBBytes);
  EXPECT_EQ(min_system_memory(available, 9), 1800 * kMiBBytes);
  EXPECT_EQ(min_system_memory(available, 10), 1800 * kMiBBytes);
  EXPECT_EQ(min_system_memory(80 * kGiBBytes, 12), 1800 * kMiBBytes);
}

TEST(DefaultMemoryLimit, IsTheAvailableMemoryLessTheReserve) {
  // An H100 with 79.1 GiB free: TensorFlow's "Created device ... with N MB memory".
  const std::uint64_t free_bytes = 81000 * kMiBBytes;
  EXPECT_EQ(default_memory_limit(free_bytes, 9), free_bytes - 1800 * kMiBBytes);
  EXPECT_EQ(default_memory_limit(24 * kGiBBytes, 8), 24 * kGiBBytes - 1536 * kMiBBytes);
}

TEST(DefaultMemoryLimit, KeepsEverythingWhenTheReserveIsNotSmaller) {
  // TF subtracts only when it can: a GPU with less free than the reserve is used whole.
  EXPECT_EQ(default_memory_limit(200 * kMiBBytes, 9), 200 * kMiBBytes);
  EXPECT_EQ(default_memory_limit(225 * kMiBBytes, 9), 225 * kMiBBytes);
  EXPECT_EQ(default_memory_limit(226 * kMiBBytes, 9), kMiBBytes);
}

// ---- TF_FORCE_GPU_ALLOW_GROWTH -------------------------------------------------------------

TEST(AllowGrowthFromEnv, UnsetKeepsTheConfigurationQuietly) {
  for (bool configured : {false, true}) {
    const AllowGrowth growth = allow_growth_from_env(nullptr, configured);
    EXPECT_EQ(growth.allow_growth, configured);
    EXPECT_FALSE(growth.warning);
  }
}

TEST(AllowGrowthFromEnv, TrueAndFalseOverrideWithTensorFlowsWarning) {
  const AllowGrowth forced_on = allow_growth_from_env("true", false);
  EXPECT_TRUE(forced_on.allow_growth);
  ASSERT_TRUE(forced_on.warning);
  EXPECT_EQ(*forced_on.warning,
            "Overriding allow_growth setting because the TF_FORCE_GPU_ALLOW_GROWTH environment "
            "variable is set. Original config value was 0.");

  const AllowGrowth forced_off = allow_growth_from_env("false", true);
  EXPECT_FALSE(forced_off.allow_growth);
  ASSERT_TRUE(forced_off.warning);
  EXPECT_NE(forced_off.warning->find("Original config value was 1."), std::string::npos);
}

TEST(AllowGrowthFromEnv, AgreeingValueIsQuiet) {
  EXPECT_FALSE(allow_growth_from_env("true", true).warning);
  EXPECT_TRUE(allow_growth_from_env("true", true).allow_growth);
  EXPECT_FALSE(allow_growth_from_env("false", false).warning);
  EXPECT_FALSE(allow_growth_from_env("false", false).allow_growth);
}

TEST(AllowGrowthFromEnv, AnyOtherValueKeepsTheConfigurationAndWarns) {
  // TF compares with strcmp: "True" and "1" are not "true".
  for (const char* value : {"True", "1", "", "yes", "true "}) {
    for (bool configured : {false, true}) {
      const AllowGrowth growth = allow_growth_from_env(value, configured);
      EXPECT_EQ(growth.allow_growth, configured) << value;
      ASSERT_TRUE(growth.warning) << value;
      EXPECT_EQ(*growth.warning,
                std::string("The TF_FORCE_GPU_ALLOW_GROWTH environment variable is set but could "
                            "not be parsed: \"") +
                    value +
                    "\". Valid values are \"true\" or \"false\". Using original config "
                    "value of " +
                    (configured ? "1" : "0") + ".");
    }
  }
}

TEST(AllowGrowthFromEnv, HostileValueIsEchoedPrintably) {
  const AllowGrowth growth = allow_growth_from_env("tr\x1bue\n", false);
  ASSERT_TRUE(growth.warning);
  EXPECT_NE(growth.warning->find("\"tr?ue?\""), std::string::npos) << *growth.warning;
}

// ---- DeviceMemoryConfig --------------------------------------------------------------------

TEST(DeviceMemoryConfig, GrowthCanBeSetBeforeInitialisation) {
  DeviceMemoryConfig config(80 * kGiBBytes);
  EXPECT_FALSE(config.memory_growth());
  ASSERT_TRUE(config.set_memory_growth(true));
  EXPECT_TRUE(config.memory_growth());
  ASSERT_TRUE(config.set_memory_growth(false));
  EXPECT_FALSE(config.memory_growth());
}

TEST(DeviceMemoryConfig, ChangingGrowthAfterInitialisationFailsInTensorFlowsWords) {
  DeviceMemoryConfig config(80 * kGiBBytes);
  ASSERT_TRUE(config.set_memory_growth(true));
  config.freeze();
  EXPECT_TRUE(config.frozen());
  auto changed = config.set_memory_growth(false);
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(changed.error().message, "Physical devices cannot be modified after being initialized");
  EXPECT_TRUE(config.memory_growth());
  // Setting what is already set is a no-op in TensorFlow, initialised or not.
  EXPECT_TRUE(config.set_memory_growth(true));
}

TEST(DeviceMemoryConfig, LogicalDevicesCanBeSetBeforeInitialisation) {
  DeviceMemoryConfig config(24 * kGiBBytes);
  ASSERT_TRUE(config.set_logical_devices({1024, 2048}));
  EXPECT_EQ(config.logical_device_limits_mib(), (std::vector<std::uint64_t>{1024, 2048}));
  ASSERT_TRUE(config.set_logical_devices({4096}));
  EXPECT_EQ(config.logical_device_limits_mib(), (std::vector<std::uint64_t>{4096}));
}

TEST(DeviceMemoryConfig, ChangingLogicalDevicesAfterInitialisationFailsInTensorFlowsWords) {
  DeviceMemoryConfig config(24 * kGiBBytes);
  ASSERT_TRUE(config.set_logical_devices({1024}));
  config.freeze();
  auto changed = config.set_logical_devices({2048});
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(changed.error().message, "Virtual devices cannot be modified after being initialized");
  EXPECT_EQ(config.logical_device_limits_mib(), (std::vector<std::uint64_t>{1024}));
  EXPECT_TRUE(config.set_logical_devices({1024}));  // the same list: a no-op

  DeviceMemoryConfig unset(24 * kGiBBytes);
  unset.freeze();
  EXPECT_EQ(unset.set_logical_devices({1024}).error().code, Errc::kFailedPrecondition);
}

TEST(DeviceMemoryConfig, GrowthAfterLogicalDevicesFailsAsInTensorFlow) {
  DeviceMemoryConfig config(24 * kGiBBytes);
  ASSERT_TRUE(config.set_logical_devices({1024}));
  auto growth = config.set_memory_growth(true);
  ASSERT_FALSE(growth);
  EXPECT_EQ(growth.error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(growth.error().message,
            "Cannot set memory growth on device when virtual devices configured");
}

TEST(DeviceMemoryConfig, GrowthThenALimitIsAllowed) {
  DeviceMemoryConfig config(24 * kGiBBytes);
  ASSERT_TRUE(config.set_memory_growth(true));
  ASSERT_TRUE(config.set_logical_devices({4096}));
  EXPECT_TRUE(config.memory_growth());
}

TEST(DeviceMemoryConfig, LogicalDeviceLimitsAreChecked) {
  DeviceMemoryConfig config(8 * kGiBBytes);
  auto empty = config.set_logical_devices({});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::kInvalidArgument);

  auto zero = config.set_logical_devices({1024, 0});
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(zero.error().message, "logical device 1: memory_limit must be more than 0 MiB");

  auto too_much = config.set_logical_devices({4096, 4097});
  ASSERT_FALSE(too_much);
  EXPECT_EQ(too_much.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(too_much.error().message,
            "logical devices: memory limits of 8193 MiB in total exceed the GPU's 8192 MiB");

  auto absurd = config.set_logical_devices({~std::uint64_t{0}, ~std::uint64_t{0}});
  ASSERT_FALSE(absurd);
  EXPECT_EQ(absurd.error().code, Errc::kInvalidArgument);

  EXPECT_TRUE(config.logical_device_limits_mib().empty());
  EXPECT_TRUE(config.set_logical_devices({4096, 4096}));  // exactly the total is allowed
}

// ---- plan_device_pools ---------------------------------------------------------------------

const GpuMemoryInfo kH100{81000 * kMiBBytes, 81559 * kMiBBytes, 9};

TEST(PlanDevicePools, DefaultIsOnePoolReservingFreeLessTheReserve) {
  DeviceMemoryConfig config(kH100.total_bytes);
  auto plan = plan_device_pools(config, kH100, nullptr);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->pools.size(), 1u);
  EXPECT_EQ(plan->pools[0],
            (PoolOptions{"GPU_0_bfc", (81000 - 1800) * kMiBBytes, Growth::kReserveLimit}));
  EXPECT_TRUE(plan->warnings.empty());
}

TEST(PlanDevicePools, MemoryGrowthMakesAGrowingPool) {
  DeviceMemoryConfig config(kH100.total_bytes);
  ASSERT_TRUE(config.set_memory_growth(true));
  auto plan = plan_device_pools(config, kH100, nullptr, 3);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->pools.at(0).growth, Growth::kGrow);
  EXPECT_EQ(plan->pools.at(0).name, "GPU_3_bfc");
}

TEST(PlanDevicePools, EnvironmentOverridesTheConfigurationWithAWarning) {
  DeviceMemoryConfig config(kH100.total_bytes);
  auto forced = plan_device_pools(config, kH100, "true");
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->pools.at(0).growth, Growth::kGrow);
  ASSERT_EQ(forced->warnings.size(), 1u);
  EXPECT_NE(forced->warnings[0].find("Overriding allow_growth setting"), std::string::npos);

  auto unparsed = plan_device_pools(config, kH100, "on");
  ASSERT_TRUE(unparsed);
  EXPECT_EQ(unparsed->pools.at(0).growth, Growth::kReserveLimit);
  ASSERT_EQ(unparsed->warnings.size(), 1u);
  EXPECT_NE(unparsed->warnings[0].find("could not be parsed"), std::string::npos);
}

TEST(PlanDevicePools, OnePoolPerLogicalDeviceWithItsLimit) {
  DeviceMemoryConfig config(kH100.total_bytes);
  ASSERT_TRUE(config.set_memory_growth(true));
  ASSERT_TRUE(config.set_logical_devices({1024, 2048}));
  auto plan = plan_device_pools(config, kH100, nullptr, 2);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->pools.size(), 2u);
  EXPECT_EQ(plan->pools[0], (PoolOptions{"GPU_2_bfc", kGiBBytes, Growth::kGrow}));
  EXPECT_EQ(plan->pools[1], (PoolOptions{"GPU_3_bfc", 2 * kGiBBytes, Growth::kGrow}));
  EXPECT_TRUE(plan->warnings.empty());
}

TEST(PlanDevicePools, LimitsBeyondTheFreeMemoryWarn) {
  const GpuMemoryInfo busy{2 * kGiBBytes, 8 * kGiBBytes, 8};
  DeviceMemoryConfig config(busy.total_bytes);
  ASSERT_TRUE(config.set_logical_devices({2048, 1024}));
  auto plan = plan_device_pools(config, busy, nullptr);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->warnings.size(), 1u);
  EXPECT_EQ(plan->warnings[0],
            "logical devices: memory limits of 3.00 GiB in total exceed the 2.00 GiB free on the "
            "GPU; the later devices will run out of memory before their limits");
}

TEST(PlanDevicePools, InconsistentMemoryInfoIsAnError) {
  DeviceMemoryConfig config(8 * kGiBBytes);
  auto plan = plan_device_pools(config, GpuMemoryInfo{9 * kGiBBytes, 8 * kGiBBytes, 8}, nullptr);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, Errc::kInvalidArgument);
  EXPECT_NE(plan.error().message.find("free is more than"), std::string::npos);
}

TEST(PlanDevicePools, LimitsBeyondTheMeasuredTotalAreAnError) {
  DeviceMemoryConfig config(16 * kGiBBytes);  // configured for a bigger GPU than measured
  ASSERT_TRUE(config.set_logical_devices({6144, 6144}));
  auto plan = plan_device_pools(config, GpuMemoryInfo{8 * kGiBBytes, 8 * kGiBBytes, 8}, nullptr);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(plan.error().message,
            "logical devices: memory limits of 12.00 GiB in total exceed the GPU's 8.00 GiB");
}

}  // namespace
}  // namespace tfgpu::runtime
