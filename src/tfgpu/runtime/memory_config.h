// SPDX-License-Identifier: Apache-2.0
#pragma once
// TensorFlow's GPU memory policy, as plain functions and one small class.
//
// Why: what TensorFlow takes from a GPU is decided before its first allocation, by rules spread
// over gpu_device.cc (MinSystemMemory, SingleVirtualDeviceMemoryLimit), gpu_bfc_allocator.cc
// (TF_FORCE_GPU_ALLOW_GROWTH) and python/eager/context.py (set_memory_growth,
// set_logical_device_configuration and their errors after initialisation). tfgpu's runtime
// applies the same rules so that what it shows (and what `tfgpu verify` proves) is what
// TensorFlow would do on the same GPU.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/runtime/memory_pool.h"

namespace tfgpu::runtime {

// Memory TensorFlow leaves to the system (driver, display, other processes) when it reserves a
// GPU (gpu_device.cc MinSystemMemory): 225 MiB when less than 2 GiB is available; else 500 MiB
// for compute capability <= 6, 1050 MiB for 7, 1536 MiB for 8 and 1800 MiB for 9 and newer.
// (TF doubles it in its own non-optimised builds; pip wheels are optimised builds.)
std::uint64_t min_system_memory(std::uint64_t available_bytes, int cc_major);

// The limit of a GPU's single pool with no memory_limit configured: the available memory less
// min_system_memory(). When the reserve is not smaller than what is available, TensorFlow keeps
// all of it (it subtracts only when it can), and so does this.
std::uint64_t default_memory_limit(std::uint64_t available_bytes, int cc_major);

// The effective allow_growth and what TensorFlow logs about it.
struct AllowGrowth {
  bool allow_growth = false;
  // TF's words when the variable changed the setting or could not be parsed; unset when quiet.
  std::optional<std::string> warning;
};

// TF_FORCE_GPU_ALLOW_GROWTH (`value`, null when unset) applied to the configured setting:
// exactly "true" or "false" (case-sensitive, as TF's strcmp) override it, with a warning when
// that changes it; any other value (including "" and "True") keeps the configured one and
// returns TF's "could not be parsed" text.
AllowGrowth allow_growth_from_env(const char* value, bool configured);

// Memory growth and logical (virtual) devices of one physical GPU, configured before the runtime
// initialises and frozen then, with TensorFlow's rules and words.
class DeviceMemoryConfig {
 public:
  // `total_bytes`: the GPU's total memory (cuDeviceTotalMem), which the logical devices' limits
  // together may not exceed.
  explicit DeviceMemoryConfig(std::uint64_t total_bytes) : total_bytes_(total_bytes) {}

  // tf.config.experimental.set_memory_growth. Fails with kFailedPrecondition: once logical
  // devices are configured ("Cannot set memory growth on device when virtual devices
  // configured"), or after freeze() when `enable` differs from the current setting ("Physical
  // devices cannot be modified after being initialized"; the same value is a no-op, as in TF).
  Result<void> set_memory_growth(bool enable);

  // tf.config.set_logical_device_configuration: one logical device per entry, each with its
  // memory_limit in MiB. Fails with kInvalidArgument for an empty list, a zero limit or limits
  // whose sum exceeds the GPU's total memory; with kFailedPrecondition after freeze() when the
  // list differs from the current one ("Virtual devices cannot be modified after being
  // initialized"). Memory growth set earlier stays on: each logical device then grows up to its
  // limit.
  Result<void> set_logical_devices(std::vector<std::uint64_t> memory_limits_mib);

  // The runtime initialised: further changes fail as above.
  void freeze() { frozen_ = true; }

  bool frozen() const { return frozen_; }

  bool memory_growth() const { return memory_growth_; }

  // Empty when no logical devices are configured (one device taking the default limit).
  const std::vector<std::uint64_t>& logical_device_limits_mib() const { return limits_mib_; }

  std::uint64_t total_bytes() const { return total_bytes_; }

 private:
  std::uint64_t total_bytes_;
  bool memory_growth_ = false;
  std::vector<std::uint64_t> limits_mib_;
  bool frozen_ = false;
};

// What cuMemGetInfo and the device attributes say about one physical GPU at initialisation.
struct GpuMemoryInfo {
  std::uint64_t free_bytes = 0;
  std::uint64_t total_bytes = 0;
  int cc_major = 0;
};

struct DevicePools {
  std::vector<PoolOptions> pools;     // one per logical device, in order
  std::vector<std::string> warnings;  // TF's TF_FORCE_GPU_ALLOW_GROWTH warning, overcommitment
};

// The pools TensorFlow would create on this GPU: with no logical devices one pool of
// default_memory_limit(free, cc_major); otherwise one per logical device with its memory_limit.
// Growth is the configured setting after `force_allow_growth` (TF_FORCE_GPU_ALLOW_GROWTH, null
// when unset); growth sizes regions by GrowthPolicy::kProportional, tfgpu's default (at most
// 1.25× the peak in use), not TensorFlow's doubling (see memory_pool.h). Pools are named
// GPU_<id>_bfc from `first_gpu_id`, TensorFlow's allocator names. Fails with kInvalidArgument when
// `memory` is inconsistent (free > total) or the limits exceed its total; limits that exceed the
// free memory only warn (TF lets the later devices run out).
Result<DevicePools> plan_device_pools(const DeviceMemoryConfig& config, const GpuMemoryInfo& memory,
                                      const char* force_allow_growth, int first_gpu_id = 0);

}  // namespace tfgpu::runtime
