// SPDX-License-Identifier: Apache-2.0
// The runtime on a real GPU (the lent H100/H200; label gpu via the runtime_on_real_gpu test):
// the seed's three examples with the real libcuda and libcublas, numbers compared with the CPU.
// Without a GPU these skip with the reason; with TFGPU_EXPECT_GPU=1 a missing GPU fails them.
#include <stdlib.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime_test_support.h"
#include "tfgpu/runtime/cuda_region_source.h"
#include "tfgpu/runtime/matmul.h"
#include "tfgpu/runtime/memory_config.h"
#include "tfgpu/runtime/placement.h"
#include "tfgpu/runtime/runtime.h"

namespace tfgpu::runtime {
namespace {

using testing::options_with_env;
using testing::relative_error;

constexpr const char* kGpu0 = "/job:localhost/replica:0/task:0/device:GPU:0";

bool expect_gpu() {
  const char* value = ::getenv("TFGPU_EXPECT_GPU");
  return value != nullptr && std::strcmp(value, "1") == 0;
}

// Skips the test (or fails it under TFGPU_EXPECT_GPU=1) when `runtime` has no GPU.
// A process that loaded the fake libcuda (SONAME libcuda.so.1) earlier gets it again for
// "libcuda.so.1": the loader matches loaded objects by SONAME and vendor libraries are never
// unloaded. ctest runs each test in its own process (and runtime_on_real_gpu runs only these).
bool fake_driver_loaded(const Runtime& runtime) {
  return runtime.backend_description().value_or("").find("fake_libcuda") != std::string::npos;
}

#define TFGPU_REQUIRE_GPU(runtime)                                                        \
  do {                                                                                    \
    if (fake_driver_loaded(runtime)) {                                                    \
      GTEST_SKIP() << "this process loaded the fake libcuda earlier; run RealGpu* alone"; \
    }                                                                                     \
    if ((runtime).list_physical_devices(DeviceType::kGpu).empty()) {                      \
      const std::string why = (runtime).why_no_gpu().value_or("no reason given");         \
      if (expect_gpu()) {                                                                 \
        FAIL() << "TFGPU_EXPECT_GPU=1 but the runtime sees no GPU: " << why;              \
      }                                                                                   \
      GTEST_SKIP() << "no GPU: " << why;                                                  \
    }                                                                                     \
  } while (false)

TEST(RealGpu, ListsEveryGpuWithItsProperties) {
  Runtime runtime(options_with_env());
  TFGPU_REQUIRE_GPU(runtime);
  for (const PhysicalDevice& gpu : runtime.list_physical_devices(DeviceType::kGpu)) {
    ASSERT_TRUE(gpu.gpu);
    EXPECT_FALSE(gpu.gpu->model.empty());
    EXPECT_GE(gpu.gpu->cc_major, 5);
    EXPECT_GT(gpu.gpu->total_bytes, std::uint64_t{1} << 30);
    EXPECT_FALSE(gpu.gpu->pci_bus_id.empty());
    std::cout << gpu.name << ": " << gpu.gpu->model << ", cc " << gpu.gpu->cc_major << "."
              << gpu.gpu->cc_minor << ", " << (gpu.gpu->total_bytes >> 20) << " MiB, "
              << gpu.gpu->pci_bus_id << "\n";
  }
}

TEST(RealGpu, DefaultModeReservesFreeMemoryLessTheSystemReserve) {
  Runtime runtime(options_with_env());
  TFGPU_REQUIRE_GPU(runtime);
  const PhysicalDevice gpu = runtime.list_physical_devices(DeviceType::kGpu).at(0);
  ASSERT_TRUE(runtime.initialize());
  auto stats = runtime.get_memory_info("/GPU:0");
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->bytes_reserved, stats->limit_bytes);
  EXPECT_EQ(stats->regions, 1U);
  // The limit was free memory at start less the reserve: below total less the reserve.
  EXPECT_LE(stats->limit_bytes,
            gpu.gpu->total_bytes - min_system_memory(gpu.gpu->total_bytes, gpu.gpu->cc_major));
  EXPECT_GT(stats->limit_bytes, gpu.gpu->total_bytes / 2);
}

TEST(RealGpu, MemoryGrowthThenMatmulOnGpu0MatchesTheCpuInEveryPrecision) {
  Runtime runtime(options_with_env());
  TFGPU_REQUIRE_GPU(runtime);
  for (const PhysicalDevice& gpu : runtime.list_physical_devices(DeviceType::kGpu)) {
    ASSERT_TRUE(runtime.set_memory_growth(gpu, true));
  }

  struct Case {
    DType dtype;
    MatmulPrecision precision;
    std::int64_t size;
    double bound;  // relative to the largest element, against the CPU on the same inputs
  };

  // fp32: summation order only (the verify bound). tf32: 10-bit mantissa products. fp16 and
  // bf16: both sides round the result once to 11 or 8 significant bits.
  const std::vector<Case> cases = {{DType::kF32, MatmulPrecision::kFp32, 512, 1e-5},
                                   {DType::kF32, MatmulPrecision::kTf32, 512, 5e-3},
                                   {DType::kF16, MatmulPrecision::kFp32, 256, 2e-3},
                                   {DType::kBF16, MatmulPrecision::kFp32, 256, 1.6e-2}};
  for (const Case& c : cases) {
    auto a = random_uniform({c.size, c.size}, c.dtype, 1);
    auto b = random_uniform({c.size, c.size}, c.dtype, 2);
    ASSERT_TRUE(a && b);
    Result<Tensor> on_gpu = Tensor();
    {
      DeviceScope on("/GPU:0");
      on_gpu = matmul(runtime, *a, *b, MatmulOptions{std::nullopt, c.precision});
    }
    ASSERT_TRUE(on_gpu) << on_gpu.error().message;
    EXPECT_EQ(on_gpu->device(), kGpu0);
    EXPECT_FALSE(on_gpu->placement_note());
    auto on_cpu = matmul(runtime, *a, *b, MatmulOptions{"/CPU:0", MatmulPrecision::kFp32});
    ASSERT_TRUE(on_cpu) << on_cpu.error().message;
    const double error = relative_error(*on_gpu->to_floats(), *on_cpu->to_floats());
    EXPECT_LE(error, c.bound) << dtype_name(c.dtype) << " size " << c.size;
    std::cout << dtype_name(c.dtype) << (c.precision == MatmulPrecision::kTf32 ? " (tf32)" : "")
              << " " << c.size << "x" << c.size << ": relative error " << error << "\n";
  }
}

TEST(RealGpu, APoolOverCuMemAllocHandsOutDeviceMemory) {
  std::vector<std::string> candidates = {"libcuda.so.1"};
  auto compute = vendor::load_cuda_compute(candidates);
  if (compute && (*compute)->loaded_path().find("fake_libcuda") != std::string::npos) {
    GTEST_SKIP() << "this process loaded the fake libcuda earlier; run RealGpu* alone";
  }
  if (!compute || !(*compute)->init()) {
    const std::string why = compute ? "cuInit failed" : compute.error().message;
    if (expect_gpu()) {
      FAIL() << "TFGPU_EXPECT_GPU=1 but: " << why;
    }
    GTEST_SKIP() << "no GPU: " << why;
  }
  {
    CudaRegionSource source(**compute, 0);
    MemoryPool pool(source, PoolOptions{"GPU_0_bfc", std::size_t{1} << 30, Growth::kGrow});
    std::vector<Allocation> blocks;
    for (std::size_t bytes : {std::size_t{1000}, std::size_t{3} << 20, std::size_t{100} << 20}) {
      auto block = pool.allocate(bytes);
      ASSERT_TRUE(block) << block.error().message;
      EXPECT_EQ(block->address % kRegionAlignmentBytes, 0U);
      blocks.push_back(*block);
    }
    // Real device memory: a copy in and out round-trips.
    std::vector<std::byte> out(1000, std::byte{0x5A});
    ASSERT_TRUE((*compute)->copy_to_device(blocks[0].address, out));
    std::vector<std::byte> back(1000);
    ASSERT_TRUE((*compute)->copy_to_host(back, blocks[0].address));
    EXPECT_EQ(back, out);
    for (const Allocation& block : blocks) {
      EXPECT_TRUE(pool.deallocate(block.address));
    }
    EXPECT_TRUE(pool.check_invariants());
  }
}

}  // namespace
}  // namespace tfgpu::runtime
