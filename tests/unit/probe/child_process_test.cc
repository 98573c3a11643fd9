// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

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

TEST(ChildProcessTest, NamesSignals) {
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(SIGABRT), "SIGABRT");
  EXPECT_EQ(signal_name(1000), "signal 1000");
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

}  // namespace
}  // namespace tfgpu::probe
