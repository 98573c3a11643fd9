// SPDX-License-Identifier: Apache-2.0
// Cublas over a dlopen'd libcublas.so.N. The symbol table below is the whole ABI surface tfgpu
// uses; every entry exists in cuBLAS 11.0 and later (see abi/cublas_abi.h).
#include <algorithm>
#include <array>
#include <bit>
#include <climits>
#include <cstddef>
#include <utility>

#include <fmt/format.h>

#include "tfgpu/vendor/abi/cublas_abi.h"
#include "tfgpu/vendor/cublas.h"
#include "tfgpu/vendor/dynamic_library.h"

namespace tfgpu::vendor {
namespace {

namespace abi = cublas_abi;

// X(export name): the export dlsym asks for; its type is cublas_abi::<name>_fn. All required.
#define TFGPU_CUBLAS_SYMBOLS(X) \
  X(cublasCreate_v2)            \
  X(cublasDestroy_v2)           \
  X(cublasGetProperty)          \
  X(cublasGemmEx)

struct CublasSymbols {
#define TFGPU_DECLARE(name) abi::name##_fn* name = nullptr;
  TFGPU_CUBLAS_SYMBOLS(TFGPU_DECLARE)
#undef TFGPU_DECLARE
};

Result<CublasSymbols> resolve(const DynamicLibrary& library) {
  CublasSymbols symbols;
#define TFGPU_RESOLVE(name)                                                                     \
  if (auto address = library.symbol<abi::name##_fn>(#name)) {                                   \
    symbols.name = *address;                                                                    \
  } else {                                                                                      \
    return make_error(Errc::kUnsupported, "required symbol " #name " not exported by " +        \
                                              library.loaded_path() +                           \
                                              " (not NVIDIA's libcublas, or older than 11.0)"); \
  }
  TFGPU_CUBLAS_SYMBOLS(TFGPU_RESOLVE)
#undef TFGPU_RESOLVE
  return symbols;
}

// Every cublasStatus_t (cublas_api.h, cuBLAS 13.1). A table rather than cublasGetStatusName so
// names do not depend on the library's age (early cuBLAS 11 releases lack that export).
constexpr std::pair<int, const char*> kCublasStatusNames[] = {
    {0, "CUBLAS_STATUS_SUCCESS"},           {1, "CUBLAS_STATUS_NOT_INITIALIZED"},
    {3, "CUBLAS_STATUS_ALLOC_FAILED"},      {7, "CUBLAS_STATUS_INVALID_VALUE"},
    {8, "CUBLAS_STATUS_ARCH_MISMATCH"},     {11, "CUBLAS_STATUS_MAPPING_ERROR"},
    {13, "CUBLAS_STATUS_EXECUTION_FAILED"}, {14, "CUBLAS_STATUS_INTERNAL_ERROR"},
    {15, "CUBLAS_STATUS_NOT_SUPPORTED"},    {16, "CUBLAS_STATUS_LICENSE_ERROR"},
};

struct GemmTypes {
  int data_type;     // cudaDataType_t of A, B and C
  int compute_type;  // cublasComputeType_t
};

GemmTypes gemm_types(GemmDtype dtype) {
  switch (dtype) {
    case GemmDtype::kFp32:
      return {abi::kCudaR32F, abi::kCompute32F};
    case GemmDtype::kTf32:
      return {abi::kCudaR32F, abi::kCompute32FFastTf32};
    case GemmDtype::kFp16:
      return {abi::kCudaR16F, abi::kCompute32F};
    case GemmDtype::kBf16:
      return {abi::kCudaR16BF, abi::kCompute32F};
  }
  return {abi::kCudaR32F, abi::kCompute32F};
}

// cuBLAS takes device addresses as void*; the interface carries them as CUdeviceptr integers.
void* as_device_address(DevicePtr pointer) {
  return std::bit_cast<void*>(static_cast<std::uintptr_t>(pointer));
}

class DlCublas final : public Cublas {
 public:
  DlCublas(DynamicLibrary library, CublasSymbols symbols)
      : library_(std::move(library)), symbols_(symbols) {}

  DlCublas(const DlCublas&) = delete;
  DlCublas& operator=(const DlCublas&) = delete;

  ~DlCublas() override {
    if (handle_ != nullptr) {
      symbols_.cublasDestroy_v2(handle_);
    }
  }

  Result<Version> version() override {
    std::array<int, 3> parts{};
    constexpr std::array<std::pair<int, const char*>, 3> kProperties = {{
        {abi::kMajorVersion, "MAJOR_VERSION"},
        {abi::kMinorVersion, "MINOR_VERSION"},
        {abi::kPatchLevel, "PATCH_LEVEL"},
    }};
    for (std::size_t i = 0; i < kProperties.size(); ++i) {
      TFGPU_TRY(check(symbols_.cublasGetProperty(kProperties[i].first, &parts[i]),
                      fmt::format("cublasGetProperty({})", kProperties[i].second)));
    }
    auto version = Version::parse(fmt::format("{}.{}.{}", parts[0], parts[1], parts[2]));
    if (!version || std::any_of(parts.begin(), parts.end(), [](int part) { return part < 0; })) {
      return make_error(Errc::kMalformed,
                        fmt::format("cublasGetProperty: unexpected version {}.{}.{}", parts[0],
                                    parts[1], parts[2]));
    }
    return *version;
  }

  Result<void> create_handle() override {
    if (handle_ != nullptr) {
      return {};
    }
    abi::cublasHandle_t handle = nullptr;
    TFGPU_TRY(check(symbols_.cublasCreate_v2(&handle), "cublasCreate_v2"));
    handle_ = handle;
    return {};
  }

  Result<void> gemm(GemmDtype dtype, std::int64_t m, std::int64_t n, std::int64_t k, DevicePtr a,
                    DevicePtr b, DevicePtr c) override {
    const std::string call =
        fmt::format("cublasGemmEx({}, m={}, n={}, k={})", gemm_dtype_name(dtype), m, n, k);
    for (auto [name, size] : {std::pair{"m", m}, std::pair{"n", n}, std::pair{"k", k}}) {
      if (size < 1 || size > INT_MAX) {
        return make_error(Errc::kInvalidArgument,
                          fmt::format("{}: {} = {} is outside [1, {}]", call, name, size, INT_MAX));
      }
    }
    for (auto [name, pointer] : {std::pair{"A", a}, std::pair{"B", b}, std::pair{"C", c}}) {
      if (pointer == 0) {
        return make_error(Errc::kInvalidArgument,
                          fmt::format("{}: {} is a null pointer", call, name));
      }
    }
    TFGPU_TRY(create_handle());
    const auto rows = static_cast<int>(m);
    const auto columns = static_cast<int>(n);
    const auto depth = static_cast<int>(k);
    const GemmTypes types = gemm_types(dtype);
    // alpha and beta are floats for every 32F compute type (cublas_api.h, cublasGemmEx notes).
    const float alpha = 1.0F;
    const float beta = 0.0F;
    return check(
        symbols_.cublasGemmEx(handle_, abi::kOpN, abi::kOpN, rows, columns, depth, &alpha,
                              as_device_address(a), types.data_type, rows, as_device_address(b),
                              types.data_type, depth, &beta, as_device_address(c), types.data_type,
                              rows, types.compute_type, abi::kGemmDefault),
        call);
  }

  std::string loaded_path() const override { return library_.loaded_path(); }

 private:
  static Result<void> check(abi::cublasStatus_t status, const std::string& call) {
    if (status == abi::kCublasStatusSuccess) {
      return {};
    }
    return make_error(Errc::kVendorError,
                      fmt::format("{}: {} ({})", call, cublas_status_name(status), status), status);
  }

  DynamicLibrary library_;
  CublasSymbols symbols_;
  abi::cublasHandle_t handle_ = nullptr;
};

}  // namespace

const char* gemm_dtype_name(GemmDtype dtype) {
  switch (dtype) {
    case GemmDtype::kFp32:
      return "fp32";
    case GemmDtype::kTf32:
      return "tf32";
    case GemmDtype::kFp16:
      return "fp16";
    case GemmDtype::kBf16:
      return "bf16";
  }
  return "unknown";
}

std::size_t gemm_element_bytes(GemmDtype dtype) {
  switch (dtype) {
    case GemmDtype::kFp32:
    case GemmDtype::kTf32:
      return 4;
    case GemmDtype::kFp16:
    case GemmDtype::kBf16:
      return 2;
  }
  return 4;
}

std::vector<std::string> default_cublas_candidates() {
  return {"libcublas.so.13", "libcublas.so.12", "libcublas.so.11"};
}

Result<std::unique_ptr<Cublas>> load_cublas(std::span<const std::string> candidates) {
  auto library = DynamicLibrary::open(candidates);
  if (!library) {
    return tl::unexpected<Error>(library.error());
  }
  auto symbols = resolve(*library);
  if (!symbols) {
    return tl::unexpected<Error>(symbols.error());
  }
  return std::make_unique<DlCublas>(std::move(*library), *symbols);
}

std::string cublas_status_name(int status) {
  const auto* it = std::find_if(std::begin(kCublasStatusNames), std::end(kCublasStatusNames),
                                [status](const auto& entry) { return entry.first == status; });
  return it == std::end(kCublasStatusNames) ? fmt::format("cublasStatus_t {}", status)
                                            : std::string(it->second);
}

}  // namespace tfgpu::vendor
