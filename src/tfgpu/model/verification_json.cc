// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/model/verification_json.h"

namespace tfgpu::model {
namespace {

using nlohmann::json;

json steps_json(const std::vector<VerifyStep>& steps) {
  json out = json::array();
  for (const auto& step : steps) {
    out.push_back({{"id", step.id},
                   {"status", step_status_name(step.status)},
                   {"summary", step.summary},
                   {"detail", step.detail}});
  }
  return out;
}

json gpus_json(const std::vector<GpuSeen>& gpus) {
  json out = json::array();
  for (const auto& gpu : gpus) {
    out.push_back({{"name", gpu.name},
                   {"model", gpu.model},
                   {"compute_capability", gpu.compute_capability},
                   {"memory_bytes", gpu.memory_bytes},
                   {"pci_bus_id", gpu.pci_bus_id}});
  }
  return out;
}

json matmuls_json(const std::vector<MatmulCheck>& matmuls) {
  json out = json::array();
  for (const auto& matmul : matmuls) {
    out.push_back({{"size", matmul.size},
                   {"dtype", matmul.dtype},
                   {"requested_device", matmul.requested_device},
                   {"device", matmul.device},
                   {"max_relative_error", matmul.max_relative_error},
                   {"error_bound", matmul.error_bound},
                   {"within_bound", matmul.within_bound()},
                   {"seconds", matmul.seconds},
                   {"tflops", matmul.tflops},
                   {"peak_tflops", matmul.peak_tflops ? json(*matmul.peak_tflops) : json()},
                   {"error", matmul.error}});
  }
  return out;
}

std::vector<VerifyStep> steps_from(const json& array) {
  std::vector<VerifyStep> steps;
  for (const auto& item : array) {
    const std::string status = item.at("status").get<std::string>();
    steps.push_back(VerifyStep{item.at("id").get<std::string>(),
                               status == "pass"   ? StepStatus::kPass
                               : status == "fail" ? StepStatus::kFail
                                                  : StepStatus::kSkip,
                               item.at("summary").get<std::string>(),
                               item.at("detail").get<std::string>()});
  }
  return steps;
}

std::vector<GpuSeen> gpus_from(const json& array) {
  std::vector<GpuSeen> gpus;
  for (const auto& item : array) {
    gpus.push_back(GpuSeen{item.at("name").get<std::string>(), item.at("model").get<std::string>(),
                           item.at("compute_capability").get<std::string>(),
                           item.at("memory_bytes").get<std::uint64_t>(),
                           item.at("pci_bus_id").get<std::string>()});
  }
  return gpus;
}

std::vector<MatmulCheck> matmuls_from(const json& array) {
  std::vector<MatmulCheck> matmuls;
  for (const auto& item : array) {
    MatmulCheck matmul;
    matmul.size = item.at("size").get<int>();
    matmul.dtype = item.at("dtype").get<std::string>();
    matmul.requested_device = item.at("requested_device").get<std::string>();
    matmul.device = item.at("device").get<std::string>();
    matmul.max_relative_error = item.at("max_relative_error").get<double>();
    matmul.error_bound = item.at("error_bound").get<double>();
    matmul.seconds = item.at("seconds").get<double>();
    matmul.tflops = item.at("tflops").get<double>();
    if (!item.at("peak_tflops").is_null()) {
      matmul.peak_tflops = item.at("peak_tflops").get<double>();
    }
    matmul.error = item.at("error").get<std::string>();
    matmuls.push_back(std::move(matmul));
  }
  return matmuls;
}

}  // namespace

nlohmann::json native_to_json(const NativeVerification& native) {
  return {{"backend", native.backend},
          {"verified", verified(native)},
          {"gpus", gpus_json(native.gpus)},
          {"steps", steps_json(native.steps)},
          {"matmuls", matmuls_json(native.matmuls)}};
}

Result<NativeVerification> native_from_json(const nlohmann::json& document) {
  try {
    NativeVerification native;
    native.backend = document.at("backend").get<std::string>();
    native.gpus = gpus_from(document.at("gpus"));
    native.steps = steps_from(document.at("steps"));
    native.matmuls = matmuls_from(document.at("matmuls"));
    return native;
  } catch (const json::exception& error) {
    return make_error(Errc::kMalformed, std::string("native verification result: ") + error.what());
  }
}

nlohmann::json verify_to_json(const VerifyReport& report) {
  json tensorflow = json::array();
  for (const auto& tf : report.tensorflow) {
    json explained = json::array();
    for (const auto& cause : tf.explained) {
      explained.push_back({{"id", cause.id},
                           {"confidence", cause.confidence},
                           {"summary", cause.summary},
                           {"fix", cause.fix},
                           {"evidence", cause.evidence}});
    }
    tensorflow.push_back({{"python", tf.python},
                          {"tensorflow", tf.tensorflow},
                          {"outcome", tf.outcome},
                          {"seconds", tf.seconds},
                          {"build_cuda", tf.build_cuda},
                          {"build_cudnn", tf.build_cudnn},
                          {"verified", verified(tf)},
                          {"why_not", tf.why_not},
                          {"predictions", tf.predictions},
                          {"gpus", gpus_json(tf.gpus)},
                          {"steps", steps_json(tf.steps)},
                          {"matmuls", matmuls_json(tf.matmuls)},
                          {"explained", std::move(explained)},
                          {"log_tail", tf.log_tail}});
  }
  return {{"schema", report.schema},
          {"tool_version", report.tool_version},
          {"native", native_to_json(report.native)},
          {"tensorflow", std::move(tensorflow)}};
}

}  // namespace tfgpu::model
