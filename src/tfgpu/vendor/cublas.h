// SPDX-License-Identifier: Apache-2.0
#pragma once
// Cublas: the slice of cuBLAS (libcublas.so.N) tfgpu's runtime uses — one GEMM in four precisions
// — in tfgpu's terms. The real implementation (cublas_dl.cc) dlopens libcublas; tests use a fake
// .so that computes on the host. A cuBLAS failure is Errc::kVendorError with the raw
// cublasStatus_t in Error::vendor_status and its name ("CUBLAS_STATUS_NOT_SUPPORTED") in the
// message; a symbol the library does not export is Errc::kUnsupported.
//
// Loading and the handle are separate steps on purpose: load_cublas() only resolves symbols (so
// a machine without a GPU can still check that a libcublas is complete), and the handle —
// cublasCreate_v2, which needs a working driver and a current context — is made by
// create_handle() or the first gemm().

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/base/version.h"
#include "tfgpu/vendor/cuda_compute.h"

namespace tfgpu::vendor {

// The precisions `tfgpu bench` and the runtime's matmul run. Storage and compute per value:
//   kFp32  fp32 data, fp32 compute (CUBLAS_COMPUTE_32F: no TF32 unless the math mode allows)
//   kTf32  fp32 data, TF32 tensor-core compute (CUBLAS_COMPUTE_32F_FAST_TF32)
//   kFp16  fp16 data (A, B and C), fp32 accumulate (CUBLAS_COMPUTE_32F)
//   kBf16  bf16 data (A, B and C), fp32 accumulate (CUBLAS_COMPUTE_32F)
enum class GemmDtype { kFp32, kTf32, kFp16, kBf16 };

// "fp32", "tf32", "fp16", "bf16".
const char* gemm_dtype_name(GemmDtype dtype);

// Bytes per matrix element in device memory: 4 for kFp32/kTf32, 2 for kFp16/kBf16.
std::size_t gemm_element_bytes(GemmDtype dtype);

class Cublas {
 public:
  // Destroys the handle (cublasDestroy_v2) if one was made; its context must still be alive, so
  // destroy a Cublas before the CudaCompute whose context it uses.
  virtual ~Cublas() = default;

  // The library's own version from cublasGetProperty (MAJOR_VERSION, MINOR_VERSION,
  // PATCH_LEVEL): "13.1.0". Needs no handle and no GPU.
  virtual Result<Version> version() = 0;

  // cublasCreate_v2 for the calling thread's current context (activate a device first). Does
  // nothing when a handle exists. Fails with the cublasStatus_t (CUBLAS_STATUS_NOT_INITIALIZED
  // when there is no usable driver or GPU).
  virtual Result<void> create_handle() = 0;

  // C = A·B for column-major m×k A, k×n B and m×n C in device memory (no transpose, lda = m,
  // ldb = k, ldc = m, alpha = 1, beta = 0) via cublasGemmEx with the default algorithm, on the
  // default stream: asynchronous, so synchronise or record an event to time it. Makes the handle
  // on first use. Fails with kInvalidArgument when a size is not in [1, 2^31 - 1] or a pointer is
  // 0, else with the cublasStatus_t (CUBLAS_STATUS_NOT_SUPPORTED, CUBLAS_STATUS_ARCH_MISMATCH …).
  virtual Result<void> gemm(GemmDtype dtype, std::int64_t m, std::int64_t n, std::int64_t k,
                            DevicePtr a, DevicePtr b, DevicePtr c) = 0;

  // The file the loader mapped ("/usr/local/cuda/lib64/libcublas.so.13").
  virtual std::string loaded_path() const = 0;
};

// The sonames tfgpu's runtime tries, newest first: {"libcublas.so.13", "libcublas.so.12",
// "libcublas.so.11"}. TensorFlow itself asks only for the one its wheel was built with.
std::vector<std::string> default_cublas_candidates();

// Load the first of `candidates` that dlopens and resolve its symbols; creates no handle. Fails
// with kNotFound (every candidate's dlerror) or kUnsupported naming the first missing required
// symbol.
Result<std::unique_ptr<Cublas>> load_cublas(std::span<const std::string> candidates);

// "CUBLAS_STATUS_NOT_SUPPORTED" for 15 (cublasStatus_t, cublas_api.h), or "cublasStatus_t <n>"
// when not in the table.
std::string cublas_status_name(int status);

}  // namespace tfgpu::vendor
