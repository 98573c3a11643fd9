// SPDX-License-Identifier: Apache-2.0
#pragma once
// One file per command; each adds its subcommand and returns how to run it once parsed.

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "tfgpu/base/result.h"
#include "tfgpu/kb/knowledge_base.h"
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

// The embedded knowledge base, or the folder given with --kb.
Result<kb::KnowledgeBase> load_knowledge_base(const std::string& dir);

}  // namespace tfgpu::cli
