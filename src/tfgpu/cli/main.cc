// SPDX-License-Identifier: Apache-2.0
// tfgpu: will TensorFlow use this GPU? The only place that prints or exits.
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "tfgpu/base/strings.h"
#include "tfgpu/model/facts_json.h"
#include "tfgpu/probe/probe.h"
#include "tfgpu/report/facts_text.h"

extern char** environ;

namespace {

constexpr const char* kToolVersion = TFGPU_VERSION;

// Exit codes, documented in --help and the README.
enum ExitCode : int {
  kExitReady = 0,          // ready (warnings allowed)
  kExitNotReady = 1,       // checked and not ready
  kExitUsage = 2,          // usage or input error
  kExitCouldNotCheck = 3,  // a probe failed so that no verdict is possible
};

constexpr const char* kExitCodeHelp =
    "Exit codes:\n"
    "  0  ready (warnings allowed)\n"
    "  1  checked and not ready\n"
    "  2  usage or input error\n"
    "  3  could not check (a probe failed so that no verdict is possible)\n";

tfgpu::probe::Environment current_environment() {
  tfgpu::probe::Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t eq = text.find('=');
    if (eq != std::string_view::npos) {
      env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
    }
  }
  return env;
}

std::string self_executable() {
  std::string buffer(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", buffer.data(), buffer.size());
  if (n <= 0) {
    return {};
  }
  buffer.resize(static_cast<std::size_t>(n));
  return buffer;
}

struct OutputOptions {
  bool json = false;
  std::string color = "auto";
  bool ascii = false;
};

// Presentation follows the user running tfgpu (`env`: terminal, NO_COLOR, locale); "~" stands for
// the probed user's home (`probed_env`), which differs on a recorded machine.
tfgpu::report::TextStyle text_style(const OutputOptions& output,
                                    const tfgpu::probe::Environment& env,
                                    const tfgpu::probe::Environment& probed_env) {
  tfgpu::report::TextStyle style;
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  const bool no_color = env.count("NO_COLOR") != 0 && !env.at("NO_COLOR").empty();
  style.color = output.color == "always" || (output.color == "auto" && tty && !no_color);
  auto lang = [&](const char* name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : tfgpu::to_lower(it->second);
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

struct ProbeArgs {
  std::string root = "/";
  std::string env_file;
  std::vector<std::string> pythons;
  bool no_live = false;
  double timeout_s = 10.0;
};

// KEY=VALUE lines (as `env` prints them); blank lines and '#' comments skipped.
tfgpu::Result<tfgpu::probe::Environment> read_environment_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return tfgpu::make_error(tfgpu::Errc::kNotFound, path + ": cannot open");
  }
  tfgpu::probe::Environment env;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string_view text = tfgpu::trim(line);
    if (text.empty() || text.front() == '#') {
      continue;
    }
    const std::size_t eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return tfgpu::make_error(tfgpu::Errc::kMalformed, path + ":" + std::to_string(number) +
                                                            ": not KEY=VALUE: '" +
                                                            tfgpu::printable(text, 80) + "'");
    }
    env[std::string(text.substr(0, eq))] = std::string(text.substr(eq + 1));
  }
  return env;
}

// The environment the probed user has: this process's for the live machine; for a recorded
// machine (--root) the one recorded beside it (DIR/tfgpu-environment), since this host's
// variables say nothing about that machine; --env-file overrides both.
tfgpu::Result<tfgpu::probe::Environment> probed_environment(const ProbeArgs& args,
                                                            const tfgpu::probe::Environment& env) {
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
  return tfgpu::probe::Environment{};
}

tfgpu::probe::ProbeOptions probe_options(const ProbeArgs& args,
                                         const tfgpu::probe::Environment& env) {
  tfgpu::probe::ProbeOptions options;
  options.root = args.root;
  options.environment = env;
  options.extra_pythons = args.pythons;
  options.run_live_checks = !args.no_live;
  options.live_timeout = std::chrono::milliseconds(static_cast<long>(args.timeout_s * 1000));
  options.helper_executable = self_executable();
  options.tool_version = kToolVersion;
  return options;
}

void add_probe_flags(CLI::App& command, ProbeArgs& args, OutputOptions& output) {
  command.add_option("--root", args.root, "read a recorded machine from DIR instead of /")
      ->check(CLI::ExistingDirectory);
  command.add_option("--env-file", args.env_file,
                     "the probed user's environment as KEY=VALUE lines (default: this process's; "
                     "with --root, DIR/tfgpu-environment when present)");
  command.add_option("--python", args.pythons, "also inspect the Python interpreter at PATH");
  command.add_flag("--no-live", args.no_live,
                   "skip the checks that load vendor libraries in a child process");
  command.add_option("--timeout", args.timeout_s, "seconds allowed for the live child process")
      ->check(CLI::Range(0.001, 3600.0));
  command.add_flag("--json", output.json, "print exactly one JSON document on stdout");
  command.add_option("--color", output.color, "colour: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  command.add_flag("--ascii", output.ascii, "ASCII marks instead of Unicode");
}

// Print `tfgpu: error: <message>` and return the usage/input exit code.
int input_error(const tfgpu::Error& error) {
  std::fprintf(stderr, "tfgpu: error: %s\n", error.message.c_str());
  return kExitUsage;
}

int run_probe(const ProbeArgs& args, const OutputOptions& output,
              const tfgpu::probe::Environment& env) {
  auto probed_env = probed_environment(args, env);
  if (!probed_env) {
    return input_error(probed_env.error());
  }
  const auto facts = tfgpu::probe::probe_machine(probe_options(args, *probed_env));
  if (output.json) {
    std::cout << tfgpu::model::facts_to_json(facts).dump(2) << "\n";
  } else {
    std::cout << tfgpu::report::render_facts_text(facts, text_style(output, env, *probed_env));
  }
  return kExitReady;
}

int run_doctor(const ProbeArgs& args, const OutputOptions& output,
               const tfgpu::probe::Environment& env) {
  auto probed_env = probed_environment(args, env);
  if (!probed_env) {
    return input_error(probed_env.error());
  }
  const auto facts = tfgpu::probe::probe_machine(probe_options(args, *probed_env));
  if (output.json) {
    nlohmann::json document{{"schema", "tfgpu.doctor/0"},
                            {"tool_version", kToolVersion},
                            {"facts", tfgpu::model::facts_to_json(facts)}};
    std::cout << document.dump(2) << "\n";
  } else {
    const auto style = text_style(output, env, *probed_env);
    std::cout << style.bold("tfgpu doctor") << " " << kToolVersion << "  (layers found; "
              << "verdicts and fixes come with the knowledge base)\n\n";
    std::cout << tfgpu::report::render_layers_text(facts, style);
  }
  return kExitReady;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto env = current_environment();
    CLI::App app{"tfgpu: will TensorFlow use this GPU? If not, exactly why, and how to fix it."};
    app.footer(kExitCodeHelp);
    app.set_version_flag("--version", kToolVersion);
    app.require_subcommand(1);

    ProbeArgs probe_args;
    OutputOptions output;
    auto* probe = app.add_subcommand("probe", "print the raw facts every verdict is made from");
    add_probe_flags(*probe, probe_args, output);
    auto* doctor = app.add_subcommand("doctor", "inspect every layer and say what was found");
    add_probe_flags(*doctor, probe_args, output);

    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      const int code = app.exit(e);
      return code == 0 ? kExitReady : kExitUsage;
    }
    if (probe->parsed()) {
      return run_probe(probe_args, output, env);
    }
    if (doctor->parsed()) {
      return run_doctor(probe_args, output, env);
    }
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tfgpu: internal error: %s\n", e.what());
    return kExitCouldNotCheck;
  }
}
