// SPDX-License-Identifier: Apache-2.0
// `tfgpu env`: the exports that let one Python's TensorFlow find its CUDA libraries and ptxas,
// for `eval "$(tfgpu env)"` (bash, zsh) or `tfgpu env --shell fish | source`. What to export is
// checks/env_exports.h; this file probes, picks the environment and prints.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "tfgpu/checks/check.h"
#include "tfgpu/checks/env_exports.h"
#include "tfgpu/cli/commands.h"
#include "tfgpu/cli/common.h"

namespace tfgpu::cli {
namespace {

struct EnvArgs {
  ProbeArgs probe;
  std::string shell = "bash";
  bool memory_growth = false;
};

bool found_by_python_flag(const model::PythonEnv& env) {
  return std::find(env.found_via.begin(), env.found_via.end(), "--python") != env.found_via.end();
}

// The environment --python named, else the first with TensorFlow, in doctor's order (the
// probe's). Null with `problem` set when there is none to use.
const model::PythonEnv* chosen_env(const model::Facts& facts, const EnvArgs& args,
                                   std::string* problem) {
  if (!args.probe.pythons.empty()) {
    const std::string& path = args.probe.pythons.front();
    for (const auto& env : facts.python_envs) {
      if (!found_by_python_flag(env)) {
        continue;
      }
      if (env.tensorflow.empty()) {
        *problem = "--python " + path + ": no TensorFlow is installed in " + env.prefix;
        return nullptr;
      }
      return &env;
    }
    // The probe's own problem already names the path ("--python X: … No such file").
    std::string why;
    for (const auto& entry : facts.problems) {
      if (entry.probe == "python" && entry.error.find(path) != std::string::npos) {
        why += (why.empty() ? "" : "; ") + entry.error;
      }
    }
    *problem =
        why.empty() ? "--python " + path + ": not a Python environment tfgpu could read" : why;
    return nullptr;
  }
  for (const auto& env : facts.python_envs) {
    if (!env.tensorflow.empty()) {
      return &env;
    }
  }
  *problem =
      "no Python environment with TensorFlow was found (name one with --python PATH; `tfgpu "
      "doctor` lists the environments it looked at)";
  return nullptr;
}

int run_env(const EnvArgs& args, const probe::Environment& env) {
  const auto shell = checks::shell_named(args.shell);
  if (!shell) {
    return input_error(
        make_error(Errc::kInvalidArgument, "--shell " + args.shell + ": expected bash, zsh or fish")
            .value());
  }
  if (args.probe.pythons.size() > 1) {
    return input_error(make_error(Errc::kInvalidArgument,
                                  "tfgpu env prints the exports of one environment: give "
                                  "--python once")
                           .value());
  }
  auto probed_env = probed_environment(args.probe, env);
  if (!probed_env) {
    return input_error(probed_env.error());
  }
  auto kb = load_knowledge_base("");
  if (!kb) {
    return input_error(kb.error());
  }
  const auto facts = probe::probe_machine(probe_options(args.probe, *probed_env));
  std::string problem;
  const auto* python = chosen_env(facts, args, &problem);
  if (python == nullptr) {
    std::fprintf(stderr, "tfgpu: error: %s\n", problem.c_str());
    return kExitNotReady;
  }
  const auto target = checks::build_target(python->tensorflow.front(), *kb);
  std::optional<int> cuda_major;
  if (target.is_cuda_build && target.cuda) {
    cuda_major = target.cuda->major();
  }
  const auto exports =
      checks::env_exports(facts, *python, cuda_major, {.memory_growth = args.memory_growth});
  std::cout << "# tfgpu env for " << python->interpreter << "\n"
            << checks::render_exports(exports, *shell);
  return kExitReady;
}

}  // namespace

Command add_env_command(CLI::App& app) {
  auto args = std::make_shared<EnvArgs>();
  auto* command =
      app.add_subcommand("env",
                         "print the exports that let TensorFlow find its CUDA libraries and ptxas: "
                         "eval \"$(tfgpu env)\", or tfgpu env --shell fish | source");
  add_machine_flags(*command, args->probe);
  command->add_option("--shell", args->shell, "the shell to write for: bash (default), zsh, fish")
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  command->add_flag("--memory-growth", args->memory_growth,
                    "also export TF_FORCE_GPU_ALLOW_GROWTH=true (take GPU memory as needed)");
  command->footer(
      "Exit codes:\n"
      "  0  the exports were printed (or a comment saying nothing needs adding)\n"
      "  1  no Python environment with TensorFlow to write them for\n"
      "  2  usage or input error\n");
  return Command{command, [args](const probe::Environment& env) {
                   return run_env(*args, env);
                 }};
}

}  // namespace tfgpu::cli
