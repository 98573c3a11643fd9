// SPDX-License-Identifier: Apache-2.0
#pragma once
// In-process fakes of vendor::CudaCompute and vendor::Cublas with a simulated GPU clock, so the
// bench's arithmetic (TFLOP/s, GB/s, % of peak, iterations) is checked against exact figures:
// a GEMM advances the clock by its flops at a set rate per dtype, a copy by its bytes at a set
// rate per direction, and events read that clock. Device addresses are numbers, never memory;
// pinned host memory is real (the bench writes to it).

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tfgpu/vendor/cublas.h"
#include "tfgpu/vendor/cuda_compute.h"

namespace tfgpu::bench::testing {

class FakeCompute final : public vendor::CudaCompute {
 public:
  std::uint64_t capacity_bytes = std::uint64_t{80} << 30;
  bool pinned_fails = false;
  double h2d_gbs = 25;  // rates for the simulated clock, 10^9 bytes per second
  double d2h_gbs = 20;
  double d2d_gbs = 1500;  // buffer bytes per second (a copy's reads and writes count once)
  double clock_ms = 0;
  std::size_t allocate_calls = 0;
  std::size_t free_calls = 0;

  Result<void> init() override { return {}; }

  Result<int> device_count() override { return 1; }

  Result<vendor::CudaComputeDeviceInfo> device(int ordinal) override {
    if (ordinal != 0) {
      return make_error(Errc::kVendorError, "CUDA_ERROR_INVALID_DEVICE (101)", 101);
    }
    vendor::CudaComputeDeviceInfo info;
    info.identity.name = "NVIDIA H100 80GB HBM3";
    info.identity.cc_major = 9;
    info.identity.cc_minor = 0;
    info.identity.total_bytes = capacity_bytes;
    info.identity.pci_bus_id = "0000:3B:00.0";
    return info;
  }

  Result<void> activate(int ordinal) override {
    if (ordinal != 0) {
      return make_error(Errc::kVendorError, "CUDA_ERROR_INVALID_DEVICE (101)", 101);
    }
    return {};
  }

  Result<vendor::CudaMemoryInfo> memory_info() override {
    return vendor::CudaMemoryInfo{capacity_bytes - in_use_, capacity_bytes};
  }

  Result<vendor::DevicePtr> allocate(std::size_t bytes) override {
    ++allocate_calls;
    if (bytes == 0) {
      return make_error(Errc::kVendorError, "cuMemAlloc_v2: CUDA_ERROR_INVALID_VALUE (1)", 1);
    }
    if (bytes > capacity_bytes - in_use_) {
      return make_error(Errc::kVendorError,
                        fmt::format("cuMemAlloc_v2({} bytes): CUDA_ERROR_OUT_OF_MEMORY (2)", bytes),
                        2);
    }
    const vendor::DevicePtr address = next_;
    next_ += (bytes + 255) / 256 * 256 + 256;
    blocks_[address] = bytes;
    in_use_ += bytes;
    return address;
  }

  Result<void> free(vendor::DevicePtr pointer) override {
    ++free_calls;
    auto found = blocks_.find(pointer);
    if (found == blocks_.end()) {
      return make_error(Errc::kVendorError, "cuMemFree_v2: CUDA_ERROR_INVALID_VALUE (1)", 1);
    }
    in_use_ -= found->second;
    blocks_.erase(found);
    return {};
  }

  Result<void*> allocate_pinned(std::size_t bytes) override {
    if (pinned_fails) {
      return make_error(Errc::kVendorError, "cuMemHostAlloc: CUDA_ERROR_OUT_OF_MEMORY (2)", 2);
    }
    auto memory = std::make_unique<std::byte[]>(bytes);
    void* address = memory.get();
    pinned_[address] = std::move(memory);
    return address;
  }

  Result<void> free_pinned(void* pointer) override {
    return pinned_.erase(pointer) == 1
               ? Result<void>()
               : make_error(Errc::kVendorError, "cuMemFreeHost: CUDA_ERROR_INVALID_VALUE (1)", 1);
  }

  Result<void> copy_to_device(vendor::DevicePtr destination,
                              std::span<const std::byte> source) override {
    TFGPU_TRY(check(destination, source.size()));
    advance(source.size(), h2d_gbs);
    return {};
  }

  Result<void> copy_to_host(std::span<std::byte> destination, vendor::DevicePtr source) override {
    TFGPU_TRY(check(source, destination.size()));
    advance(destination.size(), d2h_gbs);
    return {};
  }

  Result<void> copy_device_to_device(vendor::DevicePtr destination, vendor::DevicePtr source,
                                     std::size_t bytes) override {
    TFGPU_TRY(check(destination, bytes));
    TFGPU_TRY(check(source, bytes));
    advance(bytes, d2d_gbs);
    return {};
  }

  Result<void> synchronize() override { return {}; }

  Result<vendor::CudaEvent> create_event() override {
    const auto id = next_event_++;
    events_[id] = -1;
    return static_cast<vendor::CudaEvent>(id);
  }

  Result<void> record_event(vendor::CudaEvent event) override {
    auto found = events_.find(static_cast<std::uintptr_t>(event));
    if (found == events_.end()) {
      return make_error(Errc::kVendorError, "CUDA_ERROR_INVALID_HANDLE (400)", 400);
    }
    found->second = clock_ms;
    return {};
  }

  Result<float> elapsed_ms(vendor::CudaEvent start, vendor::CudaEvent end) override {
    auto a = events_.find(static_cast<std::uintptr_t>(start));
    auto b = events_.find(static_cast<std::uintptr_t>(end));
    if (a == events_.end() || b == events_.end() || a->second < 0 || b->second < 0) {
      return make_error(Errc::kVendorError, "CUDA_ERROR_INVALID_HANDLE (400)", 400);
    }
    return static_cast<float>(b->second - a->second);
  }

  Result<void> destroy_event(vendor::CudaEvent event) override {
    events_.erase(static_cast<std::uintptr_t>(event));
    return {};
  }

  std::string status_name(int status) const override { return fmt::format("CUresult {}", status); }

  std::string loaded_path() const override { return "in-process fake"; }

  std::size_t live_events() const { return events_.size(); }

  std::size_t live_blocks() const { return blocks_.size(); }

  std::size_t live_pinned() const { return pinned_.size(); }

 private:
  Result<void> check(vendor::DevicePtr address, std::size_t bytes) const {
    auto found = blocks_.upper_bound(address);
    if (found == blocks_.begin()) {
      return make_error(Errc::kVendorError, "CUDA_ERROR_INVALID_VALUE (1)", 1);
    }
    --found;
    if (address - found->first + bytes > found->second) {
      return make_error(Errc::kVendorError, "CUDA_ERROR_INVALID_VALUE (1)", 1);
    }
    return {};
  }

  void advance(std::size_t bytes, double gbs) {
    clock_ms += static_cast<double>(bytes) / (gbs * 1e9) * 1e3;
  }

  vendor::DevicePtr next_ = 0x100000000ULL;
  std::map<vendor::DevicePtr, std::size_t> blocks_;
  std::uint64_t in_use_ = 0;
  std::map<void*, std::unique_ptr<std::byte[]>> pinned_;
  std::map<std::uintptr_t, double> events_;
  std::uintptr_t next_event_ = 1;
};

class FakeCublas final : public vendor::Cublas {
 public:
  explicit FakeCublas(FakeCompute& compute) : compute_(compute) {}

  // TFLOP/s per dtype for the simulated clock; a dtype in `refused` answers NOT_SUPPORTED.
  double fp32_tflops = 50;
  double tf32_tflops = 400;
  double fp16_tflops = 800;
  double bf16_tflops = 790;
  std::set<vendor::GemmDtype> refused;
  std::size_t gemm_calls = 0;

  Result<Version> version() override { return *Version::parse("12.4.5"); }

  Result<void> create_handle() override { return {}; }

  Result<void> gemm(vendor::GemmDtype dtype, std::int64_t m, std::int64_t n, std::int64_t k,
                    vendor::DevicePtr a, vendor::DevicePtr b, vendor::DevicePtr c) override {
    if (a == 0 || b == 0 || c == 0) {
      return make_error(Errc::kInvalidArgument, "null operand");
    }
    if (refused.contains(dtype)) {
      return make_error(Errc::kVendorError, "cublasGemmEx: CUBLAS_STATUS_NOT_SUPPORTED (15)", 15);
    }
    ++gemm_calls;
    const double rate = dtype == vendor::GemmDtype::kFp32   ? fp32_tflops
                        : dtype == vendor::GemmDtype::kTf32 ? tf32_tflops
                        : dtype == vendor::GemmDtype::kFp16 ? fp16_tflops
                                                            : bf16_tflops;
    const double flop =
        2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
    compute_.clock_ms += flop / (rate * 1e12) * 1e3;
    return {};
  }

  std::string loaded_path() const override { return "in-process fake cuBLAS"; }

 private:
  FakeCompute& compute_;
};

}  // namespace tfgpu::bench::testing
