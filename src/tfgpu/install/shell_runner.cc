// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/install/shell_runner.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "tfgpu/base/signal_name.h"

extern char** environ;

namespace tfgpu::install {
namespace {

constexpr int kCaught[] = {SIGINT, SIGTERM, SIGHUP};
volatile std::sig_atomic_t g_received = 0;
// Only a live InterruptGuard's signals count: without one, SIGINT kills tfgpu as usual.
bool g_guarded = false;

void on_signal(int signal_number) {
  g_received = signal_number;
}

// Wait for `pid` until `deadline`; true when it ended (status filled).
bool wait_until(pid_t pid, std::chrono::steady_clock::time_point deadline, int& status,
                bool stop_on_signal) {
  for (;;) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    if (stop_on_signal && g_guarded && g_received != 0) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Ask the group to stop with `first`, then SIGKILL it after the grace period; reaps the leader.
void stop_group(pid_t pid, int first, std::chrono::milliseconds grace, int& status) {
  kill(-pid, first);
  if (!wait_until(pid, std::chrono::steady_clock::now() + grace, status, false)) {
    kill(-pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  kill(-pid, SIGKILL);  // anything of the group still alive (the leader is gone: ESRCH is fine)
}

}  // namespace

std::string ShellRun::describe(std::chrono::seconds timeout) const {
  switch (end) {
    case ShellEnd::kExited:
      return exit_code == 127 ? "exit 127 (command not found)" : fmt::format("exit {}", exit_code);
    case ShellEnd::kSignaled:
      return "killed by " + signal_name;
    case ShellEnd::kTimedOut:
      return fmt::format("timed out after {} s", timeout.count());
    case ShellEnd::kInterrupted:
      return "interrupted (" + signal_name + ")";
    case ShellEnd::kCouldNotStart:
      return "could not start: " + error;
  }
  return "";
}

ShellRun run_shell(const std::string& command, const ShellOptions& options) {
  ShellRun run;
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    run.end = ShellEnd::kCouldNotStart;
    run.error = std::string("fork: ") + std::strerror(errno);
    return run;
  }
  if (pid == 0) {
    // The child: its own group, gone with tfgpu, default signal handling, no stdin.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    for (int signal_number : kCaught) {
      std::signal(signal_number, SIG_DFL);
    }
    std::signal(SIGPIPE, SIG_DFL);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) {
      dup2(null_fd, 0);
    }
    dup2(options.output_fd, 1);
    dup2(options.output_fd, 2);
    const char* argv[] = {"sh", "-c", command.c_str(), nullptr};
    execve("/bin/sh", const_cast<char* const*>(argv), environ);
    _exit(127);
  }
  setpgid(pid, pid);  // also here: no window in which a signal to the group misses the child

  int status = 0;
  const auto deadline = start + options.timeout;
  if (wait_until(pid, deadline, status, true)) {
    if (WIFSIGNALED(status)) {
      run.end = ShellEnd::kSignaled;
      run.signal_name = signal_name(WTERMSIG(status));
    } else {
      run.exit_code = WEXITSTATUS(status);
    }
  } else if (g_guarded && g_received != 0) {
    run.end = ShellEnd::kInterrupted;
    run.signal_name = signal_name(g_received);
    stop_group(pid, g_received == SIGINT ? SIGINT : SIGTERM, options.grace, status);
  } else {
    run.end = ShellEnd::kTimedOut;
    stop_group(pid, SIGTERM, options.grace, status);
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

InterruptGuard::InterruptGuard() {
  g_received = 0;
  g_guarded = true;
  struct sigaction action = {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  for (std::size_t i = 0; i < std::size(kCaught); ++i) {
    sigaction(kCaught[i], &action, &previous_[i]);
  }
}

InterruptGuard::~InterruptGuard() {
  for (std::size_t i = 0; i < std::size(kCaught); ++i) {
    sigaction(kCaught[i], &previous_[i], nullptr);
  }
  g_guarded = false;
  g_received = 0;
}

int InterruptGuard::received() {
  return g_guarded ? g_received : 0;
}

}  // namespace tfgpu::install
