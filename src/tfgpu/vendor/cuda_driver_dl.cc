// SPDX-License-Identifier: Apache-2.0
// CudaDriver over a dlopen'd libcuda.so.1. The symbol table below is the whole ABI surface tfgpu
// uses; required symbols exist in every driver since CUDA 3.2, optional ones are newer
// (cuDeviceGetUuid_v2: CUDA 11.4) or only needed by memory_info().
#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/vendor/abi/cuda_abi.h"
#include "tfgpu/vendor/cuda_driver.h"
#include "tfgpu/vendor/dynamic_library.h"

namespace tfgpu::vendor {
namespace {

namespace abi = cuda_abi;

enum class Need { kRequired, kOptional };

// X(export name, Need): the export dlsym asks for; its type is cuda_abi::<name>_fn.
#define TFGPU_CUDA_SYMBOLS(X)        \
  X(cuInit, kRequired)               \
  X(cuDriverGetVersion, kRequired)   \
  X(cuDeviceGetCount, kRequired)     \
  X(cuDeviceGet, kRequired)          \
  X(cuDeviceGetName, kRequired)      \
  X(cuDeviceGetAttribute, kRequired) \
  X(cuDeviceTotalMem_v2, kRequired)  \
  X(cuDeviceGetUuid_v2, kOptional)   \
  X(cuDeviceGetUuid, kOptional)      \
  X(cuDeviceGetPCIBusId, kOptional)  \
  X(cuGetErrorName, kOptional)       \
  X(cuCtxCreate_v2, kOptional)       \
  X(cuCtxDestroy_v2, kOptional)      \
  X(cuMemGetInfo_v2, kOptional)

struct CudaSymbols {
#define TFGPU_DECLARE(name, need) abi::name##_fn* name = nullptr;
  TFGPU_CUDA_SYMBOLS(TFGPU_DECLARE)
#undef TFGPU_DECLARE
};

Result<CudaSymbols> resolve(const DynamicLibrary& library) {
  CudaSymbols symbols;
#define TFGPU_RESOLVE(name, need)                                                        \
  if (auto address = library.symbol<abi::name##_fn>(#name)) {                            \
    symbols.name = *address;                                                             \
  } else if (Need::need == Need::kRequired) {                                            \
    return make_error(Errc::kUnsupported, "required symbol " #name " not exported by " + \
                                              library.loaded_path() +                    \
                                              " (not NVIDIA's libcuda, or too old)");    \
  }
  TFGPU_CUDA_SYMBOLS(TFGPU_RESOLVE)
#undef TFGPU_RESOLVE
  return symbols;
}

// The CUresult names tfgpu's checks and messages use (cuda.h, CUDA 13.0).
constexpr std::pair<int, const char*> kCudaResultNames[] = {
    {0, "CUDA_SUCCESS"},
    {1, "CUDA_ERROR_INVALID_VALUE"},
    {2, "CUDA_ERROR_OUT_OF_MEMORY"},
    {3, "CUDA_ERROR_NOT_INITIALIZED"},
    {4, "CUDA_ERROR_DEINITIALIZED"},
    {34, "CUDA_ERROR_STUB_LIBRARY"},
    {36, "CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER"},
    {46, "CUDA_ERROR_DEVICE_UNAVAILABLE"},
    {100, "CUDA_ERROR_NO_DEVICE"},
    {101, "CUDA_ERROR_INVALID_DEVICE"},
    {102, "CUDA_ERROR_DEVICE_NOT_LICENSED"},
    {200, "CUDA_ERROR_INVALID_IMAGE"},
    {201, "CUDA_ERROR_INVALID_CONTEXT"},
    {209, "CUDA_ERROR_NO_BINARY_FOR_GPU"},
    {214, "CUDA_ERROR_ECC_UNCORRECTABLE"},
    {218, "CUDA_ERROR_INVALID_PTX"},
    {221, "CUDA_ERROR_JIT_COMPILER_NOT_FOUND"},
    {222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"},
    {223, "CUDA_ERROR_JIT_COMPILATION_DISABLED"},
    {300, "CUDA_ERROR_INVALID_SOURCE"},
    {301, "CUDA_ERROR_FILE_NOT_FOUND"},
    {302, "CUDA_ERROR_SHARED_OBJECT_SYMBOL_NOT_FOUND"},
    {303, "CUDA_ERROR_SHARED_OBJECT_INIT_FAILED"},
    {304, "CUDA_ERROR_OPERATING_SYSTEM"},
    {400, "CUDA_ERROR_INVALID_HANDLE"},
    {500, "CUDA_ERROR_NOT_FOUND"},
    {600, "CUDA_ERROR_NOT_READY"},
    {700, "CUDA_ERROR_ILLEGAL_ADDRESS"},
    {701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"},
    {702, "CUDA_ERROR_LAUNCH_TIMEOUT"},
    {719, "CUDA_ERROR_LAUNCH_FAILED"},
    {800, "CUDA_ERROR_NOT_PERMITTED"},
    {801, "CUDA_ERROR_NOT_SUPPORTED"},
    {802, "CUDA_ERROR_SYSTEM_NOT_READY"},
    {803, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"},
    {804, "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE"},
    {805, "CUDA_ERROR_MPS_CONNECTION_FAILED"},
    {909, "CUDA_ERROR_TIMEOUT"},
    {999, "CUDA_ERROR_UNKNOWN"},
};

// cudaError_t names (driver_types.h, CUDA 13.0) that appear in framework logs.
constexpr std::pair<int, const char*> kCudartErrorNames[] = {
    {0, "cudaSuccess"},
    {2, "cudaErrorMemoryAllocation"},
    {3, "cudaErrorInitializationError"},
    {34, "cudaErrorStubLibrary"},
    {35, "cudaErrorInsufficientDriver"},
    {100, "cudaErrorNoDevice"},
    {101, "cudaErrorInvalidDevice"},
    {209, "cudaErrorNoKernelImageForDevice"},
    {222, "cudaErrorUnsupportedPtxVersion"},
    {803, "cudaErrorSystemDriverMismatch"},
    {804, "cudaErrorCompatNotSupportedOnDevice"},
    {999, "cudaErrorUnknown"},
};

template <std::size_t N>
const char* find_name(const std::pair<int, const char*> (&table)[N], int status) {
  const auto* it = std::find_if(std::begin(table), std::end(table),
                                [status](const auto& entry) { return entry.first == status; });
  return it == std::end(table) ? nullptr : it->second;
}

class DlCudaDriver final : public CudaDriver {
 public:
  DlCudaDriver(DynamicLibrary library, CudaSymbols symbols)
      : library_(std::move(library)), symbols_(symbols) {}

  Result<Version> driver_version() override {
    int encoded = 0;
    TFGPU_TRY(check(symbols_.cuDriverGetVersion(&encoded), "cuDriverGetVersion"));
    auto version = Version::from_cuda_int(encoded);
    if (!version) {
      return make_error(Errc::kMalformed,
                        fmt::format("cuDriverGetVersion: unexpected value {}", encoded));
    }
    return *version;
  }

  Result<void> init() override { return check(symbols_.cuInit(0), "cuInit(0)"); }

  Result<int> device_count() override {
    int count = 0;
    TFGPU_TRY(check(symbols_.cuDeviceGetCount(&count), "cuDeviceGetCount"));
    return count;
  }

  Result<CudaDeviceInfo> device(int ordinal) override {
    abi::CUdevice handle = 0;
    TFGPU_TRY(
        check(symbols_.cuDeviceGet(&handle, ordinal), fmt::format("cuDeviceGet({})", ordinal)));
    CudaDeviceInfo info;
    info.ordinal = ordinal;
    std::array<char, 256> name{};
    TFGPU_TRY(check(symbols_.cuDeviceGetName(name.data(), static_cast<int>(name.size()), handle),
                    "cuDeviceGetName"));
    info.name = from_c_buffer(name.data(), name.size());
    TFGPU_TRY(
        check(symbols_.cuDeviceGetAttribute(&info.cc_major, abi::kComputeCapabilityMajor, handle),
              "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MAJOR)"));
    TFGPU_TRY(
        check(symbols_.cuDeviceGetAttribute(&info.cc_minor, abi::kComputeCapabilityMinor, handle),
              "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MINOR)"));
    std::size_t total_bytes = 0;
    TFGPU_TRY(check(symbols_.cuDeviceTotalMem_v2(&total_bytes, handle), "cuDeviceTotalMem_v2"));
    info.total_bytes = total_bytes;
    // Prefer _v2: for MIG instances v1 returns the parent GPU's UUID (cuda.h, CUDA 11.4 notes).
    auto* get_uuid = symbols_.cuDeviceGetUuid_v2 != nullptr ? symbols_.cuDeviceGetUuid_v2
                                                            : symbols_.cuDeviceGetUuid;
    abi::CUuuid uuid{};
    if (get_uuid != nullptr && get_uuid(&uuid, handle) == abi::kCudaSuccess) {
      std::array<unsigned char, 16> bytes{};
      std::transform(std::begin(uuid.bytes), std::end(uuid.bytes), bytes.begin(),
                     [](char c) { return static_cast<unsigned char>(c); });
      info.uuid = format_gpu_uuid(bytes);
    }
    std::array<char, 64> bus_id{};
    if (symbols_.cuDeviceGetPCIBusId != nullptr &&
        symbols_.cuDeviceGetPCIBusId(bus_id.data(), static_cast<int>(bus_id.size()), handle) ==
            abi::kCudaSuccess) {
      info.pci_bus_id = from_c_buffer(bus_id.data(), bus_id.size());
    }
    return info;
  }

  Result<CudaMemoryInfo> memory_info(int ordinal) override {
    TFGPU_TRY(require(symbols_.cuCtxCreate_v2, "cuCtxCreate_v2"));
    TFGPU_TRY(require(symbols_.cuCtxDestroy_v2, "cuCtxDestroy_v2"));
    TFGPU_TRY(require(symbols_.cuMemGetInfo_v2, "cuMemGetInfo_v2"));
    abi::CUdevice handle = 0;
    TFGPU_TRY(
        check(symbols_.cuDeviceGet(&handle, ordinal), fmt::format("cuDeviceGet({})", ordinal)));
    abi::CUcontext context = nullptr;
    TFGPU_TRY(check(symbols_.cuCtxCreate_v2(&context, 0, handle), "cuCtxCreate_v2"));
    std::size_t free_bytes = 0;
    std::size_t total_bytes = 0;
    auto status = check(symbols_.cuMemGetInfo_v2(&free_bytes, &total_bytes), "cuMemGetInfo_v2");
    symbols_.cuCtxDestroy_v2(context);
    TFGPU_TRY(status);
    return CudaMemoryInfo{free_bytes, total_bytes};
  }

  std::string status_name(int status) const override {
    // The toolkit stub exports cuGetErrorName but answers every call with
    // CUDA_ERROR_STUB_LIBRARY and leaves the name unset, hence the table fallback.
    const char* name = nullptr;
    if (symbols_.cuGetErrorName != nullptr &&
        symbols_.cuGetErrorName(status, &name) == abi::kCudaSuccess && name != nullptr) {
      return name;
    }
    return cuda_result_name(status);
  }

  std::string loaded_path() const override { return library_.loaded_path(); }

 private:
  Result<void> check(abi::CUresult status, const std::string& call) const {
    if (status == abi::kCudaSuccess) {
      return {};
    }
    return make_error(Errc::kVendorError,
                      fmt::format("{}: {} ({})", call, status_name(status), status), status);
  }

  template <class Fn>
  Result<void> require(Fn* function, const char* name) const {
    if (function == nullptr) {
      return make_error(Errc::kUnsupported,
                        fmt::format("{} not exported by {}", name, library_.loaded_path()));
    }
    return {};
  }

  DynamicLibrary library_;
  CudaSymbols symbols_;
};

}  // namespace

Result<std::unique_ptr<CudaDriver>> load_cuda_driver(std::span<const std::string> candidates) {
  auto library = DynamicLibrary::open(candidates);
  if (!library) {
    return tl::unexpected<Error>(library.error());
  }
  auto symbols = resolve(*library);
  if (!symbols) {
    return tl::unexpected<Error>(symbols.error());
  }
  return std::make_unique<DlCudaDriver>(std::move(*library), *symbols);
}

std::string cuda_result_name(int status) {
  const char* name = find_name(kCudaResultNames, status);
  return name != nullptr ? std::string(name) : fmt::format("CUresult {}", status);
}

std::string cudart_error_name(int status) {
  const char* name = find_name(kCudartErrorNames, status);
  return name != nullptr ? std::string(name) : fmt::format("cudaError_t {}", status);
}

std::string format_gpu_uuid(std::span<const unsigned char, 16> bytes) {
  std::string out = "GPU-";
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out += '-';
    }
    out += fmt::format("{:02x}", bytes[i]);
  }
  return out;
}

}  // namespace tfgpu::vendor
