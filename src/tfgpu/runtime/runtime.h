// SPDX-License-Identifier: Apache-2.0
#pragma once
// Runtime: TensorFlow's eager context in miniature — the devices, their memory configuration,
// initialisation, and the soft-placement switch — for the seed how-to's three examples:
//
//   Runtime& tf = default_runtime();
//   for (const PhysicalDevice& gpu : tf.list_physical_devices(DeviceType::kGpu)) {
//     tf.set_memory_growth(gpu, true);       // before initialisation, as in TensorFlow
//   }
//   DeviceScope on("/GPU:0");
//   auto c = matmul(a, b);                   // c->device(): ".../device:GPU:0"
//
// Lifecycle (TensorFlow's): physical devices are known from construction; memory growth and
// logical devices may be configured until the runtime initialises; initialize() — called by the
// first thing that needs devices (list_logical_devices, to_device, an op) — creates one memory
// pool per logical GPU and takes its first region, as TensorFlow's device start-up does (in the
// default mode, one region of free memory less the system reserve: nvidia-smi then shows the
// process holding nearly all the GPU). From then on configuration changes fail with
// TensorFlow's own messages ("Physical devices cannot be modified after being initialized").
//
// With no usable GPU (no libcuda.so.1, no device, CUDA_VISIBLE_DEVICES=-1) the runtime still
// works, with CPU:0 only, and why_no_gpu() keeps the reason for every message that needs it.
// Thread-safe.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/runtime/device.h"
#include "tfgpu/runtime/device_memory.h"
#include "tfgpu/runtime/gpu_backend.h"
#include "tfgpu/runtime/memory_config.h"
#include "tfgpu/runtime/memory_pool.h"
#include "tfgpu/runtime/tensor.h"

namespace tfgpu::runtime {

// tf.config.LogicalDeviceConfiguration: one logical GPU and its memory limit.
struct LogicalDeviceConfiguration {
  std::uint64_t memory_limit_mib = 0;

  bool operator==(const LogicalDeviceConfiguration&) const = default;
};

// Where TF_FORCE_GPU_ALLOW_GROWTH is read at initialisation.
enum class EnvironmentSource {
  kProcess,  // getenv, as TensorFlow reads it
  kOptions,  // RuntimeOptions::force_allow_growth (tests, a described machine)
};

struct RuntimeOptions {
  EnvironmentSource environment = EnvironmentSource::kProcess;
  std::optional<std::string> force_allow_growth;  // with kOptions; unset = variable not set
  // TensorFlow's default is true: an op that cannot run where asked quietly runs on the CPU.
  // tfgpu's is false because the runtime exists to prove where work runs (`tfgpu verify`): a
  // matmul asked for GPU:0 that ran on the CPU must fail, not pass unnoticed. When switched on,
  // a fallback is still reported on the result (Tensor::placement_note).
  bool soft_device_placement = false;
};

class Runtime {
 public:
  // The CUDA backend (load_cuda_backend with default options), loaded now. When it cannot be
  // loaded the runtime has CPU:0 only and why_no_gpu() says why.
  explicit Runtime(RuntimeOptions options = {});

  // A given backend, or the error that says why there is none (then CPU:0 only). A backend
  // whose device listing fails counts as no GPU, with that failure as the reason.
  explicit Runtime(Result<std::shared_ptr<GpuBackend>> backend, RuntimeOptions options = {});

  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // tf.config.list_physical_devices: CPU:0, then GPU:0 … in CUDA ordinal order.
  std::vector<PhysicalDevice> list_physical_devices() const;
  std::vector<PhysicalDevice> list_physical_devices(DeviceType type) const;

  // Why there is no GPU ("libcuda.so.1: cannot open shared object file …", "…: cuInit:
  // CUDA_ERROR_NO_DEVICE (100)", "the CUDA driver reports no GPU"); unset when there is one.
  const std::optional<std::string>& why_no_gpu() const { return why_no_gpu_; }

  // What the GPU backend is ("CUDA driver /usr/lib/…/libcuda.so.1"); unset without one.
  std::optional<std::string> backend_description() const;

  // tf.config.experimental.set_memory_growth. Fails with kInvalidArgument for a device this
  // runtime does not have ("Unrecognized device: …") or a CPU ("Cannot set memory growth on
  // non-GPU and non-Pluggable devices"), and with TensorFlow's kFailedPrecondition errors once
  // logical devices are configured or after initialisation (memory_config.h).
  Result<void> set_memory_growth(const PhysicalDevice& device, bool enable);

  // tf.config.experimental.get_memory_growth; fails as set_memory_growth for a bad device.
  Result<bool> get_memory_growth(const PhysicalDevice& device) const;

  // tf.config.set_logical_device_configuration: split a GPU into logical devices, each with its
  // memory limit. Fails for a device as set_memory_growth (logical CPUs are not supported), for
  // limits memory_config.h refuses (none, zero, more than the GPU has), and after initialisation
  // ("Virtual devices cannot be modified after being initialized").
  Result<void> set_logical_device_configuration(
      const PhysicalDevice& device, const std::vector<LogicalDeviceConfiguration>& logical);

  // Create the pools (see the header comment). Does nothing once done. Fails with the reason
  // naming the GPU (its memory could not be read, its first region could not be taken); the
  // runtime then stays uninitialised and the same call may be tried again, and configuration
  // stays frozen, as in TensorFlow, where a failed start still counts as initialised.
  Result<void> initialize();

  bool initialized() const;

  // tf.config.list_logical_devices: CPU:0, then the logical GPUs (initialises first).
  Result<std::vector<LogicalDevice>> list_logical_devices();
  Result<std::vector<LogicalDevice>> list_logical_devices(DeviceType type);

  // TensorFlow's log lines from initialisation (the TF_FORCE_GPU_ALLOW_GROWTH override, limits
  // above free memory), in order, for the caller to show.
  std::vector<std::string> warnings() const;

  // tf.config.set_soft_device_placement (see RuntimeOptions for the default). May change at any
  // time.
  void set_soft_device_placement(bool enabled);
  bool soft_device_placement() const;

  // The pool statistics of a logical GPU ("/GPU:0", any form parse_device_name takes): in use,
  // peak, reserved, regions, largest free block (tf.config.experimental.get_memory_info, with
  // more). Initialises first. Fails for a bad name or a device that is not a GPU of this runtime.
  Result<PoolStats> get_memory_info(std::string_view device);

  // A copy of `tensor` on `device` (a logical device; initialises first). The same tensor when
  // it is already there. Fails for a bad or missing device, out of memory on the GPU, or the copy.
  Result<Tensor> to_device(const Tensor& tensor, std::string_view device);

  // The memory of logical GPU `index` (for ops); fails when there is no such logical GPU.
  Result<std::shared_ptr<DeviceMemory>> gpu_memory(int index);

 private:
  // The configuration of GPU `device` (checked as set_memory_growth documents). Under mutex_.
  Result<DeviceMemoryConfig*> gpu_config(const PhysicalDevice& device);
  Result<const DeviceMemoryConfig*> gpu_config(const PhysicalDevice& device) const;
  Result<void> initialize_locked();

  RuntimeOptions options_;
  std::shared_ptr<GpuBackend> backend_;  // null without a GPU
  std::optional<std::string> why_no_gpu_;
  std::vector<PhysicalDevice> physical_;  // CPU:0 first, then GPUs by ordinal

  mutable std::mutex mutex_;
  std::vector<DeviceMemoryConfig> gpu_configs_;  // one per physical GPU, by ordinal
  bool initialized_ = false;
  bool soft_placement_ = false;
  std::vector<LogicalDevice> logical_;                     // after initialisation: CPU:0, then GPUs
  std::vector<std::shared_ptr<DeviceMemory>> gpu_memory_;  // by logical GPU index
  std::vector<std::string> warnings_;
};

// The process's runtime, made on first use with the CUDA backend and default options
// (TensorFlow's global context). Lives until the process exits.
Runtime& default_runtime();

}  // namespace tfgpu::runtime
