// SPDX-License-Identifier: Apache-2.0
// `tfgpu verify`: prove the answer. Natively (tfgpu's runtime: list the GPUs, set memory growth,
// matmuls pinned to GPU:0 checked for where they ran and what they computed) and through each
// environment's own TensorFlow (a child Python with soft placement off), whose log goes through
// explain. Doctor's verdict says, before anything runs, what to expect (PTX JIT) and afterwards
// why TensorFlow saw no GPU.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tfgpu/checks/doctor.h"
#include "tfgpu/cli/commands.h"
#include "tfgpu/cli/common.h"
#include "tfgpu/explain/here.h"
#include "tfgpu/model/verification_json.h"
#include "tfgpu/report/verify_text.h"
#include "tfgpu/verify/run_verify.h"

namespace tfgpu::cli {
namespace {

struct VerifyArgs {
  ProbeArgs probe;
  OutputOptions output;
  std::string kb_dir;
  bool no_native = false;
  bool no_tensorflow = false;
  bool no_memory_growth = false;
  int size = 4096;
  double tensorflow_timeout_s = 120.0;
  double native_timeout_s = 120.0;
};

std::vector<std::string> environment_strings(const probe::Environment& env) {
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [name, value] : env) {
    out.push_back(name + "=" + value);
  }
  return out;
}

// The interpreters to run TensorFlow in: those given with --python, else every environment
// doctor found TensorFlow in.
std::vector<std::string> interpreters(const VerifyArgs& args, const model::Facts& facts) {
  if (!args.probe.pythons.empty()) {
    return args.probe.pythons;
  }
  std::vector<std::string> out;
  for (const auto& env : facts.python_envs) {
    if (!env.tensorflow.empty()) {
      out.push_back(env.interpreter);
    }
  }
  return out;
}

// What doctor says of the environment of `python`: why it will not use the GPU, and the
// warnings worth saying before TensorFlow starts (a PTX JIT can take many minutes).
void doctor_context(const model::DoctorReport& doctor, const std::string& python,
                    verify::TensorflowVerifyOptions& options) {
  for (const auto& verdict : doctor.verdicts) {
    if (verdict.interpreter != python) {
      continue;
    }
    if (!verdict.will_use_gpu) {
      options.why_not = verdict.sentence;
    }
    for (const auto& finding : doctor.findings) {
      if (finding.scope == verdict.prefix && finding.id.find("ptx_jit") != std::string::npos) {
        options.predictions.push_back("doctor predicts a PTX JIT compile on first use (" +
                                      finding.id + "): " + finding.summary);
      }
    }
  }
}

int exit_code(const model::VerifyReport& report, const VerifyArgs& args) {
  bool failed = false;
  bool unknown = false;
  if (!args.no_native) {
    (verify::could_not_check(report.native) ? unknown : failed) |= !model::verified(report.native);
  }
  for (const auto& tensorflow : report.tensorflow) {
    (verify::could_not_check(tensorflow) ? unknown : failed) |= !model::verified(tensorflow);
  }
  if (failed) {
    return kExitNotReady;
  }
  return unknown ? kExitCouldNotCheck : kExitReady;
}

Result<VerifyOutcome> run_checks(const VerifyArgs& args, const probe::Environment& env) {
  auto probed_env = probed_environment(args.probe, env);
  if (!probed_env) {
    return tl::unexpected(probed_env.error());
  }
  auto kb = load_knowledge_base(args.kb_dir);
  if (!kb) {
    return tl::unexpected(kb.error());
  }
  const auto facts = probe::probe_machine(probe_options(args.probe, *probed_env));
  const auto doctor = checks::diagnose(facts, *kb);

  verify::VerifyRequest request;
  request.native = !args.no_native;
  request.native_options.large_size = args.size;
  request.native_options.memory_growth = !args.no_memory_growth;
  request.native_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(args.native_timeout_s * 1000.0));
  if (!args.no_tensorflow) {
    for (const auto& python : interpreters(args, facts)) {
      verify::TensorflowVerifyOptions options;
      options.run.python = python;
      options.run.env = environment_strings(*probed_env);
      options.run.timeout =
          std::chrono::milliseconds(static_cast<std::int64_t>(args.tensorflow_timeout_s * 1000.0));
      options.run.matmul_size = args.size;
      options.stated_env = explain::env_from_facts(facts, python);
      doctor_context(doctor, python, options);
      request.tensorflow.push_back(std::move(options));
    }
  }
  VerifyOutcome outcome;
  outcome.report = verify::run_verify(request, *kb, [](const std::string& line) {
    std::cerr << line << "\n" << std::flush;
  });
  outcome.report.tool_version = kToolVersion;
  outcome.exit_code = exit_code(outcome.report, args);
  return outcome;
}

int run_verify(const VerifyArgs& args, const probe::Environment& env) {
  auto outcome = run_checks(args, env);
  if (!outcome) {
    return input_error(outcome.error());
  }
  const auto& report = outcome->report;
  const auto probed_env = probed_environment(args.probe, env);
  const std::string format = args.output.json ? "json" : args.output.format;
  if (format == "json") {
    std::cout << model::verify_to_json(report).dump(2, ' ', false,
                                                    nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    auto style = text_style(args.output, env, probed_env ? *probed_env : env);
    if (format == "markdown") {
      style.color = false;
      std::cout << report::render_verify_markdown(report, style);
    } else {
      std::cout << report::render_verify_text(report, style);
    }
  }
  return outcome->exit_code;
}

}  // namespace

Result<VerifyOutcome> verify_interpreter(const std::string& python, const probe::Environment& env,
                                         const std::string& kb_dir, double tensorflow_timeout_s) {
  VerifyArgs args;
  args.probe.pythons = {python};
  args.kb_dir = kb_dir;
  args.tensorflow_timeout_s = tensorflow_timeout_s;
  return run_checks(args, env);
}

Command add_verify_command(CLI::App& app) {
  auto args = std::make_shared<VerifyArgs>();
  auto* command = app.add_subcommand(
      "verify",
      "prove it: list the GPUs, set memory growth, run matmuls pinned to GPU:0 and check where "
      "they ran and what they computed — natively and through each environment's TensorFlow");
  add_report_flags(*command, args->probe, args->output);
  command->add_option("--size", args->size, "n of the larger n×n matmul (default 4096)")
      ->check(CLI::Range(16, 32768));
  command
      ->add_option("--tensorflow-timeout", args->tensorflow_timeout_s,
                   "seconds allowed for each TensorFlow child (default 120)")
      ->check(CLI::Range(1.0, 7200.0));
  command
      ->add_option("--native-timeout", args->native_timeout_s,
                   "seconds allowed for the native checks' child (default 120)")
      ->check(CLI::Range(1.0, 7200.0));
  command->add_flag("--no-native", args->no_native, "skip the native checks");
  command->add_flag("--no-tensorflow", args->no_tensorflow, "skip the checks through TensorFlow");
  command->add_flag(
      "--no-memory-growth", args->no_memory_growth,
      "keep TensorFlow's default (reserve nearly all GPU memory) in the native checks");
  command->add_option("--kb", args->kb_dir,
                      "read the knowledge base from DIR instead of the embedded copy");
  command->footer(
      "With --python PATH (repeatable) only those interpreters run TensorFlow; otherwise every "
      "environment with TensorFlow that doctor finds.\n"
      "Exit codes:\n"
      "  0  verified: the matmuls ran on GPU:0 and computed the right result\n"
      "  1  not verified (no GPU, TensorFlow saw none, a wrong result, a refused placement)\n"
      "  2  usage or input error\n"
      "  3  could not check (a child timed out or crashed)\n");
  return Command{command, [args](const probe::Environment& env) {
                   return run_verify(*args, env);
                 }};
}

}  // namespace tfgpu::cli
