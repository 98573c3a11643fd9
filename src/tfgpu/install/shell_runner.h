// SPDX-License-Identifier: Apache-2.0
#pragma once
// Runs one of a plan's commands the way the user would: `/bin/sh -c COMMAND` with this process's
// environment, its output passed straight through to a file descriptor (tfgpu's stderr) so that
// pip's progress shows as it happens, under a deadline. The command is exactly the text the plan
// prints, quoting included, so what tfgpu shows is what it runs.
//
// The child leads its own process group, so a timeout or an interruption stops the whole command
// (pip and whatever it started), not just the shell. Ctrl-C in the terminal reaches only tfgpu's
// group: InterruptGuard catches SIGINT, SIGTERM and SIGHUP for the whole install, run_shell passes
// them on to the running command and reports the step as interrupted, and the installer then
// stops cleanly with the venv's record saying which step did not finish.

#include <chrono>
#include <csignal>
#include <string>

namespace tfgpu::install {

enum class ShellEnd {
  kExited,        // exit_code says how
  kSignaled,      // killed by a signal it did not get from us (signal_name)
  kTimedOut,      // still running at the deadline: its group got SIGTERM, then SIGKILL
  kInterrupted,   // tfgpu got SIGINT/SIGTERM/SIGHUP while it ran; passed on to its group
  kCouldNotStart  // fork failed (error says why); exec failures are sh's "exit 127"
};

struct ShellRun {
  ShellEnd end = ShellEnd::kExited;
  int exit_code = 0;
  std::string signal_name;  // kSignaled, kInterrupted: "SIGINT"
  std::string error;        // kCouldNotStart
  double seconds = 0;

  bool succeeded() const { return end == ShellEnd::kExited && exit_code == 0; }

  // "exit 1", "killed by SIGSEGV", "timed out after 1800 s", "interrupted (SIGINT)".
  std::string describe(std::chrono::seconds timeout) const;
};

struct ShellOptions {
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};
  int output_fd = 2;  // the command's stdout and stderr; its stdin is /dev/null
  // How long a command may take to stop after SIGTERM/SIGINT before its group gets SIGKILL.
  std::chrono::milliseconds grace{std::chrono::seconds(10)};
};

ShellRun run_shell(const std::string& command, const ShellOptions& options);

// While alive, SIGINT, SIGTERM and SIGHUP set a flag instead of killing tfgpu; the previous
// handlers come back, and the flag is cleared, when it ends. One at a time.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // The signal received since the guard was made (0 if none).
  static int received();

 private:
  struct sigaction previous_[3] = {};
};

}  // namespace tfgpu::install
