// SPDX-License-Identifier: Apache-2.0
// The runtime over the real loader path: the fake libcuda.so.1 and libcublas built at test time
// (tests/fixtures/libs), so load_cuda_backend, CudaRegionSource, the pools and the GPU matmul
// run dlopen'd driver code with no GPU. The fake libcuda has one H100 whose "device memory" is
// host memory, and its fake libcublas really computes fp32 and TF32 (not fp16/bf16).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime_test_support.h"
#include "tfgpu/runtime/cuda_region_source.h"
#include "tfgpu/runtime/gpu_backend.h"
#include "tfgpu/runtime/matmul.h"
#include "tfgpu/runtime/memory_pool.h"
#include "tfgpu/runtime/placement.h"
#include "tfgpu/runtime/runtime.h"

namespace tfgpu::runtime {
namespace {

using testing::kTestGiB;
using testing::kTestMiB;
using testing::naive_matmul;
using testing::options_with_env;

constexpr const char* kGpu0 = "/job:localhost/replica:0/task:0/device:GPU:0";
// The fake's default 80 GiB would be malloc'd for real by a reserving pool; 4 GiB is reserved
// lazily by the host, like any large malloc.
constexpr const char* kFakeMemoryBytes = "4294967296";

CudaBackendOptions fake_libraries() {
  CudaBackendOptions options;
  options.cuda_candidates = {TFGPU_FAKE_LIBCUDA};
  options.cublas_candidates = {TFGPU_FAKE_LIBCUBLAS};
  return options;
}

class FakeCudaLibraries : public ::testing::Test {
 protected:
  ScopedEnv memory_{"FAKE_CUDA_MEMORY_BYTES", kFakeMemoryBytes};
  ScopedEnv scenario_{"FAKE_CUDA_SCENARIO", nullptr};
  ScopedEnv visible_{"CUDA_VISIBLE_DEVICES", nullptr};
};

TEST_F(FakeCudaLibraries, TheBackendListsTheDriversGpu) {
  auto backend = load_cuda_backend(fake_libraries());
  ASSERT_TRUE(backend) << backend.error().message;
  auto devices = (*backend)->devices();
  ASSERT_TRUE(devices) << devices.error().message;
  ASSERT_EQ(devices->size(), 1U);
  const GpuProperties& gpu = (*devices)[0];
  EXPECT_EQ(gpu.model, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(gpu.cc_major, 9);
  EXPECT_EQ(gpu.cc_minor, 0);
  EXPECT_EQ(gpu.total_bytes, 4 * kTestGiB);
  EXPECT_EQ(gpu.pci_bus_id, "0000:3B:00.0");
  EXPECT_EQ(gpu.uuid, "GPU-12345678-9abc-def0-0123-456789abcdef");
  auto memory = (*backend)->memory_info(0);
  ASSERT_TRUE(memory) << memory.error().message;
  EXPECT_EQ(memory->total_bytes, 4 * kTestGiB);
  EXPECT_EQ(memory->free_bytes, 4 * kTestGiB - 4 * kTestGiB / 80);  // the context's share
  EXPECT_NE((*backend)->describe().find("fake_libcuda"), std::string::npos);
  auto missing = (*backend)->memory_info(1);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "GPU 1 does not exist (1 GPUs)");
}

TEST_F(FakeCudaLibraries, CudaVisibleDevicesIsAppliedByTheDriver) {
  // tfgpu does not read the variable: libcuda does, at cuInit (here the fake, like the real one,
  // answers CUDA_ERROR_NO_DEVICE when it hides every GPU).
  ScopedEnv hide("CUDA_VISIBLE_DEVICES", "-1");
  auto backend = load_cuda_backend(fake_libraries());
  ASSERT_FALSE(backend);
  EXPECT_EQ(backend.error().code, Errc::kVendorError);
  EXPECT_EQ(backend.error().vendor_status, 100);
  EXPECT_NE(backend.error().message.find("cuInit(0): CUDA_ERROR_NO_DEVICE (100)"),
            std::string::npos)
      << backend.error().message;

  Runtime runtime(load_cuda_backend(fake_libraries()), options_with_env());
  EXPECT_TRUE(runtime.list_physical_devices(DeviceType::kGpu).empty());
  ASSERT_TRUE(runtime.why_no_gpu());
  EXPECT_NE(runtime.why_no_gpu()->find("CUDA_ERROR_NO_DEVICE"), std::string::npos);
  const std::vector<float> one = {1.0F};
  const Tensor a = *Tensor::from_floats({1, 1}, one);
  DeviceScope on("/GPU:0");
  auto c = matmul(runtime, a, a);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("GPU:0 does not exist: there is no GPU: "), std::string::npos)
      << c.error().message;
  EXPECT_NE(c.error().message.find("CUDA_ERROR_NO_DEVICE"), std::string::npos);
}

TEST_F(FakeCudaLibraries, AMissingDriverIsNotFoundWithTheLoadersWords) {
  CudaBackendOptions options;
  options.cuda_candidates = {"/nonexistent/libcuda.so.1"};
  auto backend = load_cuda_backend(options);
  ASSERT_FALSE(backend);
  EXPECT_EQ(backend.error().code, Errc::kNotFound);
  EXPECT_NE(backend.error().message.find("/nonexistent/libcuda.so.1"), std::string::npos);
}

// ---- CudaRegionSource -----------------------------------------------------------------------

class CudaRegionSourceTest : public FakeCudaLibraries {
 protected:
  void SetUp() override {
    std::vector<std::string> candidates = {TFGPU_FAKE_LIBCUDA};
    auto compute = vendor::load_cuda_compute(candidates);
    ASSERT_TRUE(compute) << compute.error().message;
    compute_ = std::move(*compute);
    ASSERT_TRUE(compute_->init());
  }

  std::unique_ptr<vendor::CudaCompute> compute_;
};

TEST_F(CudaRegionSourceTest, RegionsAreAlignedEvenWhenTheDriverIsNot) {
  CudaRegionSource source(*compute_, 0);
  EXPECT_EQ(source.name(), "cuMemAlloc on GPU 0");
  auto first = source.allocate(kMiB);
  ASSERT_TRUE(first) << first.error().message;
  // The fake's malloc gives 16-byte alignment; the pool needs 256.
  EXPECT_EQ(*first % kRegionAlignmentBytes, 0U);
  auto second = source.allocate(3 * kRegionAlignmentBytes);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second % kRegionAlignmentBytes, 0U);
  EXPECT_TRUE(source.release(*first, kMiB));
  EXPECT_TRUE(source.release(*second, 3 * kRegionAlignmentBytes));
}

TEST_F(CudaRegionSourceTest, BadRequestsAreRefused) {
  CudaRegionSource source(*compute_, 0);
  auto odd = source.allocate(100);
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(odd.error().message,
            "cuMemAlloc on GPU 0: a region of 100 bytes is not a positive multiple of 256");
  EXPECT_FALSE(source.allocate(0));
  auto stranger = source.release(0x1000, 256);
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().message,
            "cuMemAlloc on GPU 0: releasing 0x1000, which is not a region this source handed out");
  auto region = source.allocate(kRegionAlignmentBytes);
  ASSERT_TRUE(region);
  auto wrong_size = source.release(*region, 512);
  ASSERT_FALSE(wrong_size);
  EXPECT_NE(wrong_size.error().message.find("handed out as 256 bytes"), std::string::npos);
  EXPECT_TRUE(source.release(*region, kRegionAlignmentBytes));
  CudaRegionSource no_such_gpu(*compute_, 3);
  auto missing = no_such_gpu.allocate(kRegionAlignmentBytes);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kVendorError);
  EXPECT_EQ(missing.error().message.rfind("cuMemAlloc on GPU 3: ", 0), 0U)
      << missing.error().message;
}

TEST_F(CudaRegionSourceTest, ADriverOutOfMemoryIsResourceExhaustedForThePool) {
  CudaRegionSource source(*compute_, 0);
  auto too_big = source.allocate(8 * kGiB);
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, Errc::kResourceExhausted);
  EXPECT_EQ(too_big.error().vendor_status, 2);
  EXPECT_NE(too_big.error().message.find("CUDA_ERROR_OUT_OF_MEMORY"), std::string::npos)
      << too_big.error().message;
}

TEST_F(CudaRegionSourceTest, APoolGrowsAndBacksOffOnTheDriversMemory) {
  CudaRegionSource source(*compute_, 0);
  MemoryPool pool(source, PoolOptions{"GPU_0_bfc", 6 * kGiB, Growth::kGrow});
  auto small = pool.allocate(kMiB);
  ASSERT_TRUE(small) << small.error().message;
  EXPECT_EQ(pool.stats().bytes_reserved, kInitialGrowthRegionBytes);
  // More than the fake GPU has free (4 GiB less its context's share): the pool's limit allows
  // it, the driver refuses, and the pool backs off ×0.9 until the request no longer fits.
  auto huge = pool.allocate(5 * kGiB);
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, Errc::kResourceExhausted);
  auto fits = pool.allocate(3 * kGiB);
  ASSERT_TRUE(fits) << fits.error().message;
  EXPECT_TRUE(pool.check_invariants());
  EXPECT_TRUE(pool.deallocate(fits->address));
  EXPECT_TRUE(pool.deallocate(small->address));
  EXPECT_EQ(pool.stats().bytes_in_use, 0U);
}

// ---- the runtime over the fake libraries ----------------------------------------------------

TEST_F(FakeCudaLibraries, DefaultModeReservesFreeMemoryLessTheSystemReserve) {
  Runtime runtime(load_cuda_backend(fake_libraries()), options_with_env());
  ASSERT_EQ(runtime.list_physical_devices(DeviceType::kGpu).size(), 1U);
  ASSERT_TRUE(runtime.initialize());
  auto stats = runtime.get_memory_info("/GPU:0");
  ASSERT_TRUE(stats) << stats.error().message;
  const std::uint64_t free_bytes = 4 * kTestGiB - 4 * kTestGiB / 80;
  const std::uint64_t limit = (free_bytes - 1800 * kTestMiB) / 256 * 256;
  EXPECT_EQ(stats->limit_bytes, limit);
  EXPECT_EQ(stats->bytes_reserved, limit);
  EXPECT_EQ(stats->regions, 1U);
}

TEST_F(FakeCudaLibraries, MatmulOnGpu0ThroughTheDriverAndCublas) {
  Runtime runtime(load_cuda_backend(fake_libraries()), options_with_env());
  ASSERT_TRUE(
      runtime.set_memory_growth(runtime.list_physical_devices(DeviceType::kGpu).at(0), true));
  // 3×5 · 5×4 in small integers: exact, and a swapped operand or wrong leading dimension shows.
  std::vector<float> a_values;
  std::vector<float> b_values;
  for (int i = 0; i < 15; ++i) {
    a_values.push_back(static_cast<float>(i % 7 - 3));
  }
  for (int i = 0; i < 20; ++i) {
    b_values.push_back(static_cast<float>((i * 3) % 11 - 5));
  }
  const Tensor a = *Tensor::from_floats({3, 5}, a_values);
  const Tensor b = *Tensor::from_floats({5, 4}, b_values);
  for (MatmulPrecision precision : {MatmulPrecision::kFp32, MatmulPrecision::kTf32}) {
    DeviceScope on("/GPU:0");
    auto c = matmul(runtime, a, b, MatmulOptions{std::nullopt, precision});
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->device(), kGpu0);
    EXPECT_TRUE(c->on_gpu());
    auto values = c->to_floats();
    ASSERT_TRUE(values) << values.error().message;
    EXPECT_EQ(*values, naive_matmul(3, 4, 5, a_values, b_values));
  }
  auto stats = runtime.get_memory_info("/GPU:0");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->bytes_in_use, 0U);  // inputs' copies and results all freed
  EXPECT_EQ(stats->bytes_reserved, kInitialGrowthRegionBytes);
}

TEST_F(FakeCudaLibraries, ACublasRefusalReachesTheCallerWithItsStatus) {
  Runtime runtime(load_cuda_backend(fake_libraries()), options_with_env());
  ASSERT_TRUE(
      runtime.set_memory_growth(runtime.list_physical_devices(DeviceType::kGpu).at(0), true));
  const std::vector<float> four(4, 1.0F);
  const Tensor half = *Tensor::from_floats({2, 2}, four, DType::kF16);
  auto c = matmul(runtime, half, half);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::kVendorError);
  EXPECT_EQ(c.error().vendor_status, 15);
  EXPECT_NE(c.error().message.find("MatMul on /job:localhost/replica:0/task:0/device:GPU:0: GPU 0: "
                                   "cuBLAS "),
            std::string::npos)
      << c.error().message;
  EXPECT_NE(c.error().message.find("cublasGemmEx(fp16, m=2, n=2, k=2): "
                                   "CUBLAS_STATUS_NOT_SUPPORTED (15)"),
            std::string::npos)
      << c.error().message;
}

TEST_F(FakeCudaLibraries, AMissingCublasFailsTheGpuMatmulButNotTheDevices) {
  CudaBackendOptions options = fake_libraries();
  options.cublas_candidates = {"/nonexistent/libcublas.so.12"};
  Runtime runtime(load_cuda_backend(options), options_with_env());
  ASSERT_EQ(runtime.list_physical_devices(DeviceType::kGpu).size(), 1U);
  ASSERT_TRUE(
      runtime.set_memory_growth(runtime.list_physical_devices(DeviceType::kGpu).at(0), true));
  const std::vector<float> one = {2.0F};
  const Tensor a = *Tensor::from_floats({1, 1}, one);
  auto on_gpu = runtime.to_device(a, "/GPU:0");
  ASSERT_TRUE(on_gpu) << on_gpu.error().message;  // memory and copies need no cuBLAS
  auto c = matmul(runtime, a, a);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::kNotFound);
  EXPECT_NE(c.error().message.find("GPU 0: cuBLAS could not be loaded: "), std::string::npos)
      << c.error().message;
  EXPECT_NE(c.error().message.find("/nonexistent/libcublas.so.12"), std::string::npos);
}

TEST_F(FakeCudaLibraries, TensorsOutliveTheRuntimeAndTheBackendStaysUntilTheyGo) {
  std::optional<Tensor> survivor;
  {
    Runtime runtime(load_cuda_backend(fake_libraries()), options_with_env());
    ASSERT_TRUE(
        runtime.set_memory_growth(runtime.list_physical_devices(DeviceType::kGpu).at(0), true));
    const std::vector<float> values = {1, 2, 3};
    auto on_gpu = runtime.to_device(*Tensor::from_floats({3}, values), "/GPU:0");
    ASSERT_TRUE(on_gpu);
    survivor = *on_gpu;
  }
  auto values = survivor->to_floats();
  ASSERT_TRUE(values) << values.error().message;
  EXPECT_EQ(*values, (std::vector<float>{1, 2, 3}));
  survivor.reset();  // frees into the pool, which returns its region to the driver
}

}  // namespace
}  // namespace tfgpu::runtime
