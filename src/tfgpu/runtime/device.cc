// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/runtime/device.h"

#include <fmt/format.h>

namespace tfgpu::runtime {

const char* device_type_name(DeviceType type) {
  switch (type) {
    case DeviceType::kCpu:
      return "CPU";
    case DeviceType::kGpu:
      return "GPU";
  }
  return "?";
}

std::string physical_device_name(DeviceType type, int index) {
  return fmt::format("/physical_device:{}:{}", device_type_name(type), index);
}

std::string full_device_name(DeviceType type, int index) {
  return fmt::format("/job:localhost/replica:0/task:0/device:{}:{}", device_type_name(type), index);
}

std::string short_device_name(DeviceType type, int index) {
  return fmt::format("{}:{}", device_type_name(type), index);
}

}  // namespace tfgpu::runtime
