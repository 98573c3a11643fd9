// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/model/verification.h"

#include <algorithm>

namespace tfgpu::model {
namespace {

bool no_step_failed(const std::vector<VerifyStep>& steps) {
  return std::none_of(steps.begin(), steps.end(),
                      [](const VerifyStep& step) { return step.status == StepStatus::kFail; });
}

// A GPU matmul that ran where it was asked to, on a GPU, within its bound.
bool gpu_matmul_verified(const std::vector<MatmulCheck>& matmuls) {
  return std::any_of(matmuls.begin(), matmuls.end(), [](const MatmulCheck& matmul) {
    return matmul.within_bound() && matmul.device.find("GPU:") != std::string::npos &&
           matmul.device == matmul.requested_device;
  });
}

}  // namespace

const char* step_status_name(StepStatus status) {
  switch (status) {
    case StepStatus::kPass:
      return "pass";
    case StepStatus::kFail:
      return "fail";
    case StepStatus::kSkip:
      break;
  }
  return "skip";
}

bool verified(const NativeVerification& native) {
  return no_step_failed(native.steps) && gpu_matmul_verified(native.matmuls);
}

bool verified(const TensorflowVerification& tensorflow) {
  return no_step_failed(tensorflow.steps) && gpu_matmul_verified(tensorflow.matmuls);
}

}  // namespace tfgpu::model
