// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/vendor/cuda_compute.h"

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "scoped_env.h"

namespace tfgpu::vendor {
namespace {

constexpr const char* kRealStub = "/usr/local/cuda/lib64/stubs/libcuda.so";
constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

std::unique_ptr<CudaCompute> load(const char* path) {
  std::vector<std::string> candidates = {path};
  auto compute = load_cuda_compute(candidates);
  EXPECT_TRUE(compute) << compute.error().message;
  return compute ? std::move(*compute) : nullptr;
}

// The fake H100, initialised and with device 0 active on this thread.
std::unique_ptr<CudaCompute> active_fake() {
  auto compute = load(TFGPU_FAKE_LIBCUDA);
  if (compute == nullptr) {
    return nullptr;
  }
  auto init = compute->init();
  EXPECT_TRUE(init) << init.error().message;
  auto activated = compute->activate(0);
  EXPECT_TRUE(activated) << activated.error().message;
  return init && activated ? std::move(compute) : nullptr;
}

TEST(CudaComputeTest, ListsTheFakeH100WithPeakAttributes) {
  auto compute = load(TFGPU_FAKE_LIBCUDA);
  ASSERT_NE(compute, nullptr);
  ASSERT_TRUE(compute->init());
  EXPECT_EQ(compute->device_count().value_or(-1), 1);
  auto device = compute->device(0);
  ASSERT_TRUE(device) << device.error().message;
  EXPECT_EQ(device->identity.name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(device->identity.cc_major, 9);
  EXPECT_EQ(device->identity.total_bytes, 80 * kGiB);
  EXPECT_EQ(device->identity.uuid, "GPU-12345678-9abc-def0-0123-456789abcdef");
  EXPECT_EQ(device->multiprocessor_count, 132);
  EXPECT_EQ(device->clock_rate_khz, 1980000);
  EXPECT_EQ(device->memory_clock_rate_khz, 2619000);
  EXPECT_EQ(device->memory_bus_width_bits, 5120);
  EXPECT_NE(compute->loaded_path().find("fake_libcuda"), std::string::npos);
}

TEST(CudaComputeTest, RefusedAttributesAreUnknownNotZero) {
  ScopedEnv scenario("FAKE_CUDA_SCENARIO", "no_clock_attributes");
  auto compute = load(TFGPU_FAKE_LIBCUDA);
  ASSERT_NE(compute, nullptr);
  ASSERT_TRUE(compute->init());
  auto device = compute->device(0);
  ASSERT_TRUE(device) << device.error().message;
  EXPECT_FALSE(device->clock_rate_khz.has_value());
  EXPECT_FALSE(device->memory_clock_rate_khz.has_value());
  EXPECT_EQ(device->multiprocessor_count, 132);
  EXPECT_EQ(device->memory_bus_width_bits, 5120);
}

TEST(CudaComputeTest, BadOrdinalCarriesTheCuresult) {
  auto compute = load(TFGPU_FAKE_LIBCUDA);
  ASSERT_NE(compute, nullptr);
  ASSERT_TRUE(compute->init());
  auto device = compute->device(3);
  ASSERT_FALSE(device);
  EXPECT_EQ(device.error().vendor_status, 101);
  auto activated = compute->activate(3);
  ASSERT_FALSE(activated);
  EXPECT_EQ(activated.error().code, Errc::kVendorError);
  EXPECT_EQ(activated.error().vendor_status, 101);
  EXPECT_EQ(activated.error().message, "cuDeviceGet(3): CUDA_ERROR_INVALID_DEVICE (101)");
}

TEST(CudaComputeTest, NoActiveDeviceIsAnInvalidContext) {
  auto compute = load(TFGPU_FAKE_LIBCUDA);
  ASSERT_NE(compute, nullptr);
  ASSERT_TRUE(compute->init());
  auto memory = compute->memory_info();
  ASSERT_FALSE(memory);
  EXPECT_EQ(memory.error().vendor_status, 201);
  EXPECT_EQ(memory.error().message, "cuMemGetInfo_v2: CUDA_ERROR_INVALID_CONTEXT (201)");
  auto pointer = compute->allocate(64);
  ASSERT_FALSE(pointer);
  EXPECT_EQ(pointer.error().vendor_status, 201);
  ASSERT_TRUE(compute->activate(0));
  EXPECT_TRUE(compute->memory_info());
}

TEST(CudaComputeTest, AllocateCopyRoundTrip) {
  auto compute = active_fake();
  ASSERT_NE(compute, nullptr);
  auto before = compute->memory_info();
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_EQ(before->total_bytes, 80 * kGiB);
  EXPECT_EQ(before->free_bytes, 79 * kGiB);

  std::vector<int> values(1000);
  std::iota(values.begin(), values.end(), -500);
  const std::size_t bytes = values.size() * sizeof(int);
  auto first = compute->allocate(bytes);
  auto second = compute->allocate(bytes);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(*first, DevicePtr{0});
  EXPECT_EQ(compute->memory_info()->free_bytes, 79 * kGiB - 2 * bytes);

  ASSERT_TRUE(compute->copy_to_device(*first, std::as_bytes(std::span(values))));
  ASSERT_TRUE(compute->copy_device_to_device(*second, *first, bytes));
  std::vector<int> back(values.size(), 0);
  auto copied = compute->copy_to_host(std::as_writable_bytes(std::span(back)), *second);
  ASSERT_TRUE(copied) << copied.error().message;
  EXPECT_EQ(back, values);
  ASSERT_TRUE(compute->synchronize());

  ASSERT_TRUE(compute->free(*first));
  ASSERT_TRUE(compute->free(*second));
  EXPECT_EQ(compute->memory_info()->free_bytes, 79 * kGiB);
  auto again = compute->free(*first);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().vendor_status, 1);
  EXPECT_NE(again.error().message.find("cuMemFree_v2(0x"), std::string::npos)
      << again.error().message;
}

TEST(CudaComputeTest, CopyPastTheEndOfAnAllocationIsRefused) {
  auto compute = active_fake();
  ASSERT_NE(compute, nullptr);
  auto pointer = compute->allocate(16);
  ASSERT_TRUE(pointer);
  std::vector<std::byte> host(32);
  auto copied = compute->copy_to_host(host, *pointer);
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().vendor_status, 1);
  EXPECT_NE(copied.error().message.find("cuMemcpyDtoH_v2(32 bytes from 0x"), std::string::npos)
      << copied.error().message;
  EXPECT_TRUE(compute->copy_to_host(std::span(host).first(16), *pointer));
  EXPECT_TRUE(compute->free(*pointer));
}

TEST(CudaComputeTest, OutOfMemoryKeepsTheCuresultAndItsName) {
  ScopedEnv capacity("FAKE_CUDA_MEMORY_BYTES", "8388608");  // 8 MiB, 8 MiB/80 kept by the context
  auto compute = active_fake();
  ASSERT_NE(compute, nullptr);
  auto memory = compute->memory_info();
  ASSERT_TRUE(memory);
  EXPECT_EQ(memory->total_bytes, 8388608U);
  auto too_big = compute->allocate(8388608);
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, Errc::kVendorError);
  EXPECT_EQ(too_big.error().vendor_status, 2);
  EXPECT_EQ(too_big.error().message, "cuMemAlloc_v2(8388608 bytes): CUDA_ERROR_OUT_OF_MEMORY (2)");
  auto fits = compute->allocate(memory->free_bytes);
  ASSERT_TRUE(fits) << fits.error().message;
  EXPECT_FALSE(compute->allocate(1));
  EXPECT_TRUE(compute->free(*fits));
}

TEST(CudaComputeTest, ZeroBytesIsAnInvalidValue) {
  auto compute = active_fake();
  ASSERT_NE(compute, nullptr);
  auto pointer = compute->allocate(0);
  ASSERT_FALSE(pointer);
  EXPECT_EQ(pointer.error().message, "cuMemAlloc_v2(0 bytes): CUDA_ERROR_INVALID_VALUE (1)");
}

TEST(CudaComputeTest, PinnedHostMemoryRoundTrip) {
  auto compute = active_fake();
  ASSERT_NE(compute, nullptr);
  constexpr std::size_t kBytes = 4096;
  auto pinned = compute->allocate_pinned(kBytes);
  ASSERT_TRUE(pinned) << pinned.error().message;
  ASSERT_NE(*pinned, nullptr);
  // Pinned memory is host memory: it does not count against the device.
  EXPECT_EQ(compute->memory_info()->free_bytes, 79 * kGiB);
  std::span<std::byte> host(static_cast<std::byte*>(*pinned), kBytes);
  std::memset(host.data(), 0x5a, host.size());
  auto device = compute->allocate(kBytes);
  ASSERT_TRUE(device);
  ASSERT_TRUE(compute->copy_to_device(*device, host));
  std::memset(host.data(), 0, host.size());
  ASSERT_TRUE(compute->copy_to_host(host, *device));
  EXPECT_EQ(host[kBytes - 1], std::byte{0x5a});
  EXPECT_TRUE(compute->free(*device));
  EXPECT_TRUE(compute->free_pinned(*pinned));
  auto again = compute->free_pinned(*pinned);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().vendor_status, 1);
}

TEST(CudaComputeTest, EventsTimeTheWorkBetweenThem) {
  auto compute = active_fake();
  ASSERT_NE(compute, nullptr);
  auto start = ScopedCudaEvent::create(*compute);
  auto end = ScopedCudaEvent::create(*compute);
  ASSERT_TRUE(start) << start.error().message;
  ASSERT_TRUE(end) << end.error().message;
  ASSERT_TRUE(start->record());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(end->record());
  auto elapsed = start->elapsed_ms_until(*end);
  ASSERT_TRUE(elapsed) << elapsed.error().message;
  EXPECT_GE(*elapsed, 19.0F);
  EXPECT_LT(*elapsed, 5000.0F);
}

TEST(CudaComputeTest, AnUnrecordedEventIsAnInvalidHandle) {
  auto compute = active_fake();
  ASSERT_NE(compute, nullptr);
  auto start = ScopedCudaEvent::create(*compute);
  auto end = ScopedCudaEvent::create(*compute);
  ASSERT_TRUE(start && end);
  ASSERT_TRUE(end->record());
  auto elapsed = compute->elapsed_ms(start->get(), end->get());
  ASSERT_FALSE(elapsed);
  EXPECT_EQ(elapsed.error().vendor_status, 400);
  // The fake exports only v1, like drivers older than cuEventElapsedTime_v2.
  EXPECT_EQ(elapsed.error().message, "cuEventElapsedTime: CUDA_ERROR_INVALID_HANDLE (400)");
}

TEST(CudaComputeTest, ScopedEventsDestroyTheirEventOnce) {
  auto compute = active_fake();
  ASSERT_NE(compute, nullptr);
  CudaEvent raw{};
  {
    auto event = ScopedCudaEvent::create(*compute);
    ASSERT_TRUE(event);
    raw = event->get();
    ScopedCudaEvent moved = std::move(*event);
    EXPECT_FALSE(event->record());  // moved from
    EXPECT_TRUE(moved.record());
  }
  auto destroyed = compute->destroy_event(raw);
  ASSERT_FALSE(destroyed);  // already destroyed by the scope, exactly once
  EXPECT_EQ(destroyed.error().vendor_status, 400);
}

TEST(CudaComputeTest, DestructionReleasesThePrimaryContextOnce) {
  {
    auto compute = active_fake();
    ASSERT_NE(compute, nullptr);
    ASSERT_TRUE(compute->activate(0));  // a second activation must not retain again
    ASSERT_TRUE(compute->allocate(kGiB));
  }
  // The context's last reference went with the first object, and its memory with it; nothing is
  // current on this thread any more.
  auto compute = load(TFGPU_FAKE_LIBCUDA);
  ASSERT_NE(compute, nullptr);
  EXPECT_FALSE(compute->memory_info());
  ASSERT_TRUE(compute->activate(0));
  EXPECT_EQ(compute->memory_info()->free_bytes, 79 * kGiB);
}

TEST(CudaComputeTest, MissingLibraryIsNotFoundWithDlerror) {
  std::vector<std::string> candidates = {"/nonexistent/libcuda.so.1"};
  auto compute = load_cuda_compute(candidates);
  ASSERT_FALSE(compute);
  EXPECT_EQ(compute.error().code, Errc::kNotFound);
  EXPECT_NE(compute.error().message.find("/nonexistent/libcuda.so.1"), std::string::npos);
  EXPECT_NE(compute.error().message.find("No such file or directory"), std::string::npos)
      << compute.error().message;
}

TEST(CudaComputeTest, DriverTooOldForTheRuntimeNamesTheSymbol) {
  std::vector<std::string> candidates = {TFGPU_FAKE_LIBCUDA_BEFORE_11};
  auto compute = load_cuda_compute(candidates);
  ASSERT_FALSE(compute);
  EXPECT_EQ(compute.error().code, Errc::kUnsupported);
  EXPECT_NE(
      compute.error().message.find("required symbol cuDevicePrimaryCtxRelease_v2 not exported by"),
      std::string::npos)
      << compute.error().message;
  // The probe's read-only view of the same library still loads.
  EXPECT_TRUE(load_cuda_driver(candidates));
}

TEST(CudaComputeTest, MissingProbeSymbolIsNamedToo) {
  std::vector<std::string> candidates = {TFGPU_FAKE_LIBCUDA_INIT_ONLY};
  auto compute = load_cuda_compute(candidates);
  ASSERT_FALSE(compute);
  EXPECT_EQ(compute.error().code, Errc::kUnsupported);
  EXPECT_NE(compute.error().message.find("required symbol cuDriverGetVersion"), std::string::npos)
      << compute.error().message;
}

// The real CUDA 13 toolkit stub exports every symbol (cuEventElapsedTime_v2 included) and answers
// every call with CUDA_ERROR_STUB_LIBRARY.
TEST(CudaComputeTest, RealToolkitStubFailsInitWithStubLibrary) {
  if (::access(kRealStub, R_OK) != 0) {
    GTEST_SKIP() << "no CUDA toolkit stub at " << kRealStub;
  }
  auto compute = load(kRealStub);
  ASSERT_NE(compute, nullptr);
  auto init = compute->init();
  ASSERT_FALSE(init);
  EXPECT_EQ(init.error().code, Errc::kVendorError);
  EXPECT_EQ(init.error().vendor_status, 34);
  EXPECT_EQ(init.error().message, "cuInit(0): CUDA_ERROR_STUB_LIBRARY (34)");
  auto activated = compute->activate(0);
  ASSERT_FALSE(activated);
  EXPECT_EQ(activated.error().vendor_status, 34);
}

}  // namespace
}  // namespace tfgpu::vendor
