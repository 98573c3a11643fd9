// SPDX-License-Identifier: Apache-2.0
// `tfgpu doctor`: every layer checked against the knowledge base, one verdict per environment.
#include <iostream>
#include <memory>

#include "tfgpu/checks/check.h"
#include "tfgpu/checks/doctor.h"
#include "tfgpu/cli/commands.h"
#include "tfgpu/cli/common.h"
#include "tfgpu/kb/load.h"
#include "tfgpu/model/finding_json.h"
#include "tfgpu/report/doctor_text.h"

namespace tfgpu::cli {
namespace {

struct DoctorArgs {
  ProbeArgs probe;
  OutputOptions output;
  std::string kb_dir;
  bool strict = false;
  bool list_checks = false;
};

int exit_code(const model::DoctorReport& report, bool strict) {
  if (report.could_not_check) {
    return kExitCouldNotCheck;
  }
  if (report.no_tensorflow) {
    return kExitNotReady;
  }
  for (const auto& verdict : report.verdicts) {
    if (!verdict.will_use_gpu && !verdict.certain) {
      return kExitCouldNotCheck;
    }
  }
  for (const auto& verdict : report.verdicts) {
    if (!verdict.will_use_gpu) {
      return kExitNotReady;
    }
  }
  if (strict) {
    for (const auto& finding : report.findings) {
      if (finding.severity == model::Severity::kWarning) {
        return kExitNotReady;
      }
    }
  }
  return kExitReady;
}

int run_doctor(const DoctorArgs& args, const probe::Environment& env) {
  if (args.list_checks) {
    for (const auto& check : checks::registry()) {
      std::cout << check.id << "\t" << (check.machine != nullptr ? "machine" : "environment")
                << "\t" << check.title << "\n";
    }
    return kExitReady;
  }
  auto probed_env = probed_environment(args.probe, env);
  if (!probed_env) {
    return input_error(probed_env.error());
  }
  auto kb = load_knowledge_base(args.kb_dir);
  if (!kb) {
    return input_error(kb.error());
  }
  auto facts = probe::probe_machine(probe_options(args.probe, *probed_env));
  auto report = checks::diagnose(facts, *kb);
  report.tool_version = kToolVersion;
  const std::string format = args.output.json ? "json" : args.output.format;
  if (format == "json") {
    std::cout << model::doctor_to_json(report, facts).dump(2) << "\n";
  } else {
    auto style = text_style(args.output, env, *probed_env);
    const report::DoctorTextOptions options{args.output.verbose, kToolVersion};
    if (format == "markdown") {
      // A bug report is pasted elsewhere: no terminal colour codes in it.
      style.color = false;
      std::cout << report::render_doctor_markdown(report, style, options);
    } else {
      std::cout << report::render_doctor_text(report, style, options);
    }
  }
  return exit_code(report, args.strict);
}

}  // namespace

Result<kb::KnowledgeBase> load_knowledge_base(const std::string& dir) {
  if (dir.empty()) {
    auto kb = kb::load_embedded();
    if (!kb) {
      return tl::unexpected(kb.error().with_context("the embedded knowledge base"));
    }
    return kb;
  }
  auto kb = kb::load_directory(dir);
  if (!kb) {
    return tl::unexpected(kb.error().with_context("--kb " + dir));
  }
  return kb;
}

Command add_doctor_command(CLI::App& app) {
  auto args = std::make_shared<DoctorArgs>();
  auto* command = app.add_subcommand(
      "doctor",
      "will TensorFlow use the GPU? every layer checked, one verdict per environment, "
      "numbered fixes");
  add_report_flags(*command, args->probe, args->output);
  command->add_flag("-v,--verbose", args->output.verbose,
                    "show the evidence and knowledge-base rows behind each finding");
  command->add_flag("--strict", args->strict, "exit 1 on warnings too");
  command->add_flag("--list-checks", args->list_checks,
                    "print every check's id, scope and what it looks for, then exit");
  command->add_option("--kb", args->kb_dir,
                      "read the knowledge base from DIR instead of the embedded copy");
  command->footer(kExitCodeHelp);
  return Command{command, [args](const probe::Environment& env) {
                   return run_doctor(*args, env);
                 }};
}

}  // namespace tfgpu::cli
