// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/verify/tensorflow_verify.h"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tfgpu/base/strings.h"
#include "tfgpu/explain/diagnose.h"
#include "tfgpu/explain/matcher.h"
#include "tfgpu/explain/report.h"
#include "tfgpu/probe/child_process.h"
#include "tfgpu/verify/error_bounds.h"

namespace tfgpu::verify {
namespace {

using nlohmann::json;

std::string text_of(const json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

double number_of(const json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_number() ? found->get<double>() : 0.0;
}

// "ImportError: message" from {"type": …, "message": …}; "" when absent.
std::string error_of(const json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end() || !found->is_object()) {
    return "";
  }
  const std::string type = text_of(*found, "type");
  const std::string message = text_of(*found, "message");
  return type.empty() ? message : type + ": " + message;
}

void read_result(const json& result, TensorflowRun& run) {
  run.python_version = text_of(result, "python");
  run.tensorflow_version = text_of(result, "tensorflow_version");
  run.import_error = error_of(result, "import_error");
  run.error = error_of(result, "error");
  if (const auto info = result.find("build_info"); info != result.end() && info->is_object()) {
    for (const auto& [key, value] : info->items()) {
      if (value.is_string()) {
        run.build_info[key] = value.get<std::string>();
      }
    }
  }
  for (const auto& gpu : result.value("physical_gpus", json::array())) {
    if (gpu.is_object()) {
      run.physical_gpus.push_back(TfGpu{text_of(gpu, "name"), text_of(gpu, "device_name"),
                                        text_of(gpu, "compute_capability")});
    }
  }
  for (const auto& growth : result.value("memory_growth", json::array())) {
    if (growth.is_object()) {
      run.memory_growth.push_back(TfMemoryGrowth{
          text_of(growth, "name"), growth.value("ok", false) == true, text_of(growth, "error")});
    }
  }
  for (const auto& name : result.value("logical_gpus", json::array())) {
    if (name.is_string()) {
      run.logical_gpus.push_back(name.get<std::string>());
    }
  }
  for (const auto& matmul : result.value("matmuls", json::array())) {
    if (!matmul.is_object()) {
      continue;
    }
    TfMatmul entry;
    entry.size = static_cast<int>(number_of(matmul, "size"));
    entry.device = text_of(matmul, "device");
    entry.max_relative_error = number_of(matmul, "max_relative_error");
    entry.seconds = number_of(matmul, "seconds");
    entry.tensorfloat32 = matmul.value("tensorfloat32", false) == true;
    entry.error = error_of(matmul, "error");
    run.matmuls.push_back(std::move(entry));
  }
}

using model::StepStatus;
using model::VerifyStep;

constexpr const char* kGpu0 = "/job:localhost/replica:0/task:0/device:GPU:0";
constexpr std::size_t kLogTailLines = 20;

// TensorFlow runs float32 matmuls as TF32 on compute capability 8.0 and newer unless told not to
// (tf.config.experimental.enable_tensor_float_32_execution, on by default since 2.4).
bool runs_as_tf32(const TfMatmul& matmul, const std::vector<TfGpu>& gpus) {
  if (!matmul.tensorfloat32 || gpus.empty()) {
    return false;
  }
  const auto cc = Version::parse(gpus.front().compute_capability);
  return cc && cc->major() >= 8;
}

std::vector<model::ExplainedCause> explain_log(const std::vector<std::string>& log,
                                               const TensorflowRun& run,
                                               const kb::KnowledgeBase& kb,
                                               const explain::ReportEnv& stated) {
  auto matcher = explain::SignatureMatcher::compile(kb);
  if (!matcher) {
    return {};  // only a --kb folder's bad pattern; kb lint names it
  }
  explain::Report report;
  for (std::size_t i = 0; i < log.size(); ++i) {
    report.log_lines.push_back(explain::LogLine{i + 1, log[i]});
  }
  explain::EnvFacts env = stated;
  if (!run.tensorflow_version.empty()) {
    env.tf_version = run.tensorflow_version;
  }
  if (!run.python_version.empty()) {
    env.python = run.python_version;
  }
  std::vector<model::ExplainedCause> causes;
  for (const auto& cause : explain::explain(report, kb, *matcher, env).causes) {
    if (cause.kind == kb::CauseKind::kNoise) {
      continue;  // benign lines are not why anything failed
    }
    model::ExplainedCause explained{cause.id, cause.confidence, cause.summary, cause.fix, {}};
    for (const auto& evidence : cause.evidence) {
      explained.evidence.push_back(evidence.line == 0
                                       ? evidence.text
                                       : fmt::format("L{}: {}", evidence.line, evidence.text));
    }
    causes.push_back(std::move(explained));
  }
  return causes;
}

}  // namespace

model::TensorflowVerification to_verification(const TensorflowRun& run, const kb::KnowledgeBase& kb,
                                              const TensorflowVerifyOptions& options) {
  model::TensorflowVerification out;
  out.python = run.python;
  out.outcome = run.outcome;
  out.seconds = std::chrono::duration<double>(run.elapsed).count();
  out.predictions = options.predictions;
  if (!run.tensorflow_version.empty()) {
    out.tensorflow = "tensorflow " + run.tensorflow_version;
  }
  if (const auto found = run.build_info.find("cuda_version"); found != run.build_info.end()) {
    out.build_cuda = found->second;
  }
  if (const auto found = run.build_info.find("cudnn_version"); found != run.build_info.end()) {
    out.build_cudnn = found->second;
  }
  const std::size_t tail = run.log.size() > kLogTailLines ? run.log.size() - kLogTailLines : 0;
  out.log_tail.assign(run.log.begin() + static_cast<std::ptrdiff_t>(tail), run.log.end());
  out.explained = explain_log(run.log, run, kb, options.stated_env);

  if (!run.has_result) {
    out.steps.push_back(VerifyStep{"import", StepStatus::kFail, "TensorFlow did not report back",
                                   run.result_problem});
    return out;
  }
  if (!run.import_error.empty() || run.tensorflow_version.empty()) {
    out.steps.push_back(VerifyStep{"import", StepStatus::kFail, "import tensorflow failed",
                                   run.import_error.empty() ? run.error : run.import_error});
    return out;
  }
  out.steps.push_back(VerifyStep{"import", StepStatus::kPass,
                                 out.tensorflow + " under Python " + run.python_version, ""});
  const auto cuda_build = run.build_info.find("is_cuda_build");
  if (cuda_build != run.build_info.end() && cuda_build->second != "True") {
    out.steps.push_back(
        VerifyStep{"build", StepStatus::kFail, "a build without CUDA",
                   "tf.sysconfig.get_build_info() says is_cuda_build = " + cuda_build->second});
  } else {
    out.steps.push_back(
        VerifyStep{"build", StepStatus::kPass,
                   "built with CUDA " + out.build_cuda + ", cuDNN " + out.build_cudnn, ""});
  }
  for (const auto& gpu : run.physical_gpus) {
    out.gpus.push_back(model::GpuSeen{gpu.name, gpu.device_name, gpu.compute_capability, 0, ""});
  }
  if (run.physical_gpus.empty()) {
    out.why_not = options.why_not;
    out.steps.push_back(VerifyStep{
        "list_devices", StepStatus::kFail, "TensorFlow lists 0 GPUs",
        options.why_not.empty() ? "see the causes explained from its log" : options.why_not});
  } else {
    std::string names;
    for (const auto& gpu : run.physical_gpus) {
      names += (names.empty() ? "" : ", ") + gpu.name + " (" + gpu.device_name + ", " +
               gpu.compute_capability + ")";
    }
    out.steps.push_back(VerifyStep{"list_devices", StepStatus::kPass,
                                   fmt::format("{} GPU{}: {}", run.physical_gpus.size(),
                                               run.physical_gpus.size() == 1 ? "" : "s", names),
                                   ""});
  }
  if (!run.memory_growth.empty()) {
    std::string failures;
    for (const auto& growth : run.memory_growth) {
      if (!growth.ok) {
        failures += (failures.empty() ? "" : "; ") + growth.name + ": " + growth.error;
      }
    }
    out.steps.push_back(failures.empty()
                            ? VerifyStep{"memory_growth", StepStatus::kPass,
                                         "memory growth set on every GPU before first use", ""}
                            : VerifyStep{"memory_growth", StepStatus::kFail,
                                         "memory growth could not be set", failures});
  }
  const kb::GpuPeak* peak =
      run.physical_gpus.empty() ? nullptr : kb.peak_for(run.physical_gpus.front().device_name);
  for (const auto& matmul : run.matmuls) {
    model::MatmulCheck check;
    check.size = matmul.size;
    check.dtype = runs_as_tf32(matmul, run.physical_gpus) ? "tf32" : "fp32";
    check.requested_device = kGpu0;
    check.device = matmul.error.empty() ? matmul.device : "";
    check.error = matmul.error;
    check.max_relative_error = matmul.max_relative_error;
    check.error_bound = error_bound(check.dtype);
    check.seconds = matmul.seconds;
    if (matmul.seconds > 0) {
      check.tflops = 2.0 * std::pow(static_cast<double>(matmul.size), 3) / matmul.seconds / 1e12;
    }
    if (peak != nullptr) {
      check.peak_tflops = check.dtype == "tf32" ? peak->tf32_tflops : peak->fp32_tflops;
    }
    const std::string id = fmt::format("matmul_gpu_{}", matmul.size);
    if (!check.error.empty()) {
      out.steps.push_back(VerifyStep{id, StepStatus::kFail,
                                     fmt::format("{0}x{0} matmul on GPU:0 failed", matmul.size),
                                     check.error});
    } else if (check.device != kGpu0) {
      out.steps.push_back(
          VerifyStep{id, StepStatus::kFail,
                     fmt::format("{0}x{0} matmul ran on {1}, not GPU:0", matmul.size, check.device),
                     "placement was not honoured"});
    } else if (!check.within_bound()) {
      out.steps.push_back(VerifyStep{
          id, StepStatus::kFail, fmt::format("{0}x{0} matmul on GPU:0 is wrong", matmul.size),
          fmt::format("max relative error {:.3g} exceeds the {} bound {:.0e}",
                      check.max_relative_error, check.dtype, check.error_bound)});
    } else {
      out.steps.push_back(VerifyStep{
          id, StepStatus::kPass,
          fmt::format("{0}x{0} {1} matmul on GPU:0: error {2:.2g} (bound {3:.0e}), {4:.2f} "
                      "TFLOP/s",
                      matmul.size, check.dtype, check.max_relative_error, check.error_bound,
                      check.tflops),
          ""});
    }
    out.matmuls.push_back(std::move(check));
  }
  return out;
}

Result<model::TensorflowVerification> verify_tensorflow(const TensorflowVerifyOptions& options,
                                                        const kb::KnowledgeBase& kb) {
  auto run = run_tensorflow_check(options.run);
  if (!run) {
    return tl::unexpected(run.error());
  }
  return to_verification(*run, kb, options);
}

TensorflowRun parse_tensorflow_output(std::string_view output) {
  TensorflowRun run;
  run.result_problem = "the script printed no result line";
  for (const std::string_view line : split_lines(output)) {
    if (!line.starts_with(kResultMarker)) {
      run.log.emplace_back(line);
      continue;
    }
    // A value of the wrong type (a hostile or broken interpreter) must not escape as an exception.
    try {
      const json result = json::parse(line.substr(kResultMarker.size()));
      if (!result.is_object() || result.value("schema", "") != "tfgpu.verify.tensorflow/1") {
        run.result_problem = "the result line is not a tfgpu.verify.tensorflow/1 object";
        continue;
      }
      std::vector<std::string> log = std::move(run.log);
      run = TensorflowRun{};
      run.log = std::move(log);
      read_result(result, run);
      run.has_result = true;
      run.result_problem.clear();
    } catch (const json::exception& error) {
      run.result_problem = std::string("the result line does not parse: ") + error.what();
    }
  }
  return run;
}

Result<TensorflowRun> run_tensorflow_check(const TensorflowRunOptions& options) {
  const std::vector<std::string> argv = {options.python, "-c", kTensorflowCheckScript,
                                         std::to_string(options.matmul_size)};
  auto outcome = probe::run_command(argv, options.env, options.timeout);
  if (!outcome) {
    return tl::unexpected(outcome.error().with_context("running " + options.python));
  }
  TensorflowRun run = parse_tensorflow_output(outcome->output);
  run.python = options.python;
  run.outcome = outcome->describe();
  run.elapsed = outcome->elapsed;
  if (!run.has_result && outcome->end != probe::ChildEnd::kExited) {
    run.result_problem = "the child ended with " + run.outcome + " before printing its result";
  }
  return run;
}

}  // namespace tfgpu::verify
