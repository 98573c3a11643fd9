// SPDX-License-Identifier: Apache-2.0
#pragma once
// GpuBackend: everything the runtime asks of a GPU, in one small interface (ninja's test seam).
//
// The real implementation (cuda_gpu_backend.cc) is the CUDA driver API and cuBLAS, both loaded
// at run time (vendor::CudaCompute, vendor::Cublas), so the runtime builds and starts on a
// machine without NVIDIA libraries. FakeGpuBackend (fake_gpu_backend.h) is an in-process stand-in
// with any number of GPUs, for tests.
//
// Every call names its device by CUDA ordinal. CUDA's "current context" is per thread and
// changes whenever another device is used, so the backend makes the device current itself on
// each call (what the brief calls "activate") instead of leaving it to callers; a caller can
// never run a copy on the wrong GPU. Implementations are thread-safe.
//
// Device memory is handed out through region_source(): the runtime's pools (MemoryPool) take
// their regions from it, which is where cuMemAlloc / cuMemFree happen.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/runtime/device.h"
#include "tfgpu/runtime/region_source.h"
#include "tfgpu/vendor/cublas.h"
#include "tfgpu/vendor/cuda_compute.h"

namespace tfgpu::runtime {

class GpuBackend {
 public:
  virtual ~GpuBackend() = default;

  // The GPUs the driver sees, by ordinal from 0. Fails when the driver cannot list them.
  virtual Result<std::vector<GpuProperties>> devices() = 0;

  // Free and total memory of GPU `ordinal` now (cuMemGetInfo_v2 in its primary context).
  virtual Result<vendor::CudaMemoryInfo> memory_info(int ordinal) = 0;

  // A new source of regions on GPU `ordinal` for one MemoryPool (cuMemAlloc_v2 / cuMemFree_v2).
  // The source must not outlive this backend. Fails for an ordinal that does not exist.
  virtual Result<std::unique_ptr<RegionSource>> region_source(int ordinal) = 0;

  // Synchronous copies between host memory and GPU `ordinal`'s memory (cuMemcpyHtoD_v2,
  // cuMemcpyDtoH_v2): they return once the bytes have arrived.
  virtual Result<void> copy_to_device(int ordinal, vendor::DevicePtr destination,
                                      std::span<const std::byte> source) = 0;
  virtual Result<void> copy_to_host(int ordinal, std::span<std::byte> destination,
                                    vendor::DevicePtr source) = 0;

  // C = A·B on GPU `ordinal` for column-major m×k A, k×n B and m×n C (vendor::Cublas::gemm's
  // contract), returning once C is written (the context is synchronised, so a failure of the
  // kernel itself is reported here and not by a later call). Fails with kInvalidArgument for
  // sizes outside [1, 2^31 - 1], when cuBLAS cannot be loaded, or with cuBLAS's status.
  virtual Result<void> gemm(int ordinal, vendor::GemmDtype dtype, std::int64_t m, std::int64_t n,
                            std::int64_t k, vendor::DevicePtr a, vendor::DevicePtr b,
                            vendor::DevicePtr c) = 0;

  // What is behind it, for reports: "CUDA driver /usr/lib/x86_64-linux-gnu/libcuda.so.1".
  virtual std::string describe() const = 0;
};

struct CudaBackendOptions {
  // Tried in order for the driver; TensorFlow asks for exactly "libcuda.so.1".
  std::vector<std::string> cuda_candidates = {"libcuda.so.1"};
  // Tried in order for cuBLAS, at the first gemm on each GPU.
  std::vector<std::string> cublas_candidates = vendor::default_cublas_candidates();
};

// The CUDA driver loaded and initialised (cuInit). Which GPUs it then lists is the driver's
// decision: CUDA_VISIBLE_DEVICES is applied by libcuda itself at cuInit (hiding GPUs and
// renumbering the rest from 0; "" or "-1" hides all, and cuInit answers CUDA_ERROR_NO_DEVICE),
// so tfgpu neither reads nor re-implements it, and GPU:i means what it means to TensorFlow in
// the same environment. cuBLAS is loaded later, at the first gemm on a GPU, so listing devices
// and moving memory work where only the driver is installed.
// Fails with kNotFound when no candidate loads (every dlerror), kUnsupported for a driver that
// lacks a needed symbol, or cuInit's CUresult (kVendorError: CUDA_ERROR_NO_DEVICE, …).
Result<std::shared_ptr<GpuBackend>> load_cuda_backend(const CudaBackendOptions& options = {});

}  // namespace tfgpu::runtime
