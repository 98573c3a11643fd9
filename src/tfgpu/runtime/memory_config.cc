// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/runtime/memory_config.h"

#include <cstring>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"

namespace tfgpu::runtime {

namespace {

constexpr std::uint64_t kMiBBytes = std::uint64_t{1} << 20;
constexpr std::uint64_t kGiBBytes = std::uint64_t{1} << 30;

// TF streams a bool into its log lines: "0" or "1".
const char* as_tf_bool(bool value) {
  return value ? "1" : "0";
}

}  // namespace

std::uint64_t min_system_memory(std::uint64_t available_bytes, int cc_major) {
  if (available_bytes < 2 * kGiBBytes) {
    return 225 * kMiBBytes;
  }
  if (cc_major <= 6) {
    return 500 * kMiBBytes;
  }
  if (cc_major == 7) {
    return 1050 * kMiBBytes;
  }
  if (cc_major == 8) {
    return 1536 * kMiBBytes;
  }
  return 1800 * kMiBBytes;
}

std::uint64_t default_memory_limit(std::uint64_t available_bytes, int cc_major) {
  const std::uint64_t reserve = min_system_memory(available_bytes, cc_major);
  return reserve < available_bytes ? available_bytes - reserve : available_bytes;
}

AllowGrowth allow_growth_from_env(const char* value, bool configured) {
  if (value == nullptr) {
    return AllowGrowth{configured, std::nullopt};
  }
  const bool is_true = std::strcmp(value, "true") == 0;
  if (is_true || std::strcmp(value, "false") == 0) {
    AllowGrowth result{is_true, std::nullopt};
    if (is_true != configured) {
      result.warning = fmt::format(
          "Overriding allow_growth setting because the TF_FORCE_GPU_ALLOW_GROWTH environment "
          "variable is set. Original config value was {}.",
          as_tf_bool(configured));
    }
    return result;
  }
  return AllowGrowth{
      configured,
      fmt::format("The TF_FORCE_GPU_ALLOW_GROWTH environment variable is set but could not be "
                  "parsed: \"{}\". Valid values are \"true\" or \"false\". Using original config "
                  "value of {}.",
                  printable(value), as_tf_bool(configured))};
}

Result<void> DeviceMemoryConfig::set_memory_growth(bool enable) {
  // The order of TF's checks (context.py), so the same call fails with the same words.
  if (!limits_mib_.empty()) {
    return make_error(Errc::kFailedPrecondition,
                      "Cannot set memory growth on device when virtual devices configured");
  }
  if (enable == memory_growth_) {
    return {};
  }
  if (frozen_) {
    return make_error(Errc::kFailedPrecondition,
                      "Physical devices cannot be modified after being initialized");
  }
  memory_growth_ = enable;
  return {};
}

Result<void> DeviceMemoryConfig::set_logical_devices(std::vector<std::uint64_t> memory_limits_mib) {
  if (memory_limits_mib.empty()) {
    return make_error(Errc::kInvalidArgument,
                      "logical devices: at least one is needed (each with a memory_limit)");
  }
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t sum_mib = 0;  // saturates rather than wraps on absurd limits
  for (std::size_t index = 0; index < memory_limits_mib.size(); ++index) {
    const std::uint64_t limit_mib = memory_limits_mib[index];
    if (limit_mib == 0) {
      return make_error(
          Errc::kInvalidArgument,
          fmt::format("logical device {}: memory_limit must be more than 0 MiB", index));
    }
    sum_mib = limit_mib > kMax - sum_mib ? kMax : sum_mib + limit_mib;
  }
  if (sum_mib > total_bytes_ / kMiBBytes) {
    return make_error(
        Errc::kInvalidArgument,
        fmt::format("logical devices: memory limits of {} MiB in total exceed the GPU's {} MiB",
                    sum_mib, total_bytes_ / kMiBBytes));
  }
  if (memory_limits_mib == limits_mib_) {
    return {};
  }
  if (frozen_) {
    return make_error(Errc::kFailedPrecondition,
                      "Virtual devices cannot be modified after being initialized");
  }
  limits_mib_ = std::move(memory_limits_mib);
  return {};
}

Result<DevicePools> plan_device_pools(const DeviceMemoryConfig& config, const GpuMemoryInfo& memory,
                                      const char* force_allow_growth, int first_gpu_id) {
  if (memory.free_bytes > memory.total_bytes) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("GPU memory: {} bytes free is more than the {} bytes total",
                                  memory.free_bytes, memory.total_bytes));
  }
  DevicePools plan;
  AllowGrowth growth = allow_growth_from_env(force_allow_growth, config.memory_growth());
  if (growth.warning) {
    plan.warnings.push_back(std::move(*growth.warning));
  }
  const Growth mode = growth.allow_growth ? Growth::kGrow : Growth::kReserveLimit;
  // Growth sizes regions by tfgpu's kProportional (reserved at most 1.25× the peak in use,
  // issue 5's target), not TensorFlow's doubling (up to 2×): see GrowthPolicy in memory_pool.h.
  const GrowthPolicy policy = GrowthPolicy::kProportional;
  const auto name = [&](std::size_t index) {
    return fmt::format("GPU_{}_bfc", static_cast<std::size_t>(first_gpu_id) + index);
  };

  const std::vector<std::uint64_t>& limits_mib = config.logical_device_limits_mib();
  if (limits_mib.empty()) {
    plan.pools.push_back(PoolOptions{
        name(0), default_memory_limit(memory.free_bytes, memory.cc_major), mode, policy});
    return plan;
  }
  std::uint64_t sum_bytes = 0;
  for (std::size_t index = 0; index < limits_mib.size(); ++index) {
    // set_logical_devices() kept each limit and their sum within the configured total, so
    // this cannot overflow.
    const std::uint64_t limit_bytes = limits_mib[index] * kMiBBytes;
    sum_bytes += limit_bytes;
    plan.pools.push_back(PoolOptions{name(index), limit_bytes, mode, policy});
  }
  if (sum_bytes > memory.total_bytes) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("logical devices: memory limits of {} in total exceed the GPU's "
                                  "{}",
                                  format_bytes(sum_bytes), format_bytes(memory.total_bytes)));
  }
  if (sum_bytes > memory.free_bytes) {
    plan.warnings.push_back(fmt::format(
        "logical devices: memory limits of {} in total exceed the {} free on the GPU; the "
        "later devices will run out of memory before their limits",
        format_bytes(sum_bytes), format_bytes(memory.free_bytes)));
  }
  return plan;
}

}  // namespace tfgpu::runtime
