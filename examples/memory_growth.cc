// SPDX-License-Identifier: Apache-2.0
// Example 2 of TensorFlow's GPU guide, with tfgpu's runtime:
//
//   gpus = tf.config.list_physical_devices('GPU')
//   for gpu in gpus:
//     tf.config.experimental.set_memory_growth(gpu, True)
//   logical_gpus = tf.config.list_logical_devices('GPU')
//   print(len(gpus), "Physical GPUs,", len(logical_gpus), "Logical GPUs")
//
// Memory growth must be set before the GPUs are initialised; the example shows that too, by
// trying to change it afterwards. Exits 0, or 1 when configuring or initialising fails.
#include <iostream>

#include "tfgpu/runtime/runtime.h"

using tfgpu::runtime::DeviceType;

int main() {
  tfgpu::runtime::Runtime& tf = tfgpu::runtime::default_runtime();

  const auto gpus = tf.list_physical_devices(DeviceType::kGpu);
  for (const tfgpu::runtime::PhysicalDevice& gpu : gpus) {
    if (auto set = tf.set_memory_growth(gpu, true); !set) {
      std::cerr << "error: " << set.error().message << "\n";
      return 1;
    }
    std::cout << "Memory growth on for " << gpu.name << "\n";
  }

  // The first use initialises the GPUs: each logical GPU gets its memory pool.
  auto logical_gpus = tf.list_logical_devices(DeviceType::kGpu);
  if (!logical_gpus) {
    std::cerr << "error: " << logical_gpus.error().message << "\n";
    return 1;
  }
  std::cout << gpus.size() << " Physical GPUs, " << logical_gpus->size() << " Logical GPUs\n";
  for (const std::string& warning : tf.warnings()) {
    std::cout << "warning: " << warning << "\n";
  }
  for (const tfgpu::runtime::LogicalDevice& device : *logical_gpus) {
    if (auto stats = tf.get_memory_info(device.name)) {
      std::cout << device.name << ": " << stats->bytes_reserved << " bytes reserved of a "
                << stats->limit_bytes << "-byte limit\n";
    }
  }

  // Too late now, as in TensorFlow.
  for (const tfgpu::runtime::PhysicalDevice& gpu : gpus) {
    if (auto changed = tf.set_memory_growth(gpu, false); !changed) {
      std::cout << "After initialisation: " << changed.error().message << "\n";
    }
  }
  if (gpus.empty()) {
    std::cout << "No GPU to configure: " << tf.why_no_gpu().value_or("unknown") << "\n";
  }
  return 0;
}
