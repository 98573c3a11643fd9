// SPDX-License-Identifier: Apache-2.0
// matmul: CPU numerics (Eigen) against a naive loop, every dtype; the GPU path through the
// in-process fake backend (operand order for column-major cuBLAS, precision, copies, errors);
// and the placement rules as an op sees them.
#include "tfgpu/runtime/matmul.h"

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "runtime_test_support.h"
#include "tfgpu/runtime/placement.h"

namespace tfgpu::runtime {
namespace {

using testing::fake_gpus;
using testing::kTestMiB;
using testing::naive_matmul;
using testing::options_with_env;
using testing::relative_error;
using testing::runtime_over;
using testing::runtime_without_gpu;

constexpr const char* kCpu0 = "/job:localhost/replica:0/task:0/device:CPU:0";
constexpr const char* kGpu0 = "/job:localhost/replica:0/task:0/device:GPU:0";
constexpr const char* kGpu1 = "/job:localhost/replica:0/task:0/device:GPU:1";

// Small integers: every product and sum is exact in float32 (and in half and bfloat16), so CPU,
// GPU and the naive loop must agree exactly, and any wrong operand order or leading dimension
// shows. Every dimension differs (3×5 · 5×4), so a transposed result cannot pass either.
struct IntegerProblem {
  std::int64_t m = 3;
  std::int64_t k = 5;
  std::int64_t n = 4;
  std::vector<float> a;
  std::vector<float> b;

  IntegerProblem() {
    for (std::int64_t i = 0; i < m * k; ++i) {
      a.push_back(static_cast<float>(i % 7 - 3));
    }
    for (std::int64_t i = 0; i < k * n; ++i) {
      b.push_back(static_cast<float>((i * 3) % 11 - 5));
    }
  }

  Tensor left(DType dtype = DType::kF32) const { return *Tensor::from_floats({m, k}, a, dtype); }

  Tensor right(DType dtype = DType::kF32) const { return *Tensor::from_floats({k, n}, b, dtype); }

  std::vector<float> expected() const { return naive_matmul(m, n, k, a, b); }
};

std::vector<float> values_of(const Result<Tensor>& tensor) {
  EXPECT_TRUE(tensor) << tensor.error().message;
  if (!tensor) {
    return {};
  }
  auto values = tensor->to_floats();
  EXPECT_TRUE(values) << values.error().message;
  return values ? *values : std::vector<float>{};
}

// ---- CPU ------------------------------------------------------------------------------------

TEST(MatmulCpu, ExactForSmallIntegersInEveryDtype) {
  auto runtime = runtime_without_gpu();
  const IntegerProblem problem;
  for (DType dtype : {DType::kF32, DType::kF16, DType::kBF16}) {
    auto c = matmul(*runtime, problem.left(dtype), problem.right(dtype));
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->shape(), (std::vector<std::int64_t>{3, 4}));
    EXPECT_EQ(c->dtype(), dtype);
    EXPECT_EQ(c->device(), kCpu0);
    EXPECT_FALSE(c->placement_note());
    EXPECT_EQ(values_of(c), problem.expected()) << dtype_name(dtype);
  }
}

TEST(MatmulCpu, Float32MatchesANaiveLoopOnRandomMatrices) {
  auto runtime = runtime_without_gpu();
  auto a = random_uniform({64, 48}, DType::kF32, 1, -1.0F, 1.0F);
  auto b = random_uniform({48, 80}, DType::kF32, 2, -1.0F, 1.0F);
  ASSERT_TRUE(a && b);
  auto c = matmul(*runtime, *a, *b);
  const std::vector<float> want = naive_matmul(64, 80, 48, *a->to_floats(), *b->to_floats());
  EXPECT_LE(relative_error(values_of(c), want), 1e-6);
}

TEST(MatmulCpu, SixteenBitResultsAreTheFloat32ResultRounded) {
  auto runtime = runtime_without_gpu();
  for (DType dtype : {DType::kF16, DType::kBF16}) {
    auto a = random_uniform({16, 32}, dtype, 3);
    auto b = random_uniform({32, 8}, dtype, 4);
    ASSERT_TRUE(a && b);
    auto c = matmul(*runtime, *a, *b);
    // The exact product of the (already 16-bit) inputs, rounded once to the dtype.
    std::vector<float> want = naive_matmul(16, 8, 32, *a->to_floats(), *b->to_floats());
    for (float& value : want) {
      value = dtype == DType::kF16 ? half_bits_to_float(float_to_half_bits(value))
                                   : bfloat16_bits_to_float(float_to_bfloat16_bits(value));
    }
    // Eigen's float32 sums may differ from the exact one in the last float bits, which can move
    // a rounding by one 16-bit step: at most 2^-10 (half) or 2^-7 (bfloat16) relative.
    EXPECT_LE(relative_error(values_of(c), want), dtype == DType::kF16 ? 1e-3 : 8e-3)
        << dtype_name(dtype);
  }
}

TEST(MatmulCpu, EmptyDimensionsGiveEmptyOrZeroResults) {
  auto runtime = runtime_without_gpu();
  const std::vector<float> none;
  const std::vector<float> six(6, 1.0F);
  auto empty_rows =
      matmul(*runtime, *Tensor::from_floats({0, 3}, none), *Tensor::from_floats({3, 2}, six));
  ASSERT_TRUE(empty_rows);
  EXPECT_EQ(empty_rows->shape(), (std::vector<std::int64_t>{0, 2}));
  auto no_inner =
      matmul(*runtime, *Tensor::from_floats({2, 0}, none), *Tensor::from_floats({0, 3}, none));
  ASSERT_TRUE(no_inner);
  EXPECT_EQ(values_of(no_inner), std::vector<float>(6, 0.0F));
}

TEST(MatmulCpu, BadOperandsAreTensorFlowsErrors) {
  auto runtime = runtime_without_gpu();
  const std::vector<float> six(6, 1.0F);
  const Tensor a = *Tensor::from_floats({2, 3}, six);
  auto mismatch = matmul(*runtime, a, a);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(mismatch.error().message,
            "Matrix size-incompatible: In[0]: [2,3], In[1]: [2,3] [Op:MatMul]");
  auto rank3 = matmul(*runtime, *Tensor::from_floats({1, 2, 3}, six), a);
  ASSERT_FALSE(rank3);
  EXPECT_EQ(rank3.error().message,
            "In[0] is not a matrix. Instead it has shape [1,2,3] [Op:MatMul]");
  auto vector = matmul(*runtime, a, *Tensor::from_floats({6}, six));
  ASSERT_FALSE(vector);
  EXPECT_EQ(vector.error().message, "In[1] is not a matrix. Instead it has shape [6] [Op:MatMul]");
  auto dtypes = matmul(*runtime, a, *Tensor::from_floats({3, 2}, six, DType::kF16));
  ASSERT_FALSE(dtypes);
  EXPECT_EQ(dtypes.error().message,
            "cannot compute MatMul as input #1(zero-based) was expected to be a float tensor but "
            "is a half tensor [Op:MatMul]");
}

// ---- GPU (fake backend) ---------------------------------------------------------------------

TEST(MatmulGpu, RunsOnGpu0ByDefaultWithOperandsSwappedForColumnMajor) {
  auto backend = fake_gpus(1);
  auto runtime = runtime_over(backend);
  const IntegerProblem problem;
  auto c = matmul(*runtime, problem.left(), problem.right());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->device(), kGpu0);
  EXPECT_TRUE(c->on_gpu());
  EXPECT_FALSE(c->placement_note());
  EXPECT_EQ(c->shape(), (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(values_of(c), problem.expected());
  const auto calls = backend->gemm_calls();
  ASSERT_EQ(calls.size(), 1U);
  // Cᵀ (4×3) = Bᵀ (4×5) · Aᵀ (5×3).
  EXPECT_EQ(calls[0].m, 4);
  EXPECT_EQ(calls[0].n, 3);
  EXPECT_EQ(calls[0].k, 5);
  EXPECT_EQ(calls[0].dtype, vendor::GemmDtype::kFp32);
  EXPECT_EQ(backend->copies_to_device(), 2U);  // both inputs
}

TEST(MatmulGpu, EveryDtypeAndPrecisionReachesCublasAsItsGemmType) {
  auto backend = fake_gpus(1);
  auto runtime = runtime_over(backend);
  const IntegerProblem problem;
  MatmulOptions tf32;
  tf32.precision = MatmulPrecision::kTf32;
  EXPECT_EQ(values_of(matmul(*runtime, problem.left(), problem.right(), tf32)), problem.expected());
  EXPECT_EQ(values_of(matmul(*runtime, problem.left(DType::kF16), problem.right(DType::kF16))),
            problem.expected());
  EXPECT_EQ(values_of(matmul(*runtime, problem.left(DType::kBF16), problem.right(DType::kBF16),
                             tf32)),  // tf32 has no meaning for 16-bit data
            problem.expected());
  const auto calls = backend->gemm_calls();
  ASSERT_EQ(calls.size(), 3U);
  EXPECT_EQ(calls[0].dtype, vendor::GemmDtype::kTf32);
  EXPECT_EQ(calls[1].dtype, vendor::GemmDtype::kFp16);
  EXPECT_EQ(calls[2].dtype, vendor::GemmDtype::kBf16);
}

TEST(MatmulGpu, RandomFloat32MatchesTheCpu) {
  auto runtime = runtime_over(fake_gpus(1));
  auto a = random_uniform({33, 17}, DType::kF32, 5);
  auto b = random_uniform({17, 29}, DType::kF32, 6);
  ASSERT_TRUE(a && b);
  auto on_gpu = matmul(*runtime, *a, *b);
  auto on_cpu = matmul(*runtime, *a, *b, MatmulOptions{"/CPU:0", MatmulPrecision::kFp32});
  ASSERT_TRUE(on_gpu && on_cpu);
  EXPECT_EQ(on_gpu->device(), kGpu0);
  EXPECT_EQ(on_cpu->device(), kCpu0);
  EXPECT_LE(relative_error(values_of(on_gpu), values_of(on_cpu)), 1e-6);
}

TEST(MatmulGpu, InputsAlreadyThereAreNotCopiedAndTheResultStaysOnTheGpu) {
  auto backend = fake_gpus(1);
  auto runtime = runtime_over(backend);
  const IntegerProblem problem;
  auto a = runtime->to_device(problem.left(), "/GPU:0");
  auto b = runtime->to_device(problem.right(), "/GPU:0");
  ASSERT_TRUE(a && b);
  ASSERT_EQ(backend->copies_to_device(), 2U);
  auto c = matmul(*runtime, *a, *b);
  ASSERT_TRUE(c);
  EXPECT_EQ(backend->copies_to_device(), 2U);
  EXPECT_EQ(backend->copies_to_host(), 0U);
  auto stats = runtime->get_memory_info("/GPU:0");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->allocations, 3U);  // a, b and c
  EXPECT_EQ(values_of(c), problem.expected());
  EXPECT_EQ(backend->copies_to_host(), 1U);
}

TEST(MatmulGpu, AnInputOnAnotherGpuIsCopiedOver) {
  auto backend = fake_gpus(2);
  auto runtime = runtime_over(backend);
  const IntegerProblem problem;
  auto a_on_1 = runtime->to_device(problem.left(), "/GPU:1");
  ASSERT_TRUE(a_on_1);
  auto c = matmul(*runtime, *a_on_1, problem.right(), MatmulOptions{"/GPU:0", {}});
  EXPECT_EQ(values_of(c), problem.expected());
  EXPECT_EQ(c->device(), kGpu0);
  EXPECT_EQ(backend->gemm_calls().at(0).ordinal, 0);
}

TEST(MatmulGpu, ALogicalGpuRunsOnItsPhysicalGpu) {
  auto backend = fake_gpus(1);
  auto runtime = runtime_over(backend);
  ASSERT_TRUE(runtime->set_logical_device_configuration(
      runtime->list_physical_devices(DeviceType::kGpu).at(0), {{64}, {64}}));
  const IntegerProblem problem;
  DeviceScope on("/GPU:1");
  auto c = matmul(*runtime, problem.left(), problem.right());
  EXPECT_EQ(values_of(c), problem.expected());
  EXPECT_EQ(c->device(), kGpu1);
  EXPECT_EQ(backend->gemm_calls().at(0).ordinal, 0);
  auto stats = runtime->get_memory_info("/GPU:1");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->allocations, 1U);  // the result; the inputs' copies are gone
}

TEST(MatmulGpu, EmptyDimensionsNeedNoCublas) {
  auto backend = fake_gpus(1);
  auto runtime = runtime_over(backend);
  const std::vector<float> none;
  auto c = matmul(*runtime, *Tensor::from_floats({2, 0}, none), *Tensor::from_floats({0, 3}, none));
  EXPECT_EQ(values_of(c), std::vector<float>(6, 0.0F));
  EXPECT_EQ(c->device(), kGpu0);
  const std::vector<float> six(6, 1.0F);
  auto no_rows =
      matmul(*runtime, *Tensor::from_floats({0, 3}, none), *Tensor::from_floats({3, 2}, six));
  ASSERT_TRUE(no_rows) << no_rows.error().message;
  EXPECT_EQ(no_rows->shape(), (std::vector<std::int64_t>{0, 2}));
  EXPECT_EQ(no_rows->device(), kGpu0);
  EXPECT_TRUE(values_of(no_rows).empty());
  EXPECT_TRUE(backend->gemm_calls().empty());
}

TEST(MatmulGpu, ACublasFailureNamesTheDevice) {
  auto backend = fake_gpus(1);
  backend->fail_gemm(Error{Errc::kVendorError,
                           "cublasGemmEx(fp32, m=4, n=3, k=5): CUBLAS_STATUS_EXECUTION_FAILED (13)",
                           13});
  auto runtime = runtime_over(backend);
  const IntegerProblem problem;
  auto c = matmul(*runtime, problem.left(), problem.right());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::kVendorError);
  EXPECT_EQ(c.error().vendor_status, 13);
  EXPECT_EQ(c.error().message,
            "MatMul on /job:localhost/replica:0/task:0/device:GPU:0: cublasGemmEx(fp32, m=4, n=3, "
            "k=5): CUBLAS_STATUS_EXECUTION_FAILED (13)");
}

TEST(MatmulGpu, OutOfGpuMemoryIsAnErrorWithThePoolsState) {
  auto runtime = runtime_over(fake_gpus(1, 4 * kTestMiB));
  ASSERT_TRUE(
      runtime->set_memory_growth(runtime->list_physical_devices(DeviceType::kGpu).at(0), true));
  auto a = random_uniform({512, 512}, DType::kF32, 0);  // 1 MiB each
  ASSERT_TRUE(a);
  auto c = matmul(*runtime, *a, *a);
  ASSERT_TRUE(c) << c.error().message;  // a copied once per operand, plus c: 3 MiB of 4
  auto bigger = random_uniform({1024, 1024}, DType::kF32, 0);
  ASSERT_TRUE(bigger);
  auto failed = matmul(*runtime, *bigger, *bigger);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::kResourceExhausted);
  EXPECT_NE(failed.error().message.find("OOM when allocating"), std::string::npos)
      << failed.error().message;
  EXPECT_NE(failed.error().message.find("GPU_0_bfc"), std::string::npos) << failed.error().message;
}

// ---- placement as matmul sees it ------------------------------------------------------------

TEST(MatmulPlacement, ScopeExplicitAndDefault) {
  auto backend = fake_gpus(2);
  auto runtime = runtime_over(backend);
  const IntegerProblem problem;
  {
    DeviceScope on("/GPU:1");
    auto scoped = matmul(*runtime, problem.left(), problem.right());
    ASSERT_TRUE(scoped);
    EXPECT_EQ(scoped->device(), kGpu1);
    EXPECT_EQ(backend->gemm_calls().back().ordinal, 1);
    // An explicit device wins over the scope.
    auto explicit_cpu =
        matmul(*runtime, problem.left(), problem.right(), MatmulOptions{"/CPU:0", {}});
    ASSERT_TRUE(explicit_cpu);
    EXPECT_EQ(explicit_cpu->device(), kCpu0);
    {
      DeviceScope cpu_scope("/device:CPU:0");
      auto inner = matmul(*runtime, problem.left(), problem.right());
      ASSERT_TRUE(inner);
      EXPECT_EQ(inner->device(), kCpu0);
    }
  }
  auto by_default = matmul(*runtime, problem.left(), problem.right());
  ASSERT_TRUE(by_default);
  EXPECT_EQ(by_default->device(), kGpu0);
  EXPECT_EQ(backend->gemm_calls().size(), 2U);  // the CPU ones did not touch the GPU
}

TEST(MatmulPlacement, NoGpuAndNoRequestRunsOnTheCpuWithoutANote) {
  auto runtime = runtime_without_gpu();
  const IntegerProblem problem;
  auto c = matmul(*runtime, problem.left(), problem.right());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->device(), kCpu0);
  EXPECT_FALSE(c->placement_note());
}

TEST(MatmulPlacement, AskingForAMissingGpuFailsAndSaysWhy) {
  auto runtime = runtime_without_gpu("libcuda.so.1: cannot open shared object file");
  const IntegerProblem problem;
  DeviceScope on("/GPU:0");
  auto c = matmul(*runtime, problem.left(), problem.right());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(
      c.error().message,
      "Could not satisfy device specification '/job:localhost/replica:0/task:0/device:GPU:0'. "
      "enable_soft_placement=0. Supported device types [CPU]. All available devices "
      "[/job:localhost/replica:0/task:0/device:CPU:0]. [Op:MatMul] (GPU:0 does not exist: "
      "there is no GPU: libcuda.so.1: cannot open shared object file)");
}

TEST(MatmulPlacement, SoftPlacementRunsOnTheCpuAndReportsIt) {
  auto runtime = runtime_without_gpu("libcuda.so.1: cannot open shared object file");
  runtime->set_soft_device_placement(true);
  const IntegerProblem problem;
  auto c = matmul(*runtime, problem.left(), problem.right(), MatmulOptions{"/GPU:0", {}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->device(), kCpu0);
  EXPECT_EQ(values_of(c), problem.expected());
  ASSERT_TRUE(c->placement_note());
  EXPECT_EQ(*c->placement_note(),
            "soft device placement: MatMul asked for "
            "'/job:localhost/replica:0/task:0/device:GPU:0', but GPU:0 does not exist: there is no "
            "GPU: libcuda.so.1: cannot open shared object file; it ran on "
            "/job:localhost/replica:0/task:0/device:CPU:0");
}

TEST(MatmulPlacement, SoftPlacementToAnotherGpu) {
  auto backend = fake_gpus(1);
  auto runtime = runtime_over(backend);
  runtime->set_soft_device_placement(true);
  const IntegerProblem problem;
  auto c = matmul(*runtime, problem.left(), problem.right(), MatmulOptions{"/GPU:4", {}});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->device(), kGpu0);
  ASSERT_TRUE(c->placement_note());
  EXPECT_NE(c->placement_note()->find("GPU:4 does not exist: only GPU:0 exists"),
            std::string::npos);
}

TEST(MatmulPlacement, AMalformedScopeFailsTheOp) {
  auto runtime = runtime_over(fake_gpus(1));
  const IntegerProblem problem;
  DeviceScope typo("/GPU:O");
  auto c = matmul(*runtime, problem.left(), problem.right());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "MatMul: device scope: device name '/GPU:O': 'O' is not a device index (a number from "
            "0)");
}

TEST(MatmulPlacement, TheDefaultRuntimeOverloadWorksHere) {
  // Whatever this machine has: CPU:0 without a GPU, GPU:0 with one; the numbers agree.
  if (default_runtime().backend_description().value_or("").find("fake_libcuda") !=
      std::string::npos) {
    GTEST_SKIP() << "this process loaded the fake libcuda earlier (as libcuda.so.1); ctest runs "
                    "each test alone";
  }
  const IntegerProblem problem;
  auto c = matmul(problem.left(), problem.right());
  ASSERT_TRUE(c) << c.error().message;
  const bool has_gpu = !default_runtime().list_physical_devices(DeviceType::kGpu).empty();
  EXPECT_EQ(c->device(), has_gpu ? kGpu0 : kCpu0);
  EXPECT_EQ(values_of(c), problem.expected());
}

}  // namespace
}  // namespace tfgpu::runtime
