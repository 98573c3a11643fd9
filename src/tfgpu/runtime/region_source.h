// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where a memory pool's regions come from.
//
// A MemoryPool never touches the memory it manages: it only does arithmetic on addresses, and
// asks a RegionSource for big regions and gives them back when it is destroyed. That is what
// lets the pool be built and tested on a machine without a GPU: HostRegionSource hands out host
// memory (and can be told to run out, as a GPU does), and a CUDA-backed source (cuMemAlloc_v2 /
// cuMemFree_v2, from the module that owns the driver) fits the same interface later.
//
// Failure is a value. A source that has no room answers Errc::kResourceExhausted (for CUDA:
// CUDA_ERROR_OUT_OF_MEMORY, with the CUresult in vendor_status); the pool then asks for less,
// as TensorFlow's BFC allocator does. Any other failure (a lost context, a driver error) is
// passed up by the pool unchanged, because asking again for less memory cannot fix it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tfgpu/base/result.h"

namespace tfgpu::runtime {

// Every region and every chunk the pool hands out starts on this boundary (TensorFlow's
// kMinAllocationSize; cuMemAlloc itself aligns to at least 256 bytes).
inline constexpr std::size_t kRegionAlignmentBytes = 256;

class RegionSource {
 public:
  virtual ~RegionSource() = default;

  // A new region of exactly `bytes` (> 0, a multiple of kRegionAlignmentBytes), aligned to
  // kRegionAlignmentBytes; returns its address. Fails with kResourceExhausted when the source
  // has no room, kInvalidArgument for a size it cannot take, or the vendor's error.
  virtual Result<std::uintptr_t> allocate(std::size_t bytes) = 0;

  // Give back a region that allocate() returned, with the size it was asked for. Fails with
  // kInvalidArgument for an address this source did not hand out, or the vendor's error.
  virtual Result<void> release(std::uintptr_t address, std::size_t bytes) = 0;

  // What the memory is, for messages: "host memory", "cuMemAlloc on GPU 0".
  virtual std::string name() const = 0;
};

struct HostRegionSourceOptions {
  // Bytes the source may have handed out at once; past it, allocate() answers
  // kResourceExhausted like a full GPU. Unset: as much as the host gives.
  std::optional<std::size_t> capacity_bytes;
  // Keep every allocate() call in requests() (tests); off, the history does not grow (benches).
  bool record_requests = false;
};

// One call to HostRegionSource::allocate, in order, for tests that check what the pool asked for.
struct RegionRequest {
  std::size_t bytes = 0;
  bool granted = false;
};

// Host memory from aligned operator new. Not thread-safe: the pool calls it under its own lock.
// Regions still out when the source is destroyed are freed then.
class HostRegionSource final : public RegionSource {
 public:
  explicit HostRegionSource(HostRegionSourceOptions options = {});
  ~HostRegionSource() override;
  HostRegionSource(const HostRegionSource&) = delete;
  HostRegionSource& operator=(const HostRegionSource&) = delete;

  Result<std::uintptr_t> allocate(std::size_t bytes) override;
  Result<void> release(std::uintptr_t address, std::size_t bytes) override;

  std::string name() const override { return "host memory"; }

  // Calls that handed out a region (allocate) or took one back (release); refusals not counted.
  std::size_t allocate_calls() const { return allocate_calls_; }

  std::size_t release_calls() const { return release_calls_; }

  std::size_t bytes_outstanding() const { return bytes_outstanding_; }

  // Every allocate() call, granted or refused, oldest first; empty unless record_requests.
  const std::vector<RegionRequest>& requests() const { return requests_; }

 private:
  struct Outstanding {
    std::uintptr_t address;
    std::size_t bytes;
  };

  HostRegionSourceOptions options_;
  std::vector<Outstanding> outstanding_;  // few regions (a pool grows geometrically): a vector
  std::vector<RegionRequest> requests_;
  std::size_t bytes_outstanding_ = 0;
  std::size_t allocate_calls_ = 0;
  std::size_t release_calls_ = 0;
};

}  // namespace tfgpu::runtime
