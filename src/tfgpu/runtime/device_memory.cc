// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/runtime/device_memory.h"

#include <utility>

#include <fmt/format.h>

namespace tfgpu::runtime {

DeviceMemory::DeviceMemory(std::shared_ptr<GpuBackend> backend, LogicalDevice device,
                           std::unique_ptr<RegionSource> source, PoolOptions options)
    : backend_(std::move(backend)),
      device_(std::move(device)),
      source_(std::move(source)),
      pool_(std::make_unique<MemoryPool>(*source_, std::move(options))) {}

Result<std::shared_ptr<DeviceMemory>> DeviceMemory::create(std::shared_ptr<GpuBackend> backend,
                                                           LogicalDevice device,
                                                           PoolOptions options) {
  if (!backend) {
    return make_error(Errc::kInvalidArgument, fmt::format("{}: no GPU backend", device.name));
  }
  auto source = backend->region_source(device.physical_index);
  if (!source) {
    return tl::unexpected<Error>(source.error().with_context(device.name));
  }
  return std::shared_ptr<DeviceMemory>(new DeviceMemory(std::move(backend), std::move(device),
                                                        std::move(*source), std::move(options)));
}

Result<void> DeviceMemory::reserve() {
  // The smallest block: in kReserveLimit mode the pool's first region is the whole limit
  // whatever is asked; in kGrow mode this takes the first 2 MiB region, as TF's scratch does.
  auto block = pool_->allocate(kRegionAlignmentBytes);
  if (!block) {
    return tl::unexpected<Error>(block.error());
  }
  return pool_->deallocate(block->address);
}

Result<std::shared_ptr<DeviceBuffer>> DeviceBuffer::allocate(std::shared_ptr<DeviceMemory> memory,
                                                             std::size_t bytes) {
  Allocation allocation;
  if (bytes > 0) {
    auto block = memory->pool().allocate(bytes);
    if (!block) {
      return tl::unexpected<Error>(block.error());
    }
    allocation = *block;
  }
  return std::shared_ptr<DeviceBuffer>(new DeviceBuffer(std::move(memory), allocation, bytes));
}

DeviceBuffer::~DeviceBuffer() {
  if (allocation_.address != 0) {
    // Cannot fail for a block this pool handed out; there is no one to tell if it did.
    (void)memory_->pool().deallocate(allocation_.address);
  }
}

Result<void> DeviceBuffer::write(std::span<const std::byte> source) {
  if (source.size() != size_bytes_) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("{}: writing {} bytes into a buffer of {} bytes",
                                  memory_->device().name, source.size(), size_bytes_));
  }
  if (size_bytes_ == 0) {
    return {};
  }
  return memory_->backend().copy_to_device(memory_->ordinal(), allocation_.address, source);
}

Result<void> DeviceBuffer::read(std::span<std::byte> destination) const {
  if (destination.size() != size_bytes_) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("{}: reading {} bytes from a buffer of {} bytes",
                                  memory_->device().name, destination.size(), size_bytes_));
  }
  if (size_bytes_ == 0) {
    return {};
  }
  return memory_->backend().copy_to_host(memory_->ordinal(), destination, allocation_.address);
}

}  // namespace tfgpu::runtime
