// SPDX-License-Identifier: Apache-2.0
// `tfgpu kb lint`: validate the knowledge base (embedded or a folder).
#include <cstdio>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "tfgpu/cli/commands.h"
#include "tfgpu/cli/common.h"
#include "tfgpu/kb/load.h"

namespace tfgpu::cli {
namespace {

struct KbArgs {
  std::string dir;
  bool json = false;
};

// A folder is parsed here, its row problems collected for the report.
Result<kb::KnowledgeBase> parse_directory(const std::string& dir,
                                          std::vector<kb::LintProblem>& problems) {
  auto files = kb::read_directory(dir);
  if (!files) {
    return tl::unexpected(files.error());
  }
  return kb::parse_files(*files, dir, &problems);
}

int run_lint(const KbArgs& args) {
  // The embedded KB was parsed and linted when the binary was built (tfgpu_kb_compile); it is
  // linted again here so both origins report the same way (and row counts).
  const bool embedded = args.dir.empty();
  const std::string origin = embedded ? "embedded" : args.dir;
  std::vector<kb::LintProblem> problems;
  auto kb = embedded ? kb::load_embedded() : parse_directory(args.dir, problems);
  if (!kb) {
    return input_error(kb.error());
  }
  const auto lint_problems = kb::lint(*kb);
  problems.insert(problems.end(), lint_problems.begin(), lint_problems.end());
  if (args.json) {
    nlohmann::json document{{"schema", "tfgpu.kb_lint/1"},
                            {"tool_version", kToolVersion},
                            {"origin", origin},
                            {"problems", nlohmann::json::array()}};
    for (const auto& problem : problems) {
      document["problems"].push_back({{"where", problem.where}, {"problem", problem.problem}});
    }
    document["rows"] = {{"release", kb->releases.size()},
                        {"wheel_build", kb->wheel_builds.size()},
                        {"and_cuda", kb->and_cuda.size()},
                        {"sonames", kb->sonames.size()},
                        {"statement", kb->statements.size()},
                        {"driver_minimum", kb->driver_minimums.size()},
                        {"minor_version_compat", kb->minor_version_compat.size()},
                        {"arch_support", kb->arch_support.size()},
                        {"gpu", kb->gpus.size()},
                        {"pci_device", kb->pci_devices.size()},
                        {"cudnn", kb->cudnn.size()},
                        {"source", kb->sources.size()}};
    std::cout << document.dump(2) << "\n";
  } else {
    for (const auto& problem : problems) {
      std::cout << origin << "/" << problem.where << ": " << problem.problem << "\n";
    }
    std::cerr << "tfgpu kb lint: " << (embedded ? "embedded (checked at build time)" : origin)
              << ": " << problems.size() << " problem" << (problems.size() == 1 ? "" : "s")
              << " in " << kb->releases.size() << " TensorFlow releases, "
              << kb->driver_minimums.size() << " CUDA releases, " << kb->gpus.size() << " GPUs, "
              << kb->cudnn.size() << " cuDNN rows\n";
  }
  return problems.empty() ? kExitReady : kExitUsage;
}

}  // namespace

Command add_kb_command(CLI::App& app) {
  auto args = std::make_shared<KbArgs>();
  auto* command = app.add_subcommand("kb", "the knowledge base behind every verdict");
  command->require_subcommand(1);
  auto* lint = command->add_subcommand(
      "lint",
      "validate the knowledge base: schema, references between tables, overlapping "
      "ranges (exit 0 clean, 2 problems)");
  lint->add_option("--kb", args->dir, "a knowledge-base folder instead of the embedded copy");
  lint->add_flag("--json", args->json, "print exactly one JSON document on stdout");
  return Command{command, [args, lint](const probe::Environment&) {
                   return lint->parsed() ? run_lint(*args) : static_cast<int>(kExitUsage);
                 }};
}

}  // namespace tfgpu::cli
