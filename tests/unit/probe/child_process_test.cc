// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace tfgpu::probe {
namespace {

using namespace std::chrono_literals;

// True when this process has no child left to reap (no zombie was left behind).
bool no_children_left() {
  errno = 0;
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

TEST(ChildProcessTest, ReturnsTheWorksOutput) {
  auto outcome = run_in_child([] { return std::string("hello from ") + "the child"; }, 5s);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->end, ChildEnd::kExited);
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_EQ(outcome->output, "hello from the child");
  EXPECT_EQ(outcome->describe(), "exited");
  EXPECT_TRUE(no_children_left());
}

TEST(ChildProcessTest, ChildStateDoesNotLeakIntoTheParent) {
  int counter = 0;
  auto outcome = run_in_child(
      [&counter] {
        counter = 42;
        return std::to_string(counter);
      },
      5s);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->output, "42");
  EXPECT_EQ(counter, 0);
}

TEST(ChildProcessTest, KillsASleepingChildAtTheDeadline) {
  auto outcome = run_in_child(
      [] {
        ::sleep(30);
        return std::string("too late");
      },
      300ms);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->end, ChildEnd::kTimeout);
  EXPECT_EQ(outcome->describe(), "timeout");
  EXPECT_GE(outcome->elapsed, 300ms);
  EXPECT_LT(outcome->elapsed, 1300ms);
  EXPECT_TRUE(outcome->output.empty());
  EXPECT_TRUE(no_children_left());
}

TEST(ChildProcessTest, ReportsACrashBySignalName) {
  auto outcome = run_in_child(
      [] {
        ::signal(SIGSEGV, SIG_DFL);  // a sanitizer's handler would turn it into an exit code
        ::raise(SIGSEGV);
        return std::string("unreachable");
      },
      5s);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->end, ChildEnd::kSignaled);
  EXPECT_EQ(outcome->signal_name, "SIGSEGV");
  EXPECT_EQ(outcome->describe(), "signal SIGSEGV");
  EXPECT_TRUE(no_children_left());
}

TEST(ChildProcessTest, ThrowingWorkExitsWithItsOwnCode) {
  auto outcome = run_in_child([]() -> std::string { throw std::runtime_error("boom"); }, 5s);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->end, ChildEnd::kExited);
  EXPECT_EQ(outcome->exit_code, kChildWorkThrew);
  EXPECT_EQ(outcome->describe(), "exited 70");
}

TEST(ChildProcessTest, CarriesOutputLargerThanThePipeBuffer) {
  // 1 MiB: far beyond the 64 KiB pipe buffer, so the parent must drain while the child writes.
  std::string expected(1 << 20, '\0');
  for (std::size_t i = 0; i < expected.size(); ++i) {
    expected[i] = static_cast<char>('a' + i % 26);
  }
  auto outcome = run_in_child([&expected] { return expected; }, 10s);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->end, ChildEnd::kExited);
  EXPECT_EQ(outcome->output.size(), expected.size());
  EXPECT_TRUE(outcome->output == expected);
}

TEST(ChildProcessTest, OutputOverTheLimitIsAnError) {
  auto outcome = run_in_child([] { return std::string(200000, 'x'); }, 10s, 100000);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, Errc::kTooLarge);
  EXPECT_TRUE(no_children_left());
}

// ---- run_command ----

constexpr const char* kShell = "/bin/sh";

TEST(RunCommandTest, CapturesStdoutAndStderrAndTheExitCode) {
  auto outcome = run_command({kShell, "-c", "echo out; echo err >&2; exit 3"}, {}, 5s);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->end, ChildEnd::kExited);
  EXPECT_EQ(outcome->exit_code, 3);
  EXPECT_EQ(outcome->output, "out\nerr\n");
  EXPECT_TRUE(no_children_left());
}

TEST(RunCommandTest, PassesOnlyTheGivenEnvironment) {
  ::setenv("TFGPU_TEST_NOT_PASSED", "leak", 1);
  auto outcome =
      run_command({kShell, "-c", "echo \"[$TFGPU_TEST_PASSED][$TFGPU_TEST_NOT_PASSED]\""},
                  {"TFGPU_TEST_PASSED=yes"}, 5s);
  ::unsetenv("TFGPU_TEST_NOT_PASSED");
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->output, "[yes][]\n");
}

TEST(RunCommandTest, RunsInTheWorkingDirectoryWithNothingButStdio) {
  // An fd this process opened without O_CLOEXEC must not reach the program. (A high number: the
  // shell keeps low ones of its own.)
  constexpr int kLeaked = 77;
  const int opened = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(opened, 0);
  ASSERT_EQ(::dup2(opened, kLeaked), kLeaked);
  ::close(opened);
  CommandOptions options;
  options.working_directory = "/proc";
  auto outcome =
      run_command({kShell, "-c", "pwd; for fd in /proc/self/fd/*; do echo ${fd##*/}; done; cat"},
                  {}, 5s, options);
  ::close(kLeaked);
  ASSERT_TRUE(outcome) << outcome->output;
  EXPECT_EQ(outcome->output.substr(0, 6), "/proc\n");
  EXPECT_NE(outcome->output.find("\n2\n"), std::string::npos) << outcome->output;
  EXPECT_EQ(outcome->output.find("\n77\n"), std::string::npos) << outcome->output;
  EXPECT_EQ(outcome->exit_code, 0);
}

TEST(RunCommandTest, KillsAHungCommandAtTheDeadline) {
  auto outcome = run_command({kShell, "-c", "echo started; exec sleep 30"}, {}, 300ms);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->end, ChildEnd::kTimeout);
  EXPECT_EQ(outcome->output, "started\n");
  EXPECT_LT(outcome->elapsed, 1300ms);
  EXPECT_TRUE(no_children_left());
}

TEST(RunCommandTest, ExecFailureIsExit127WithTheReason) {
  auto outcome = run_command({"/nonexistent/tfgpu-no-such-program"}, {}, 5s);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->exit_code, kChildExecFailed);
  EXPECT_EQ(outcome->output, "exec /nonexistent/tfgpu-no-such-program: No such file or directory");
  EXPECT_TRUE(no_children_left());

  auto empty = run_command({}, {}, 5s);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::kInvalidArgument);
}

TEST(RunCommandTest, OutputOverTheLimitIsAnError) {
  CommandOptions options;
  options.max_output_bytes = 1000;
  auto outcome =
      run_command({kShell, "-c", "while :; do echo xxxxxxxxxxxxxxxx; done"}, {}, 5s, options);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, Errc::kTooLarge);
  EXPECT_TRUE(no_children_left());
}

// ---- start_* + finish_children: children that run at the same time ----

using Clock = std::chrono::steady_clock;

// How long the "sleeping" children of the concurrency tests take.
constexpr std::chrono::milliseconds kSleep(400);

std::string sleep_then(std::chrono::milliseconds pause, std::string text) {
  ::usleep(static_cast<useconds_t>(pause.count() * 1000));
  return text;
}

// `size` bytes of a pattern that differs per `seed`, so two outputs cannot be confused.
std::string pattern(std::size_t size, char seed) {
  std::string text(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    text[i] = static_cast<char>(seed + static_cast<char>(i % 23));
  }
  return text;
}

// Whether `pid` still exists as a process of ours (running or a zombie).
bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0;
}

TEST(RunningChildrenTest, TwoSleepersStartedTogetherTakeOneSleep) {
  const auto start = Clock::now();
  auto first = start_in_child([] { return sleep_then(kSleep, "first"); });
  auto second = start_command({kShell, "-c", "sleep 0.4; echo second"}, {});
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(second) << second.error().message;
  std::array<RunningChild*, 2> children = {&*first, &*second};
  auto outcomes = finish_children(children, 5s);
  const auto elapsed = Clock::now() - start;
  ASSERT_EQ(outcomes.size(), 2u);
  ASSERT_TRUE(outcomes[0]) << outcomes[0].error().message;
  ASSERT_TRUE(outcomes[1]) << outcomes[1].error().message;
  EXPECT_EQ(outcomes[0]->output, "first");
  EXPECT_EQ(outcomes[1]->output, "second\n");
  EXPECT_GE(elapsed, kSleep);
  EXPECT_LT(elapsed, 2 * kSleep - 50ms);  // serially it would take two sleeps
  EXPECT_EQ(first->pid(), -1);
  EXPECT_EQ(second->pid(), -1);
  EXPECT_TRUE(no_children_left());
}

TEST(RunningChildrenTest, FinishingOneAfterAnotherAlsoOverlaps) {
  const auto start = Clock::now();
  auto first = start_in_child([] { return sleep_then(kSleep, "first"); });
  auto second = start_in_child([] { return sleep_then(kSleep, "second"); });
  ASSERT_TRUE(first && second);
  auto first_outcome = finish_child(*first, 5s);
  auto second_outcome = finish_child(*second, 5s);
  ASSERT_TRUE(first_outcome && second_outcome);
  EXPECT_EQ(first_outcome->output, "first");
  EXPECT_EQ(second_outcome->output, "second");
  EXPECT_LT(Clock::now() - start, 2 * kSleep - 50ms);
  EXPECT_TRUE(no_children_left());
}

TEST(RunningChildrenTest, AChildBlockedOnAFullPipeCompletesWhenFinishedInTurn) {
  // The second child fills its pipe and blocks while the first is collected; it is drained in
  // its turn, well within its deadline.
  const std::string big = pattern(1 << 20, 'a');
  auto first = start_in_child([] { return sleep_then(200ms, "first"); });
  auto second = start_in_child([&big] { return big; });
  ASSERT_TRUE(first && second);
  auto first_outcome = finish_child(*first, 5s);
  auto second_outcome = finish_child(*second, 5s);
  ASSERT_TRUE(first_outcome && second_outcome);
  EXPECT_EQ(first_outcome->output, "first");
  EXPECT_EQ(second_outcome->end, ChildEnd::kExited);
  EXPECT_TRUE(second_outcome->output == big);
  EXPECT_TRUE(no_children_left());
}

TEST(RunningChildrenTest, AnUnfinishedChildIsKilledAndReapedByItsDestructor) {
  pid_t pid = -1;
  {
    auto child = start_command({kShell, "-c", "exec sleep 30"}, {});
    ASSERT_TRUE(child) << child.error().message;
    pid = child->pid();
    ASSERT_GT(pid, 0);
    EXPECT_TRUE(process_exists(pid));
  }
  // Killed and reaped: not even a zombie is left.
  EXPECT_FALSE(process_exists(pid));
  EXPECT_EQ(errno, ESRCH);
  EXPECT_TRUE(no_children_left());
}

TEST(RunningChildrenTest, MovingAChildKeepsItAndAssigningOverOneKillsTheOld) {
  auto first = start_in_child([] { return sleep_then(30s, "never"); });
  auto second = start_in_child([] { return std::string("kept"); });
  ASSERT_TRUE(first && second);
  const pid_t first_pid = first->pid();
  const pid_t second_pid = second->pid();
  RunningChild moved = std::move(*second);
  EXPECT_EQ(second->pid(), -1);
  EXPECT_EQ(moved.pid(), second_pid);
  *first = std::move(moved);  // the sleeper is killed and reaped here
  EXPECT_FALSE(process_exists(first_pid));
  auto outcome = finish_child(*first, 5s);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->output, "kept");
  // Finishing again, or finishing a moved-from child, is an error, not a hang.
  auto again = finish_child(*first, 5s);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kInvalidArgument);
  EXPECT_FALSE(finish_child(*second, 5s));
  EXPECT_TRUE(no_children_left());
}

TEST(RunningChildrenTest, EachChildKeepsItsOwnDeadline) {
  // A hung child and a quick one: the quick one's outcome is not held up, the hung one is killed
  // at its deadline and not before.
  const auto start = Clock::now();
  auto hung = start_command({kShell, "-c", "echo started; exec sleep 30"}, {});
  auto quick = start_in_child([] { return sleep_then(100ms, "quick"); });
  ASSERT_TRUE(hung && quick);
  std::array<RunningChild*, 2> children = {&*hung, &*quick};
  auto outcomes = finish_children(children, 500ms);
  const auto elapsed = Clock::now() - start;
  ASSERT_TRUE(outcomes[0] && outcomes[1]);
  EXPECT_EQ(outcomes[0]->end, ChildEnd::kTimeout);
  EXPECT_EQ(outcomes[0]->output, "started\n");
  EXPECT_GE(outcomes[0]->elapsed, 500ms);
  EXPECT_EQ(outcomes[1]->end, ChildEnd::kExited);
  EXPECT_EQ(outcomes[1]->output, "quick");
  EXPECT_LT(outcomes[1]->elapsed, 400ms);
  EXPECT_LT(elapsed, 1500ms);
  EXPECT_TRUE(no_children_left());
}

TEST(RunningChildrenTest, DeadlinesCountFromEachChildsStart) {
  // The second child starts 300 ms after the first and ends 350 ms later, at 650 ms on the
  // common clock: past the first child's deadline (500 ms) but within its own (800 ms).
  auto early = start_in_child([] { return sleep_then(30s, "never"); });
  ASSERT_TRUE(early);
  ::usleep(300'000);
  auto late = start_in_child([] { return sleep_then(350ms, "late but in time"); });
  ASSERT_TRUE(late);
  std::array<RunningChild*, 2> children = {&*early, &*late};
  auto outcomes = finish_children(children, 500ms);
  ASSERT_TRUE(outcomes[0] && outcomes[1]);
  EXPECT_EQ(outcomes[0]->end, ChildEnd::kTimeout);
  EXPECT_EQ(outcomes[1]->end, ChildEnd::kExited);
  EXPECT_EQ(outcomes[1]->output, "late but in time");
  EXPECT_TRUE(no_children_left());
}

TEST(RunningChildrenTest, AChildThatEndedInTimeIsNotATimeoutWhenCollectedLate) {
  // Collected only after its deadline has passed (this process was busy), but it had exited
  // well before it: its real outcome, not "timeout".
  auto child = start_in_child([] { return std::string("done early"); });
  ASSERT_TRUE(child);
  ::usleep(400'000);
  auto outcome = finish_child(*child, 200ms);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->end, ChildEnd::kExited);
  EXPECT_EQ(outcome->output, "done early");
  EXPECT_TRUE(no_children_left());
}

TEST(RunningChildrenTest, LargeOutputsOfConcurrentChildrenAreBothComplete) {
  // 1 MiB each, far beyond the 64 KiB pipe buffer: both pipes must be drained while both run.
  const std::string one = pattern(1 << 20, 'a');
  const std::string two = pattern((1 << 20) + 7, 'A');
  auto first = start_in_child([&one] { return one; });
  auto second = start_in_child([&two] { return two; });
  auto third = start_command({kShell, "-c", "head -c 300000 /dev/zero"}, {});
  ASSERT_TRUE(first && second && third);
  std::array<RunningChild*, 3> children = {&*first, &*second, &*third};
  auto outcomes = finish_children(children, 10s);
  ASSERT_TRUE(outcomes[0] && outcomes[1] && outcomes[2]);
  EXPECT_EQ(outcomes[0]->end, ChildEnd::kExited);
  EXPECT_EQ(outcomes[0]->output.size(), one.size());
  EXPECT_TRUE(outcomes[0]->output == one);
  EXPECT_EQ(outcomes[1]->output.size(), two.size());
  EXPECT_TRUE(outcomes[1]->output == two);
  EXPECT_EQ(outcomes[2]->output, std::string(300000, '\0'));
  EXPECT_TRUE(no_children_left());
}

TEST(RunningChildrenTest, EachResultIsReportedAsSoonAsItsChildEnds) {
  const auto start = Clock::now();
  auto slow = start_in_child([] { return sleep_then(500ms, "slow"); });
  auto quick = start_in_child([] { return sleep_then(50ms, "quick"); });
  ASSERT_TRUE(slow && quick);
  std::vector<std::pair<std::size_t, Clock::duration>> reports;
  std::vector<std::string> outputs;
  std::array<RunningChild*, 3> children = {&*slow, nullptr, &*quick};
  auto outcomes =
      finish_children(children, 5s, [&](std::size_t index, const Result<ChildOutcome>& outcome) {
        reports.emplace_back(index, Clock::now() - start);
        outputs.push_back(outcome ? outcome->output : "error");
      });
  ASSERT_EQ(reports.size(), 3u);
  // The invalid entry at once, the quick child long before the slow one ends, each once.
  EXPECT_EQ(reports[0].first, 1u);
  EXPECT_EQ(reports[1].first, 2u);
  EXPECT_LT(reports[1].second, 400ms);
  EXPECT_EQ(reports[2].first, 0u);
  EXPECT_GE(reports[2].second, 500ms);
  EXPECT_EQ(outputs, (std::vector<std::string>{"error", "quick", "slow"}));
  ASSERT_TRUE(outcomes[0] && outcomes[2]);
  EXPECT_EQ(outcomes[0]->output, "slow");
  EXPECT_TRUE(no_children_left());
}

TEST(RunningChildrenTest, OneChildsErrorLeavesTheOthersOutcomes) {
  CommandOptions options;
  options.max_output_bytes = 1000;
  auto flood =
      start_command({kShell, "-c", "while :; do echo xxxxxxxxxxxxxxxx; done"}, {}, options);
  auto fine = start_in_child([] { return sleep_then(100ms, "fine"); });
  ASSERT_TRUE(flood && fine);
  std::array<RunningChild*, 3> children = {&*flood, nullptr, &*fine};
  auto outcomes = finish_children(children, 5s);
  ASSERT_FALSE(outcomes[0]);
  EXPECT_EQ(outcomes[0].error().code, Errc::kTooLarge);
  EXPECT_EQ(outcomes[0].error().message.rfind(std::string(kShell) + ": ", 0), 0u)
      << outcomes[0].error().message;
  ASSERT_FALSE(outcomes[1]);
  EXPECT_EQ(outcomes[1].error().code, Errc::kInvalidArgument);
  ASSERT_TRUE(outcomes[2]) << outcomes[2].error().message;
  EXPECT_EQ(outcomes[2]->output, "fine");
  EXPECT_TRUE(no_children_left());
}

}  // namespace
}  // namespace tfgpu::probe
