// SPDX-License-Identifier: Apache-2.0
#pragma once

// The few NVML types and functions tfgpu calls, re-declared so the build needs no NVIDIA header
// (nvtop's approach). Values and layouts copied from nvml.h with NVML_API_VERSION 12 (as shipped
// in TensorFlow 2.21's include/third_party/gpus/cuda/nvml); see
// /work/shared/reference/tensorflow-internals.md §6.1.
//
// Versioned exports: nvml.h #defines nvmlInit -> nvmlInit_v2, nvmlDeviceGetCount ->
// nvmlDeviceGetCount_v2, nvmlDeviceGetHandleByIndex -> _v2, nvmlDeviceGetPciInfo -> _v3. The
// unversioned exports are the old ABIs (v1 DeviceGetCount skips devices this user may not
// access), so dlsym must ask for the versioned names.

namespace tfgpu::vendor::nvml_abi {

using nvmlReturn_t = int;  // enum nvmlReturn_enum
struct nvmlDevice_st;
using nvmlDevice_t = nvmlDevice_st*;

inline constexpr nvmlReturn_t kNvmlSuccess = 0;
inline constexpr nvmlReturn_t kNvmlErrorDriverNotLoaded = 9;
inline constexpr nvmlReturn_t kNvmlErrorLibraryNotFound = 12;
inline constexpr nvmlReturn_t kNvmlErrorLibRmVersionMismatch = 18;
inline constexpr nvmlReturn_t kNvmlErrorUnknown = 999;

inline constexpr unsigned int kSystemDriverVersionBufferSize = 80;  // NVML_SYSTEM_DRIVER_...
inline constexpr unsigned int kDeviceNameV2BufferSize = 96;         // NVML_DEVICE_NAME_V2_...
inline constexpr unsigned int kDeviceUuidV2BufferSize = 96;         // NVML_DEVICE_UUID_V2_...

// nvmlPciInfo_t (filled by nvmlDeviceGetPciInfo_v3).
struct nvmlPciInfo_t {
  char busIdLegacy[16];  // NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pciDeviceId;  // (device id << 16) | vendor id
  unsigned int pciSubSystemId;
  char busId[32];  // NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE, "00000000:3B:00.0"
};

// nvmlMemory_t (v1, filled by nvmlDeviceGetMemoryInfo), bytes.
struct nvmlMemory_t {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

using nvmlInit_v2_fn = nvmlReturn_t();
using nvmlShutdown_fn = nvmlReturn_t();
using nvmlErrorString_fn = const char*(nvmlReturn_t result);
using nvmlSystemGetDriverVersion_fn = nvmlReturn_t(char* version, unsigned int length);
using nvmlSystemGetCudaDriverVersion_v2_fn = nvmlReturn_t(int* cuda_driver_version);
using nvmlDeviceGetCount_v2_fn = nvmlReturn_t(unsigned int* count);
using nvmlDeviceGetHandleByIndex_v2_fn = nvmlReturn_t(unsigned int index, nvmlDevice_t* device);
using nvmlDeviceGetName_fn = nvmlReturn_t(nvmlDevice_t device, char* name, unsigned int length);
using nvmlDeviceGetUUID_fn = nvmlReturn_t(nvmlDevice_t device, char* uuid, unsigned int length);
using nvmlDeviceGetPciInfo_v3_fn = nvmlReturn_t(nvmlDevice_t device, nvmlPciInfo_t* pci);
using nvmlDeviceGetMemoryInfo_fn = nvmlReturn_t(nvmlDevice_t device, nvmlMemory_t* memory);

}  // namespace tfgpu::vendor::nvml_abi
