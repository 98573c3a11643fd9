// SPDX-License-Identifier: Apache-2.0
#pragma once
// Device and pinned host memory owned for the length of one measurement, so an early return
// on an error never leaks GPU memory into the next one.

#include <cstddef>
#include <span>
#include <utility>

#include "tfgpu/base/result.h"
#include "tfgpu/vendor/cuda_compute.h"

namespace tfgpu::bench {

class DeviceBuffer {
 public:
  // cuMemAlloc_v2 of `bytes` in the current context; fails as CudaCompute::allocate.
  static Result<DeviceBuffer> allocate(vendor::CudaCompute& compute, std::size_t bytes) {
    auto pointer = compute.allocate(bytes);
    if (!pointer) {
      return tl::unexpected(pointer.error());
    }
    return DeviceBuffer(&compute, *pointer);
  }

  DeviceBuffer(DeviceBuffer&& other) noexcept
      : compute_(std::exchange(other.compute_, nullptr)), pointer_(other.pointer_) {}

  DeviceBuffer& operator=(DeviceBuffer&&) = delete;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  ~DeviceBuffer() {
    if (compute_ != nullptr) {
      (void)compute_->free(pointer_);
    }
  }

  vendor::DevicePtr get() const { return pointer_; }

 private:
  DeviceBuffer(vendor::CudaCompute* compute, vendor::DevicePtr pointer)
      : compute_(compute), pointer_(pointer) {}

  vendor::CudaCompute* compute_;
  vendor::DevicePtr pointer_;
};

class PinnedBuffer {
 public:
  // cuMemHostAlloc of `bytes`; fails as CudaCompute::allocate_pinned.
  static Result<PinnedBuffer> allocate(vendor::CudaCompute& compute, std::size_t bytes) {
    auto pointer = compute.allocate_pinned(bytes);
    if (!pointer) {
      return tl::unexpected(pointer.error());
    }
    return PinnedBuffer(&compute, static_cast<std::byte*>(*pointer), bytes);
  }

  PinnedBuffer(PinnedBuffer&& other) noexcept
      : compute_(std::exchange(other.compute_, nullptr)),
        data_(other.data_),
        bytes_(other.bytes_) {}

  PinnedBuffer& operator=(PinnedBuffer&&) = delete;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;

  ~PinnedBuffer() {
    if (compute_ != nullptr) {
      (void)compute_->free_pinned(data_);
    }
  }

  std::span<std::byte> span() const { return {data_, bytes_}; }

 private:
  PinnedBuffer(vendor::CudaCompute* compute, std::byte* data, std::size_t bytes)
      : compute_(compute), data_(data), bytes_(bytes) {}

  vendor::CudaCompute* compute_;
  std::byte* data_;
  std::size_t bytes_;
};

}  // namespace tfgpu::bench
