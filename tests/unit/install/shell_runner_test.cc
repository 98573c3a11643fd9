// SPDX-License-Identifier: Apache-2.0
// The real /bin/sh: exit codes, output passed through, deadlines that stop the whole process group,
// and Ctrl-C passed on to the running command.
#include "tfgpu/install/shell_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "temp_tree.h"

namespace tfgpu::install {
namespace {

using namespace std::chrono_literals;

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Running or stopped; a zombie (killed, waiting for its reaper) is not alive.
bool process_alive(pid_t pid) {
  const std::string stat = read("/proc/" + std::to_string(pid) + "/stat");
  const auto close_paren = stat.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < stat.size() &&
         stat[close_paren + 2] != 'Z';
}

TEST(RunShell, ReportsTheExitCodeAndPassesOutputThrough) {
  TempTree tree;
  const std::string out = tree.root() + "/out";
  const int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ShellOptions options;
  options.output_fd = fd;
  auto ok = run_shell("echo to-stdout; echo to-stderr >&2; printf '%s' 'a b'\"'\"'c'", options);
  EXPECT_TRUE(ok.succeeded());
  auto failed = run_shell("exit 3", options);
  EXPECT_EQ(failed.end, ShellEnd::kExited);
  EXPECT_EQ(failed.exit_code, 3);
  EXPECT_EQ(failed.describe(60s), "exit 3");
  auto missing = run_shell("no-such-command-tfgpu-test", options);
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_EQ(missing.describe(60s), "exit 127 (command not found)");
  close(fd);
  const auto text = read(out);
  EXPECT_EQ(text.substr(0, 25), "to-stdout\nto-stderr\na b'c");
  EXPECT_NE(text.find("no-such-command-tfgpu-test"), std::string::npos) << text;  // sh's message
}

TEST(RunShell, StdinIsEmpty) {
  ShellOptions options;
  // `read` fails at once on /dev/null instead of waiting for a terminal.
  auto run = run_shell("read line", options);
  EXPECT_EQ(run.exit_code, 1);
}

TEST(RunShell, ADeadlineStopsTheWholeProcessGroup) {
  TempTree tree;
  const std::string pid_file = tree.root() + "/pid";
  ShellOptions options;
  options.timeout = 300ms;
  options.grace = 200ms;
  const auto run = run_shell("sleep 30 & echo $! > '" + pid_file + "'; wait", options);
  EXPECT_EQ(run.end, ShellEnd::kTimedOut);
  EXPECT_LT(run.seconds, 5.0);
  EXPECT_EQ(run.describe(std::chrono::seconds(1800)), "timed out after 1800 s");
  const pid_t background = std::stoi(read(pid_file));
  // The background sleep was in the group: it is gone too (it may linger as a zombie of init for
  // a moment, so give it a little time).
  for (int i = 0; i < 50 && process_alive(background); ++i) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_FALSE(process_alive(background));
}

TEST(RunShell, ACommandThatIgnoresSigtermIsKilledAfterTheGrace) {
  ShellOptions options;
  options.timeout = 200ms;
  options.grace = 200ms;
  const auto run = run_shell("trap '' TERM; sleep 30", options);
  EXPECT_EQ(run.end, ShellEnd::kTimedOut);
  EXPECT_LT(run.seconds, 5.0);
}

TEST(RunShell, CtrlCIsPassedOnAndReported) {
  InterruptGuard guard;
  std::thread interrupter([] {
    std::this_thread::sleep_for(300ms);
    kill(getpid(), SIGINT);
  });
  ShellOptions options;
  options.timeout = 30s;
  const auto run = run_shell("sleep 30", options);
  interrupter.join();
  EXPECT_EQ(run.end, ShellEnd::kInterrupted);
  EXPECT_EQ(run.signal_name, "SIGINT");
  EXPECT_EQ(run.describe(30s), "interrupted (SIGINT)");
  EXPECT_EQ(InterruptGuard::received(), SIGINT);
  EXPECT_LT(run.seconds, 10.0);
}

TEST(RunShell, ACommandKilledByASignalSaysWhich) {
  ShellOptions options;
  const auto run = run_shell("kill -SEGV $$", options);
  EXPECT_EQ(run.end, ShellEnd::kSignaled);
  EXPECT_EQ(run.describe(60s), "killed by SIGSEGV");
}

TEST(InterruptGuard, RestoresTheHandlerItReplaced) {
  struct sigaction before = {};
  sigaction(SIGTERM, nullptr, &before);
  {
    InterruptGuard guard;
    EXPECT_EQ(InterruptGuard::received(), 0);
  }
  struct sigaction after = {};
  sigaction(SIGTERM, nullptr, &after);
  EXPECT_EQ(before.sa_handler, after.sa_handler);
}

}  // namespace
}  // namespace tfgpu::install
