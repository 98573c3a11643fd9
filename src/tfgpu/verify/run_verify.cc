// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/verify/run_verify.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tfgpu/model/verification_json.h"
#include "tfgpu/probe/child_process.h"
#include "tfgpu/runtime/runtime.h"

namespace tfgpu::verify {
namespace {

constexpr const char* kNativeChildStep = "native_child";

model::NativeVerification native_in_child(const VerifyRequest& request,
                                          const kb::KnowledgeBase& kb) {
  auto outcome = probe::run_in_child(
      [&] {
        runtime::Runtime runtime;
        return model::native_to_json(verify_native(runtime, kb, request.native_options)).dump();
      },
      request.native_timeout);
  model::NativeVerification failed;
  const auto could_not = [&](const std::string& detail) {
    failed.steps.push_back(model::VerifyStep{kNativeChildStep, model::StepStatus::kFail,
                                             "the native checks did not finish", detail});
    return failed;
  };
  if (!outcome) {
    return could_not(outcome.error().message);
  }
  if (outcome->end != probe::ChildEnd::kExited || outcome->exit_code != 0) {
    return could_not(
        fmt::format("the child that loads libcuda and cuBLAS ended with {} after {} ms",
                    outcome->describe(), outcome->elapsed.count()));
  }
  const auto document = nlohmann::json::parse(outcome->output, nullptr, false);
  auto native = model::native_from_json(document);
  if (!native) {
    return could_not(native.error().message);
  }
  return *native;
}

}  // namespace

model::VerifyReport run_verify(const VerifyRequest& request, const kb::KnowledgeBase& kb,
                               const Progress& progress) {
  const auto say = [&](const std::string& text) {
    if (progress) {
      progress(text);
    }
  };
  model::VerifyReport report;
  if (request.native) {
    say("verify: native checks (tfgpu's runtime: libcuda, cuBLAS)…");
    report.native = native_in_child(request, kb);
  }
  for (const auto& tensorflow : request.tensorflow) {
    for (const auto& prediction : tensorflow.predictions) {
      say("verify: " + prediction);
    }
    say(fmt::format(
        "verify: TensorFlow in {} (timeout {} s)…", tensorflow.run.python,
        std::chrono::duration_cast<std::chrono::seconds>(tensorflow.run.timeout).count()));
    auto verification = verify_tensorflow(tensorflow, kb);
    if (verification) {
      report.tensorflow.push_back(std::move(*verification));
    } else {
      model::TensorflowVerification failed;
      failed.python = tensorflow.run.python;
      failed.steps.push_back(model::VerifyStep{"import", model::StepStatus::kFail,
                                               "TensorFlow could not be started",
                                               verification.error().message});
      report.tensorflow.push_back(std::move(failed));
    }
  }
  return report;
}

bool could_not_check(const model::NativeVerification& native) {
  return !native.steps.empty() && native.steps.front().id == kNativeChildStep;
}

bool could_not_check(const model::TensorflowVerification& tensorflow) {
  return tensorflow.outcome == "timeout" || tensorflow.outcome.starts_with("signal");
}

}  // namespace tfgpu::verify
