// SPDX-License-Identifier: Apache-2.0
// Native verify on the runtime: with an in-process fake H100 every step passes and the matmuls ran
// on GPU:0 within their bounds; without a GPU the pinned matmul is refused (never run elsewhere)
// while the CPU one verifies; an injected cuBLAS failure is a failed step with its message.
#include "tfgpu/verify/native_verify.h"

#include <memory>

#include <gtest/gtest.h>

#include "tfgpu/kb/load.h"
#include "tfgpu/runtime/fake_gpu_backend.h"

namespace tfgpu::verify {
namespace {

constexpr const char* kGpu0 = "/job:localhost/replica:0/task:0/device:GPU:0";
constexpr const char* kCpu0 = "/job:localhost/replica:0/task:0/device:CPU:0";

const kb::KnowledgeBase& embedded() {
  static const kb::KnowledgeBase kb = *kb::load_embedded();
  return kb;
}

// Small sizes: the fake computes on the host, naively.
NativeVerifyOptions small() {
  NativeVerifyOptions options;
  options.small_size = 96;
  options.large_size = 160;
  return options;
}

const model::VerifyStep* step(const model::NativeVerification& out, const std::string& id) {
  for (const auto& s : out.steps) {
    if (s.id == id) {
      return &s;
    }
  }
  return nullptr;
}

TEST(NativeVerify, FakeH100PassesEveryStep) {
  auto backend = std::make_shared<runtime::FakeGpuBackend>(
      std::vector{runtime::fake_h100(std::uint64_t{8} << 30)});
  runtime::Runtime rt{std::shared_ptr<runtime::GpuBackend>(backend)};
  const auto out = verify_native(rt, embedded(), small());
  for (const auto& s : out.steps) {
    EXPECT_EQ(s.status, model::StepStatus::kPass) << s.id << ": " << s.summary << " " << s.detail;
  }
  EXPECT_TRUE(model::verified(out));
  ASSERT_EQ(out.gpus.size(), 1U);
  EXPECT_EQ(out.gpus[0].model, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(out.gpus[0].compute_capability, "9.0");
  // CPU, then GPU fp32 small and large, and tf32 (compute capability 9.0).
  ASSERT_EQ(out.matmuls.size(), 4U);
  EXPECT_EQ(out.matmuls[0].device, kCpu0);
  for (std::size_t i = 1; i < out.matmuls.size(); ++i) {
    EXPECT_EQ(out.matmuls[i].device, kGpu0);
    EXPECT_TRUE(out.matmuls[i].within_bound()) << out.matmuls[i].max_relative_error;
    ASSERT_TRUE(out.matmuls[i].peak_tflops.has_value());
  }
  EXPECT_EQ(out.matmuls[3].dtype, "tf32");
  EXPECT_DOUBLE_EQ(*out.matmuls[1].peak_tflops, 66.9);  // the KB's H100 SXM fp32 peak
  EXPECT_NE(step(out, "memory_pool"), nullptr);
  // Memory growth was set before the pools were made.
  EXPECT_TRUE(*rt.get_memory_growth(rt.list_physical_devices(runtime::DeviceType::kGpu)[0]));
}

TEST(NativeVerify, WithoutAGpuThePinnedMatmulIsRefused) {
  runtime::Runtime rt{Result<std::shared_ptr<runtime::GpuBackend>>(
      make_error(Errc::kNotFound, "libcuda.so.1: cannot open shared object file"))};
  const auto out = verify_native(rt, embedded(), small());
  EXPECT_FALSE(model::verified(out));
  ASSERT_NE(step(out, "list_devices"), nullptr);
  EXPECT_EQ(step(out, "list_devices")->status, model::StepStatus::kFail);
  EXPECT_NE(step(out, "list_devices")->detail.find("libcuda.so.1"), std::string::npos);
  EXPECT_EQ(step(out, "memory_growth")->status, model::StepStatus::kSkip);
  EXPECT_EQ(step(out, "matmul_cpu_96_fp32")->status, model::StepStatus::kPass);
  const auto* gpu = step(out, "matmul_gpu_96_fp32");
  ASSERT_NE(gpu, nullptr);
  EXPECT_EQ(gpu->status, model::StepStatus::kFail);
  EXPECT_FALSE(gpu->detail.empty());
  ASSERT_EQ(out.matmuls.size(), 2U);
  EXPECT_EQ(out.matmuls[1].device, "");  // it did not run anywhere
}

TEST(NativeVerify, CublasFailureIsAFailedStep) {
  auto backend = std::make_shared<runtime::FakeGpuBackend>(
      std::vector{runtime::fake_h100(std::uint64_t{8} << 30)});
  backend->fail_gemm(
      Error{Errc::kVendorError, "cublasGemmEx: CUBLAS_STATUS_EXECUTION_FAILED (13)", 13});
  runtime::Runtime rt{std::shared_ptr<runtime::GpuBackend>(backend)};
  const auto out = verify_native(rt, embedded(), small());
  EXPECT_FALSE(model::verified(out));
  const auto* gpu = step(out, "matmul_gpu_96_fp32");
  ASSERT_NE(gpu, nullptr);
  EXPECT_EQ(gpu->status, model::StepStatus::kFail);
  EXPECT_NE(gpu->detail.find("CUBLAS_STATUS_EXECUTION_FAILED"), std::string::npos);
}

}  // namespace
}  // namespace tfgpu::verify
