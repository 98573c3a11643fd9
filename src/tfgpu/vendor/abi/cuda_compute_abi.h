// SPDX-License-Identifier: Apache-2.0
#pragma once
// The CUDA driver API calls tfgpu's runtime makes (contexts, memory, copies, events), re-declared
// so the build needs no CUDA toolkit. Values and signatures checked against CUDA 13.0 cuda.h
// (CUDA_VERSION 13000); the probe's read-only subset lives in cuda_abi.h.
//
// Versioned exports (cuda.h 13.0, the #define block at its top): cuMemAlloc -> cuMemAlloc_v2,
// cuMemFree -> cuMemFree_v2, cuMemGetInfo -> cuMemGetInfo_v2, cuMemcpyHtoD/DtoH/DtoD -> *_v2,
// cuEventDestroy -> cuEventDestroy_v2, cuDevicePrimaryCtxRelease -> cuDevicePrimaryCtxRelease_v2,
// cuEventElapsedTime -> cuEventElapsedTime_v2. The unversioned memory exports are the 32-bit
// ABIs (CUdeviceptr_v1 is an unsigned int, sizes are unsigned int: the legacy block near the end
// of cuda.h), so dlsym must ask for the _v2 names. cuEventElapsedTime (v1) has the same
// signature as _v2 and is what drivers older than the _v2 export offer. cuCtxSynchronize is not
// remapped (cuCtxSynchronize_v2 takes a context and is a different call). We build without
// CUDA_API_PER_THREAD_DEFAULT_STREAM, so no _ptds/_ptsz variants: work goes to the legacy default
// stream, as the runtime API's does.

#include <cstddef>
#include <cstdint>

#include "tfgpu/vendor/abi/cuda_abi.h"

namespace tfgpu::vendor::cuda_abi {

// cuda.h: `typedef unsigned long long CUdeviceptr_v2; typedef CUdeviceptr_v2 CUdeviceptr;` on
// 64-bit hosts.
using CUdeviceptr = unsigned long long;
static_assert(sizeof(CUdeviceptr) == sizeof(std::uint64_t));
struct CUevent_st;
using CUevent = CUevent_st*;
struct CUstream_st;
using CUstream = CUstream_st*;  // nullptr: the legacy default stream

// More CUresult values (cuda.h, enum cudaError_enum).
inline constexpr CUresult kCudaErrorInvalidValue = 1;
inline constexpr CUresult kCudaErrorOutOfMemory = 2;
inline constexpr CUresult kCudaErrorInvalidContext = 201;
inline constexpr CUresult kCudaErrorInvalidHandle = 400;
inline constexpr CUresult kCudaErrorNotReady = 600;

// CUdevice_attribute values (cuda.h, enum CUdevice_attribute_enum).
inline constexpr int kClockRate = 13;  // kHz, "typical clock frequency"
inline constexpr int kMultiprocessorCount = 16;
inline constexpr int kMemoryClockRate = 36;       // kHz, "peak memory clock frequency"
inline constexpr int kGlobalMemoryBusWidth = 37;  // bits

// CUevent_flags_enum: CU_EVENT_DEFAULT. Timing stays enabled (CU_EVENT_DISABLE_TIMING unset).
inline constexpr unsigned int kEventDefault = 0x0;

// cuMemHostAlloc flags: none, i.e. page-locked memory for the current context only
// (CU_MEMHOSTALLOC_PORTABLE = 0x01 and CU_MEMHOSTALLOC_DEVICEMAP = 0x02 are not wanted).
inline constexpr unsigned int kMemHostAllocDefault = 0x0;

// Function types, named after the export dlsym asks for. CUDAAPI is empty on Linux.
using cuDevicePrimaryCtxRetain_fn = CUresult(CUcontext* context, CUdevice device);
using cuDevicePrimaryCtxRelease_v2_fn = CUresult(CUdevice device);
using cuCtxSetCurrent_fn = CUresult(CUcontext context);
using cuCtxGetCurrent_fn = CUresult(CUcontext* context);
using cuCtxSynchronize_fn = CUresult();
using cuMemAlloc_v2_fn = CUresult(CUdeviceptr* pointer, std::size_t bytes);
using cuMemFree_v2_fn = CUresult(CUdeviceptr pointer);
using cuMemHostAlloc_fn = CUresult(void** pointer, std::size_t bytes, unsigned int flags);
using cuMemFreeHost_fn = CUresult(void* pointer);
using cuMemcpyHtoD_v2_fn = CUresult(CUdeviceptr destination, const void* source, std::size_t bytes);
using cuMemcpyDtoH_v2_fn = CUresult(void* destination, CUdeviceptr source, std::size_t bytes);
using cuMemcpyDtoD_v2_fn = CUresult(CUdeviceptr destination, CUdeviceptr source, std::size_t bytes);
using cuEventCreate_fn = CUresult(CUevent* event, unsigned int flags);
using cuEventRecord_fn = CUresult(CUevent event, CUstream stream);
using cuEventSynchronize_fn = CUresult(CUevent event);
using cuEventElapsedTime_fn = CUresult(float* milliseconds, CUevent start, CUevent end);
using cuEventElapsedTime_v2_fn = CUresult(float* milliseconds, CUevent start, CUevent end);
using cuEventDestroy_v2_fn = CUresult(CUevent event);

}  // namespace tfgpu::vendor::cuda_abi
