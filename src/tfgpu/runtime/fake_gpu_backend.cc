// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/runtime/fake_gpu_backend.h"

#include <cstring>
#include <iterator>
#include <limits>
#include <new>
#include <utility>

#include <fmt/format.h>

#include "tfgpu/runtime/dtype.h"

namespace tfgpu::runtime {

namespace {

constexpr std::align_val_t kBlockAlignment{kRegionAlignmentBytes};

DType storage_dtype(vendor::GemmDtype dtype) {
  switch (dtype) {
    case vendor::GemmDtype::kFp16:
      return DType::kF16;
    case vendor::GemmDtype::kBf16:
      return DType::kBF16;
    case vendor::GemmDtype::kFp32:
    case vendor::GemmDtype::kTf32:
      break;
  }
  return DType::kF32;
}

}  // namespace

FakeGpu fake_h100(std::uint64_t total_bytes, std::string pci_bus_id) {
  FakeGpu gpu;
  gpu.properties.model = "NVIDIA H100 80GB HBM3";
  gpu.properties.cc_major = 9;
  gpu.properties.cc_minor = 0;
  gpu.properties.total_bytes = total_bytes;
  gpu.properties.pci_bus_id = std::move(pci_bus_id);
  gpu.properties.uuid = "GPU-12345678-9abc-def0-0123-456789abcdef";
  gpu.free_bytes = total_bytes;
  return gpu;
}

// One pool's regions, drawn from the backend's per-GPU capacity.
class FakeGpuBackend::Source final : public RegionSource {
 public:
  Source(FakeGpuBackend& backend, int ordinal) : backend_(backend), ordinal_(ordinal) {}

  Result<std::uintptr_t> allocate(std::size_t bytes) override {
    return backend_.allocate_block(ordinal_, bytes);
  }

  Result<void> release(std::uintptr_t address, std::size_t bytes) override {
    return backend_.release_block(ordinal_, address, bytes);
  }

  std::string name() const override { return fmt::format("fake cuMemAlloc on GPU {}", ordinal_); }

 private:
  FakeGpuBackend& backend_;
  int ordinal_;
};

FakeGpuBackend::FakeGpuBackend(std::vector<FakeGpu> gpus)
    : gpus_(std::move(gpus)), allocated_bytes_(gpus_.size(), 0) {}

FakeGpuBackend::~FakeGpuBackend() {
  for (const auto& [address, block] : blocks_) {
    ::operator delete(reinterpret_cast<void*>(address), kBlockAlignment);
  }
}

Result<std::vector<GpuProperties>> FakeGpuBackend::devices() {
  std::lock_guard lock(mutex_);
  if (devices_error_) {
    return tl::unexpected<Error>(*devices_error_);
  }
  std::vector<GpuProperties> properties;
  for (const FakeGpu& gpu : gpus_) {
    properties.push_back(gpu.properties);
  }
  return properties;
}

Result<void> FakeGpuBackend::check_ordinal(int ordinal) const {
  if (ordinal < 0 || static_cast<std::size_t>(ordinal) >= gpus_.size()) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("fake GPU {} does not exist ({} GPUs)", ordinal, gpus_.size()));
  }
  return {};
}

Result<vendor::CudaMemoryInfo> FakeGpuBackend::memory_info(int ordinal) {
  std::lock_guard lock(mutex_);
  TFGPU_TRY(check_ordinal(ordinal));
  const auto index = static_cast<std::size_t>(ordinal);
  const std::uint64_t free_bytes = gpus_[index].free_bytes - allocated_bytes_[index];
  return vendor::CudaMemoryInfo{free_bytes, gpus_[index].properties.total_bytes};
}

Result<std::unique_ptr<RegionSource>> FakeGpuBackend::region_source(int ordinal) {
  TFGPU_TRY(check_ordinal(ordinal));
  return std::make_unique<Source>(*this, ordinal);
}

Result<std::uintptr_t> FakeGpuBackend::allocate_block(int ordinal, std::size_t bytes) {
  std::lock_guard lock(mutex_);
  TFGPU_TRY(check_ordinal(ordinal));
  const auto index = static_cast<std::size_t>(ordinal);
  if (bytes == 0 || bytes % kRegionAlignmentBytes != 0) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("fake GPU {}: a region of {} bytes is not a positive multiple "
                                  "of {}",
                                  ordinal, bytes, kRegionAlignmentBytes));
  }
  const std::uint64_t free_bytes = gpus_[index].free_bytes - allocated_bytes_[index];
  if (bytes > free_bytes) {
    return make_error(Errc::kResourceExhausted,
                      fmt::format("fake GPU {}: CUDA_ERROR_OUT_OF_MEMORY: {} bytes asked, {} free",
                                  ordinal, bytes, free_bytes),
                      2);
  }
  void* memory = ::operator new(bytes, kBlockAlignment, std::nothrow);
  if (memory == nullptr) {
    return make_error(Errc::kResourceExhausted,
                      fmt::format("fake GPU {}: the host refused {} bytes", ordinal, bytes), 2);
  }
  const auto address = reinterpret_cast<std::uintptr_t>(memory);
  blocks_.emplace(address, Block{bytes, ordinal});
  allocated_bytes_[index] += bytes;
  return address;
}

Result<void> FakeGpuBackend::release_block(int ordinal, std::uintptr_t address, std::size_t bytes) {
  std::lock_guard lock(mutex_);
  const auto found = blocks_.find(address);
  if (found == blocks_.end() || found->second.ordinal != ordinal || found->second.bytes != bytes) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("fake GPU {}: releasing {:#x} ({} bytes), which this GPU did not "
                                  "hand out",
                                  ordinal, address, bytes));
  }
  ::operator delete(reinterpret_cast<void*>(address), kBlockAlignment);
  allocated_bytes_[static_cast<std::size_t>(ordinal)] -= bytes;
  blocks_.erase(found);
  return {};
}

Result<void> FakeGpuBackend::check_range(int ordinal, std::uintptr_t address, std::size_t bytes,
                                         const char* what) const {
  TFGPU_TRY(check_ordinal(ordinal));
  auto after = blocks_.upper_bound(address);
  if (after != blocks_.begin()) {
    const auto& [start, block] = *std::prev(after);
    if (block.ordinal == ordinal && address - start <= block.bytes &&
        bytes <= block.bytes - (address - start)) {
      return {};
    }
  }
  return make_error(Errc::kInvalidArgument,
                    fmt::format("fake GPU {}: {} [{:#x}, +{} bytes) is not inside memory of this "
                                "GPU (CUDA_ERROR_ILLEGAL_ADDRESS on a real one)",
                                ordinal, what, address, bytes));
}

Result<void> FakeGpuBackend::copy_to_device(int ordinal, vendor::DevicePtr destination,
                                            std::span<const std::byte> source) {
  std::lock_guard lock(mutex_);
  TFGPU_TRY(check_range(ordinal, destination, source.size(), "copy destination"));
  if (!source.empty()) {
    std::memcpy(reinterpret_cast<void*>(destination), source.data(), source.size());
  }
  ++copies_to_device_;
  return {};
}

Result<void> FakeGpuBackend::copy_to_host(int ordinal, std::span<std::byte> destination,
                                          vendor::DevicePtr source) {
  std::lock_guard lock(mutex_);
  TFGPU_TRY(check_range(ordinal, source, destination.size(), "copy source"));
  if (!destination.empty()) {
    std::memcpy(destination.data(), reinterpret_cast<const void*>(source), destination.size());
  }
  ++copies_to_host_;
  return {};
}

Result<void> FakeGpuBackend::gemm(int ordinal, vendor::GemmDtype dtype, std::int64_t m,
                                  std::int64_t n, std::int64_t k, vendor::DevicePtr a,
                                  vendor::DevicePtr b, vendor::DevicePtr c) {
  std::lock_guard lock(mutex_);
  TFGPU_TRY(check_ordinal(ordinal));
  gemm_calls_.push_back(FakeGemmCall{ordinal, dtype, m, n, k});
  if (gemm_error_) {
    return tl::unexpected<Error>(*gemm_error_);
  }
  constexpr std::int64_t kMaxDimension = std::numeric_limits<int>::max();
  if (m < 1 || n < 1 || k < 1 || m > kMaxDimension || n > kMaxDimension || k > kMaxDimension) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("fake GPU {}: gemm sizes m={} n={} k={} are not all in [1, {}]",
                                  ordinal, m, n, k, kMaxDimension));
  }
  const auto rows = static_cast<std::size_t>(m);
  const auto columns = static_cast<std::size_t>(n);
  const auto inner = static_cast<std::size_t>(k);
  const DType element = storage_dtype(dtype);
  const std::size_t element_bytes = dtype_size_bytes(element);
  TFGPU_TRY(check_range(ordinal, a, rows * inner * element_bytes, "gemm A"));
  TFGPU_TRY(check_range(ordinal, b, inner * columns * element_bytes, "gemm B"));
  TFGPU_TRY(check_range(ordinal, c, rows * columns * element_bytes, "gemm C"));

  const auto as_floats = [&](vendor::DevicePtr pointer, std::size_t count) {
    std::vector<float> values(count);
    decode_floats({reinterpret_cast<const std::byte*>(pointer), count * element_bytes}, element,
                  values);
    return values;
  };
  const std::vector<float> left = as_floats(a, rows * inner);
  const std::vector<float> right = as_floats(b, inner * columns);
  std::vector<float> out(rows * columns);
  for (std::size_t column = 0; column < columns; ++column) {
    for (std::size_t row = 0; row < rows; ++row) {
      float sum = 0.0F;
      for (std::size_t i = 0; i < inner; ++i) {
        sum += left[row + i * rows] * right[i + column * inner];
      }
      out[row + column * rows] = sum;
    }
  }
  encode_floats(out, element, {reinterpret_cast<std::byte*>(c), out.size() * element_bytes});
  return {};
}

std::string FakeGpuBackend::describe() const {
  return fmt::format("fake GPU backend ({} GPUs)", gpus_.size());
}

void FakeGpuBackend::fail_devices(std::optional<Error> error) {
  std::lock_guard lock(mutex_);
  devices_error_ = std::move(error);
}

void FakeGpuBackend::fail_gemm(std::optional<Error> error) {
  std::lock_guard lock(mutex_);
  gemm_error_ = std::move(error);
}

std::vector<FakeGemmCall> FakeGpuBackend::gemm_calls() const {
  std::lock_guard lock(mutex_);
  return gemm_calls_;
}

std::size_t FakeGpuBackend::copies_to_device() const {
  std::lock_guard lock(mutex_);
  return copies_to_device_;
}

std::size_t FakeGpuBackend::copies_to_host() const {
  std::lock_guard lock(mutex_);
  return copies_to_host_;
}

std::uint64_t FakeGpuBackend::bytes_allocated(int ordinal) const {
  std::lock_guard lock(mutex_);
  if (ordinal < 0 || static_cast<std::size_t>(ordinal) >= allocated_bytes_.size()) {
    return 0;
  }
  return allocated_bytes_[static_cast<std::size_t>(ordinal)];
}

}  // namespace tfgpu::runtime
