// SPDX-License-Identifier: Apache-2.0
#pragma once
// CudaCompute: the part of the CUDA driver API (libcuda.so.1) that does work on a GPU — primary
// contexts, device memory, copies, synchronisation and event timing — for tfgpu's runtime (list
// GPUs, allocate, copy, a GEMM pinned to GPU:0, timed). CudaDriver stays the probe's read-only
// view; this interface is separate so nothing the probe loads can allocate or launch.
//
// Errors follow CudaDriver: a vendor failure is Errc::kVendorError with the raw CUresult in
// Error::vendor_status and its name in the message ("cuMemAlloc_v2(1048576 bytes):
// CUDA_ERROR_OUT_OF_MEMORY (2)"); a symbol the library does not export is Errc::kUnsupported.
//
// Threads: CUDA's current context is per thread. activate() makes a device's primary context
// current on the calling thread; every call below that needs a context uses the calling thread's.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "tfgpu/base/result.h"
#include "tfgpu/vendor/cuda_driver.h"

namespace tfgpu::vendor {

// A device address (CUdeviceptr: 64 bits on every host tfgpu supports). Never dereferenced on the
// host; 0 is never a valid allocation.
using DevicePtr = std::uint64_t;

// An event handle (CUevent) as an opaque value; made by create_event(), ended by destroy_event().
enum class CudaEvent : std::uintptr_t {};

struct CudaComputeDeviceInfo {
  CudaDeviceInfo identity;  // name, compute capability, memory, UUID, bus id (as the probe's)
  // Attributes for peak estimates; nullopt when the driver refuses the attribute (CUDA 13 keeps
  // all four, but they are informational and a refusal must not hide the device).
  std::optional<int> multiprocessor_count;   // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
  std::optional<int> clock_rate_khz;         // CU_DEVICE_ATTRIBUTE_CLOCK_RATE
  std::optional<int> memory_clock_rate_khz;  // CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE (peak)
  std::optional<int> memory_bus_width_bits;  // CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH
};

class CudaCompute {
 public:
  // Releases every primary context activate() retained (cuDevicePrimaryCtxRelease_v2), after
  // clearing the calling thread's current context if it is one of them. Whatever was allocated
  // in a context whose last reference goes is freed by the driver: destroy users (Cublas) first.
  virtual ~CudaCompute() = default;

  // cuInit(0). Fails with the CUresult (CUDA_ERROR_NO_DEVICE, CUDA_ERROR_STUB_LIBRARY …).
  virtual Result<void> init() = 0;

  // cuDeviceGetCount; needs a successful init().
  virtual Result<int> device_count() = 0;

  // Identity of device `ordinal` (as CudaDriver::device) plus the attributes above. Fails when
  // the identity calls fail (CUDA_ERROR_INVALID_DEVICE for a bad ordinal).
  virtual Result<CudaComputeDeviceInfo> device(int ordinal) = 0;

  // Retain device `ordinal`'s primary context (cuDevicePrimaryCtxRetain: the context TensorFlow
  // and the runtime API share) and make it current on this thread (cuCtxSetCurrent). Each device
  // is retained once however often it is activated, and held until destruction, so switching
  // devices never frees another device's allocations.
  virtual Result<void> activate(int ordinal) = 0;

  // Free and total memory of the current context's device (cuMemGetInfo_v2). Fails with
  // CUDA_ERROR_INVALID_CONTEXT when nothing is active on this thread.
  virtual Result<CudaMemoryInfo> memory_info() = 0;

  // cuMemAlloc_v2 in the current context. Out of memory is kVendorError with vendor_status 2
  // (CUDA_ERROR_OUT_OF_MEMORY); 0 bytes is CUDA_ERROR_INVALID_VALUE, as the driver answers.
  virtual Result<DevicePtr> allocate(std::size_t bytes) = 0;

  // cuMemFree_v2. Fails with CUDA_ERROR_INVALID_VALUE for an address allocate() did not return.
  virtual Result<void> free(DevicePtr pointer) = 0;

  // Page-locked host memory for fast copies (cuMemHostAlloc, flags 0) and its release
  // (cuMemFreeHost). Needs a current context.
  virtual Result<void*> allocate_pinned(std::size_t bytes) = 0;
  virtual Result<void> free_pinned(void* pointer) = 0;

  // Synchronous copies (cuMemcpyHtoD_v2, cuMemcpyDtoH_v2, cuMemcpyDtoD_v2): they return once the
  // bytes have arrived. Host spans may be pageable or pinned.
  virtual Result<void> copy_to_device(DevicePtr destination, std::span<const std::byte> source) = 0;
  virtual Result<void> copy_to_host(std::span<std::byte> destination, DevicePtr source) = 0;
  virtual Result<void> copy_device_to_device(DevicePtr destination, DevicePtr source,
                                             std::size_t bytes) = 0;

  // Wait for all work in the current context (cuCtxSynchronize).
  virtual Result<void> synchronize() = 0;

  // Timing events on the default stream: cuEventCreate (timing enabled), cuEventRecord,
  // cuEventDestroy_v2. elapsed_ms() waits for `end` (cuEventSynchronize) and returns the time
  // between the two records (cuEventElapsedTime_v2, or v1 on drivers without it), ~0.5 µs
  // resolution. Fails with CUDA_ERROR_INVALID_HANDLE when either event was never recorded.
  virtual Result<CudaEvent> create_event() = 0;
  virtual Result<void> record_event(CudaEvent event) = 0;
  virtual Result<float> elapsed_ms(CudaEvent start, CudaEvent end) = 0;
  virtual Result<void> destroy_event(CudaEvent event) = 0;

  // The name of `status`: cuGetErrorName when it answers, else cuda_result_name().
  virtual std::string status_name(int status) const = 0;

  // The file the loader mapped ("/usr/lib/x86_64-linux-gnu/libcuda.so.1").
  virtual std::string loaded_path() const = 0;
};

// Owns one event of a CudaCompute and destroys it on scope exit; must not outlive the compute.
class ScopedCudaEvent {
 public:
  // create_event() on `compute`; fails as it does.
  static Result<ScopedCudaEvent> create(CudaCompute& compute);

  ScopedCudaEvent(ScopedCudaEvent&& other) noexcept;
  ScopedCudaEvent& operator=(ScopedCudaEvent&& other) noexcept;
  ScopedCudaEvent(const ScopedCudaEvent&) = delete;
  ScopedCudaEvent& operator=(const ScopedCudaEvent&) = delete;
  ~ScopedCudaEvent();

  // record_event() on the default stream.
  Result<void> record();

  // Milliseconds from this event's record to `end`'s, waiting for `end` (CudaCompute::elapsed_ms).
  Result<float> elapsed_ms_until(const ScopedCudaEvent& end) const;

  CudaEvent get() const { return event_; }

 private:
  ScopedCudaEvent(CudaCompute* compute, CudaEvent event) : compute_(compute), event_(event) {}

  void reset();

  CudaCompute* compute_ = nullptr;  // null once moved from
  CudaEvent event_{};
};

// Load the first of `candidates` that dlopens (normally {"libcuda.so.1"}) and resolve both the
// probe's symbols (as load_cuda_driver) and the compute ones above. Fails with kNotFound (every
// candidate's dlerror) or kUnsupported naming the first missing required symbol.
Result<std::unique_ptr<CudaCompute>> load_cuda_compute(std::span<const std::string> candidates);

}  // namespace tfgpu::vendor
