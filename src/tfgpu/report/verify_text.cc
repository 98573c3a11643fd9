// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/report/verify_text.h"

#include <fmt/format.h>

namespace tfgpu::report {
namespace {

Mark mark_of(model::StepStatus status) {
  switch (status) {
    case model::StepStatus::kPass:
      return Mark::kOk;
    case model::StepStatus::kFail:
      return Mark::kError;
    case model::StepStatus::kSkip:
      break;
  }
  return Mark::kInfo;
}

std::string steps_text(const std::vector<model::VerifyStep>& steps, const TextStyle& style) {
  std::string out;
  for (const auto& step : steps) {
    out += "  " + style.mark(mark_of(step.status)) + " " + style.text(step.summary) + "\n";
    if (!step.detail.empty()) {
      out += "      " + style.dim(style.text(step.detail)) + "\n";
    }
  }
  return out;
}

std::string matmul_line(const model::MatmulCheck& matmul) {
  if (!matmul.ran()) {
    return fmt::format("{0}x{0} {1}: did not run ({2})", matmul.size, matmul.dtype, matmul.error);
  }
  std::string line = fmt::format(
      "{0}x{0} {1} on {2}: max relative error {3:.2g} (bound {4:.0e}), {5:.3f} ms, "
      "{6:.2f} TFLOP/s",
      matmul.size, matmul.dtype, matmul.device, matmul.max_relative_error, matmul.error_bound,
      matmul.seconds * 1000.0, matmul.tflops);
  if (matmul.peak_tflops && *matmul.peak_tflops > 0) {
    line += fmt::format(" = {:.0f} % of the {:.1f} TFLOP/s peak",
                        100.0 * matmul.tflops / *matmul.peak_tflops, *matmul.peak_tflops);
  }
  return line;
}

std::string verdict_line(bool ok, const std::string& what, const TextStyle& style) {
  return style.mark(ok ? Mark::kOk : Mark::kError) + " " +
         style.bold(what + (ok ? ": verified on the GPU" : ": not verified")) + "\n";
}

}  // namespace

std::string render_verify_text(const model::VerifyReport& report, const TextStyle& style) {
  std::string out = style.bold("tfgpu verify") + " " + style.dim(report.tool_version) + "\n\n";
  const auto& native = report.native;
  out += style.bold("Native (tfgpu's runtime") +
         style.bold(native.backend.empty() ? ")" : ", " + native.backend + ")") + "\n";
  out += steps_text(native.steps, style);
  for (const auto& matmul : native.matmuls) {
    if (matmul.ran()) {  // a refusal is already its step's detail
      out += "    " + style.dim(matmul_line(matmul)) + "\n";
    }
  }
  out += verdict_line(model::verified(native), "native", style);
  for (const auto& tf : report.tensorflow) {
    out += "\n" + style.bold("TensorFlow (" + style.text(tf.python) + ")") + "\n";
    for (const auto& prediction : tf.predictions) {
      out += "  " + style.mark(Mark::kWarning) + " " + prediction + "\n";
    }
    out += steps_text(tf.steps, style);
    for (const auto& matmul : tf.matmuls) {
      if (matmul.ran()) {
        out += "    " + style.dim(matmul_line(matmul)) + "\n";
      }
    }
    if (!tf.explained.empty()) {
      out += "  From TensorFlow's log:\n";
      for (const auto& cause : tf.explained) {
        out += fmt::format("    {} {} ({:.0f} %): {}\n", style.mark(Mark::kWarning), cause.id,
                           cause.confidence * 100.0, cause.summary);
        for (const auto& evidence : cause.evidence) {
          out += "        " + style.dim(style.text(evidence)) + "\n";
        }
        out += "      fix: " + cause.fix + "\n";
      }
    }
    out += verdict_line(model::verified(tf), tf.tensorflow.empty() ? "TensorFlow" : tf.tensorflow,
                        style);
  }
  return out;
}

std::string render_verify_markdown(const model::VerifyReport& report, const TextStyle& style) {
  std::string out = "## tfgpu verify " + report.tool_version + "\n\n";
  const auto steps = [&](const std::vector<model::VerifyStep>& list) {
    std::string text;
    for (const auto& step : list) {
      text += fmt::format("- **{}** {}{}\n", model::step_status_name(step.status),
                          style.text(step.summary),
                          step.detail.empty() ? "" : " — " + style.text(step.detail));
    }
    return text;
  };
  out += "### Native (" +
         (report.native.backend.empty() ? "no GPU backend" : report.native.backend) + ")\n\n" +
         steps(report.native.steps);
  for (const auto& matmul : report.native.matmuls) {
    out += "- " + matmul_line(matmul) + "\n";
  }
  out += std::string("\nVerdict: ") +
         (model::verified(report.native) ? "verified" : "not verified") + "\n";
  for (const auto& tf : report.tensorflow) {
    out += "\n### TensorFlow (`" + style.text(tf.python) + "`)\n\n" + steps(tf.steps);
    for (const auto& matmul : tf.matmuls) {
      out += "- " + matmul_line(matmul) + "\n";
    }
    for (const auto& cause : tf.explained) {
      out += fmt::format("- cause from the log: `{}` ({:.0f} %) — {}\n", cause.id,
                         cause.confidence * 100.0, cause.summary);
    }
    if (!tf.log_tail.empty()) {
      out += "\n<details><summary>TensorFlow's log (last lines)</summary>\n\n```\n";
      for (const auto& line : tf.log_tail) {
        out += style.text(line) + "\n";
      }
      out += "```\n</details>\n";
    }
    out += std::string("\nVerdict: ") + (model::verified(tf) ? "verified" : "not verified") + "\n";
  }
  return out;
}

}  // namespace tfgpu::report
