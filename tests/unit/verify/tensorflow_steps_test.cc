// SPDX-License-Identifier: Apache-2.0
// A TensorFlow run turned into verify's steps: where the matmul ran, its error against the
// dtype's bound (TF32 on compute capability >= 8.0), the KB's peak, and explain over the log.
#include <gtest/gtest.h>

#include "tfgpu/kb/load.h"
#include "tfgpu/verify/error_bounds.h"
#include "tfgpu/verify/tensorflow_verify.h"

namespace tfgpu::verify {
namespace {

constexpr const char* kGpu0 = "/job:localhost/replica:0/task:0/device:GPU:0";

const kb::KnowledgeBase& embedded() {
  static const kb::KnowledgeBase kb = *kb::load_embedded();
  return kb;
}

TensorflowRun h100_run() {
  TensorflowRun run;
  run.python = "/venv/bin/python";
  run.outcome = "exited";
  run.has_result = true;
  run.python_version = "3.11.7";
  run.tensorflow_version = "2.21.0";
  run.build_info = {{"cuda_version", "12.5.1"}, {"cudnn_version", "9"}, {"is_cuda_build", "True"}};
  run.physical_gpus = {TfGpu{"/physical_device:GPU:0", "NVIDIA H100 80GB HBM3", "9.0"}};
  run.memory_growth = {TfMemoryGrowth{"/physical_device:GPU:0", true, ""}};
  TfMatmul small;
  small.size = 1000;
  small.device = kGpu0;
  small.max_relative_error = 4e-4;  // TF32's size: fine for tf32, far over fp32's 1e-5
  small.seconds = 0.0001;
  small.tensorfloat32 = true;
  run.matmuls = {small};
  return run;
}

const model::VerifyStep* step(const model::TensorflowVerification& out, const std::string& id) {
  for (const auto& s : out.steps) {
    if (s.id == id) {
      return &s;
    }
  }
  return nullptr;
}

TEST(TensorflowSteps, VerifiedOnAGpuWithTf32) {
  const auto out = to_verification(h100_run(), embedded(), {});
  EXPECT_TRUE(model::verified(out));
  EXPECT_EQ(out.tensorflow, "tensorflow 2.21.0");
  ASSERT_EQ(out.matmuls.size(), 1U);
  EXPECT_EQ(out.matmuls[0].dtype, "tf32");
  EXPECT_DOUBLE_EQ(out.matmuls[0].error_bound, error_bound("tf32"));
  ASSERT_TRUE(out.matmuls[0].peak_tflops.has_value());
  EXPECT_DOUBLE_EQ(*out.matmuls[0].peak_tflops, 494.7);
  EXPECT_NEAR(out.matmuls[0].tflops, 20.0, 1e-9);  // 2·1000³ / 1e-4 s
  for (const char* id : {"import", "build", "list_devices", "memory_growth", "matmul_gpu_1000"}) {
    ASSERT_NE(step(out, id), nullptr) << id;
    EXPECT_EQ(step(out, id)->status, model::StepStatus::kPass) << id;
  }
}

TEST(TensorflowSteps, Fp32ErrorBoundWithoutTf32) {
  auto run = h100_run();
  run.physical_gpus[0].compute_capability = "7.5";  // TF32 needs Ampere: plain fp32 here
  const auto out = to_verification(run, embedded(), {});
  EXPECT_EQ(out.matmuls[0].dtype, "fp32");
  EXPECT_EQ(step(out, "matmul_gpu_1000")->status, model::StepStatus::kFail);
  EXPECT_NE(step(out, "matmul_gpu_1000")->detail.find("exceeds the fp32 bound"), std::string::npos);
  EXPECT_FALSE(model::verified(out));
}

TEST(TensorflowSteps, RanElsewhereOrFailed) {
  auto run = h100_run();
  run.matmuls[0].device = "/job:localhost/replica:0/task:0/device:CPU:0";
  auto out = to_verification(run, embedded(), {});
  EXPECT_EQ(step(out, "matmul_gpu_1000")->summary,
            "1000x1000 matmul ran on /job:localhost/replica:0/task:0/device:CPU:0, not GPU:0");
  EXPECT_FALSE(model::verified(out));

  run = h100_run();
  run.matmuls[0].device.clear();
  run.matmuls[0].error = "InvalidArgumentError: Could not satisfy device specification";
  out = to_verification(run, embedded(), {});
  EXPECT_EQ(step(out, "matmul_gpu_1000")->status, model::StepStatus::kFail);
  EXPECT_EQ(step(out, "matmul_gpu_1000")->detail,
            "InvalidArgumentError: Could not satisfy device specification");
}

TEST(TensorflowSteps, NoGpuSaysWhyAndExplainsTheLog) {
  auto run = h100_run();
  run.physical_gpus.clear();
  run.memory_growth.clear();
  run.matmuls.clear();
  run.log = {"I0000 cpu_feature_guard.cc:227] This TensorFlow binary is optimized",
             "W0000 gpu_device.cc:2344] Cannot dlopen some GPU libraries. Please make sure the "
             "missing libraries mentioned above are installed properly."};
  TensorflowVerifyOptions options;
  options.why_not = "no NVIDIA GPU on this machine's PCI bus";
  const auto out = to_verification(run, embedded(), options);
  EXPECT_FALSE(model::verified(out));
  ASSERT_NE(step(out, "list_devices"), nullptr);
  EXPECT_EQ(step(out, "list_devices")->status, model::StepStatus::kFail);
  EXPECT_EQ(step(out, "list_devices")->detail, options.why_not);
  EXPECT_EQ(out.why_not, options.why_not);
  ASSERT_FALSE(out.explained.empty());
  EXPECT_EQ(out.explained.front().evidence.front().substr(0, 4), "L2: ");
  EXPECT_EQ(out.log_tail.size(), 2U);
}

TEST(TensorflowSteps, ImportFailureAndNoResult) {
  TensorflowRun run;
  run.has_result = true;
  run.import_error = "ImportError: libcudart.so.11.0: cannot open shared object file";
  auto out = to_verification(run, embedded(), {});
  ASSERT_EQ(out.steps.size(), 1U);
  EXPECT_EQ(out.steps[0].detail, run.import_error);

  run = TensorflowRun{};
  run.result_problem = "the child ended with timeout before printing its result";
  out = to_verification(run, embedded(), {});
  ASSERT_EQ(out.steps.size(), 1U);
  EXPECT_EQ(out.steps[0].status, model::StepStatus::kFail);
  EXPECT_EQ(out.steps[0].detail, run.result_problem);
}

TEST(ErrorBounds, PerDtype) {
  EXPECT_DOUBLE_EQ(error_bound("fp32"), 1e-5);
  EXPECT_DOUBLE_EQ(error_bound("tf32"), 5e-3);
  EXPECT_DOUBLE_EQ(error_bound("fp16"), 5e-3);
  EXPECT_DOUBLE_EQ(error_bound("bf16"), 3e-2);
  EXPECT_DOUBLE_EQ(error_bound("something"), 1e-5);
}

}  // namespace
}  // namespace tfgpu::verify
