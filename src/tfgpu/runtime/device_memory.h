// SPDX-License-Identifier: Apache-2.0
#pragma once
// The memory of one logical GPU: its MemoryPool over a region source of the backend, and the
// blocks tensors hold in it.
//
// Lifetimes are shared on purpose. A tensor on a GPU keeps its DeviceBuffer, the buffer keeps its
// DeviceMemory, and the DeviceMemory keeps the backend: a tensor that outlives the Runtime that
// made it still frees its block into a live pool, and the pool still gives its regions back to a
// live driver. Destruction order inside DeviceMemory follows from its members: the pool (which
// returns its regions) goes before the region source, which goes before the backend.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "tfgpu/base/result.h"
#include "tfgpu/runtime/device.h"
#include "tfgpu/runtime/gpu_backend.h"
#include "tfgpu/runtime/memory_pool.h"
#include "tfgpu/runtime/region_source.h"

namespace tfgpu::runtime {

class DeviceMemory {
 public:
  // The pool for logical GPU `device` (its physical_index is the backend ordinal) with `options`.
  // Takes no memory yet. Fails when the backend has no such GPU.
  static Result<std::shared_ptr<DeviceMemory>> create(std::shared_ptr<GpuBackend> backend,
                                                      LogicalDevice device, PoolOptions options);

  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;

  // Take the pool's first region now (TensorFlow's device start-up allocates a scratch buffer,
  // which in the default mode reserves the whole limit; gpu_device.cc). Fails with the pool's
  // error (kResourceExhausted when the GPU cannot give the limit).
  Result<void> reserve();

  const LogicalDevice& device() const { return device_; }

  int ordinal() const { return device_.physical_index; }

  MemoryPool& pool() { return *pool_; }

  const MemoryPool& pool() const { return *pool_; }

  GpuBackend& backend() { return *backend_; }

 private:
  DeviceMemory(std::shared_ptr<GpuBackend> backend, LogicalDevice device,
               std::unique_ptr<RegionSource> source, PoolOptions options);

  std::shared_ptr<GpuBackend> backend_;
  LogicalDevice device_;
  std::unique_ptr<RegionSource> source_;
  std::unique_ptr<MemoryPool> pool_;  // declared last: destroyed first
};

// A block of a logical GPU's pool, given back when the buffer is destroyed. A zero-byte buffer
// holds no block (address 0).
class DeviceBuffer {
 public:
  // Fails with the pool's error (kResourceExhausted "OOM when allocating …").
  static Result<std::shared_ptr<DeviceBuffer>> allocate(std::shared_ptr<DeviceMemory> memory,
                                                        std::size_t bytes);

  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  // Host → this buffer; `source` must be exactly size_bytes() long (kInvalidArgument otherwise).
  Result<void> write(std::span<const std::byte> source);

  // This buffer → host; `destination` must be exactly size_bytes() long.
  Result<void> read(std::span<std::byte> destination) const;

  vendor::DevicePtr address() const { return allocation_.address; }

  // What was asked for (the pool may hold a little more).
  std::size_t size_bytes() const { return size_bytes_; }

  DeviceMemory& memory() const { return *memory_; }

  const std::shared_ptr<DeviceMemory>& shared_memory() const { return memory_; }

 private:
  DeviceBuffer(std::shared_ptr<DeviceMemory> memory, Allocation allocation, std::size_t bytes)
      : memory_(std::move(memory)), allocation_(allocation), size_bytes_(bytes) {}

  std::shared_ptr<DeviceMemory> memory_;
  Allocation allocation_;
  std::size_t size_bytes_;
};

}  // namespace tfgpu::runtime
