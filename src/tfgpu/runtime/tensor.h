// SPDX-License-Identifier: Apache-2.0
#pragma once
// Tensor: a shape, an element type, the device it lives on, and its bytes — in host memory
// (CPU:0) or in a block of a GPU's memory pool.
//
// Tensors are immutable values with shared storage, like TensorFlow's eager tensors: copying a
// Tensor shares its bytes, and a GPU block goes back to its pool when the last Tensor using it
// goes (even after the Runtime that made it; see device_memory.h). Moving a tensor to or from a
// GPU makes a new tensor (Runtime::to_device, Tensor::to_host).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/runtime/dtype.h"
#include "tfgpu/vendor/cuda_compute.h"

namespace tfgpu::runtime {

class DeviceBuffer;

class Tensor {
 public:
  // A float32 tensor of shape [0] on CPU:0, to be assigned later.
  Tensor();

  // A CPU:0 tensor of `shape` holding `values` (row-major) converted to `dtype`, rounding to
  // nearest even. Fails with kInvalidArgument naming the shape when a dimension is negative, the
  // element count overflows, or it differs from values.size().
  static Result<Tensor> from_floats(std::vector<std::int64_t> shape, std::span<const float> values,
                                    DType dtype = DType::kF32);

  // A CPU:0 tensor over `bytes`, already in `dtype`'s encoding. Fails as from_floats, and when
  // bytes.size() is not the element count times the element size.
  static Result<Tensor> from_bytes(std::vector<std::int64_t> shape, DType dtype,
                                   std::vector<std::byte> bytes);

  // A tensor over a block of GPU memory (the runtime's constructor for op results and copies):
  // its device is the buffer's logical device. Fails as from_bytes when sizes disagree.
  static Result<Tensor> from_gpu_buffer(std::vector<std::int64_t> shape, DType dtype,
                                        std::shared_ptr<DeviceBuffer> buffer);

  const std::vector<std::int64_t>& shape() const { return shape_; }

  DType dtype() const { return dtype_; }

  // The full name of where it lives: "/job:localhost/replica:0/task:0/device:GPU:0". For an op's
  // result, where the op ran.
  const std::string& device() const { return device_; }

  std::int64_t num_elements() const { return num_elements_; }

  std::size_t size_bytes() const;

  bool on_gpu() const { return gpu_ != nullptr; }

  // The bytes of a CPU:0 tensor; empty for a GPU tensor (copy it with to_host() first).
  std::span<const std::byte> host_bytes() const;

  // The GPU block of a GPU tensor; null on CPU:0.
  const std::shared_ptr<DeviceBuffer>& gpu_buffer() const { return gpu_; }

  // A CPU:0 copy (cuMemcpyDtoH from a GPU; this same tensor when already on CPU:0). Fails with
  // the copy's error.
  Result<Tensor> to_host() const;

  // The elements as float32, row-major (16-bit values widen exactly); copies from the GPU
  // first when needed. Fails as to_host().
  Result<std::vector<float>> to_floats() const;

  // Set on an op's result when soft device placement ran the op somewhere other than asked,
  // saying where it was asked to run, where it ran and why. Never set otherwise: a fallback is
  // never silent.
  const std::optional<std::string>& placement_note() const { return placement_note_; }

  // This tensor with `note` as its placement note (shares the storage).
  Tensor with_placement_note(std::string note) const;

  // "float32[2,3] on /job:localhost/replica:0/task:0/device:CPU:0".
  std::string describe() const;

 private:
  std::vector<std::int64_t> shape_;
  DType dtype_ = DType::kF32;
  std::int64_t num_elements_ = 0;
  std::string device_;
  std::shared_ptr<const std::vector<std::byte>> host_;  // set on CPU:0
  std::shared_ptr<DeviceBuffer> gpu_;                   // set on a GPU
  std::optional<std::string> placement_note_;
};

// "[2,3]".
std::string format_shape(const std::vector<std::int64_t>& shape);

// Elements of `shape`; fails with kInvalidArgument naming the shape for a negative dimension or
// a count that overflows (or whose bytes in the largest element type would).
Result<std::int64_t> element_count(const std::vector<std::int64_t>& shape);

// A CPU:0 tensor of values uniform in [minval, maxval), the same for the same seed on every
// machine and compiler: element i is derived from (seed, i) by SplitMix64 and given 24 random
// bits, so it does not depend on the standard library's distributions (which differ between
// libstdc++ and libc++) nor on the order elements are made in. 16-bit dtypes round the float32
// draw to nearest even (so a draw just below maxval may round to maxval itself). Fails as
// from_floats, and for minval > maxval or non-finite bounds.
Result<Tensor> random_uniform(std::vector<std::int64_t> shape, DType dtype = DType::kF32,
                              std::uint64_t seed = 0, float minval = 0.0F, float maxval = 1.0F);

}  // namespace tfgpu::runtime
