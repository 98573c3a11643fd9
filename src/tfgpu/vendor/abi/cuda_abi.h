// SPDX-License-Identifier: Apache-2.0
#pragma once
// The few CUDA driver API types and functions tfgpu calls, re-declared so the build needs no CUDA
// toolkit (nvtop's approach to NVML). Values copied from CUDA 13.0 cuda.h (CUDA_VERSION 13000)
// and checked against CUDA 12.5's; see /work/shared/reference/tensorflow-internals.md §6.2-6.3.
//
// Versioned exports: cuda.h #defines cuDeviceTotalMem -> cuDeviceTotalMem_v2, cuMemGetInfo ->
// cuMemGetInfo_v2, cuCtxDestroy -> cuCtxDestroy_v2, cuDeviceGetUuid -> cuDeviceGetUuid_v2. The
// unversioned exports are the old ABIs (cuDeviceTotalMem writes an unsigned int and saturates at
// 4 GiB), so dlsym must ask for the _v2 names. CUDA 13 maps cuCtxCreate to cuCtxCreate_v4, but
// cuCtxCreate_v2 (flags, device) is still exported and is all we need.

#include <cstddef>

namespace tfgpu::vendor::cuda_abi {

using CUresult = int;  // enum cudaError_enum
using CUdevice = int;
struct CUctx_st;
using CUcontext = CUctx_st*;

struct CUuuid {
  char bytes[16];
};

// CUresult values (cuda.h, enum cudaError_enum). The runtime API (cudaError_t) numbers the same
// conditions differently; those live in cudart_error_name(), never here.
inline constexpr CUresult kCudaSuccess = 0;
inline constexpr CUresult kCudaErrorNotInitialized = 3;
inline constexpr CUresult kCudaErrorStubLibrary = 34;
inline constexpr CUresult kCudaErrorNoDevice = 100;
inline constexpr CUresult kCudaErrorInvalidDevice = 101;
inline constexpr CUresult kCudaErrorSystemDriverMismatch = 803;
inline constexpr CUresult kCudaErrorUnknown = 999;

// CUdevice_attribute values.
inline constexpr int kComputeCapabilityMajor = 75;
inline constexpr int kComputeCapabilityMinor = 76;

// Function types, named after the export dlsym asks for. CUDAAPI is empty on Linux.
using cuInit_fn = CUresult(unsigned int flags);
using cuDriverGetVersion_fn = CUresult(int* driver_version);
using cuDeviceGetCount_fn = CUresult(int* count);
using cuDeviceGet_fn = CUresult(CUdevice* device, int ordinal);
using cuDeviceGetName_fn = CUresult(char* name, int length, CUdevice device);
using cuDeviceGetAttribute_fn = CUresult(int* value, int attribute, CUdevice device);
using cuDeviceTotalMem_v2_fn = CUresult(std::size_t* bytes, CUdevice device);
using cuDeviceGetUuid_fn = CUresult(CUuuid* uuid, CUdevice device);
using cuDeviceGetUuid_v2_fn = CUresult(CUuuid* uuid, CUdevice device);
using cuDeviceGetPCIBusId_fn = CUresult(char* bus_id, int length, CUdevice device);
using cuGetErrorName_fn = CUresult(CUresult error, const char** name);
using cuCtxCreate_v2_fn = CUresult(CUcontext* context, unsigned int flags, CUdevice device);
using cuCtxDestroy_v2_fn = CUresult(CUcontext context);
using cuMemGetInfo_v2_fn = CUresult(std::size_t* free_bytes, std::size_t* total_bytes);

}  // namespace tfgpu::vendor::cuda_abi
