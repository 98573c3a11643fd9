// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/vendor/cublas.h"

#include <stdlib.h>
#include <unistd.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "scoped_env.h"
#include "tfgpu/vendor/cuda_compute.h"
#include "tfgpu/vendor/dynamic_library.h"

namespace tfgpu::vendor {
namespace {

constexpr const char* kRealCublas = "/usr/local/cuda/lib64/libcublas.so.13";

// One of fake_libcublas.c's test-only exports (int(void)), read through the real loader.
int fake_probe(const char* name) {
  std::vector<std::string> candidates = {TFGPU_FAKE_LIBCUBLAS};
  auto library = DynamicLibrary::open(candidates);
  EXPECT_TRUE(library) << library.error().message;
  if (!library) {
    return INT_MIN;
  }
  auto function = library->symbol<int()>(name);
  EXPECT_TRUE(function) << function.error().message;
  return function ? (*function)() : INT_MIN;
}

// Column-major m×n product of m×k `a` and k×n `b`, as BLAS defines it.
std::vector<float> host_gemm(int m, int n, int k, const std::vector<float>& a,
                             const std::vector<float>& b) {
  std::vector<float> c(static_cast<std::size_t>(m * n), 0.0F);
  for (int column = 0; column < n; ++column) {
    for (int row = 0; row < m; ++row) {
      float sum = 0.0F;
      for (int inner = 0; inner < k; ++inner) {
        sum += a[static_cast<std::size_t>(row + inner * m)] *
               b[static_cast<std::size_t>(inner + column * k)];
      }
      c[static_cast<std::size_t>(row + column * m)] = sum;
    }
  }
  return c;
}

// Device 0 of the fake libcuda active, the fake libcublas loaded (no handle yet), and helpers to
// move float matrices in and out of the fake's host-backed device memory.
class CublasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::string> cuda = {TFGPU_FAKE_LIBCUDA};
    auto compute = load_cuda_compute(cuda);
    ASSERT_TRUE(compute) << compute.error().message;
    compute_ = std::move(*compute);
    ASSERT_TRUE(compute_->init());
    ASSERT_TRUE(compute_->activate(0));
    std::vector<std::string> cublas = {TFGPU_FAKE_LIBCUBLAS};
    auto loaded = load_cublas(cublas);
    ASSERT_TRUE(loaded) << loaded.error().message;
    cublas_ = std::move(*loaded);
  }

  void TearDown() override {
    cublas_.reset();  // its handle belongs to compute_'s context
    for (DevicePtr pointer : allocations_) {
      EXPECT_TRUE(compute_->free(pointer));
    }
  }

  DevicePtr upload(const std::vector<float>& values) {
    auto pointer = compute_->allocate(values.size() * sizeof(float));
    EXPECT_TRUE(pointer) << pointer.error().message;
    if (!pointer) {
      return 0;
    }
    allocations_.push_back(*pointer);
    EXPECT_TRUE(compute_->copy_to_device(*pointer, std::as_bytes(std::span(values))));
    return *pointer;
  }

  std::vector<float> download(DevicePtr pointer, std::size_t count) {
    std::vector<float> values(count);
    EXPECT_TRUE(compute_->copy_to_host(std::as_writable_bytes(std::span(values)), pointer));
    return values;
  }

  // Run `dtype` on a 3×5 · 5×4 product (every dimension different, so a wrong leading dimension
  // or a swapped operand changes the answer) and compare with host_gemm.
  void expect_matches_host(GemmDtype dtype) {
    constexpr int kM = 3;
    constexpr int kN = 4;
    constexpr int kK = 5;
    std::vector<float> a(kM * kK);
    std::vector<float> b(kK * kN);
    for (std::size_t i = 0; i < a.size(); ++i) {
      a[i] = static_cast<float>(static_cast<int>(i % 7) - 3);
    }
    for (std::size_t i = 0; i < b.size(); ++i) {
      b[i] = static_cast<float>(static_cast<int>((i * 3) % 11) - 5);
    }
    // C starts as NaN: beta = 0 must mean C is overwritten, never read.
    std::vector<float> c(kM * kN, std::numeric_limits<float>::quiet_NaN());
    DevicePtr device_a = upload(a);
    DevicePtr device_b = upload(b);
    DevicePtr device_c = upload(c);
    auto result = cublas_->gemm(dtype, kM, kN, kK, device_a, device_b, device_c);
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_TRUE(compute_->synchronize());
    // Small integers: every sum is exact in fp32, so the comparison can be exact.
    EXPECT_EQ(download(device_c, c.size()), host_gemm(kM, kN, kK, a, b));
  }

  std::unique_ptr<CudaCompute> compute_;
  std::unique_ptr<Cublas> cublas_;
  std::vector<DevicePtr> allocations_;
};

TEST_F(CublasTest, LoadingCreatesNoHandleAndDestructionDestroysIt) {
  EXPECT_EQ(fake_probe("fake_cublas_live_handles"), 0);
  ASSERT_TRUE(cublas_->create_handle());
  ASSERT_TRUE(cublas_->create_handle());  // idempotent
  EXPECT_EQ(fake_probe("fake_cublas_live_handles"), 1);
  cublas_.reset();
  EXPECT_EQ(fake_probe("fake_cublas_live_handles"), 0);
}

TEST_F(CublasTest, VersionNeedsNoHandle) {
  auto version = cublas_->version();
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(version->text(), "12.4.5");
  EXPECT_EQ(fake_probe("fake_cublas_live_handles"), 0);
  EXPECT_NE(cublas_->loaded_path().find("fake_libcublas"), std::string::npos);
}

TEST_F(CublasTest, Fp32GemmMatchesTheHostReference) {
  expect_matches_host(GemmDtype::kFp32);
  EXPECT_EQ(fake_probe("fake_cublas_last_data_type"), 0);      // CUDA_R_32F
  EXPECT_EQ(fake_probe("fake_cublas_last_compute_type"), 68);  // CUBLAS_COMPUTE_32F
  EXPECT_EQ(fake_probe("fake_cublas_live_handles"), 1);        // made on first use
}

TEST_F(CublasTest, Tf32GemmAsksForFastTf32Compute) {
  expect_matches_host(GemmDtype::kTf32);
  EXPECT_EQ(fake_probe("fake_cublas_last_data_type"), 0);      // fp32 data
  EXPECT_EQ(fake_probe("fake_cublas_last_compute_type"), 77);  // CUBLAS_COMPUTE_32F_FAST_TF32
}

TEST_F(CublasTest, SixteenBitGemmsReportTheStatusTheLibraryGives) {
  std::vector<float> zeros(16, 0.0F);  // large enough for 2×2 of any element size
  DevicePtr a = upload(zeros);
  DevicePtr b = upload(zeros);
  DevicePtr c = upload(zeros);
  auto fp16 = cublas_->gemm(GemmDtype::kFp16, 2, 2, 2, a, b, c);
  ASSERT_FALSE(fp16);
  EXPECT_EQ(fp16.error().code, Errc::kVendorError);
  EXPECT_EQ(fp16.error().vendor_status, 15);
  EXPECT_EQ(fp16.error().message,
            "cublasGemmEx(fp16, m=2, n=2, k=2): CUBLAS_STATUS_NOT_SUPPORTED (15)");
  EXPECT_EQ(fake_probe("fake_cublas_last_data_type"), 2);      // CUDA_R_16F
  EXPECT_EQ(fake_probe("fake_cublas_last_compute_type"), 68);  // fp32 accumulate
  auto bf16 = cublas_->gemm(GemmDtype::kBf16, 2, 2, 2, a, b, c);
  ASSERT_FALSE(bf16);
  EXPECT_EQ(bf16.error().vendor_status, 15);
  EXPECT_EQ(fake_probe("fake_cublas_last_data_type"), 14);  // CUDA_R_16BF
}

TEST_F(CublasTest, BadSizesAndNullPointersNeverReachCublas) {
  std::vector<float> one(1, 1.0F);
  DevicePtr a = upload(one);
  auto zero_m = cublas_->gemm(GemmDtype::kFp32, 0, 1, 1, a, a, a);
  ASSERT_FALSE(zero_m);
  EXPECT_EQ(zero_m.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(zero_m.error().message,
            "cublasGemmEx(fp32, m=0, n=1, k=1): m = 0 is outside [1, 2147483647]");
  auto huge_k = cublas_->gemm(GemmDtype::kFp32, 1, 1, std::int64_t{1} << 31, a, a, a);
  ASSERT_FALSE(huge_k);
  EXPECT_NE(huge_k.error().message.find("k = 2147483648 is outside"), std::string::npos);
  auto null_b = cublas_->gemm(GemmDtype::kFp32, 1, 1, 1, a, 0, a);
  ASSERT_FALSE(null_b);
  EXPECT_EQ(null_b.error().message, "cublasGemmEx(fp32, m=1, n=1, k=1): B is a null pointer");
  EXPECT_EQ(fake_probe("fake_cublas_live_handles"), 0);  // rejected before the handle
  EXPECT_TRUE(cublas_->gemm(GemmDtype::kFp32, 1, 1, 1, a, a, a));
}

TEST_F(CublasTest, HandleCreationFailureNamesTheStatus) {
  ScopedEnv scenario("FAKE_CUBLAS_SCENARIO", "not_initialized");
  auto created = cublas_->create_handle();
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, Errc::kVendorError);
  EXPECT_EQ(created.error().vendor_status, 1);
  EXPECT_EQ(created.error().message, "cublasCreate_v2: CUBLAS_STATUS_NOT_INITIALIZED (1)");
  std::vector<float> one(1, 1.0F);
  DevicePtr a = upload(one);
  auto product = cublas_->gemm(GemmDtype::kFp32, 1, 1, 1, a, a, a);
  ASSERT_FALSE(product);
  EXPECT_EQ(product.error().vendor_status, 1);
}

TEST(CublasLoadTest, MissingLibraryIsNotFoundWithEveryDlerror) {
  std::vector<std::string> candidates = {"libtfgpu_no_cublas.so.99",
                                         "/nonexistent/libcublas.so.12"};
  auto cublas = load_cublas(candidates);
  ASSERT_FALSE(cublas);
  EXPECT_EQ(cublas.error().code, Errc::kNotFound);
  EXPECT_NE(cublas.error().message.find("libtfgpu_no_cublas.so.99"), std::string::npos);
  EXPECT_NE(cublas.error().message.find("/nonexistent/libcublas.so.12"), std::string::npos)
      << cublas.error().message;
}

TEST(CublasLoadTest, ALibcudaIsNotACublas) {
  std::vector<std::string> candidates = {TFGPU_FAKE_LIBCUDA};
  auto cublas = load_cublas(candidates);
  ASSERT_FALSE(cublas);
  EXPECT_EQ(cublas.error().code, Errc::kUnsupported);
  EXPECT_NE(cublas.error().message.find("required symbol cublasCreate_v2 not exported by"),
            std::string::npos)
      << cublas.error().message;
}

TEST(CublasLoadTest, StatusNamesComeFromTheTable) {
  EXPECT_EQ(cublas_status_name(0), "CUBLAS_STATUS_SUCCESS");
  EXPECT_EQ(cublas_status_name(13), "CUBLAS_STATUS_EXECUTION_FAILED");
  EXPECT_EQ(cublas_status_name(16), "CUBLAS_STATUS_LICENSE_ERROR");
  EXPECT_EQ(cublas_status_name(2), "cublasStatus_t 2");  // a gap in cublas_api.h's numbering
}

TEST(CublasLoadTest, DefaultCandidatesAreNewestFirst) {
  EXPECT_EQ(default_cublas_candidates(),
            (std::vector<std::string>{"libcublas.so.13", "libcublas.so.12", "libcublas.so.11"}));
}

TEST(CublasLoadTest, DtypeNamesAndElementSizes) {
  EXPECT_STREQ(gemm_dtype_name(GemmDtype::kTf32), "tf32");
  EXPECT_STREQ(gemm_dtype_name(GemmDtype::kBf16), "bf16");
  EXPECT_EQ(gemm_element_bytes(GemmDtype::kTf32), 4U);
  EXPECT_EQ(gemm_element_bytes(GemmDtype::kFp16), 2U);
}

// The real CUDA 13 cuBLAS: every symbol resolves and the version needs no GPU. No handle is made
// (cublasCreate_v2 needs a driver and a GPU).
TEST(CublasLoadTest, RealCublasResolvesEverySymbol) {
  if (::access(kRealCublas, R_OK) != 0) {
    GTEST_SKIP() << "no cuBLAS at " << kRealCublas;
  }
  std::vector<std::string> candidates = {kRealCublas};
  auto cublas = load_cublas(candidates);
  ASSERT_TRUE(cublas) << cublas.error().message;
  auto version = (*cublas)->version();
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(version->major(), 13);
}

}  // namespace
}  // namespace tfgpu::vendor
