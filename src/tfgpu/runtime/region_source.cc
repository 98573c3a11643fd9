// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/runtime/region_source.h"

#include <algorithm>
#include <new>

#include <fmt/format.h>

namespace tfgpu::runtime {

namespace {

constexpr std::align_val_t kAlignment{kRegionAlignmentBytes};

}  // namespace

HostRegionSource::HostRegionSource(HostRegionSourceOptions options) : options_(options) {}

HostRegionSource::~HostRegionSource() {
  for (const Outstanding& region : outstanding_) {
    ::operator delete(reinterpret_cast<void*>(region.address), kAlignment);
  }
}

Result<std::uintptr_t> HostRegionSource::allocate(std::size_t bytes) {
  const auto refuse = [&](Errc code, std::string why) -> Result<std::uintptr_t> {
    if (options_.record_requests) {
      requests_.push_back(RegionRequest{bytes, false});
    }
    return make_error(code, std::move(why));
  };
  if (bytes == 0 || bytes % kRegionAlignmentBytes != 0) {
    return refuse(Errc::kInvalidArgument,
                  fmt::format("host memory: a region of {} bytes is not a positive multiple of {}",
                              bytes, kRegionAlignmentBytes));
  }
  if (options_.capacity_bytes && bytes > *options_.capacity_bytes - bytes_outstanding_) {
    return refuse(Errc::kResourceExhausted,
                  fmt::format("host memory: out of memory: {} bytes asked, {} of the {} bytes "
                              "capacity already out",
                              bytes, bytes_outstanding_, *options_.capacity_bytes));
  }
  void* memory = ::operator new(bytes, kAlignment, std::nothrow);
  if (memory == nullptr) {
    return refuse(Errc::kResourceExhausted,
                  fmt::format("host memory: out of memory: the host refused {} bytes", bytes));
  }
  const auto address = reinterpret_cast<std::uintptr_t>(memory);
  outstanding_.push_back(Outstanding{address, bytes});
  bytes_outstanding_ += bytes;
  ++allocate_calls_;
  if (options_.record_requests) {
    requests_.push_back(RegionRequest{bytes, true});
  }
  return address;
}

Result<void> HostRegionSource::release(std::uintptr_t address, std::size_t bytes) {
  const auto found =
      std::find_if(outstanding_.begin(), outstanding_.end(),
                   [&](const Outstanding& region) { return region.address == address; });
  if (found == outstanding_.end()) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("host memory: releasing {:#x}, which is not a region this "
                                  "source handed out",
                                  address));
  }
  if (found->bytes != bytes) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("host memory: releasing {:#x} as {} bytes, but it was handed "
                                  "out as {} bytes",
                                  address, bytes, found->bytes));
  }
  ::operator delete(reinterpret_cast<void*>(address), kAlignment);
  bytes_outstanding_ -= bytes;
  outstanding_.erase(found);
  ++release_calls_;
  return {};
}

}  // namespace tfgpu::runtime
