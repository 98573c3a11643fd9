// SPDX-License-Identifier: Apache-2.0
#pragma once
// Nvml: the NVIDIA Management Library (libnvidia-ml.so.1) in tfgpu's terms. NVML talks to the
// kernel module directly, so it answers questions libcuda cannot (the driver version string,
// "driver/library version mismatch") and needs no CUDA context. Failures are
// Errc::kVendorError with the raw nvmlReturn_t in Error::vendor_status.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "tfgpu/base/result.h"
#include "tfgpu/base/version.h"

namespace tfgpu::vendor {

struct NvmlDeviceInfo {
  unsigned int index = 0;  // NVML index: PCI order, which may differ from CUDA ordinals
  std::string name;
  std::string uuid;                          // "GPU-…", the key to join with CUDA devices
  std::string pci_bus_id;                    // "00000000:3B:00.0"
  std::optional<std::uint64_t> total_bytes;  // nvmlDeviceGetMemoryInfo, when it answers
  std::optional<std::uint64_t> free_bytes;
};

class Nvml {
 public:
  virtual ~Nvml() = default;

  // nvmlInit_v2. NVML_ERROR_DRIVER_NOT_LOADED (9) with no kernel module,
  // NVML_ERROR_LIB_RM_VERSION_MISMATCH (18) after a driver upgrade without reboot.
  virtual Result<void> init() = 0;

  // nvmlSystemGetDriverVersion: "535.104.05". Needs init().
  virtual Result<Version> driver_version() = 0;

  // nvmlSystemGetCudaDriverVersion_v2, decoded (12040 -> 12.4).
  virtual Result<Version> cuda_driver_version() = 0;

  // nvmlDeviceGetCount_v2 (counts devices this user may not access, unlike v1).
  virtual Result<unsigned int> device_count() = 0;

  // Name, UUID, PCI bus id and memory of NVML device `index`.
  virtual Result<NvmlDeviceInfo> device(unsigned int index) = 0;

  // The name of `status`: nvml_return_name(), as nvmlErrorString gives prose, not names.
  virtual std::string status_name(int status) const = 0;

  virtual std::string loaded_path() const = 0;
};

// Load the first of `candidates` that dlopens (normally {"libnvidia-ml.so.1"}) and resolve its
// symbols. Fails with kNotFound or kUnsupported naming the first missing required symbol.
// nvmlShutdown is called on destruction when init() succeeded.
Result<std::unique_ptr<Nvml>> load_nvml(std::span<const std::string> candidates);

// "NVML_ERROR_DRIVER_NOT_LOADED" for 9 (nvmlReturn_t, nvml.h), or "nvmlReturn_t <n>".
std::string nvml_return_name(int status);

}  // namespace tfgpu::vendor
