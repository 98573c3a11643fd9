// SPDX-License-Identifier: Apache-2.0
// Nvml over a dlopen'd libnvidia-ml.so.1. Every symbol below exists since NVML 2.285 except the
// versioned ones (nvmlSystemGetCudaDriverVersion_v2: NVML 10), which are optional.
#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/vendor/abi/nvml_abi.h"
#include "tfgpu/vendor/dynamic_library.h"
#include "tfgpu/vendor/nvml.h"

namespace tfgpu::vendor {
namespace {

namespace abi = nvml_abi;

enum class Need { kRequired, kOptional };

// X(export name, Need): the export dlsym asks for; its type is nvml_abi::<name>_fn.
#define TFGPU_NVML_SYMBOLS(X)                     \
  X(nvmlInit_v2, kRequired)                       \
  X(nvmlShutdown, kRequired)                      \
  X(nvmlSystemGetDriverVersion, kRequired)        \
  X(nvmlDeviceGetCount_v2, kRequired)             \
  X(nvmlDeviceGetHandleByIndex_v2, kRequired)     \
  X(nvmlDeviceGetName, kRequired)                 \
  X(nvmlSystemGetCudaDriverVersion_v2, kOptional) \
  X(nvmlDeviceGetUUID, kOptional)                 \
  X(nvmlDeviceGetPciInfo_v3, kOptional)           \
  X(nvmlDeviceGetMemoryInfo, kOptional)

struct NvmlSymbols {
#define TFGPU_DECLARE(name, need) abi::name##_fn* name = nullptr;
  TFGPU_NVML_SYMBOLS(TFGPU_DECLARE)
#undef TFGPU_DECLARE
};

Result<NvmlSymbols> resolve(const DynamicLibrary& library) {
  NvmlSymbols symbols;
#define TFGPU_RESOLVE(name, need)                                                            \
  if (auto address = library.symbol<abi::name##_fn>(#name)) {                                \
    symbols.name = *address;                                                                 \
  } else if (Need::need == Need::kRequired) {                                                \
    return make_error(Errc::kUnsupported,                                                    \
                      "required symbol " #name " not exported by " + library.loaded_path()); \
  }
  TFGPU_NVML_SYMBOLS(TFGPU_RESOLVE)
#undef TFGPU_RESOLVE
  return symbols;
}

// nvmlReturn_t names indexed by value (nvml.h, NVML_API_VERSION 12; 30 from API 13).
constexpr const char* kNvmlReturnNames[] = {
    "NVML_SUCCESS",
    "NVML_ERROR_UNINITIALIZED",
    "NVML_ERROR_INVALID_ARGUMENT",
    "NVML_ERROR_NOT_SUPPORTED",
    "NVML_ERROR_NO_PERMISSION",
    "NVML_ERROR_ALREADY_INITIALIZED",
    "NVML_ERROR_NOT_FOUND",
    "NVML_ERROR_INSUFFICIENT_SIZE",
    "NVML_ERROR_INSUFFICIENT_POWER",
    "NVML_ERROR_DRIVER_NOT_LOADED",
    "NVML_ERROR_TIMEOUT",
    "NVML_ERROR_IRQ_ISSUE",
    "NVML_ERROR_LIBRARY_NOT_FOUND",
    "NVML_ERROR_FUNCTION_NOT_FOUND",
    "NVML_ERROR_CORRUPTED_INFOROM",
    "NVML_ERROR_GPU_IS_LOST",
    "NVML_ERROR_RESET_REQUIRED",
    "NVML_ERROR_OPERATING_SYSTEM",
    "NVML_ERROR_LIB_RM_VERSION_MISMATCH",
    "NVML_ERROR_IN_USE",
    "NVML_ERROR_MEMORY",
    "NVML_ERROR_NO_DATA",
    "NVML_ERROR_VGPU_ECC_NOT_SUPPORTED",
    "NVML_ERROR_INSUFFICIENT_RESOURCES",
    "NVML_ERROR_FREQ_NOT_SUPPORTED",
    "NVML_ERROR_ARGUMENT_VERSION_MISMATCH",
    "NVML_ERROR_DEPRECATED",
    "NVML_ERROR_NOT_READY",
    "NVML_ERROR_GPU_NOT_FOUND",
    "NVML_ERROR_INVALID_STATE",
    "NVML_ERROR_RESET_TYPE_NOT_SUPPORTED",  // NVML API 13
};

class DlNvml final : public Nvml {
 public:
  DlNvml(DynamicLibrary library, NvmlSymbols symbols)
      : library_(std::move(library)), symbols_(symbols) {}

  ~DlNvml() override {
    if (initialized_) {
      symbols_.nvmlShutdown();
    }
  }

  DlNvml(const DlNvml&) = delete;
  DlNvml& operator=(const DlNvml&) = delete;

  Result<void> init() override {
    TFGPU_TRY(check(symbols_.nvmlInit_v2(), "nvmlInit_v2"));
    initialized_ = true;
    return {};
  }

  Result<Version> driver_version() override {
    std::array<char, abi::kSystemDriverVersionBufferSize> buffer{};
    TFGPU_TRY(check(symbols_.nvmlSystemGetDriverVersion(buffer.data(), buffer.size()),
                    "nvmlSystemGetDriverVersion"));
    std::string text = from_c_buffer(buffer.data(), buffer.size());
    auto version = Version::parse(text);
    if (!version) {
      return make_error(Errc::kMalformed,
                        fmt::format("nvmlSystemGetDriverVersion: unexpected \"{}\"", text));
    }
    return *version;
  }

  Result<Version> cuda_driver_version() override {
    if (symbols_.nvmlSystemGetCudaDriverVersion_v2 == nullptr) {
      return make_error(Errc::kUnsupported, "nvmlSystemGetCudaDriverVersion_v2 not exported by " +
                                                library_.loaded_path());
    }
    int encoded = 0;
    TFGPU_TRY(check(symbols_.nvmlSystemGetCudaDriverVersion_v2(&encoded),
                    "nvmlSystemGetCudaDriverVersion_v2"));
    auto version = Version::from_cuda_int(encoded);
    if (!version) {
      return make_error(Errc::kMalformed,
                        fmt::format("nvmlSystemGetCudaDriverVersion_v2: unexpected {}", encoded));
    }
    return *version;
  }

  Result<unsigned int> device_count() override {
    unsigned int count = 0;
    TFGPU_TRY(check(symbols_.nvmlDeviceGetCount_v2(&count), "nvmlDeviceGetCount_v2"));
    return count;
  }

  Result<NvmlDeviceInfo> device(unsigned int index) override {
    abi::nvmlDevice_t handle = nullptr;
    TFGPU_TRY(check(symbols_.nvmlDeviceGetHandleByIndex_v2(index, &handle),
                    fmt::format("nvmlDeviceGetHandleByIndex_v2({})", index)));
    NvmlDeviceInfo info;
    info.index = index;
    std::array<char, abi::kDeviceNameV2BufferSize> name{};
    TFGPU_TRY(
        check(symbols_.nvmlDeviceGetName(handle, name.data(), name.size()), "nvmlDeviceGetName"));
    info.name = from_c_buffer(name.data(), name.size());
    std::array<char, abi::kDeviceUuidV2BufferSize> uuid{};
    if (symbols_.nvmlDeviceGetUUID != nullptr &&
        symbols_.nvmlDeviceGetUUID(handle, uuid.data(), uuid.size()) == abi::kNvmlSuccess) {
      info.uuid = from_c_buffer(uuid.data(), uuid.size());
    }
    abi::nvmlPciInfo_t pci{};
    if (symbols_.nvmlDeviceGetPciInfo_v3 != nullptr &&
        symbols_.nvmlDeviceGetPciInfo_v3(handle, &pci) == abi::kNvmlSuccess) {
      info.pci_bus_id = from_c_buffer(pci.busId, sizeof pci.busId);
    }
    abi::nvmlMemory_t memory{};
    if (symbols_.nvmlDeviceGetMemoryInfo != nullptr &&
        symbols_.nvmlDeviceGetMemoryInfo(handle, &memory) == abi::kNvmlSuccess) {
      info.total_bytes = memory.total;
      info.free_bytes = memory.free;
    }
    return info;
  }

  std::string status_name(int status) const override { return nvml_return_name(status); }

  std::string loaded_path() const override { return library_.loaded_path(); }

 private:
  Result<void> check(abi::nvmlReturn_t status, const std::string& call) const {
    if (status == abi::kNvmlSuccess) {
      return {};
    }
    return make_error(Errc::kVendorError,
                      fmt::format("{}: {} ({})", call, nvml_return_name(status), status), status);
  }

  DynamicLibrary library_;
  NvmlSymbols symbols_;
  bool initialized_ = false;
};

}  // namespace

Result<std::unique_ptr<Nvml>> load_nvml(std::span<const std::string> candidates) {
  auto library = DynamicLibrary::open(candidates);
  if (!library) {
    return tl::unexpected<Error>(library.error());
  }
  auto symbols = resolve(*library);
  if (!symbols) {
    return tl::unexpected<Error>(symbols.error());
  }
  return std::make_unique<DlNvml>(std::move(*library), *symbols);
}

std::string nvml_return_name(int status) {
  if (status >= 0 && static_cast<std::size_t>(status) < std::size(kNvmlReturnNames)) {
    return kNvmlReturnNames[status];
  }
  if (status == abi::kNvmlErrorUnknown) {
    return "NVML_ERROR_UNKNOWN";
  }
  return fmt::format("nvmlReturn_t {}", status);
}

}  // namespace tfgpu::vendor
