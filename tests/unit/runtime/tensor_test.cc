// SPDX-License-Identifier: Apache-2.0
// Tensors: construction and its errors, dtype conversion on the way in, deterministic random
// initialisation, and copies to and from (fake) GPUs with their memory going back to the pool.
#include "tfgpu/runtime/tensor.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "runtime_test_support.h"
#include "tfgpu/runtime/device_memory.h"

namespace tfgpu::runtime {
namespace {

using testing::fake_gpus;
using testing::runtime_over;
using testing::runtime_without_gpu;

constexpr const char* kCpu0 = "/job:localhost/replica:0/task:0/device:CPU:0";
constexpr const char* kGpu0 = "/job:localhost/replica:0/task:0/device:GPU:0";
constexpr const char* kGpu1 = "/job:localhost/replica:0/task:0/device:GPU:1";

TEST(Tensor, DefaultIsAnEmptyFloatVectorOnCpu0) {
  Tensor tensor;
  EXPECT_EQ(tensor.shape(), (std::vector<std::int64_t>{0}));
  EXPECT_EQ(tensor.dtype(), DType::kF32);
  EXPECT_EQ(tensor.device(), kCpu0);
  EXPECT_EQ(tensor.num_elements(), 0);
  EXPECT_EQ(tensor.size_bytes(), 0U);
  EXPECT_FALSE(tensor.on_gpu());
  EXPECT_FALSE(tensor.placement_note());
}

TEST(Tensor, FromFloatsKeepsShapeAndValues) {
  const std::vector<float> values = {1, 2, 3, 4, 5, 6};
  auto tensor = Tensor::from_floats({2, 3}, values);
  ASSERT_TRUE(tensor) << tensor.error().message;
  EXPECT_EQ(tensor->shape(), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(tensor->num_elements(), 6);
  EXPECT_EQ(tensor->size_bytes(), 24U);
  EXPECT_EQ(tensor->host_bytes().size(), 24U);
  EXPECT_EQ(tensor->device(), kCpu0);
  EXPECT_EQ(tensor->describe(), "float32[2,3] on /job:localhost/replica:0/task:0/device:CPU:0");
  auto back = tensor->to_floats();
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, values);
}

TEST(Tensor, SixteenBitTensorsRoundOnTheWayIn) {
  const std::vector<float> values = {0.1F, 65520.0F, 1.0F + 0x1p-11F};
  auto half = Tensor::from_floats({3}, values, DType::kF16);
  ASSERT_TRUE(half);
  EXPECT_EQ(half->size_bytes(), 6U);
  auto half_values = half->to_floats();
  ASSERT_TRUE(half_values);
  EXPECT_EQ((*half_values)[0], half_bits_to_float(0x2E66));
  EXPECT_TRUE(std::isinf((*half_values)[1]));
  EXPECT_EQ((*half_values)[2], 1.0F);  // the tie went to even

  auto bf16 = Tensor::from_floats({3}, values, DType::kBF16);
  ASSERT_TRUE(bf16);
  auto bf16_values = bf16->to_floats();
  ASSERT_TRUE(bf16_values);
  EXPECT_EQ((*bf16_values)[0], bfloat16_bits_to_float(0x3DCD));
  EXPECT_EQ((*bf16_values)[1], 65536.0F);  // finite in bfloat16
}

TEST(Tensor, BadShapesAreErrorsNamingTheShape) {
  const std::vector<float> six(6, 1.0F);
  auto negative = Tensor::from_floats({2, -3}, six);
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(negative.error().message, "shape [2,-3]: dimension -3 is negative");

  auto mismatch = Tensor::from_floats({2, 2}, six);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().message, "shape [2,2] has 4 elements, but 6 values were given");

  const std::int64_t huge = std::int64_t{1} << 40;
  auto overflow = Tensor::from_floats({huge, huge}, six);
  ASSERT_FALSE(overflow);
  EXPECT_EQ(overflow.error().message, "shape [1099511627776,1099511627776]: too many elements");

  auto bytes = Tensor::from_bytes({2}, DType::kF16, std::vector<std::byte>(3));
  ASSERT_FALSE(bytes);
  EXPECT_EQ(bytes.error().message, "float16[2]: 3 bytes given, 4 expected");
}

TEST(Tensor, AScalarHasOneElement) {
  const std::vector<float> one = {42.0F};
  auto scalar = Tensor::from_floats({}, one);
  ASSERT_TRUE(scalar) << scalar.error().message;
  EXPECT_EQ(scalar->num_elements(), 1);
  EXPECT_EQ(scalar->describe(), "float32[] on /job:localhost/replica:0/task:0/device:CPU:0");
}

TEST(Tensor, CopiesShareStorageAndNotesDoNotLeakBack) {
  const std::vector<float> values = {1, 2};
  auto tensor = Tensor::from_floats({2}, values);
  ASSERT_TRUE(tensor);
  Tensor noted = tensor->with_placement_note("moved");
  EXPECT_EQ(noted.placement_note(), "moved");
  EXPECT_FALSE(tensor->placement_note());
  EXPECT_EQ(noted.host_bytes().data(), tensor->host_bytes().data());
}

// ---- random_uniform -------------------------------------------------------------------------

TEST(RandomUniform, TheSameSeedGivesTheSameValuesEverywhere) {
  auto first = random_uniform({4, 5}, DType::kF32, 7);
  auto second = random_uniform({4, 5}, DType::kF32, 7);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(*first->to_floats(), *second->to_floats());
  // Element i depends on the seed and i only, not on the shape.
  auto values = *first->to_floats();
  const std::vector<float> expected_start = {values[0], values[1], values[2]};
  auto shorter = random_uniform({3}, DType::kF32, 7);
  ASSERT_TRUE(shorter);
  EXPECT_EQ(*shorter->to_floats(), expected_start);
  for (float value : values) {
    const double scaled = static_cast<double>(value) * 16777216.0;
    EXPECT_EQ(scaled, std::floor(scaled)) << value;  // a multiple of 2^-24
  }
}

TEST(RandomUniform, KnownValuesForSeedZero) {
  auto tensor = random_uniform({3}, DType::kF32, 0);
  ASSERT_TRUE(tensor);
  auto values = *tensor->to_floats();
  // splitmix64(splitmix64(0) + i) >> 40, times 2^-24, for i = 0, 1, 2 (worked out
  // independently, in Python).
  EXPECT_EQ(values,
            (std::vector<float>{10946269 * 0x1p-24F, 2791669 * 0x1p-24F, 8554350 * 0x1p-24F}));
}

TEST(RandomUniform, DifferentSeedsDifferAndValuesStayInRange) {
  auto a = random_uniform({1000}, DType::kF32, 1, -2.0F, 3.0F);
  auto b = random_uniform({1000}, DType::kF32, 2, -2.0F, 3.0F);
  ASSERT_TRUE(a && b);
  auto first = *a->to_floats();
  auto second = *b->to_floats();
  EXPECT_NE(first, second);
  double sum = 0.0;
  for (float value : first) {
    EXPECT_GE(value, -2.0F);
    EXPECT_LT(value, 3.0F);
    sum += static_cast<double>(value);
  }
  EXPECT_NEAR(sum / 1000.0, 0.5, 0.15);  // the mean of U(-2, 3)
}

TEST(RandomUniform, SixteenBitValuesAreRepresentable) {
  auto half = random_uniform({64}, DType::kF16, 3);
  ASSERT_TRUE(half);
  const std::vector<float> values = *half->to_floats();
  for (float value : values) {
    EXPECT_EQ(half_bits_to_float(float_to_half_bits(value)), value);
  }
}

TEST(RandomUniform, BadRangesAndShapesAreErrors) {
  auto reversed = random_uniform({2}, DType::kF32, 0, 1.0F, 0.0F);
  ASSERT_FALSE(reversed);
  EXPECT_EQ(reversed.error().message, "random_uniform: the range [1, 0) is not a finite interval");
  auto infinite = random_uniform({2}, DType::kF32, 0, 0.0F, std::numeric_limits<float>::infinity());
  ASSERT_FALSE(infinite);
  auto negative = random_uniform({-1}, DType::kF32, 0);
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().message, "shape [-1]: dimension -1 is negative");
}

// ---- to_device / to_host --------------------------------------------------------------------

TEST(TensorCopies, RoundTripThroughAGpuAndFreeTheBlockAfterwards) {
  auto backend = fake_gpus(1);
  auto runtime = runtime_over(backend);
  const std::vector<float> values = {1.5F, -2.25F, 3.0F, 0.1F};
  auto host = Tensor::from_floats({2, 2}, values, DType::kBF16);
  ASSERT_TRUE(host);
  {
    auto on_gpu = runtime->to_device(*host, "/GPU:0");
    ASSERT_TRUE(on_gpu) << on_gpu.error().message;
    EXPECT_TRUE(on_gpu->on_gpu());
    EXPECT_EQ(on_gpu->device(), kGpu0);
    EXPECT_TRUE(on_gpu->host_bytes().empty());
    EXPECT_EQ(on_gpu->shape(), host->shape());
    EXPECT_EQ(on_gpu->dtype(), DType::kBF16);
    auto stats = runtime->get_memory_info("GPU:0");
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->allocations, 1U);
    EXPECT_EQ(stats->bytes_in_use, 256U);  // 8 bytes, rounded to the pool's 256

    auto back = on_gpu->to_host();
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->device(), kCpu0);
    EXPECT_EQ(*back->to_floats(), *host->to_floats());
    EXPECT_EQ(*on_gpu->to_floats(), *host->to_floats());  // copies first
    EXPECT_EQ(backend->copies_to_device(), 1U);
    EXPECT_EQ(backend->copies_to_host(), 2U);

    auto again = runtime->to_device(*on_gpu, "/device:GPU:0");  // already there: no copy
    ASSERT_TRUE(again);
    EXPECT_EQ(backend->copies_to_device(), 1U);
  }
  auto stats = runtime->get_memory_info("GPU:0");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->allocations, 0U);
  EXPECT_EQ(stats->bytes_in_use, 0U);
}

TEST(TensorCopies, BetweenTwoGpusGoThroughTheHost) {
  auto backend = fake_gpus(2);
  auto runtime = runtime_over(backend);
  const std::vector<float> values = {1, 2, 3};
  auto host = Tensor::from_floats({3}, values);
  ASSERT_TRUE(host);
  auto on_0 = runtime->to_device(*host, "GPU:0");
  ASSERT_TRUE(on_0);
  auto on_1 = runtime->to_device(*on_0, "GPU:1");
  ASSERT_TRUE(on_1) << on_1.error().message;
  EXPECT_EQ(on_1->device(), kGpu1);
  EXPECT_EQ(*on_1->to_floats(), values);
  auto to_cpu = runtime->to_device(*on_1, "/CPU:0");
  ASSERT_TRUE(to_cpu);
  EXPECT_FALSE(to_cpu->on_gpu());
  EXPECT_EQ(*to_cpu->to_floats(), values);
}

TEST(TensorCopies, AGpuTensorOutlivesItsRuntime) {
  auto backend = fake_gpus(1);
  auto runtime = runtime_over(backend);
  const std::vector<float> values = {4, 5};
  auto host = Tensor::from_floats({2}, values);
  ASSERT_TRUE(host);
  auto on_gpu = runtime->to_device(*host, "/GPU:0");
  ASSERT_TRUE(on_gpu);
  runtime.reset();
  EXPECT_GT(backend->bytes_allocated(0), 0U);  // the pool is still alive for the tensor
  EXPECT_EQ(*on_gpu->to_floats(), values);
  *on_gpu = Tensor();
  EXPECT_EQ(backend->bytes_allocated(0), 0U);  // last user gone: pool gone, regions returned
}

TEST(TensorCopies, AMissingOrMalformedDeviceIsAnError) {
  auto runtime = runtime_without_gpu();
  const std::vector<float> values = {1};
  auto host = Tensor::from_floats({1}, values);
  ASSERT_TRUE(host);
  auto missing = runtime->to_device(*host, "/GPU:0");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kInvalidArgument);
  EXPECT_NE(missing.error().message.find("Could not satisfy device specification "
                                         "'/job:localhost/replica:0/task:0/device:GPU:0'"),
            std::string::npos)
      << missing.error().message;
  EXPECT_NE(missing.error().message.find("[Op:Copy]"), std::string::npos);
  auto malformed = runtime->to_device(*host, "/GPU:zero");
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().message,
            "Copy: device name '/GPU:zero': 'zero' is not a device index (a number from 0)");
  auto stays = runtime->to_device(*host, "/CPU:0");
  ASSERT_TRUE(stays);
  EXPECT_EQ(stays->host_bytes().data(), host->host_bytes().data());
}

TEST(TensorCopies, OutOfGpuMemoryIsAnErrorNotACrash) {
  auto backend = fake_gpus(1, 4 * testing::kTestMiB);
  auto runtime = runtime_over(backend);
  auto big = random_uniform({2 * 1024 * 1024}, DType::kF32, 0);  // 8 MiB
  ASSERT_TRUE(big);
  auto copied = runtime->to_device(*big, "/GPU:0");
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().code, Errc::kResourceExhausted);
  EXPECT_NE(copied.error().message.find("OOM when allocating"), std::string::npos)
      << copied.error().message;
  EXPECT_NE(copied.error().message.find("copying float32[2097152]"), std::string::npos);
}

}  // namespace
}  // namespace tfgpu::runtime
