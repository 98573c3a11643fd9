// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/report/install_text.h"

#include <gtest/gtest.h>

namespace tfgpu::report {
namespace {

using model::StepOutcomeKind;

model::StepRun run(std::string id, StepOutcomeKind outcome, std::string detail = {}) {
  model::StepRun step;
  step.id = id;
  step.title = "title of " + id;
  step.commands = {"command of " + id};
  step.outcome = outcome;
  step.detail = std::move(detail);
  return step;
}

model::InstallReport report_with(std::vector<model::StepRun> steps) {
  model::InstallReport report;
  report.tool_version = "0.1.0";
  report.venv = "/home/ana/it's a venv";
  report.tensorflow = "2.21.0";
  report.steps = std::move(steps);
  return report;
}

TextStyle plain() {
  TextStyle style;
  style.unicode = false;
  style.home = "/home/ana";
  return style;
}

TEST(InstallPreview, NumbersWhatWillRunAndSetsApartWhatIsDoneAndRootSteps) {
  auto driver = run("driver", StepOutcomeKind::kShownOnly);
  driver.needs_root = true;
  driver.reboot = true;
  const auto text = render_install_preview(
      report_with({driver, run("venv", StepOutcomeKind::kAlreadyDone, "done by the install of T1"),
                   run("pip", StepOutcomeKind::kWouldRun)}),
      plain());
  EXPECT_NE(text.find("  1. title of pip\n       command of pip\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Already done:\n  ok title of venv (done by the install of T1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Not run by tfgpu install: do these yourself\n  !! title of driver "
                      "[needs root; then reboot]\n       command of driver\n"),
            std::string::npos)
      << text;
}

TEST(InstallPreview, SaysWhenNothingIsLeft) {
  const auto text = render_install_preview(
      report_with({run("venv", StepOutcomeKind::kAlreadyDone, "x")}), plain());
  EXPECT_NE(text.find("Nothing to run: every step is done."), std::string::npos);
}

TEST(InstallText, ACompleteInstallSaysHowToUseItQuotedForTheShell) {
  auto report = report_with({run("venv", StepOutcomeKind::kRan)});
  report.steps[0].seconds = 2.25;
  report.complete = true;
  const auto text = render_install_text(report, plain());
  EXPECT_NE(text.find("ok title of venv (2.2 s)"), std::string::npos) << text;
  EXPECT_NE(text.find("Installed: ~/it's a venv is complete"), std::string::npos) << text;
  EXPECT_NE(text.find("source '/home/ana/it'\\''s a venv/bin/activate'"), std::string::npos)
      << text;
}

TEST(InstallText, AnIncompleteInstallNamesTheStepAndTheProblem) {
  auto report =
      report_with({run("venv", StepOutcomeKind::kRan),
                   run("pip", StepOutcomeKind::kInterrupted, "interrupted (SIGINT)"),
                   run("link", StepOutcomeKind::kNotReached, "an earlier step did not finish")});
  report.problem = "step 2 (pip): interrupted (SIGINT). … run the same tfgpu install again";
  const auto text = render_install_text(report, plain());
  EXPECT_NE(text.find("xx title of pip: interrupted (SIGINT)"), std::string::npos) << text;
  EXPECT_NE(text.find("-- title of link: an earlier step did not finish"), std::string::npos)
      << text;
  EXPECT_NE(text.find("xx Not complete: step 2 (pip)"), std::string::npos) << text;
  EXPECT_EQ(text.find("Installed:"), std::string::npos);
}

}  // namespace
}  // namespace tfgpu::report
