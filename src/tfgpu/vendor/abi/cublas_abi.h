// SPDX-License-Identifier: Apache-2.0
#pragma once

// The few cuBLAS types and functions tfgpu calls, re-declared so the build needs no CUDA toolkit.
// Values and signatures copied from CUDA 13.0's cublas_api.h (CUBLAS_VER 13.1.0) and
// library_types.h; every one of them is unchanged since cuBLAS 11.0, the first with
// cublasComputeType_t, so libcublas.so.11, .12 and .13 share this ABI.
//
// Versioned exports: cublas_v2.h #defines cublasCreate -> cublasCreate_v2 and cublasDestroy ->
// cublasDestroy_v2; the unversioned names are the legacy (pre-handle) API, so dlsym asks for the
// _v2 names. cublasGemmEx and cublasGetProperty have a single ABI. libcublas.so.13 versions its
// exports (cublasCreate_v2@@libcublas.so.13); dlsym without a version finds the default one.

namespace tfgpu::vendor::cublas_abi {

using cublasStatus_t = int;  // enum cublasStatus_t
struct cublasContext;
using cublasHandle_t = cublasContext*;

// cublasStatus_t (cublas_api.h). 2, 4-6, 9, 10 and 12 are unused.
inline constexpr cublasStatus_t kCublasStatusSuccess = 0;
inline constexpr cublasStatus_t kCublasStatusNotInitialized = 1;
inline constexpr cublasStatus_t kCublasStatusAllocFailed = 3;
inline constexpr cublasStatus_t kCublasStatusInvalidValue = 7;
inline constexpr cublasStatus_t kCublasStatusArchMismatch = 8;
inline constexpr cublasStatus_t kCublasStatusMappingError = 11;
inline constexpr cublasStatus_t kCublasStatusExecutionFailed = 13;
inline constexpr cublasStatus_t kCublasStatusInternalError = 14;
inline constexpr cublasStatus_t kCublasStatusNotSupported = 15;
inline constexpr cublasStatus_t kCublasStatusLicenseError = 16;

// cublasOperation_t: CUBLAS_OP_N.
inline constexpr int kOpN = 0;

// cublasGemmAlgo_t: CUBLAS_GEMM_DEFAULT. Since cuBLAS 11 the default algorithm uses tensor cores
// whenever the compute type allows (CUBLAS_GEMM_DEFAULT_TENSOR_OP = 99 is deprecated).
inline constexpr int kGemmDefault = -1;

// cudaDataType_t (library_types.h).
inline constexpr int kCudaR32F = 0;    // CUDA_R_32F
inline constexpr int kCudaR16F = 2;    // CUDA_R_16F
inline constexpr int kCudaR16BF = 14;  // CUDA_R_16BF

// cublasComputeType_t (cublas_api.h). For every 32F compute type alpha and beta are floats.
inline constexpr int kCompute32F = 68;          // CUBLAS_COMPUTE_32F
inline constexpr int kCompute32FFastTf32 = 77;  // CUBLAS_COMPUTE_32F_FAST_TF32

// libraryPropertyType (library_types.h): MAJOR_VERSION, MINOR_VERSION, PATCH_LEVEL.
inline constexpr int kMajorVersion = 0;
inline constexpr int kMinorVersion = 1;
inline constexpr int kPatchLevel = 2;

// Function types, named after the export dlsym asks for. CUBLASWINAPI is empty on Linux; enums
// are passed as int, which is their size and calling convention on x86-64 and aarch64.
using cublasCreate_v2_fn = cublasStatus_t(cublasHandle_t* handle);
using cublasDestroy_v2_fn = cublasStatus_t(cublasHandle_t handle);
using cublasGetProperty_fn = cublasStatus_t(int type, int* value);
using cublasGemmEx_fn = cublasStatus_t(cublasHandle_t handle, int transa, int transb, int m, int n,
                                       int k, const void* alpha, const void* a, int a_type, int lda,
                                       const void* b, int b_type, int ldb, const void* beta,
                                       void* c, int c_type, int ldc, int compute_type, int algo);

}  // namespace tfgpu::vendor::cublas_abi
