// SPDX-License-Identifier: Apache-2.0
#pragma once
// What every tfgpu command shares: exit codes, the probed environment, probe flags, text style.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "tfgpu/base/result.h"
#include "tfgpu/probe/probe.h"
#include "tfgpu/report/style.h"

namespace tfgpu::cli {

inline constexpr const char* kToolVersion = TFGPU_VERSION;

// Exit codes, documented in --help and the README.
enum ExitCode : int {
  kExitReady = 0,          // ready (warnings allowed)
  kExitNotReady = 1,       // checked and not ready
  kExitUsage = 2,          // usage or input error
  kExitCouldNotCheck = 3,  // a probe failed so that no verdict is possible
};

inline constexpr const char* kExitCodeHelp =
    "Exit codes:\n"
    "  0  ready (warnings allowed; --strict counts them)\n"
    "  1  checked and not ready\n"
    "  2  usage or input error\n"
    "  3  could not check (a probe failed so that no verdict is possible)\n";

probe::Environment current_environment();

struct OutputOptions {
  bool json = false;
  std::string format = "text";  // text, markdown, json
  std::string color = "auto";
  bool ascii = false;
  bool verbose = false;
};

// Presentation follows the user running tfgpu (`env`: terminal, NO_COLOR, locale); "~" stands for
// the probed user's home (`probed_env`), which differs on a recorded machine.
report::TextStyle text_style(const OutputOptions& output, const probe::Environment& env,
                             const probe::Environment& probed_env);

struct ProbeArgs {
  std::string root = "/";
  std::string env_file;
  std::vector<std::string> pythons;
  bool no_live = false;
  double timeout_s = 10.0;
};

// The environment the probed user has (see probed_environment in common.cc).
Result<probe::Environment> probed_environment(const ProbeArgs& args, const probe::Environment& env);

probe::ProbeOptions probe_options(const ProbeArgs& args, const probe::Environment& env);

// Which machine to probe and how: --root, --env-file, --python, --no-live, --timeout.
void add_machine_flags(CLI::App& command, ProbeArgs& args);
// add_machine_flags() plus --json, --color and --ascii.
void add_probe_flags(CLI::App& command, ProbeArgs& args, OutputOptions& output);
// add_probe_flags() plus --format text|markdown|json: the commands that print a report.
void add_report_flags(CLI::App& command, ProbeArgs& args, OutputOptions& output);

// Print `tfgpu: error: <message>` and return the usage/input exit code.
int input_error(const Error& error);

}  // namespace tfgpu::cli
