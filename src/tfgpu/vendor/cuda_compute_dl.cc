// SPDX-License-Identifier: Apache-2.0
// CudaCompute over a dlopen'd libcuda.so.1. Identity queries (init, count, name, compute
// capability, UUID) are delegated to a CudaDriver loaded from the same file, so the probe and the
// runtime decode devices the same way; this file resolves only the calls that do work. Every
// required symbol exists in drivers since CUDA 11.0 (cuDevicePrimaryCtxRelease_v2 is the newest);
// cuEventElapsedTime_v2 is newer and falls back to v1 (same signature).
#include <algorithm>
#include <bit>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "tfgpu/vendor/abi/cuda_compute_abi.h"
#include "tfgpu/vendor/cuda_compute.h"
#include "tfgpu/vendor/dynamic_library.h"

namespace tfgpu::vendor {
namespace {

namespace abi = cuda_abi;

enum class Need { kRequired, kOptional };

// X(export name, Need): the export dlsym asks for; its type is cuda_abi::<name>_fn.
#define TFGPU_CUDA_COMPUTE_SYMBOLS(X)        \
  X(cuDeviceGet, kRequired)                  \
  X(cuDeviceGetAttribute, kRequired)         \
  X(cuDevicePrimaryCtxRetain, kRequired)     \
  X(cuDevicePrimaryCtxRelease_v2, kRequired) \
  X(cuCtxSetCurrent, kRequired)              \
  X(cuCtxGetCurrent, kRequired)              \
  X(cuCtxSynchronize, kRequired)             \
  X(cuMemGetInfo_v2, kRequired)              \
  X(cuMemAlloc_v2, kRequired)                \
  X(cuMemFree_v2, kRequired)                 \
  X(cuMemHostAlloc, kRequired)               \
  X(cuMemFreeHost, kRequired)                \
  X(cuMemcpyHtoD_v2, kRequired)              \
  X(cuMemcpyDtoH_v2, kRequired)              \
  X(cuMemcpyDtoD_v2, kRequired)              \
  X(cuEventCreate, kRequired)                \
  X(cuEventRecord, kRequired)                \
  X(cuEventSynchronize, kRequired)           \
  X(cuEventDestroy_v2, kRequired)            \
  X(cuEventElapsedTime_v2, kOptional)        \
  X(cuEventElapsedTime, kOptional)

struct ComputeSymbols {
#define TFGPU_DECLARE(name, need) abi::name##_fn* name = nullptr;
  TFGPU_CUDA_COMPUTE_SYMBOLS(TFGPU_DECLARE)
#undef TFGPU_DECLARE
};

Result<ComputeSymbols> resolve(const DynamicLibrary& library) {
  ComputeSymbols symbols;
#define TFGPU_RESOLVE(name, need)                                                            \
  if (auto address = library.symbol<abi::name##_fn>(#name)) {                                \
    symbols.name = *address;                                                                 \
  } else if (Need::need == Need::kRequired) {                                                \
    return make_error(Errc::kUnsupported,                                                    \
                      "required symbol " #name " not exported by " + library.loaded_path() + \
                          " (not NVIDIA's libcuda, or older than tfgpu's runtime needs)");   \
  }
  TFGPU_CUDA_COMPUTE_SYMBOLS(TFGPU_RESOLVE)
#undef TFGPU_RESOLVE
  if (symbols.cuEventElapsedTime_v2 == nullptr && symbols.cuEventElapsedTime == nullptr) {
    return make_error(Errc::kUnsupported,
                      "neither cuEventElapsedTime_v2 nor cuEventElapsedTime is exported by " +
                          library.loaded_path());
  }
  return symbols;
}

// CUevent is a pointer; the interface carries it as an opaque integer so that no CUDA type
// leaks into the header.
CudaEvent to_handle(abi::CUevent event) {
  return static_cast<CudaEvent>(std::bit_cast<std::uintptr_t>(event));
}

abi::CUevent from_handle(CudaEvent event) {
  return std::bit_cast<abi::CUevent>(static_cast<std::uintptr_t>(event));
}

class DlCudaCompute final : public CudaCompute {
 public:
  DlCudaCompute(std::unique_ptr<CudaDriver> driver, DynamicLibrary library, ComputeSymbols symbols)
      : driver_(std::move(driver)), library_(std::move(library)), symbols_(symbols) {}

  DlCudaCompute(const DlCudaCompute&) = delete;
  DlCudaCompute& operator=(const DlCudaCompute&) = delete;

  ~DlCudaCompute() override {
    if (retained_.empty()) {
      return;
    }
    // Leave no dangling current context on this thread: a released primary context with no
    // other reference is destroyed by the driver.
    abi::CUcontext current = nullptr;
    if (symbols_.cuCtxGetCurrent(&current) == abi::kCudaSuccess &&
        std::any_of(retained_.begin(), retained_.end(),
                    [current](const Retained& entry) { return entry.context == current; })) {
      symbols_.cuCtxSetCurrent(nullptr);
    }
    for (const Retained& entry : retained_) {
      symbols_.cuDevicePrimaryCtxRelease_v2(entry.device);
    }
  }

  Result<void> init() override { return driver_->init(); }

  Result<int> device_count() override { return driver_->device_count(); }

  Result<CudaComputeDeviceInfo> device(int ordinal) override {
    auto identity = driver_->device(ordinal);
    if (!identity) {
      return tl::unexpected<Error>(identity.error());
    }
    auto handle = device_handle(ordinal);
    if (!handle) {
      return tl::unexpected<Error>(handle.error());
    }
    CudaComputeDeviceInfo info;
    info.identity = std::move(*identity);
    info.multiprocessor_count = attribute(*handle, abi::kMultiprocessorCount);
    info.clock_rate_khz = attribute(*handle, abi::kClockRate);
    info.memory_clock_rate_khz = attribute(*handle, abi::kMemoryClockRate);
    info.memory_bus_width_bits = attribute(*handle, abi::kGlobalMemoryBusWidth);
    return info;
  }

  Result<void> activate(int ordinal) override {
    auto handle = device_handle(ordinal);
    if (!handle) {
      return tl::unexpected<Error>(handle.error());
    }
    auto it = std::find_if(retained_.begin(), retained_.end(),
                           [ordinal](const Retained& entry) { return entry.ordinal == ordinal; });
    if (it == retained_.end()) {
      abi::CUcontext context = nullptr;
      TFGPU_TRY(check(symbols_.cuDevicePrimaryCtxRetain(&context, *handle),
                      fmt::format("cuDevicePrimaryCtxRetain(device {})", ordinal)));
      it = retained_.insert(retained_.end(), Retained{ordinal, *handle, context});
    }
    return check(symbols_.cuCtxSetCurrent(it->context),
                 fmt::format("cuCtxSetCurrent(device {})", ordinal));
  }

  Result<CudaMemoryInfo> memory_info() override {
    std::size_t free_bytes = 0;
    std::size_t total_bytes = 0;
    TFGPU_TRY(check(symbols_.cuMemGetInfo_v2(&free_bytes, &total_bytes), "cuMemGetInfo_v2"));
    return CudaMemoryInfo{free_bytes, total_bytes};
  }

  Result<DevicePtr> allocate(std::size_t bytes) override {
    abi::CUdeviceptr pointer = 0;
    TFGPU_TRY(check(symbols_.cuMemAlloc_v2(&pointer, bytes),
                    fmt::format("cuMemAlloc_v2({} bytes)", bytes)));
    return static_cast<DevicePtr>(pointer);
  }

  Result<void> free(DevicePtr pointer) override {
    return check(symbols_.cuMemFree_v2(static_cast<abi::CUdeviceptr>(pointer)),
                 fmt::format("cuMemFree_v2({:#x})", pointer));
  }

  Result<void*> allocate_pinned(std::size_t bytes) override {
    void* pointer = nullptr;
    TFGPU_TRY(check(symbols_.cuMemHostAlloc(&pointer, bytes, abi::kMemHostAllocDefault),
                    fmt::format("cuMemHostAlloc({} bytes)", bytes)));
    return pointer;
  }

  Result<void> free_pinned(void* pointer) override {
    return check(symbols_.cuMemFreeHost(pointer), fmt::format("cuMemFreeHost({})", pointer));
  }

  Result<void> copy_to_device(DevicePtr destination, std::span<const std::byte> source) override {
    return check(symbols_.cuMemcpyHtoD_v2(static_cast<abi::CUdeviceptr>(destination), source.data(),
                                          source.size()),
                 fmt::format("cuMemcpyHtoD_v2({} bytes to {:#x})", source.size(), destination));
  }

  Result<void> copy_to_host(std::span<std::byte> destination, DevicePtr source) override {
    return check(symbols_.cuMemcpyDtoH_v2(destination.data(), static_cast<abi::CUdeviceptr>(source),
                                          destination.size()),
                 fmt::format("cuMemcpyDtoH_v2({} bytes from {:#x})", destination.size(), source));
  }

  Result<void> copy_device_to_device(DevicePtr destination, DevicePtr source,
                                     std::size_t bytes) override {
    return check(
        symbols_.cuMemcpyDtoD_v2(static_cast<abi::CUdeviceptr>(destination),
                                 static_cast<abi::CUdeviceptr>(source), bytes),
        fmt::format("cuMemcpyDtoD_v2({} bytes from {:#x} to {:#x})", bytes, source, destination));
  }

  Result<void> synchronize() override {
    return check(symbols_.cuCtxSynchronize(), "cuCtxSynchronize");
  }

  Result<CudaEvent> create_event() override {
    abi::CUevent event = nullptr;
    TFGPU_TRY(check(symbols_.cuEventCreate(&event, abi::kEventDefault), "cuEventCreate"));
    return to_handle(event);
  }

  Result<void> record_event(CudaEvent event) override {
    return check(symbols_.cuEventRecord(from_handle(event), nullptr), "cuEventRecord");
  }

  Result<float> elapsed_ms(CudaEvent start, CudaEvent end) override {
    TFGPU_TRY(check(symbols_.cuEventSynchronize(from_handle(end)), "cuEventSynchronize"));
    float milliseconds = 0.0F;
    if (symbols_.cuEventElapsedTime_v2 != nullptr) {
      TFGPU_TRY(
          check(symbols_.cuEventElapsedTime_v2(&milliseconds, from_handle(start), from_handle(end)),
                "cuEventElapsedTime_v2"));
    } else {
      TFGPU_TRY(
          check(symbols_.cuEventElapsedTime(&milliseconds, from_handle(start), from_handle(end)),
                "cuEventElapsedTime"));
    }
    return milliseconds;
  }

  Result<void> destroy_event(CudaEvent event) override {
    return check(symbols_.cuEventDestroy_v2(from_handle(event)), "cuEventDestroy_v2");
  }

  std::string status_name(int status) const override { return driver_->status_name(status); }

  std::string loaded_path() const override { return library_.loaded_path(); }

 private:
  struct Retained {
    int ordinal = 0;
    abi::CUdevice device = 0;
    abi::CUcontext context = nullptr;
  };

  Result<abi::CUdevice> device_handle(int ordinal) const {
    abi::CUdevice handle = 0;
    TFGPU_TRY(
        check(symbols_.cuDeviceGet(&handle, ordinal), fmt::format("cuDeviceGet({})", ordinal)));
    return handle;
  }

  std::optional<int> attribute(abi::CUdevice device, int attribute_id) const {
    int value = 0;
    if (symbols_.cuDeviceGetAttribute(&value, attribute_id, device) != abi::kCudaSuccess) {
      return std::nullopt;
    }
    return value;
  }

  Result<void> check(abi::CUresult status, const std::string& call) const {
    if (status == abi::kCudaSuccess) {
      return {};
    }
    return make_error(Errc::kVendorError,
                      fmt::format("{}: {} ({})", call, status_name(status), status), status);
  }

  std::unique_ptr<CudaDriver> driver_;
  DynamicLibrary library_;
  ComputeSymbols symbols_;
  std::vector<Retained> retained_;
};

}  // namespace

Result<std::unique_ptr<CudaCompute>> load_cuda_compute(std::span<const std::string> candidates) {
  auto driver = load_cuda_driver(candidates);
  if (!driver) {
    return tl::unexpected<Error>(driver.error());
  }
  // Reopen exactly the file the driver view mapped: the loader hands back the same handle, and
  // the two views can never disagree about which libcuda they talk to.
  const std::vector<std::string> loaded = {(*driver)->loaded_path()};
  auto library = DynamicLibrary::open(loaded);
  if (!library) {
    return tl::unexpected<Error>(library.error());
  }
  auto symbols = resolve(*library);
  if (!symbols) {
    return tl::unexpected<Error>(symbols.error());
  }
  return std::make_unique<DlCudaCompute>(std::move(*driver), std::move(*library), *symbols);
}

}  // namespace tfgpu::vendor
