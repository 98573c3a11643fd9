// SPDX-License-Identifier: Apache-2.0
#pragma once
// One file per command; each adds its subcommand and returns how to run it once parsed.

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "tfgpu/base/result.h"
#include "tfgpu/cli/common.h"
#include "tfgpu/kb/knowledge_base.h"
#include "tfgpu/model/verification.h"
#include "tfgpu/plan/machine.h"
#include "tfgpu/probe/probe.h"

namespace tfgpu::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int(const probe::Environment& env)> run;
};

Command add_probe_command(CLI::App& app);
Command add_doctor_command(CLI::App& app);
Command add_kb_command(CLI::App& app);
Command add_explain_command(CLI::App& app);
Command add_plan_command(CLI::App& app);
Command add_verify_command(CLI::App& app);
Command add_bench_command(CLI::App& app);
Command add_env_command(CLI::App& app);
Command add_install_command(CLI::App& app);

// This machine as plan and install see it: probed as doctor probes it, with `python` (an
// interpreter's path; empty: the one plan picks) as the Python to plan for.
struct ThisMachine {
  plan::MachineDescription machine;
  probe::Environment env;  // the environment the probe used
};

Result<ThisMachine> this_machine(const ProbeArgs& args, const std::string& python,
                                 const probe::Environment& env, const kb::KnowledgeBase& kb);

// `tfgpu verify --python PYTHON` (native checks too), as install runs it on the venv it made:
// the report and verify's exit code (0 verified, 1 not, 3 could not check).
struct VerifyOutcome {
  model::VerifyReport report;
  int exit_code = 0;
};

Result<VerifyOutcome> verify_interpreter(const std::string& python, const probe::Environment& env,
                                         const std::string& kb_dir, double tensorflow_timeout_s);

// The embedded knowledge base, or the folder given with --kb.
Result<kb::KnowledgeBase> load_knowledge_base(const std::string& dir);

}  // namespace tfgpu::cli
