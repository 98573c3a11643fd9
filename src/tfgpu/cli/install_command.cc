// SPDX-License-Identifier: Apache-2.0
// `tfgpu install`: plan for this machine, show the steps, and (once confirmed) carry out the
// user-space ones into a venv, then verify the TensorFlow it installed. Root steps are printed for
// the user, never run.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/cli/commands.h"
#include "tfgpu/cli/common.h"
#include "tfgpu/install/installer.h"
#include "tfgpu/model/install_json.h"
#include "tfgpu/model/verification_json.h"
#include "tfgpu/plan/planner.h"
#include "tfgpu/report/install_text.h"
#include "tfgpu/report/verify_text.h"

namespace tfgpu::cli {
namespace {

// Exit code of an install interrupted by Ctrl-C (what shells report for SIGINT).
constexpr int kExitInterrupted = 130;

struct InstallArgs {
  OutputOptions output;
  std::string kb_dir;
  std::string venv = "~/tf-venv";
  std::string python;  // an interpreter's path, or X.Y (pythonX.Y on PATH)
  std::string tf;
  std::string cuda_from = "wheels";
  bool yes = false;
  bool dry_run = false;
  bool no_verify = false;
  double step_timeout_s = 1800;
  double tensorflow_timeout_s = 300;
};

// DIR as an absolute, normal path: "~/" from HOME, relative to the working directory.
Result<std::string> absolute_venv(const std::string& venv, const probe::Environment& env) {
  if (trim(venv).empty()) {
    return make_error(Errc::kInvalidArgument, "--venv: empty");
  }
  std::string path = venv;
  if (path == "~" || path.starts_with("~/")) {
    const auto home = env.find("HOME");
    if (home == env.end() || home->second.empty()) {
      return make_error(Errc::kInvalidArgument,
                        "--venv " + venv + ": HOME is not set, so '~' means nothing");
    }
    path = home->second + path.substr(1);
  }
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  if (ec) {
    return make_error(Errc::kInvalidArgument, "--venv " + venv + ": " + ec.message());
  }
  std::string out = absolute.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') {
    out.pop_back();
  }
  return out;
}

bool confirmed(const std::string& question) {
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) {
    std::cerr << "\n";
    return false;
  }
  std::string word(trim(answer));
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return word == "y" || word == "yes";
}

int outcome_exit_code(const model::InstallReport& report) {
  for (const auto& step : report.steps) {
    if (step.outcome == model::StepOutcomeKind::kInterrupted) {
      return kExitInterrupted;
    }
  }
  return report.complete ? kExitReady : kExitCouldNotCheck;
}

int run_install(const InstallArgs& args, const probe::Environment& env) {
  auto kb = load_knowledge_base(args.kb_dir);
  if (!kb) {
    return input_error(kb.error());
  }
  auto venv = absolute_venv(args.venv, env);
  if (!venv) {
    return input_error(venv.error());
  }
  auto target = install::inspect_target(*venv);
  if (!target) {
    return input_error(target.error());
  }

  // The interpreter to plan for: --python PATH, else the existing venv's own.
  std::string interpreter;
  std::optional<Version> python_version;
  if (args.python.find('/') != std::string::npos) {
    interpreter = args.python;
  } else if (!args.python.empty()) {
    python_version = Version::parse(args.python);
    if (!python_version || python_version->major() != 3 || python_version->parts().size() != 2) {
      return input_error(
          make_error(Errc::kInvalidArgument,
                     fmt::format("--python '{}': neither an interpreter's path nor a Python "
                                 "version X.Y (3.12)",
                                 printable(args.python, 80)))
              .value());
    }
  }
  // A venv already there (the user's, or one an earlier install made) keeps its own Python.
  if (target->kind == install::TargetKind::kVenv && args.python.empty()) {
    interpreter = *venv + "/bin/python";
  }

  auto probed = this_machine(ProbeArgs{}, interpreter, env, *kb);
  if (!probed) {
    return input_error(probed.error());
  }
  auto machine = std::move(probed->machine);
  if (python_version) {
    machine.python = python_version;
    machine.python_source = "--python";
  }
  if (!args.tf.empty()) {
    auto pin = Version::parse(trim(args.tf));
    if (!pin || pin->parts().size() < 2 || kb->release_for(*pin) == nullptr) {
      return input_error(make_error(Errc::kInvalidArgument,
                                    fmt::format("--tf '{}': not a TensorFlow line the knowledge "
                                                "base has (e.g. 2.15)",
                                                printable(args.tf, 80)))
                             .value());
    }
    machine.tensorflow_pin = Version::parse(fmt::format("{}.{}", pin->major(), pin->minor()));
  }
  machine.cuda_from =
      args.cuda_from == "system" ? plan::CudaFrom::kSystem : plan::CudaFrom::kWheels;
  machine.venv = *venv;
  auto plan = plan::make_plan(machine, *kb);

  if (auto installable = install::check_installable(plan, *target); !installable) {
    // No TensorFlow for this GPU is a verdict (exit 1, as plan's); the rest are input errors.
    const int usage = input_error(installable.error());
    return plan.tensorflow.version ? usage : kExitNotReady;
  }

  install::InstallOptions options;
  options.tool_version = kToolVersion;
  options.step_timeout = std::chrono::seconds(static_cast<std::int64_t>(args.step_timeout_s));
  const auto progress = [](const std::string& line) {
    std::cerr << line << "\n" << std::flush;
  };
  const auto style = text_style(args.output, env, env);
  const bool json = args.output.json || args.output.format == "json";

  // What would run, shown before anything does.
  options.dry_run = true;
  const auto preview = install::install(plan, *target, options,
                                        [](const std::string&) { return install::ShellRun{}; });
  if (args.dry_run) {
    if (json) {
      auto document = model::install_report_to_json(preview);
      document["verify"] = nullptr;
      std::cout << document.dump(2) << "\n";
    } else {
      std::cout << report::render_install_preview(preview, style)
                << "\n--dry-run: nothing was run.\n";
    }
    return kExitReady;
  }
  (json ? std::cerr : std::cout) << report::render_install_preview(preview, style) << "\n"
                                 << std::flush;
  if (!args.yes && !confirmed("Run these steps?")) {
    std::cerr << "tfgpu: nothing was run (answer y, or pass --yes)\n";
    return kExitNotReady;
  }

  options.dry_run = false;
  model::InstallReport done;
  {
    install::InterruptGuard guard;
    install::ShellOptions shell;
    shell.timeout =
        std::chrono::milliseconds(static_cast<std::int64_t>(args.step_timeout_s * 1000));
    shell.output_fd = STDERR_FILENO;
    done = install::install(
        plan, *target, options,
        [&shell](const std::string& command) { return install::run_shell(command, shell); },
        progress);
  }

  std::optional<VerifyOutcome> verified;
  int exit_code = outcome_exit_code(done);
  if (done.complete && !args.no_verify) {
    progress("install: verifying " + done.python);
    auto outcome = verify_interpreter(done.python, env, args.kb_dir, args.tensorflow_timeout_s);
    if (!outcome) {
      std::cerr << "tfgpu: verify: " << outcome.error().message << "\n";
      exit_code = kExitCouldNotCheck;
    } else {
      exit_code = outcome->exit_code;
      verified = std::move(*outcome);
    }
  }

  if (json) {
    auto document = model::install_report_to_json(done);
    document["verify"] = verified ? model::verify_to_json(verified->report) : nlohmann::json();
    std::cout << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << report::render_install_text(done, style);
    if (verified) {
      std::cout << "\n" << report::render_verify_text(verified->report, style);
    }
  }
  return exit_code;
}

}  // namespace

Command add_install_command(CLI::App& app) {
  auto args = std::make_shared<InstallArgs>();
  auto* command = app.add_subcommand(
      "install",
      "carry out the plan's user-space steps into a virtual environment (venv, pip, wiring), "
      "then verify it; root steps are shown, never run");
  command->add_option("--venv", args->venv, "the virtual environment to create or install into")
      ->capture_default_str();
  command->add_option("--python", args->python,
                      "the Python for the venv: an interpreter's path, or X.Y (pythonX.Y on "
                      "PATH); default: the one tfgpu plan picks");
  command->add_option("--tf", args->tf, "pin a TensorFlow line (2.15) instead of the newest");
  command
      ->add_option("--cuda-from", args->cuda_from,
                   "wheels (the [and-cuda] pip wheels) or system (a CUDA toolkit and cuDNN "
                   "installed system-wide: their root steps are shown, not run)")
      ->check(CLI::IsMember({"wheels", "system"}));
  command->add_flag("-y,--yes", args->yes, "do not ask before running the steps");
  command->add_flag("--dry-run", args->dry_run, "only print the steps that would run");
  command->add_flag("--no-verify", args->no_verify, "do not run tfgpu verify afterwards");
  command
      ->add_option("--step-timeout", args->step_timeout_s,
                   "seconds each step may take (default 1800: pip downloads gigabytes)")
      ->check(CLI::Range(1.0, 86400.0));
  command
      ->add_option("--tensorflow-timeout", args->tensorflow_timeout_s,
                   "seconds verify allows TensorFlow (default 300: the first import in a new venv "
                   "is slow)")
      ->check(CLI::Range(1.0, 7200.0));
  command->add_flag("--json", args->output.json, "print the result as JSON (tfgpu.install/1)");
  command->add_option("--format", args->output.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  command->add_option("--color", args->output.color, "auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  command->add_flag("--ascii", args->output.ascii, "ASCII marks instead of Unicode");
  command->add_option("--kb", args->kb_dir,
                      "read the knowledge base from DIR instead of the embedded copy");
  command->footer(
      "The steps are tfgpu plan's for this machine, run with /bin/sh exactly as printed; their "
      "output goes to stderr. DIR/.tfgpu-install.json records each step: an install that "
      "failed or was interrupted is marked incomplete there, and running the same command again "
      "resumes at the step that did not finish.\n"
      "Exit codes:\n"
      "  0  installed, and verify found TensorFlow using the GPU (--dry-run: the plan was shown)\n"
      "  1  installed but not verified (no GPU, a root step still to do …), or not confirmed, or "
      "no TensorFlow fits this GPU\n"
      "  2  usage or input error (a directory that is not a venv, another Python's venv …)\n"
      "  3  a step failed or timed out (the venv is marked incomplete), or verify could not "
      "check\n"
      "  130  interrupted (the venv is marked incomplete)\n");
  return Command{command, [args](const probe::Environment& env) {
                   return run_install(*args, env);
                 }};
}

}  // namespace tfgpu::cli
