// SPDX-License-Identifier: Apache-2.0
// tfgpu: will TensorFlow use this GPU? The only place that prints or exits.
#include <cstdio>
#include <exception>
#include <vector>

#include <CLI/CLI.hpp>

#include "tfgpu/cli/commands.h"
#include "tfgpu/cli/common.h"

int main(int argc, char** argv) {
  using namespace tfgpu::cli;
  try {
    const auto env = current_environment();
    CLI::App app{"tfgpu: will TensorFlow use this GPU? If not, exactly why, and how to fix it."};
    app.footer(kExitCodeHelp);
    app.set_version_flag("--version", kToolVersion);
    app.require_subcommand(1);
    const std::vector<Command> commands{
        add_doctor_command(app),  add_probe_command(app),  add_kb_command(app),
        add_explain_command(app), add_verify_command(app), add_plan_command(app),
        add_bench_command(app),   add_env_command(app),    add_install_command(app),
    };
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      const int code = app.exit(e);
      return code == 0 ? kExitReady : kExitUsage;
    }
    for (const auto& command : commands) {
      if (command.app->parsed()) {
        return command.run(env);
      }
    }
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tfgpu: internal error: %s\n", e.what());
    return kExitCouldNotCheck;
  }
}
