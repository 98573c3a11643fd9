// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/cli/common.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "tfgpu/base/strings.h"

extern char** environ;

namespace tfgpu::cli {
namespace {

std::string self_executable() {
  std::string buffer(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", buffer.data(), buffer.size());
  if (n <= 0) {
    return {};
  }
  buffer.resize(static_cast<std::size_t>(n));
  return buffer;
}

// KEY=VALUE lines (as `env` prints them); blank lines and '#' comments skipped.
Result<probe::Environment> read_environment_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(Errc::kNotFound, path + ": cannot open");
  }
  probe::Environment env;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') {
      continue;
    }
    const std::size_t eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return make_error(Errc::kMalformed, path + ":" + std::to_string(number) +
                                              ": not KEY=VALUE: '" + printable(text, 80) + "'");
    }
    env[std::string(text.substr(0, eq))] = std::string(text.substr(eq + 1));
  }
  return env;
}

}  // namespace

probe::Environment current_environment() {
  probe::Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t eq = text.find('=');
    if (eq != std::string_view::npos) {
      env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
    }
  }
  return env;
}

// Presentation follows the user running tfgpu (`env`: terminal, NO_COLOR, locale); "~" stands for
// the probed user's home (`probed_env`), which differs on a recorded machine.
report::TextStyle text_style(const OutputOptions& output, const probe::Environment& env,
                             const probe::Environment& probed_env) {
  report::TextStyle style;
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  const bool no_color = env.count("NO_COLOR") != 0 && !env.at("NO_COLOR").empty();
  style.color = output.color == "always" || (output.color == "auto" && tty && !no_color);
  auto lang = [&](const char* name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : to_lower(it->second);
  };
  const std::string locale = !lang("LC_ALL").empty()     ? lang("LC_ALL")
                             : !lang("LC_CTYPE").empty() ? lang("LC_CTYPE")
                                                         : lang("LANG");
  const bool utf8 =
      locale.find("utf-8") != std::string::npos || locale.find("utf8") != std::string::npos;
  // Unicode marks unless asked for ASCII or a terminal whose locale is not UTF-8.
  style.unicode = !output.ascii && (!tty || utf8);
  auto home = probed_env.find("HOME");
  style.home = home == probed_env.end() ? std::string() : home->second;
  return style;
}

// The environment the probed user has: this process's for the live machine; for a recorded
// machine (--root) the one recorded beside it (DIR/tfgpu-environment), since this host's
// variables say nothing about that machine; --env-file overrides both.
Result<probe::Environment> probed_environment(const ProbeArgs& args,
                                              const probe::Environment& env) {
  if (!args.env_file.empty()) {
    return read_environment_file(args.env_file);
  }
  if (args.root == "/") {
    return env;
  }
  const std::string recorded = args.root + "/tfgpu-environment";
  if (::access(recorded.c_str(), F_OK) == 0) {
    return read_environment_file(recorded);
  }
  return probe::Environment{};
}

probe::ProbeOptions probe_options(const ProbeArgs& args, const probe::Environment& env) {
  probe::ProbeOptions options;
  options.root = args.root;
  options.environment = env;
  options.extra_pythons = args.pythons;
  options.run_live_checks = !args.no_live;
  options.live_timeout = std::chrono::milliseconds(static_cast<long>(args.timeout_s * 1000));
  options.helper_executable = self_executable();
  options.tool_version = kToolVersion;
  return options;
}

void add_machine_flags(CLI::App& command, ProbeArgs& args) {
  command.add_option("--root", args.root, "read a recorded machine from DIR instead of /")
      ->check(CLI::ExistingDirectory);
  command.add_option("--env-file", args.env_file,
                     "the probed user's environment as KEY=VALUE lines (default: this process's; "
                     "with --root, DIR/tfgpu-environment when present)");
  command
      .add_option("--python", args.pythons,
                  "also inspect the Python interpreter at PATH (repeatable)")
      ->allow_extra_args(false);  // one PATH per --python: a following word is not a path
  command.add_flag("--no-live", args.no_live,
                   "skip the checks that load vendor libraries in a child process");
  command.add_option("--timeout", args.timeout_s, "seconds allowed for the live child process")
      ->check(CLI::Range(0.001, 3600.0));
}

void add_probe_flags(CLI::App& command, ProbeArgs& args, OutputOptions& output) {
  add_machine_flags(command, args);
  command.add_flag("--json", output.json, "print exactly one JSON document on stdout");
  command.add_option("--color", output.color, "colour: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  command.add_flag("--ascii", output.ascii, "ASCII marks instead of Unicode");
}

void add_report_flags(CLI::App& command, ProbeArgs& args, OutputOptions& output) {
  add_probe_flags(command, args, output);
  command.add_option("--format", output.format, "text, markdown (for a bug report) or json")
      ->check(CLI::IsMember({"text", "markdown", "json"}));
}

// Print `tfgpu: error: <message>` and return the usage/input exit code.
int input_error(const Error& error) {
  std::fprintf(stderr, "tfgpu: error: %s\n", error.message.c_str());
  return kExitUsage;
}

}  // namespace tfgpu::cli
