// SPDX-License-Identifier: Apache-2.0
// GpuBackend over the CUDA driver API and cuBLAS (see gpu_backend.h).
//
// One lock serialises every call into the driver wrapper: vendor::CudaCompute keeps a list of
// retained contexts and is not thread-safe, and activation plus the call that needs it must not
// interleave with another thread's. One vendor::Cublas per GPU: a cuBLAS handle belongs to the
// device current when it was created.
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "tfgpu/runtime/cuda_region_source.h"
#include "tfgpu/runtime/gpu_backend.h"

namespace tfgpu::runtime {

namespace {

class CudaGpuBackend final : public GpuBackend {
 public:
  CudaGpuBackend(std::unique_ptr<vendor::CudaCompute> compute, int device_count,
                 std::vector<std::string> cublas_candidates)
      : compute_(std::move(compute)),
        cublas_(static_cast<std::size_t>(device_count)),
        cublas_candidates_(std::move(cublas_candidates)) {}

  CudaGpuBackend(const CudaGpuBackend&) = delete;
  CudaGpuBackend& operator=(const CudaGpuBackend&) = delete;

  ~CudaGpuBackend() override {
    // Each handle is destroyed with its own device current; then compute_ releases the contexts.
    std::lock_guard lock(mutex_);
    for (std::size_t ordinal = 0; ordinal < cublas_.size(); ++ordinal) {
      if (cublas_[ordinal]) {
        (void)compute_->activate(static_cast<int>(ordinal));
        cublas_[ordinal].reset();
      }
    }
  }

  Result<std::vector<GpuProperties>> devices() override {
    std::lock_guard lock(mutex_);
    std::vector<GpuProperties> gpus;
    for (std::size_t ordinal = 0; ordinal < cublas_.size(); ++ordinal) {
      auto info = compute_->device(static_cast<int>(ordinal));
      if (!info) {
        return tl::unexpected<Error>(info.error().with_context(fmt::format("GPU {}", ordinal)));
      }
      const vendor::CudaDeviceInfo& identity = info->identity;
      gpus.push_back(GpuProperties{identity.name, identity.cc_major, identity.cc_minor,
                                   identity.total_bytes, identity.pci_bus_id, identity.uuid});
    }
    return gpus;
  }

  Result<vendor::CudaMemoryInfo> memory_info(int ordinal) override {
    std::lock_guard lock(mutex_);
    TFGPU_TRY(activate(ordinal));
    auto info = compute_->memory_info();
    if (!info) {
      return tl::unexpected<Error>(info.error().with_context(fmt::format("GPU {}", ordinal)));
    }
    return *info;
  }

  Result<std::unique_ptr<RegionSource>> region_source(int ordinal) override {
    TFGPU_TRY(check_ordinal(ordinal));
    return std::make_unique<CudaRegionSource>(*compute_, ordinal, &mutex_);
  }

  Result<void> copy_to_device(int ordinal, vendor::DevicePtr destination,
                              std::span<const std::byte> source) override {
    std::lock_guard lock(mutex_);
    TFGPU_TRY(activate(ordinal));
    return in_context(ordinal, compute_->copy_to_device(destination, source));
  }

  Result<void> copy_to_host(int ordinal, std::span<std::byte> destination,
                            vendor::DevicePtr source) override {
    std::lock_guard lock(mutex_);
    TFGPU_TRY(activate(ordinal));
    return in_context(ordinal, compute_->copy_to_host(destination, source));
  }

  Result<void> gemm(int ordinal, vendor::GemmDtype dtype, std::int64_t m, std::int64_t n,
                    std::int64_t k, vendor::DevicePtr a, vendor::DevicePtr b,
                    vendor::DevicePtr c) override {
    std::lock_guard lock(mutex_);
    TFGPU_TRY(activate(ordinal));
    auto cublas = cublas_for(ordinal);
    if (!cublas) {
      return tl::unexpected<Error>(cublas.error());
    }
    auto done = (*cublas)->gemm(dtype, m, n, k, a, b, c);
    if (!done) {
      return tl::unexpected<Error>(done.error().with_context(
          fmt::format("GPU {}: cuBLAS {}", ordinal, (*cublas)->loaded_path())));
    }
    return in_context(ordinal, compute_->synchronize());
  }

  std::string describe() const override {
    return fmt::format("CUDA driver {}", compute_->loaded_path());
  }

 private:
  Result<void> check_ordinal(int ordinal) const {
    if (ordinal < 0 || static_cast<std::size_t>(ordinal) >= cublas_.size()) {
      return make_error(Errc::kInvalidArgument,
                        fmt::format("GPU {} does not exist ({} GPUs)", ordinal, cublas_.size()));
    }
    return {};
  }

  // Under mutex_.
  Result<void> activate(int ordinal) {
    TFGPU_TRY(check_ordinal(ordinal));
    return in_context(ordinal, compute_->activate(ordinal));
  }

  static Result<void> in_context(int ordinal, Result<void> result) {
    if (!result) {
      return tl::unexpected<Error>(result.error().with_context(fmt::format("GPU {}", ordinal)));
    }
    return {};
  }

  // Under mutex_, with `ordinal` current. The first call per GPU loads cuBLAS for it; a failure
  // is not cached, so a library installed meanwhile is found on the next call.
  Result<vendor::Cublas*> cublas_for(int ordinal) {
    std::unique_ptr<vendor::Cublas>& slot = cublas_[static_cast<std::size_t>(ordinal)];
    if (!slot) {
      auto loaded = vendor::load_cublas(cublas_candidates_);
      if (!loaded) {
        return tl::unexpected<Error>(loaded.error().with_context(
            fmt::format("GPU {}: cuBLAS could not be loaded", ordinal)));
      }
      slot = std::move(*loaded);
    }
    return slot.get();
  }

  std::mutex mutex_;
  std::unique_ptr<vendor::CudaCompute> compute_;  // declared before cublas_: destroyed after it
  std::vector<std::unique_ptr<vendor::Cublas>> cublas_;  // one per GPU, loaded at first gemm
  std::vector<std::string> cublas_candidates_;
};

}  // namespace

Result<std::shared_ptr<GpuBackend>> load_cuda_backend(const CudaBackendOptions& options) {
  auto compute = vendor::load_cuda_compute(options.cuda_candidates);
  if (!compute) {
    return tl::unexpected<Error>(compute.error());
  }
  auto initialised = (*compute)->init();
  if (!initialised) {
    return tl::unexpected<Error>(initialised.error().with_context((*compute)->loaded_path()));
  }
  auto count = (*compute)->device_count();
  if (!count) {
    return tl::unexpected<Error>(count.error().with_context((*compute)->loaded_path()));
  }
  return std::shared_ptr<GpuBackend>(std::make_shared<CudaGpuBackend>(
      std::move(*compute), *count < 0 ? 0 : *count, options.cublas_candidates));
}

}  // namespace tfgpu::runtime
