// SPDX-License-Identifier: Apache-2.0
// The installer against a fake command runner: which steps run, in which order, what the record in
// the venv says after success, failure, interruption and a kill mid-step, and how a re-run resumes.
#include "tfgpu/install/installer.h"

#include <map>

#include <gtest/gtest.h>

#include "temp_tree.h"

namespace tfgpu::install {
namespace {

using model::StepOutcomeKind;
using model::StepState;

model::PlanStep step(std::string id, std::vector<std::string> commands, bool root = false) {
  model::PlanStep out;
  out.id = std::move(id);
  out.title = "title of " + out.id;
  out.commands = std::move(commands);
  out.needs_root = root;
  out.shown_only = root;
  out.reboot = root;
  return out;
}

model::Plan wheel_plan(const std::string& venv) {
  model::Plan plan;
  plan.tensorflow.version = "2.21.0";
  plan.tensorflow.python = "3.11";
  plan.gpu_usable = true;
  plan.steps = {step("driver", {"sudo ubuntu-drivers install"}, true),
                step("venv", {"python3.11 -m venv " + venv}),
                step("pip", {venv + "/bin/python -m pip install \"tensorflow[and-cuda]==2.21.0\""}),
                step("link_libraries", {"ln -s a b", "ln -s c d"}),
                step("verify", {"tfgpu verify --python " + venv + "/bin/python"})};
  return plan;
}

// Runs nothing; answers each command with the result set for it (default: exit 0).
struct FakeRunner {
  std::vector<std::string> ran;
  std::map<std::string, ShellRun> results;

  RunCommand runner() {
    return [this](const std::string& command) {
      ran.push_back(command);
      auto found = results.find(command);
      ShellRun run = found != results.end() ? found->second : ShellRun{};
      run.seconds = 1.5;
      return run;
    };
  }
};

ShellRun exited(int code) {
  ShellRun run;
  run.exit_code = code;
  return run;
}

Clock fixed_clock(std::string when) {
  return [when] {
    return when;
  };
}

TargetDir inspected(const std::string& path) {
  auto target = inspect_target(path);
  EXPECT_TRUE(target) << target.error().message;
  return target ? *target : TargetDir{};
}

InstallOptions options() {
  InstallOptions out;
  out.tool_version = "0.1.0";
  out.step_timeout = std::chrono::seconds(60);
  return out;
}

TEST(Installer, RunsTheUserSpaceStepsInOrderAndRecordsThemComplete) {
  TempTree tree;
  const std::string venv = tree.root() + "/new/venv";
  const auto plan = wheel_plan(venv);
  FakeRunner fake;
  std::vector<std::string> progress;
  const auto report = install(
      plan, inspected(venv), options(), fake.runner(),
      [&](const std::string& line) { progress.push_back(line); }, fixed_clock("T1"));

  EXPECT_TRUE(report.complete) << report.problem;
  EXPECT_EQ(fake.ran,
            (std::vector<std::string>{plan.steps[1].commands[0], plan.steps[2].commands[0],
                                      "ln -s a b", "ln -s c d"}));
  ASSERT_EQ(report.steps.size(), 4u);  // verify is the caller's
  EXPECT_EQ(report.steps[0].outcome, StepOutcomeKind::kShownOnly);
  EXPECT_TRUE(report.steps[0].needs_root);
  EXPECT_EQ(report.steps[1].outcome, StepOutcomeKind::kRan);
  EXPECT_EQ(report.steps[3].outcome, StepOutcomeKind::kRan);
  EXPECT_DOUBLE_EQ(report.steps[3].seconds, 3.0);  // both commands
  EXPECT_EQ(report.python, venv + "/bin/python");
  EXPECT_EQ(progress.front(), "install: [1/3] title of venv");

  const auto after = inspected(venv);
  ASSERT_TRUE(after.record);
  EXPECT_TRUE(after.record->complete);
  EXPECT_EQ(after.record->tensorflow, "2.21.0");
  ASSERT_EQ(after.record->steps.size(), 3u);
  for (const auto& recorded : after.record->steps) {
    EXPECT_EQ(recorded.state, StepState::kDone) << recorded.id;
  }
}

TEST(Installer, AFailedStepStopsTheInstallAndMarksTheVenvIncomplete) {
  TempTree tree;
  const std::string venv = tree.root() + "/venv";
  const auto plan = wheel_plan(venv);
  FakeRunner fake;
  fake.results[plan.steps[2].commands[0]] = exited(1);
  const auto report =
      install(plan, inspected(venv), options(), fake.runner(), {}, fixed_clock("T1"));

  EXPECT_FALSE(report.complete);
  EXPECT_EQ(report.steps[2].outcome, StepOutcomeKind::kFailed);
  EXPECT_EQ(report.steps[2].detail, "exit 1");
  EXPECT_EQ(report.steps[3].outcome, StepOutcomeKind::kNotReached);
  EXPECT_EQ(fake.ran.size(), 2u);
  EXPECT_NE(report.problem.find("step 2 (pip): exit 1"), std::string::npos) << report.problem;
  EXPECT_NE(report.problem.find("marked incomplete"), std::string::npos);

  const auto after = inspected(venv);
  ASSERT_TRUE(after.record);
  EXPECT_FALSE(after.record->complete);
  EXPECT_EQ(after.record->steps[0].state, StepState::kDone);
  EXPECT_EQ(after.record->steps[1].state, StepState::kFailed);
  EXPECT_EQ(after.record->steps[1].detail, "exit 1");
  EXPECT_EQ(after.record->steps[2].state, StepState::kPending);
}

TEST(Installer, AReRunResumesAtTheStepThatDidNotFinish) {
  TempTree tree;
  const std::string venv = tree.root() + "/venv";
  const auto plan = wheel_plan(venv);
  FakeRunner first;
  first.results[plan.steps[2].commands[0]] = exited(1);
  install(plan, inspected(venv), options(), first.runner(), {}, fixed_clock("T1"));

  FakeRunner second;
  std::vector<std::string> progress;
  const auto report = install(
      plan, inspected(venv), options(), second.runner(),
      [&](const std::string& line) { progress.push_back(line); }, fixed_clock("T2"));
  EXPECT_TRUE(report.complete) << report.problem;
  EXPECT_TRUE(report.resumed);
  EXPECT_EQ(report.steps[1].outcome, StepOutcomeKind::kAlreadyDone);
  EXPECT_EQ(report.steps[1].detail, "done by the unfinished tfgpu install of T1");
  EXPECT_EQ(second.ran.front(), plan.steps[2].commands[0]);  // pip again, not the venv
  EXPECT_EQ(progress.front(), "install: resuming the unfinished install of T1 (1 of 3 steps done)");
  const auto after = inspected(venv);
  EXPECT_TRUE(after.record->complete);
  EXPECT_EQ(after.record->started_at, "T1");
  EXPECT_EQ(after.record->updated_at, "T2");
}

TEST(Installer, AStepKilledWhileRunningIsRunAgain) {
  TempTree tree;
  const std::string venv = tree.root() + "/venv";
  const auto plan = wheel_plan(venv);
  FakeRunner first;
  install(plan, inspected(venv), options(), first.runner(), {}, fixed_clock("T1"));
  // What a SIGKILL during pip leaves: the record written before pip started.
  auto record = *inspected(venv).record;
  record.complete = false;
  record.steps[1].state = StepState::kRunning;
  record.steps[2].state = StepState::kPending;
  ASSERT_TRUE(save_record(venv, record));

  FakeRunner second;
  const auto report = install(plan, inspected(venv), options(), second.runner(), {}, {});
  EXPECT_TRUE(report.resumed);
  EXPECT_EQ(second.ran.size(), 3u);  // pip and both link commands
  EXPECT_EQ(report.steps[2].outcome, StepOutcomeKind::kRan);
}

TEST(Installer, ACompleteInstallOfTheSamePlanRunsNothing) {
  TempTree tree;
  const std::string venv = tree.root() + "/venv";
  const auto plan = wheel_plan(venv);
  FakeRunner first;
  install(plan, inspected(venv), options(), first.runner(), {}, fixed_clock("T1"));
  FakeRunner second;
  const auto report = install(plan, inspected(venv), options(), second.runner(), {}, {});
  EXPECT_TRUE(report.complete);
  EXPECT_FALSE(report.resumed);
  EXPECT_TRUE(second.ran.empty());
  EXPECT_EQ(report.steps[2].detail, "done by the tfgpu install of T1");
}

TEST(Installer, AChangedStepRunsAgainWithEverythingAfterIt) {
  TempTree tree;
  const std::string venv = tree.root() + "/venv";
  auto plan = wheel_plan(venv);
  FakeRunner first;
  install(plan, inspected(venv), options(), first.runner(), {}, fixed_clock("T1"));
  plan.steps[2].commands = {venv + "/bin/python -m pip install \"tensorflow[and-cuda]==2.20.0\""};
  FakeRunner second;
  const auto report = install(plan, inspected(venv), options(), second.runner(), {}, {});
  EXPECT_TRUE(report.complete);
  EXPECT_EQ(report.steps[1].outcome, StepOutcomeKind::kAlreadyDone);
  EXPECT_EQ(second.ran,
            (std::vector<std::string>{plan.steps[2].commands[0], "ln -s a b", "ln -s c d"}));
}

TEST(Installer, TheVenvItMadeCountsAsDoneWhicheverInterpreterTheReRunPlansWith) {
  TempTree tree;
  const std::string venv = tree.root() + "/venv";
  auto plan = wheel_plan(venv);
  FakeRunner first;
  first.results[plan.steps[2].commands[0]] = exited(1);
  install(plan, inspected(venv), options(), first.runner(), {}, fixed_clock("T1"));
  tree.write("/venv/pyvenv.cfg", "version = 3.11.7\n");  // what the venv step left
  plan.steps[1].commands = {venv + "/bin/python -m venv " + venv};
  FakeRunner second;
  const auto report = install(plan, inspected(venv), options(), second.runner(), {}, {});
  EXPECT_TRUE(report.resumed);
  EXPECT_EQ(report.steps[1].outcome, StepOutcomeKind::kAlreadyDone);
  EXPECT_EQ(second.ran.front(), plan.steps[2].commands[0]);
}

TEST(Installer, AnInterruptedStepIsMarkedSoAndTheRestIsNotRun) {
  TempTree tree;
  const std::string venv = tree.root() + "/venv";
  const auto plan = wheel_plan(venv);
  FakeRunner fake;
  ShellRun interrupted;
  interrupted.end = ShellEnd::kInterrupted;
  interrupted.signal_name = "SIGINT";
  fake.results[plan.steps[2].commands[0]] = interrupted;
  const auto report = install(plan, inspected(venv), options(), fake.runner(), {}, {});
  EXPECT_EQ(report.steps[2].outcome, StepOutcomeKind::kInterrupted);
  EXPECT_EQ(report.steps[2].detail, "interrupted (SIGINT)");
  EXPECT_EQ(report.steps[3].outcome, StepOutcomeKind::kNotReached);
  EXPECT_EQ(inspected(venv).record->steps[1].state, StepState::kFailed);
}

TEST(Installer, ATimedOutStepSaysAfterHowLong) {
  TempTree tree;
  const std::string venv = tree.root() + "/venv";
  const auto plan = wheel_plan(venv);
  FakeRunner fake;
  ShellRun late;
  late.end = ShellEnd::kTimedOut;
  fake.results[plan.steps[1].commands[0]] = late;
  const auto report = install(plan, inspected(venv), options(), fake.runner(), {}, {});
  EXPECT_EQ(report.steps[1].outcome, StepOutcomeKind::kTimedOut);
  EXPECT_EQ(report.steps[1].detail, "timed out after 60 s");
}

TEST(Installer, ADryRunTouchesNothing) {
  TempTree tree;
  const std::string venv = tree.root() + "/not-yet";
  const auto plan = wheel_plan(venv);
  FakeRunner fake;
  auto dry = options();
  dry.dry_run = true;
  const auto report = install(plan, inspected(venv), dry, fake.runner(), {}, {});
  EXPECT_TRUE(fake.ran.empty());
  EXPECT_FALSE(std::filesystem::exists(venv));
  EXPECT_EQ(report.steps[1].outcome, StepOutcomeKind::kWouldRun);
  EXPECT_EQ(report.steps[0].outcome, StepOutcomeKind::kShownOnly);
  EXPECT_FALSE(report.complete);
}

TEST(Installer, AVenvTheUserMadeIsKeptAndTheRestRunsInIt) {
  TempTree tree;
  tree.write("/venv/pyvenv.cfg", "home = /usr/bin\nversion = 3.11.7\n");
  const std::string venv = tree.root() + "/venv";
  const auto plan = wheel_plan(venv);
  const auto target = inspected(venv);
  ASSERT_TRUE(check_installable(plan, target));
  FakeRunner fake;
  const auto report = install(plan, target, options(), fake.runner(), {}, {});
  EXPECT_TRUE(report.complete);
  EXPECT_EQ(report.steps[1].outcome, StepOutcomeKind::kAlreadyDone);
  EXPECT_EQ(fake.ran.front(), plan.steps[2].commands[0]);
}

TEST(CheckInstallable, RefusesWhatCannotBeInstalledBeforeTouchingAnything) {
  TempTree tree;
  const std::string venv = tree.root() + "/venv";
  auto plan = wheel_plan(venv);
  EXPECT_TRUE(check_installable(plan, inspected(venv)));

  tree.write("/venv/pyvenv.cfg", "version = 3.13.1\n");
  auto other_python = check_installable(plan, inspected(venv));
  ASSERT_FALSE(other_python);
  EXPECT_NE(other_python.error().message.find("a Python 3.13.1 virtual environment"),
            std::string::npos)
      << other_python.error().message;

  tree.write("/notes/todo.txt", "x");
  auto other_dir = check_installable(plan, inspected(tree.root() + "/notes"));
  ASSERT_FALSE(other_dir);
  EXPECT_NE(other_dir.error().message.find("not empty and not a virtual environment"),
            std::string::npos);

  auto needs_python = plan;
  needs_python.steps.insert(needs_python.steps.begin(), step("python", {}, false));
  needs_python.steps.front().shown_only = true;
  needs_python.steps.front().title = "Install Python 3.12";
  auto refused = check_installable(needs_python, inspected(tree.root() + "/fresh"));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("Install Python 3.12"), std::string::npos);

  auto none = plan;
  none.tensorflow.version.reset();
  none.tensorflow.why = "compute capability 3.0 is below every wheel";
  auto no_tf = check_installable(none, inspected(tree.root() + "/fresh"));
  ASSERT_FALSE(no_tf);
  EXPECT_NE(no_tf.error().message.find("below every wheel"), std::string::npos);
}

}  // namespace
}  // namespace tfgpu::install
