// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/runtime/cuda_region_source.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <fmt/format.h>

namespace tfgpu::runtime {

namespace {

// CUDA_ERROR_OUT_OF_MEMORY (cuda.h).
constexpr int kCudaErrorOutOfMemory = 2;

// Holds `mutex` when there is one.
class OptionalLock {
 public:
  explicit OptionalLock(std::mutex* mutex) {
    if (mutex != nullptr) {
      lock_.emplace(*mutex);
    }
  }

 private:
  std::optional<std::lock_guard<std::mutex>> lock_;
};

}  // namespace

CudaRegionSource::CudaRegionSource(vendor::CudaCompute& compute, int ordinal,
                                   std::mutex* compute_mutex)
    : compute_(compute), ordinal_(ordinal), compute_mutex_(compute_mutex) {}

std::string CudaRegionSource::name() const {
  return fmt::format("cuMemAlloc on GPU {}", ordinal_);
}

Result<vendor::DevicePtr> CudaRegionSource::driver_allocate(std::size_t bytes) {
  auto pointer = compute_.allocate(bytes);
  if (!pointer) {
    Error error = pointer.error().with_context(name());
    if (error.vendor_status == kCudaErrorOutOfMemory) {
      error.code = Errc::kResourceExhausted;
    }
    return tl::unexpected<Error>(std::move(error));
  }
  return *pointer;
}

Result<std::uintptr_t> CudaRegionSource::allocate(std::size_t bytes) {
  if (bytes == 0 || bytes % kRegionAlignmentBytes != 0) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("{}: a region of {} bytes is not a positive multiple of {}",
                                  name(), bytes, kRegionAlignmentBytes));
  }
  OptionalLock lock(compute_mutex_);
  auto activated = compute_.activate(ordinal_);
  if (!activated) {
    return tl::unexpected<Error>(activated.error().with_context(name()));
  }
  auto base = driver_allocate(bytes);
  if (!base) {
    return tl::unexpected<Error>(base.error());
  }
  vendor::DevicePtr driver_base = *base;
  std::uintptr_t address = static_cast<std::uintptr_t>(driver_base);
  if (address % kRegionAlignmentBytes != 0) {
    // See the header: give the unaligned block back and take one with room to align.
    auto freed = compute_.free(driver_base);
    if (!freed) {
      return tl::unexpected<Error>(freed.error().with_context(name()));
    }
    auto padded = driver_allocate(bytes + kRegionAlignmentBytes);
    if (!padded) {
      return tl::unexpected<Error>(padded.error());
    }
    driver_base = *padded;
    address = static_cast<std::uintptr_t>(driver_base);
    address += (kRegionAlignmentBytes - address % kRegionAlignmentBytes) % kRegionAlignmentBytes;
  }
  outstanding_.push_back(Outstanding{address, bytes, driver_base});
  return address;
}

Result<void> CudaRegionSource::release(std::uintptr_t address, std::size_t bytes) {
  OptionalLock lock(compute_mutex_);
  const auto found =
      std::find_if(outstanding_.begin(), outstanding_.end(),
                   [&](const Outstanding& region) { return region.address == address; });
  if (found == outstanding_.end()) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("{}: releasing {:#x}, which is not a region this source handed "
                                  "out",
                                  name(), address));
  }
  if (found->bytes != bytes) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("{}: releasing {:#x} as {} bytes, but it was handed out as {} "
                                  "bytes",
                                  name(), address, bytes, found->bytes));
  }
  auto activated = compute_.activate(ordinal_);
  if (!activated) {
    return tl::unexpected<Error>(activated.error().with_context(name()));
  }
  auto freed = compute_.free(found->driver_base);
  if (!freed) {
    return tl::unexpected<Error>(freed.error().with_context(name()));
  }
  outstanding_.erase(found);
  return {};
}

}  // namespace tfgpu::runtime
