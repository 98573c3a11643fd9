// SPDX-License-Identifier: Apache-2.0
// Example 1 of TensorFlow's GPU guide, with tfgpu's runtime:
//
//   print("Num GPUs Available: ", len(tf.config.list_physical_devices('GPU')))
//
// Lists every physical device (CPU:0 and each GPU the CUDA driver sees, after
// CUDA_VISIBLE_DEVICES), and when there is no GPU, says why. Exits 0.
#include <iostream>

#include "tfgpu/runtime/runtime.h"

using tfgpu::runtime::DeviceType;

int main() {
  tfgpu::runtime::Runtime& tf = tfgpu::runtime::default_runtime();

  for (const tfgpu::runtime::PhysicalDevice& device : tf.list_physical_devices()) {
    std::cout << device.name;
    if (device.gpu) {
      std::cout << ": " << device.gpu->model << ", compute capability " << device.gpu->cc_major
                << "." << device.gpu->cc_minor << ", " << device.gpu->total_bytes / (1 << 20)
                << " MiB, PCI bus " << device.gpu->pci_bus_id;
    }
    std::cout << "\n";
  }

  const auto gpus = tf.list_physical_devices(DeviceType::kGpu);
  std::cout << "Num GPUs Available: " << gpus.size() << "\n";
  if (gpus.empty()) {
    std::cout << "Why no GPU: " << tf.why_no_gpu().value_or("unknown") << "\n";
  }
  return 0;
}
