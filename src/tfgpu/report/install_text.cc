// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/report/install_text.h"

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/report/text_parts.h"

namespace tfgpu::report {
namespace {

using model::StepOutcomeKind;

std::string commands_text(const model::StepRun& step) {
  std::string out;
  for (const auto& command : step.commands) {
    out += "       " + command + "\n";  // as run: "~" inside quotes would not expand
  }
  return out;
}

// The steps tfgpu leaves to the user, with their commands.
std::string root_steps_text(const model::InstallReport& report, const TextStyle& style) {
  std::string out;
  for (const auto& step : report.steps) {
    if (step.outcome != StepOutcomeKind::kShownOnly) {
      continue;
    }
    if (out.empty()) {
      out = "\n" + style.bold("Not run by tfgpu install: do these yourself") + "\n";
    }
    out += "  " + style.mark(Mark::kWarning) + " " + step.title +
           action_notes(step.needs_root, step.reboot) + "\n" + commands_text(step);
  }
  return out;
}

Mark mark_of(StepOutcomeKind outcome) {
  switch (outcome) {
    case StepOutcomeKind::kRan:
    case StepOutcomeKind::kAlreadyDone:
      return Mark::kOk;
    case StepOutcomeKind::kFailed:
    case StepOutcomeKind::kTimedOut:
    case StepOutcomeKind::kInterrupted:
      return Mark::kError;
    default:
      return Mark::kInfo;
  }
}

std::string header(const model::InstallReport& report, const TextStyle& style) {
  return style.bold("tfgpu install") + " " + style.dim(report.tool_version) + ": TensorFlow " +
         report.tensorflow + " into " + style.path(report.venv) + "\n\n";
}

}  // namespace

std::string render_install_preview(const model::InstallReport& report, const TextStyle& style) {
  std::string out = header(report, style);
  int number = 0;
  std::string already;
  for (const auto& step : report.steps) {
    if (step.outcome == StepOutcomeKind::kAlreadyDone) {
      already += "  " + style.mark(Mark::kOk) + " " + step.title + " " +
                 style.dim("(" + step.detail + ")") + "\n";
    } else if (step.outcome == StepOutcomeKind::kWouldRun) {
      out += fmt::format("  {}. {}\n", ++number, step.title) + commands_text(step);
    }
  }
  if (number == 0) {
    out += "  Nothing to run: every step is done.\n";
  }
  if (!already.empty()) {
    out += "\nAlready done:\n" + already;
  }
  return out + root_steps_text(report, style);
}

std::string render_install_text(const model::InstallReport& report, const TextStyle& style) {
  std::string out = header(report, style);
  for (const auto& step : report.steps) {
    if (step.outcome == StepOutcomeKind::kShownOnly) {
      continue;
    }
    std::string line = "  " + style.mark(mark_of(step.outcome)) + " " + step.title;
    if (step.outcome == StepOutcomeKind::kRan) {
      line += style.dim(fmt::format(" ({:.1f} s)", step.seconds));
    } else if (!step.detail.empty()) {
      line += ": " + style.text(step.detail);
    }
    out += line + "\n";
  }
  if (report.complete) {
    out += "\n" + style.mark(Mark::kOk) + " " +
           style.bold("Installed: " + style.path(report.venv) + " is complete") + "\n";
    out += "  Use it with: source " + shell_quote(report.venv + "/bin/activate") + "\n";
  } else if (!report.dry_run) {
    out += "\n" + style.mark(Mark::kError) + " " + style.bold("Not complete") + ": " +
           style.text(report.problem) + "\n";
  }
  return out + root_steps_text(report, style);
}

}  // namespace tfgpu::report
