// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/install/installer.h"

#include <ctime>
#include <filesystem>

#include <fmt/format.h>

#include "tfgpu/base/version.h"

namespace tfgpu::install {
namespace {

// The plan's steps install carries out: user-space ones with commands. `verify` is the caller's.
bool runs(const model::PlanStep& step) {
  return step.id != "verify" && !step.shown_only && !step.commands.empty();
}

std::string major_minor(std::string_view version) {
  const auto parsed = Version::parse(version);
  return parsed && parsed->parts().size() >= 2
             ? fmt::format("{}.{}", parsed->major(), parsed->minor())
             : std::string(version);
}

model::StepOutcomeKind outcome_of(const ShellRun& run) {
  switch (run.end) {
    case ShellEnd::kTimedOut:
      return model::StepOutcomeKind::kTimedOut;
    case ShellEnd::kInterrupted:
      return model::StepOutcomeKind::kInterrupted;
    default:
      return model::StepOutcomeKind::kFailed;
  }
}

}  // namespace

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

Result<void> check_installable(const model::Plan& plan, const TargetDir& target) {
  if (!plan.tensorflow.version) {
    return make_error(Errc::kInvalidArgument,
                      "no TensorFlow can be installed for this GPU here: " + plan.tensorflow.why);
  }
  for (const auto& step : plan.steps) {
    if (step.id == "python") {
      return make_error(Errc::kInvalidArgument,
                        fmt::format("the plan needs another Python first ({}): install it and run "
                                    "tfgpu install again, or name one with --python PATH",
                                    step.title));
    }
  }
  if (target.kind == TargetKind::kOther && !target.record) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("--venv {}: not empty and not a virtual environment (no "
                                  "pyvenv.cfg); name a new or empty directory, or a venv",
                                  target.path));
  }
  if (target.kind == TargetKind::kVenv && !target.venv_python_version.empty() &&
      major_minor(target.venv_python_version) != plan.tensorflow.python) {
    return make_error(
        Errc::kInvalidArgument,
        fmt::format("--venv {}: a Python {} virtual environment, and the plan installs TensorFlow "
                    "{} for Python {}; name another directory, or plan for its Python with "
                    "--python {}/bin/python",
                    target.path, target.venv_python_version, *plan.tensorflow.version,
                    plan.tensorflow.python, target.path));
  }
  return {};
}

model::InstallReport install(const model::Plan& plan, const TargetDir& target,
                             const InstallOptions& options, const RunCommand& run,
                             const Progress& progress, const Clock& clock) {
  const Clock now = clock ? clock : Clock(utc_now);
  const auto say = [&](const std::string& line) {
    if (progress) {
      progress(line);
    }
  };
  model::InstallReport report;
  report.tool_version = options.tool_version;
  report.venv = target.path;
  report.python = (std::filesystem::path(target.path) / "bin" / "python").string();
  report.tensorflow = plan.tensorflow.version.value_or("");
  report.dry_run = options.dry_run;

  // The steps, in the plan's order; `order` indexes the ones install runs.
  std::vector<std::size_t> order;
  for (const auto& step : plan.steps) {
    if (step.id == "verify") {
      continue;
    }
    model::StepRun entry;
    entry.id = step.id;
    entry.title = step.title;
    entry.commands = step.commands;
    entry.needs_root = step.needs_root;
    entry.reboot = step.reboot;
    if (runs(step)) {
      order.push_back(report.steps.size());
    } else {
      entry.outcome = model::StepOutcomeKind::kShownOnly;
      entry.detail = step.needs_root ? "needs root: tfgpu install never runs it"
                                     : "a step for you to take: tfgpu install cannot";
    }
    report.steps.push_back(std::move(entry));
  }

  // Resume: the leading steps an earlier run of the same plan finished are not run again. From the
  // first step that differs or did not finish, everything runs (a changed pip step means the
  // wiring after it must be redone too).
  const auto& previous = target.record;
  std::size_t done_prefix = 0;
  if (previous) {
    while (done_prefix < order.size() && done_prefix < previous->steps.size()) {
      const auto& step = report.steps[order[done_prefix]];
      const auto& recorded = previous->steps[done_prefix];
      // A venv step is the same step whichever interpreter made the venv, as long as the venv is
      // there (its Python is the plan's: check_installable); a re-run without --python plans for
      // the venv's own interpreter, so its command differs from the one recorded.
      const bool same_venv =
          step.id == "venv" && recorded.id == "venv" && target.kind == TargetKind::kVenv;
      if (recorded.id != step.id || (recorded.commands != step.commands && !same_venv) ||
          recorded.state != model::StepState::kDone) {
        break;
      }
      ++done_prefix;
    }
  }
  report.resumed = previous && !previous->complete && done_prefix > 0;
  for (std::size_t i = 0; i < done_prefix; ++i) {
    auto& step = report.steps[order[i]];
    step.outcome = model::StepOutcomeKind::kAlreadyDone;
    step.detail = previous->complete
                      ? "done by the tfgpu install of " + previous->started_at
                      : "done by the unfinished tfgpu install of " + previous->started_at;
  }
  // A venv the user made (no record of ours) is kept as it is: running `python -m venv` over it
  // could only change it.
  if (!previous && target.kind == TargetKind::kVenv && !order.empty() &&
      report.steps[order.front()].id == "venv") {
    auto& step = report.steps[order.front()];
    step.outcome = model::StepOutcomeKind::kAlreadyDone;
    step.detail =
        "already a virtual environment (Python " + target.venv_python_version + "); kept as it is";
    done_prefix = 1;
  }
  if (previous && !previous->complete) {
    say(done_prefix > 0 ? fmt::format("install: resuming the unfinished install of {} ({} of {} "
                                      "steps done)",
                                      previous->started_at, done_prefix, order.size())
                        : fmt::format("install: the unfinished install of {} (TensorFlow {}) "
                                      "is started over: none of its steps carries on here",
                                      previous->started_at, previous->tensorflow));
  }

  if (options.dry_run) {
    for (std::size_t i = done_prefix; i < order.size(); ++i) {
      report.steps[order[i]].outcome = model::StepOutcomeKind::kWouldRun;
      report.steps[order[i]].detail = "--dry-run: not run";
    }
    return report;
  }

  model::InstallRecord record;
  record.tool_version = options.tool_version;
  record.venv = target.path;
  record.tensorflow = report.tensorflow;
  record.started_at = report.resumed ? previous->started_at : now();
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto& step = report.steps[order[i]];
    model::RecordedStep recorded;
    recorded.id = step.id;
    recorded.commands = step.commands;
    if (i < done_prefix) {
      recorded.state = model::StepState::kDone;
      recorded.detail = step.detail;
      recorded.finished_at =
          previous && i < previous->steps.size() ? previous->steps[i].finished_at : std::string();
    }
    record.steps.push_back(std::move(recorded));
  }
  const auto save = [&]() -> bool {
    record.updated_at = now();
    auto saved = save_record(target.path, record);
    if (!saved) {
      report.problem = saved.error().message +
                       "; stopped: an install tfgpu cannot mark is not "
                       "carried on with";
      return false;
    }
    return true;
  };

  std::error_code ec;
  std::filesystem::create_directories(target.path, ec);
  if (ec) {
    report.problem = fmt::format("cannot create {}: {}", target.path, ec.message());
    return report;
  }
  if (!save()) {
    return report;
  }

  std::size_t failed_at = order.size();
  for (std::size_t i = done_prefix; i < order.size(); ++i) {
    auto& step = report.steps[order[i]];
    auto& recorded = record.steps[i];
    if (const int signal_number = InterruptGuard::received(); signal_number != 0) {
      step.outcome = model::StepOutcomeKind::kInterrupted;
      step.detail = "interrupted before it started";
      failed_at = i;
      break;
    }
    recorded.state = model::StepState::kRunning;
    if (!save()) {
      failed_at = i;
      break;
    }
    say(fmt::format("install: [{}/{}] {}", i + 1, order.size(), step.title));
    ShellRun last;
    double seconds = 0;
    for (const auto& command : step.commands) {
      say("  $ " + command);
      last = run(command);
      seconds += last.seconds;
      if (!last.succeeded()) {
        break;
      }
    }
    step.seconds = seconds;
    recorded.finished_at = now();
    if (last.succeeded()) {
      step.outcome = model::StepOutcomeKind::kRan;
      recorded.state = model::StepState::kDone;
      recorded.detail.clear();
      if (!save()) {
        failed_at = i + 1;
        break;
      }
      continue;
    }
    step.outcome = outcome_of(last);
    step.detail = last.describe(options.step_timeout);
    recorded.state = model::StepState::kFailed;
    recorded.detail = step.detail;
    failed_at = i;
    save();
    break;
  }
  for (std::size_t i = failed_at + 1; i < order.size(); ++i) {
    report.steps[order[i]].outcome = model::StepOutcomeKind::kNotReached;
    report.steps[order[i]].detail = "an earlier step did not finish";
  }

  if (failed_at == order.size() && report.problem.empty()) {
    record.complete = true;
    if (save()) {
      report.complete = true;
      return report;
    }
  }
  if (report.problem.empty()) {
    const auto& step = report.steps[order[failed_at]];
    report.problem = fmt::format(
        "step {} ({}): {}. {} is marked incomplete in {}; run the same tfgpu install again to "
        "resume at that step",
        failed_at + 1, step.id, step.detail, target.path, record_path(target.path));
  }
  return report;
}

}  // namespace tfgpu::install
