// SPDX-License-Identifier: Apache-2.0
#pragma once
// FakeGpuBackend: an in-process GpuBackend with any number of GPUs, for tests of the runtime,
// placement and matmul on machines without one (and for callers' tests: `tfgpu verify`).
//
// Its "device memory" is host memory, so copies are memcpy and gemm really computes (column-major,
// as cuBLAS; fp16/bf16 with the runtime's own conversions and fp32 accumulation). Every copy and
// gemm operand is checked to lie inside memory handed out for *that* GPU, so a runtime that
// sends a pointer to the wrong device, or past the end of a block, fails as a real GPU would
// (with an illegal address), only with a clear message. Each GPU has a capacity; region sources
// share it, so two logical devices on one GPU can run it out together.
//
// Failures can be injected (device listing, gemm), and the calls made are recorded.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/runtime/gpu_backend.h"

namespace tfgpu::runtime {

struct FakeGpu {
  GpuProperties properties;
  // What cuMemGetInfo reports free before anything is allocated; also the most the fake hands
  // out. Memory is reserved lazily by the host (tests may ask for GiBs they never touch).
  std::uint64_t free_bytes = 0;
};

// An H100 like the one the fake libcuda describes, with `total_bytes` of memory, all free.
FakeGpu fake_h100(std::uint64_t total_bytes, std::string pci_bus_id = "0000:3B:00.0");

struct FakeGemmCall {
  int ordinal = 0;
  vendor::GemmDtype dtype = vendor::GemmDtype::kFp32;
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
};

class FakeGpuBackend final : public GpuBackend {
 public:
  explicit FakeGpuBackend(std::vector<FakeGpu> gpus);
  ~FakeGpuBackend() override;
  FakeGpuBackend(const FakeGpuBackend&) = delete;
  FakeGpuBackend& operator=(const FakeGpuBackend&) = delete;

  Result<std::vector<GpuProperties>> devices() override;
  Result<vendor::CudaMemoryInfo> memory_info(int ordinal) override;
  Result<std::unique_ptr<RegionSource>> region_source(int ordinal) override;
  Result<void> copy_to_device(int ordinal, vendor::DevicePtr destination,
                              std::span<const std::byte> source) override;
  Result<void> copy_to_host(int ordinal, std::span<std::byte> destination,
                            vendor::DevicePtr source) override;
  Result<void> gemm(int ordinal, vendor::GemmDtype dtype, std::int64_t m, std::int64_t n,
                    std::int64_t k, vendor::DevicePtr a, vendor::DevicePtr b,
                    vendor::DevicePtr c) override;

  // "fake GPU backend (2 GPUs)".
  std::string describe() const override;

  // Injected failures: devices() / gemm() answer this error while set.
  void fail_devices(std::optional<Error> error);
  void fail_gemm(std::optional<Error> error);

  // What was asked of it.
  std::vector<FakeGemmCall> gemm_calls() const;
  std::size_t copies_to_device() const;
  std::size_t copies_to_host() const;
  // Bytes of regions handed out on GPU `ordinal` and not yet released.
  std::uint64_t bytes_allocated(int ordinal) const;

 private:
  class Source;
  friend class Source;

  struct Block {
    std::size_t bytes;
    int ordinal;
  };

  Result<void> check_ordinal(int ordinal) const;
  // Under mutex_: is [address, address + bytes) inside one block of GPU `ordinal`?
  Result<void> check_range(int ordinal, std::uintptr_t address, std::size_t bytes,
                           const char* what) const;
  Result<std::uintptr_t> allocate_block(int ordinal, std::size_t bytes);
  Result<void> release_block(int ordinal, std::uintptr_t address, std::size_t bytes);

  mutable std::mutex mutex_;
  std::vector<FakeGpu> gpus_;
  std::vector<std::uint64_t> allocated_bytes_;  // per GPU
  std::map<std::uintptr_t, Block> blocks_;      // by start address
  std::optional<Error> devices_error_;
  std::optional<Error> gemm_error_;
  std::vector<FakeGemmCall> gemm_calls_;
  std::size_t copies_to_device_ = 0;
  std::size_t copies_to_host_ = 0;
};

}  // namespace tfgpu::runtime
