// SPDX-License-Identifier: Apache-2.0
// Example 3 of TensorFlow's GPU guide, with tfgpu's runtime:
//
//   tf.debugging.set_log_device_placement(True)
//   with tf.device('/GPU:0'):
//     a = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
//     b = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
//     c = tf.matmul(a, b)
//   print(c)   # on /job:localhost/replica:0/task:0/device:GPU:0
//
// Soft device placement is off (tfgpu's default), so with no GPU the matmul fails and says why;
// `--soft-placement` lets it fall back to the CPU, and the fallback is reported. Exits 0 when
// the product ran on GPU:0, 1 when it did not (or failed), 2 for a bad argument.
#include <iostream>
#include <string_view>
#include <vector>

#include "tfgpu/runtime/matmul.h"
#include "tfgpu/runtime/placement.h"
#include "tfgpu/runtime/runtime.h"

namespace rt = tfgpu::runtime;

int main(int argc, char** argv) {
  rt::Runtime& tf = rt::default_runtime();
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) != "--soft-placement") {
      std::cerr << "usage: matmul_on_gpu [--soft-placement]\n";
      return 2;
    }
    tf.set_soft_device_placement(true);
  }

  const std::vector<float> a_values = {1, 2, 3, 4, 5, 6};
  const std::vector<float> b_values = {1, 2, 3, 4, 5, 6};
  auto a = rt::Tensor::from_floats({2, 3}, a_values);
  auto b = rt::Tensor::from_floats({3, 2}, b_values);
  if (!a || !b) {
    std::cerr << "error: making the inputs failed\n";
    return 1;
  }

  tfgpu::Result<rt::Tensor> c = rt::Tensor();
  {
    rt::DeviceScope on("/GPU:0");
    c = rt::matmul(*a, *b);
  }
  if (!c) {
    std::cout << "MatMul failed: " << c.error().message << "\n";
    return 1;
  }

  auto values = c->to_floats();
  if (!values) {
    std::cout << "Reading the result failed: " << values.error().message << "\n";
    return 1;
  }
  std::cout << "c = [[" << (*values)[0] << ", " << (*values)[1] << "], [" << (*values)[2] << ", "
            << (*values)[3] << "]]\n";
  std::cout << "c.device = " << c->device() << "\n";
  if (c->placement_note()) {
    std::cout << "Placement: " << *c->placement_note() << "\n";
  }
  if (c->device() != rt::full_device_name(rt::DeviceType::kGpu, 0)) {
    std::cout << "The matmul did not run on GPU:0.\n";
    return 1;
  }
  return 0;
}
