// SPDX-License-Identifier: Apache-2.0
#pragma once
// CudaRegionSource: a MemoryPool's regions from cuMemAlloc_v2 on one GPU, so the pool that is
// tested on host memory hands out real device memory (TensorFlow's GPU_0_bfc does the same
// over its sub-allocator).
//
// Two things the driver does differently from the pool's contract are translated here:
// - Out of memory is CUDA_ERROR_OUT_OF_MEMORY (kVendorError, status 2) from the driver but
//   kResourceExhausted for the pool, which then backs off and asks for less as TF's BFC does.
//   The CUresult stays in vendor_status.
// - The pool needs 256-byte aligned regions. cuMemAlloc promises at least that (CUDA C
//   Programming Guide, "Device Memory Accesses": allocations are aligned to at least 256 bytes),
//   but a driver stand-in may not (tests' fake libcuda returns malloc's 16-byte alignment), and
//   a misaligned region makes the pool refuse it with kInternal. So an unaligned answer is given
//   back and replaced by one 256 bytes larger whose aligned part is used.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/runtime/region_source.h"
#include "tfgpu/vendor/cuda_compute.h"

namespace tfgpu::runtime {

class CudaRegionSource final : public RegionSource {
 public:
  // Regions on device `ordinal` of `compute`, which must outlive the source. Each call makes
  // that device's primary context current on the calling thread first (CudaCompute::activate),
  // since another device may have been made current since. `compute_mutex`, when given, is
  // held around every call into `compute` (CudaCompute is not thread-safe and may be shared with
  // other sources and copies); null when the caller uses `compute` from one thread only.
  CudaRegionSource(vendor::CudaCompute& compute, int ordinal, std::mutex* compute_mutex = nullptr);
  // Regions still out are left to the driver: they go with the primary context, which
  // CudaCompute holds until it is destroyed. (A MemoryPool gives all of its back first.)
  ~CudaRegionSource() override = default;
  CudaRegionSource(const CudaRegionSource&) = delete;
  CudaRegionSource& operator=(const CudaRegionSource&) = delete;

  // cuMemAlloc_v2 of `bytes` (> 0, a multiple of 256). Fails with kInvalidArgument for another
  // size, kResourceExhausted (vendor_status 2) when the GPU is full, or the driver's error
  // (activate or allocate) with "cuMemAlloc on GPU <n>" in front.
  Result<std::uintptr_t> allocate(std::size_t bytes) override;

  // cuMemFree_v2 of a region allocate() returned. Fails with kInvalidArgument for an address or
  // size it did not hand out, or the driver's error.
  Result<void> release(std::uintptr_t address, std::size_t bytes) override;

  // "cuMemAlloc on GPU 0".
  std::string name() const override;

 private:
  struct Outstanding {
    std::uintptr_t address;         // what the pool got
    std::size_t bytes;              // what the pool asked for
    vendor::DevicePtr driver_base;  // what cuMemAlloc returned (below `address` when realigned)
  };

  Result<vendor::DevicePtr> driver_allocate(std::size_t bytes);

  vendor::CudaCompute& compute_;
  int ordinal_;
  std::mutex* compute_mutex_;
  std::vector<Outstanding> outstanding_;  // few regions: a pool grows geometrically
};

}  // namespace tfgpu::runtime
