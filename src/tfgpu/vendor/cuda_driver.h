// SPDX-License-Identifier: Apache-2.0
#pragma once
// CudaDriver: the CUDA driver API (libcuda.so.1) in tfgpu's terms. The real implementation
// (cuda_driver_dl.cc) dlopens libcuda; tests use fake .so files or in-process fakes. Every call
// returns a Result; a vendor failure is Errc::kVendorError with the raw CUresult in
// Error::vendor_status and its name ("CUDA_ERROR_NO_DEVICE") in the message. A symbol the loaded
// library does not export is Errc::kUnsupported, never a null call.

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "tfgpu/base/result.h"
#include "tfgpu/base/version.h"

namespace tfgpu::vendor {

struct CudaDeviceInfo {
  int ordinal = 0;
  std::string name;  // cuDeviceGetName: "NVIDIA H100 80GB HBM3"
  int cc_major = 0;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
  int cc_minor = 0;
  std::uint64_t total_bytes = 0;  // cuDeviceTotalMem_v2
  std::string uuid;        // "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"; empty if unsupported
  std::string pci_bus_id;  // cuDeviceGetPCIBusId: "0000:3B:00.0"; empty if unsupported
};

struct CudaMemoryInfo {
  std::uint64_t free_bytes = 0;
  std::uint64_t total_bytes = 0;
};

class CudaDriver {
 public:
  virtual ~CudaDriver() = default;

  // cuDriverGetVersion, decoded (12040 -> 12.4): the newest CUDA this driver supports. Works
  // before cuInit on real drivers; the toolkit stub answers CUDA_ERROR_STUB_LIBRARY.
  virtual Result<Version> driver_version() = 0;

  // cuInit(0). Fails with the CUresult (CUDA_ERROR_NO_DEVICE, CUDA_ERROR_STUB_LIBRARY …).
  virtual Result<void> init() = 0;

  // cuDeviceGetCount; needs a successful init().
  virtual Result<int> device_count() = 0;

  // Name, compute capability, memory, UUID and PCI bus id of device `ordinal` (a CUDA ordinal,
  // after CUDA_VISIBLE_DEVICES). UUID and bus id stay empty when the library lacks the symbol.
  virtual Result<CudaDeviceInfo> device(int ordinal) = 0;

  // Free and total memory of device `ordinal` via cuCtxCreate_v2 / cuMemGetInfo_v2 /
  // cuCtxDestroy_v2. Not cheap: creating a context costs hundreds of MiB and up to a second.
  virtual Result<CudaMemoryInfo> memory_info(int ordinal) = 0;

  // The name of `status`: cuGetErrorName when it answers, else cuda_result_name().
  virtual std::string status_name(int status) const = 0;

  // The file the loader mapped ("/usr/lib/x86_64-linux-gnu/libcuda.so.1").
  virtual std::string loaded_path() const = 0;
};

// Load the first of `candidates` that dlopens (normally {"libcuda.so.1"}, exactly what TSL's
// DsoLoader::GetCudaDriverDsoHandle asks for) and resolve its symbols. Fails with kNotFound
// (every candidate's dlerror) or kUnsupported naming the first missing required symbol.
Result<std::unique_ptr<CudaDriver>> load_cuda_driver(std::span<const std::string> candidates);

// "CUDA_ERROR_NO_DEVICE" for 100 (CUresult, cuda.h), or "CUresult <n>" when not in the table.
std::string cuda_result_name(int status);

// "cudaErrorInsufficientDriver" for 35 (cudaError_t, driver_types.h), or "cudaError_t <n>". The
// runtime API numbers conditions differently from CUresult (35 is not a CUresult at all), so
// the two tables are kept apart.
std::string cudart_error_name(int status);

// "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" from the 16 bytes of a CUuuid, as nvidia-smi prints.
std::string format_gpu_uuid(std::span<const unsigned char, 16> bytes);

}  // namespace tfgpu::vendor
