// SPDX-License-Identifier: Apache-2.0
#pragma once
// A RegionSource that hands out addresses without memory behind them, for GPU-sized pools
// (tens of GiB) on any host: the pool never touches its memory, so an address is all it needs.
// Regions are laid out back to back, so neighbouring regions are adjacent in the address space
// (the pool must still never merge across them). It can be told to run out, to fail with a
// vendor error, or to misbehave (hand out the same address twice, a misaligned one).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tfgpu/runtime/region_source.h"

namespace tfgpu::runtime {

class FakeRegionSource final : public RegionSource {
 public:
  enum class Misbehave { kNo, kRepeatAddress, kMisalign };

  std::optional<std::size_t> capacity_bytes;
  std::optional<Error> fail_with;  // every allocate() fails with this
  Misbehave misbehave = Misbehave::kNo;
  std::vector<std::size_t> asked;    // every allocate() size, in order
  std::vector<std::size_t> granted;  // the sizes handed out
  std::size_t released = 0;
  std::size_t bytes_outstanding = 0;

  Result<std::uintptr_t> allocate(std::size_t bytes) override {
    asked.push_back(bytes);
    if (fail_with) {
      return tl::unexpected(*fail_with);
    }
    if (capacity_bytes && bytes > *capacity_bytes - bytes_outstanding) {
      return make_error(Errc::kResourceExhausted, "fake: CUDA_ERROR_OUT_OF_MEMORY", 2);
    }
    std::uintptr_t address = next_address_;
    if (misbehave == Misbehave::kRepeatAddress) {
      address = kBase;
    } else if (misbehave == Misbehave::kMisalign) {
      address += 8;
    }
    next_address_ += bytes;
    granted.push_back(bytes);
    bytes_outstanding += bytes;
    return address;
  }

  Result<void> release(std::uintptr_t, std::size_t bytes) override {
    ++released;
    bytes_outstanding -= bytes;
    return {};
  }

  std::string name() const override { return "fake"; }

  static constexpr std::uintptr_t kBase = std::uintptr_t{1} << 40;

 private:
  std::uintptr_t next_address_ = kBase;
};

}  // namespace tfgpu::runtime
