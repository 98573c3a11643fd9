// SPDX-License-Identifier: Apache-2.0
// `tfgpu plan`: the newest TensorFlow that can use the GPU of this machine (or of a described
// one), and the ordered, exact steps to get there.
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/cli/commands.h"
#include "tfgpu/cli/common.h"
#include "tfgpu/model/plan_json.h"
#include "tfgpu/plan/machine.h"
#include "tfgpu/plan/planner.h"
#include "tfgpu/report/plan_text.h"

namespace tfgpu::cli {
namespace {

struct PlanArgs {
  ProbeArgs probe;
  OutputOptions output;
  std::string kb_dir;
  std::string gpu;
  std::string cc;
  std::string driver;
  std::string python;  // a version ("3.12") describes; a path is an interpreter to probe
  std::string os;
  std::string tf;
  std::string cuda_from = "wheels";
  std::string venv = "~/tf-venv";
};

bool is_interpreter_path(const std::string& python) {
  return python.find('/') != std::string::npos;
}

// True when any flag describes a machine other than this one.
bool describes(const PlanArgs& args) {
  return !args.gpu.empty() || !args.cc.empty() || !args.driver.empty() || !args.os.empty() ||
         (!args.python.empty() && !is_interpreter_path(args.python));
}

Result<Version> parse_version_flag(const std::string& flag, const std::string& text,
                                   std::string_view example) {
  auto version = Version::parse(trim(text));
  if (!version || !version->suffix().empty()) {
    return make_error(Errc::kInvalidArgument, fmt::format("{} '{}': not a version (e.g. {})", flag,
                                                          printable(text, 80), example));
  }
  return *version;
}

// The described machine from the flags; every bad value is an error naming its flag.
Result<plan::MachineDescription> described_machine(const PlanArgs& args,
                                                   const kb::KnowledgeBase& kb) {
  plan::MachineDescription machine;
  if (!args.gpu.empty()) {
    auto gpu = plan::find_gpu(args.gpu, kb);
    if (!gpu) {
      return tl::unexpected(gpu.error());
    }
    machine.gpu_name = (*gpu)->name;
    machine.gpu_source = "--gpu, knowledge base gpu \"" + (*gpu)->name + "\"";
    machine.compute_capability = (*gpu)->compute_capability;
    machine.compute_capability_source = "knowledge base gpu";
  }
  if (!args.cc.empty()) {
    auto cc = plan::parse_compute_capability(args.cc);
    if (!cc) {
      return tl::unexpected(cc.error());
    }
    machine.compute_capability = *cc;
    machine.compute_capability_source = "--cc";
    if (machine.gpu_name.empty()) {
      machine.gpu_source = "--cc";
    }
  }
  if (!args.driver.empty()) {
    auto driver = parse_version_flag("--driver", args.driver, "535.104.05 or 535");
    if (!driver) {
      return tl::unexpected(driver.error());
    }
    machine.driver = *driver;
    machine.driver_source = "--driver";
  }
  if (!args.python.empty()) {
    auto python = parse_version_flag("--python", args.python, "3.12, or an interpreter's path");
    if (!python) {
      return tl::unexpected(python.error());
    }
    if (python->major() != 3 || python->parts().size() < 2) {
      return make_error(Errc::kInvalidArgument,
                        fmt::format("--python '{}': not a Python 3 version (e.g. 3.12)",
                                    printable(args.python, 80)));
    }
    machine.python = Version::parse(fmt::format("{}.{}", python->major(), python->minor()));
    machine.python_source = "--python";
  }
  if (!args.os.empty()) {
    auto os = plan::parse_os_id(args.os);
    if (!os) {
      return tl::unexpected(os.error());
    }
    machine.os = *os;
    machine.os_source = "--os";
  }
  return machine;
}

int run_plan(const PlanArgs& args, const probe::Environment& env) {
  auto kb = load_knowledge_base(args.kb_dir);
  if (!kb) {
    return input_error(kb.error());
  }
  std::optional<Version> pin;
  if (!args.tf.empty()) {
    auto version = parse_version_flag("--tf", args.tf, "2.15");
    if (!version) {
      return input_error(version.error());
    }
    if (kb->release_for(*version) == nullptr) {
      const auto* newest = kb->newest_release();
      return input_error(
          make_error(
              Errc::kInvalidArgument,
              fmt::format("--tf {}: the knowledge base has no TensorFlow "
                          "{}.{} release{}",
                          printable(args.tf, 80), version->major(), version->minor(),
                          newest != nullptr ? " (its newest is " + newest->line.text() + ")" : ""))
              .value());
    }
    pin = Version::parse(fmt::format("{}.{}", version->major(), version->minor()));
  }

  plan::MachineDescription machine;
  probe::Environment probed_env = env;
  if (describes(args)) {
    auto described = described_machine(args, *kb);
    if (!described) {
      return input_error(described.error());
    }
    machine = std::move(*described);
  } else {
    auto probed = this_machine(args.probe, args.python, env, *kb);
    if (!probed) {
      return input_error(probed.error());
    }
    machine = std::move(probed->machine);
    probed_env = std::move(probed->env);
  }
  machine.tensorflow_pin = pin;
  machine.cuda_from =
      args.cuda_from == "system" ? plan::CudaFrom::kSystem : plan::CudaFrom::kWheels;
  machine.venv = args.venv;

  auto result = plan::make_plan(machine, *kb);
  result.tool_version = kToolVersion;
  const std::string format = args.output.json ? "json" : args.output.format;
  if (format == "json") {
    std::cout << model::plan_to_json(result).dump(2) << "\n";
  } else {
    auto style = text_style(args.output, env, probed_env);
    const report::PlanTextOptions options{args.output.verbose, kToolVersion};
    if (format == "markdown") {
      style.color = false;
      std::cout << report::render_plan_markdown(result, style, options);
    } else {
      std::cout << report::render_plan_text(result, style, options);
    }
  }
  return result.tensorflow.version && result.gpu_usable ? kExitReady : kExitNotReady;
}

}  // namespace

Result<ThisMachine> this_machine(const ProbeArgs& args, const std::string& python,
                                 const probe::Environment& env, const kb::KnowledgeBase& kb) {
  ProbeArgs probe_args = args;
  if (!python.empty()) {
    probe_args.pythons.push_back(python);  // an interpreter path: plan for it
  }
  auto found_env = probed_environment(probe_args, env);
  if (!found_env) {
    return tl::unexpected(found_env.error());
  }
  ThisMachine out;
  out.env = std::move(*found_env);
  const auto facts = probe::probe_machine(probe_options(probe_args, out.env));
  out.machine = plan::describe_facts(facts, kb);
  if (!python.empty()) {
    // The interpreter asked for wins over the one plan would pick. The probe records it resolved
    // (a pyenv shim becomes the version's own python), found via "--python" ("--python (pyenv
    // shim)").
    const model::PythonEnv* given = nullptr;
    for (const auto& python_env : facts.python_envs) {
      const bool via_flag =
          std::any_of(python_env.found_via.begin(), python_env.found_via.end(),
                      [](const std::string& via) { return via.starts_with("--python"); });
      if ((python_env.interpreter == python || via_flag) &&
          python_env.python_version.is_present()) {
        given = &python_env;
        if (python_env.interpreter == python) {
          break;
        }
      }
    }
    if (given == nullptr) {
      return make_error(Errc::kInvalidArgument,
                        fmt::format("--python {}: not a Python interpreter tfgpu could run and ask "
                                    "for its version",
                                    printable(python, 200)));
    }
    const Version& full = *given->python_version.value;
    out.machine.python = Version::parse(fmt::format("{}.{}", full.major(), full.minor()));
    out.machine.python_source = given->interpreter;
    out.machine.python_interpreter = given->interpreter;
  }
  return out;
}

Command add_plan_command(CLI::App& app) {
  auto args = std::make_shared<PlanArgs>();
  auto* command = app.add_subcommand(
      "plan",
      "the newest TensorFlow that can use the GPU here (or on a described machine), and the "
      "exact steps to install it");
  add_probe_flags(*command, args->probe, args->output);
  // plan's --python is a version ("3.12") describing a machine, or an interpreter's path to
  // plan for on this one; the probe flags' --python (paths, repeatable) would shadow it.
  command->remove_option(command->get_option("--python"));
  command->add_option("--python", args->python,
                      "Python version X.Y of a described machine, or the path of an interpreter "
                      "here to plan for");
  command->add_option("--gpu", args->gpu, "describe: the GPU's name (\"RTX 3060\", \"H100\")");
  command->add_option("--cc", args->cc, "describe: the GPU's compute capability (8.6)");
  command->add_option("--driver", args->driver,
                      "describe: the NVIDIA driver version (535.104.05; the Windows driver's on "
                      "WSL2 and Windows)");
  command->add_option("--os", args->os,
                      "describe: ubuntu-22.04, ubuntu-24.04, debian-12, rhel-9, fedora, wsl2, "
                      "windows or macos");
  command->add_option("--tf", args->tf, "pin a TensorFlow line (2.15) instead of the newest");
  command
      ->add_option("--cuda-from", args->cuda_from,
                   "wheels (the [and-cuda] pip wheels, 2.14 and later) or system (a CUDA "
                   "toolkit and cuDNN installed system-wide)")
      ->check(CLI::IsMember({"wheels", "system"}));
  command->add_option("--venv", args->venv, "where the plan creates the virtual environment")
      ->capture_default_str();
  command->add_option("--format", args->output.format, "text, markdown or json")
      ->check(CLI::IsMember({"text", "markdown", "json"}));
  command->add_flag("-v,--verbose", args->output.verbose,
                    "show the knowledge-base rows behind each part of the plan");
  command->add_option("--kb", args->kb_dir,
                      "read the knowledge base from DIR instead of the embedded copy");
  command->footer(
      "With none of --gpu, --cc, --driver, --python X.Y, --os it plans for this machine "
      "(probed as doctor does; --root DIR reads a recorded one).\n"
      "Exit codes:\n"
      "  0  a plan exists: this TensorFlow can use the GPU once the steps are done\n"
      "  1  no TensorFlow can use this GPU here (the plan says what instead)\n"
      "  2  usage or input error\n");
  return Command{command, [args](const probe::Environment& env) {
                   return run_plan(*args, env);
                 }};
}

}  // namespace tfgpu::cli
