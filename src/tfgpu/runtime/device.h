// SPDX-License-Identifier: Apache-2.0
#pragma once
// The devices tfgpu's runtime knows, named as TensorFlow names them.
//
// TensorFlow has two kinds of device. A physical device is what the machine has
// ("/physical_device:GPU:0", tf.config.list_physical_devices); a logical device is what ops run on
// after configuration ("/job:localhost/replica:0/task:0/device:GPU:0",
// tf.config.list_logical_devices). They differ when one GPU is split into several logical devices
// (set_logical_device_configuration): GPU:0 and GPU:1 may then both live on physical GPU 0.

#include <cstdint>
#include <optional>
#include <string>

namespace tfgpu::runtime {

enum class DeviceType { kCpu, kGpu };

// TensorFlow's device type strings: "CPU", "GPU".
const char* device_type_name(DeviceType type);

// What the CUDA driver says about one GPU.
struct GpuProperties {
  std::string model;  // cuDeviceGetName: "NVIDIA H100 80GB HBM3"
  int cc_major = 0;   // compute capability
  int cc_minor = 0;
  std::uint64_t total_bytes = 0;  // cuDeviceTotalMem_v2
  std::string pci_bus_id;         // "0000:3B:00.0"; empty when the driver does not say
  std::string uuid;               // "GPU-…"; empty when the driver does not say

  bool operator==(const GpuProperties&) const = default;
};

struct PhysicalDevice {
  std::string name;  // "/physical_device:GPU:0"
  DeviceType type = DeviceType::kCpu;
  // For GPUs the CUDA ordinal: the driver numbers only the GPUs CUDA_VISIBLE_DEVICES lets it see,
  // from 0, as TensorFlow's GPU:i does.
  int index = 0;
  std::optional<GpuProperties> gpu;  // set for GPUs only

  bool operator==(const PhysicalDevice&) const = default;
};

struct LogicalDevice {
  std::string name;  // "/job:localhost/replica:0/task:0/device:GPU:0"
  DeviceType type = DeviceType::kCpu;
  int index = 0;           // the logical number: the i of GPU:i
  int physical_index = 0;  // the physical device it lives on
  // A GPU's memory pool limit (TensorFlow's "Created device … with N MB memory"); unset for CPU.
  std::optional<std::uint64_t> memory_limit_bytes;

  bool operator==(const LogicalDevice&) const = default;
};

// "/physical_device:GPU:0".
std::string physical_device_name(DeviceType type, int index);

// "/job:localhost/replica:0/task:0/device:GPU:0": where an op ran, as TensorFlow's
// tensor.device reports it. tfgpu runs one local process, so job, replica and task are fixed.
std::string full_device_name(DeviceType type, int index);

// "GPU:0", for messages.
std::string short_device_name(DeviceType type, int index);

}  // namespace tfgpu::runtime
