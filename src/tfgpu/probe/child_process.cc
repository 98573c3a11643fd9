// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <exception>
#include <string_view>
#include <thread>

#include <fmt/format.h>

namespace tfgpu::probe {
namespace {

using Clock = std::chrono::steady_clock;

Error errno_error(const char* what) {
  return Error{Errc::kIo, fmt::format("{}: {}", what, ::strerror(errno)), errno};
}

// Closes a file descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}

  ~Fd() { reset(); }

  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }

  void reset() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

 private:
  int fd_;
};

// The child side: run `work`, write its result, _exit. Never returns.
[[noreturn]] void child_main(const std::function<std::string()>& work, int write_fd, pid_t parent) {
  // Die with the parent; if it is already gone (reparented), do not run at all.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) {
    ::_exit(kChildWorkThrew);
  }
  std::string output;
  try {
    output = work();
  } catch (...) {
    ::_exit(kChildWorkThrew);
  }
  const char* data = output.data();
  std::size_t left = output.size();
  while (left > 0) {
    ssize_t written = ::write(write_fd, data, left);
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      ::_exit(kChildWorkThrew);
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  ::_exit(0);
}

// waitpid that retries on EINTR.
enum class WaitState { kRunning, kReaped, kGone };

struct WaitResult {
  WaitState state = WaitState::kRunning;
  int status = 0;  // kReaped only
};

WaitResult wait_for(pid_t pid, int options) {
  for (;;) {
    int status = 0;
    pid_t result = ::waitpid(pid, &status, options);
    if (result == pid) {
      return {WaitState::kReaped, status};
    }
    if (result == 0) {
      return {WaitState::kRunning, 0};
    }
    if (errno != EINTR) {
      // ECHILD: reaped elsewhere (SIGCHLD set to SIG_IGN); nothing is left to wait for.
      return {WaitState::kGone, 0};
    }
  }
}

void kill_and_reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  wait_for(pid, 0);
}

ChildOutcome outcome_from_status(int status) {
  ChildOutcome outcome;
  if (WIFSIGNALED(status)) {
    outcome.end = ChildEnd::kSignaled;
    outcome.signal_name = signal_name(WTERMSIG(status));
  } else {
    outcome.end = ChildEnd::kExited;
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return outcome;
}

}  // namespace

std::string ChildOutcome::describe() const {
  switch (end) {
    case ChildEnd::kExited:
      return exit_code == 0 ? "exited" : fmt::format("exited {}", exit_code);
    case ChildEnd::kTimeout:
      return "timeout";
    case ChildEnd::kSignaled:
      return "signal " + signal_name;
  }
  return "unknown";
}

std::string signal_name(int signal_number) {
  // sigabbrev_np (glibc 2.32) gives "SEGV" without the prefix.
  const char* abbreviation = ::sigabbrev_np(signal_number);
  return abbreviation != nullptr ? fmt::format("SIG{}", abbreviation)
                                 : fmt::format("signal {}", signal_number);
}

namespace {

// The parent side, shared by run_in_child and run_command: read `read_fd` until EOF or the
// deadline, then reap. Every return leaves no child behind (killed and reaped on every error).
Result<ChildOutcome> collect(pid_t pid, int read_fd, Clock::time_point start,
                             std::chrono::milliseconds timeout, std::size_t max_output_bytes) {
  const auto deadline = start + timeout;
  auto elapsed = [&start] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  };
  auto remaining_ms = [&deadline] {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
  };
  auto timed_out = [&](std::string output) -> Result<ChildOutcome> {
    kill_and_reap(pid);
    ChildOutcome outcome;
    outcome.end = ChildEnd::kTimeout;
    outcome.output = std::move(output);
    outcome.elapsed = elapsed();
    return outcome;
  };

  std::string output;
  std::array<char, 1 << 16> buffer{};
  for (;;) {
    if (Clock::now() >= deadline) {
      return timed_out(std::move(output));
    }
    pollfd poll_fd{read_fd, POLLIN, 0};
    int ready = ::poll(&poll_fd, 1, remaining_ms());
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      Error error = errno_error("poll");
      kill_and_reap(pid);
      return tl::unexpected<Error>(error);
    }
    if (ready == 0) {
      continue;  // the deadline check above ends the loop
    }
    ssize_t got = ::read(read_fd, buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) {
        continue;
      }
      Error error = errno_error("read");
      kill_and_reap(pid);
      return tl::unexpected<Error>(error);
    }
    if (got == 0) {
      break;  // EOF: the child exited (or closed the pipe and is about to)
    }
    output.append(buffer.data(), static_cast<std::size_t>(got));
    if (output.size() > max_output_bytes) {
      kill_and_reap(pid);
      return make_error(Errc::kTooLarge,
                        fmt::format("child output exceeds {} bytes", max_output_bytes));
    }
  }

  // EOF seen: reap, still bounded by the deadline (a child could close the pipe and hang).
  std::chrono::microseconds pause(50);
  for (;;) {
    WaitResult waited = wait_for(pid, WNOHANG);
    if (waited.state == WaitState::kGone) {
      return make_error(Errc::kInternal,
                        "child process was reaped elsewhere (is SIGCHLD ignored?)");
    }
    if (waited.state == WaitState::kReaped) {
      ChildOutcome outcome = outcome_from_status(waited.status);
      outcome.output = std::move(output);
      outcome.elapsed = elapsed();
      return outcome;
    }
    if (Clock::now() >= deadline) {
      return timed_out(std::move(output));
    }
    // The child closes the pipe as it exits, so it is normally reaped within microseconds: poll
    // fast first, then back off to 2 ms.
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(2000));
  }
}

// Write all of `text` to `fd`, ignoring failure (the child is about to _exit).
void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return;
    }
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

// The command child: wire the pipe to stdout and stderr, drop every other descriptor, exec.
[[noreturn]] void exec_child(char* const* argv, char* const* envp, const std::string& directory,
                             int write_fd, pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) {
    ::_exit(kChildExecFailed);
  }
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0 || ::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(write_fd, STDOUT_FILENO) < 0 ||
      ::dup2(write_fd, STDERR_FILENO) < 0) {
    ::_exit(kChildExecFailed);
  }
  // Descriptors this process opened without O_CLOEXEC must not reach the program.
  ::close_range(3, ~0U, 0);
  if (!directory.empty() && ::chdir(directory.c_str()) != 0) {
    write_all(STDOUT_FILENO, fmt::format("chdir {}: {}", directory, ::strerror(errno)));
    ::_exit(kChildExecFailed);
  }
  ::execve(argv[0], argv, envp);
  write_all(STDOUT_FILENO, fmt::format("exec {}: {}", argv[0], ::strerror(errno)));
  ::_exit(kChildExecFailed);
}

}  // namespace

Result<ChildOutcome> run_in_child(const std::function<std::string()>& work,
                                  std::chrono::milliseconds timeout, std::size_t max_output_bytes) {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    return tl::unexpected<Error>(errno_error("pipe2"));
  }
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  const auto start = Clock::now();
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    return tl::unexpected<Error>(errno_error("fork"));
  }
  if (pid == 0) {
    read_end.reset();
    child_main(work, write_end.get(), parent);
  }
  write_end.reset();  // so EOF arrives when the child exits
  return collect(pid, read_end.get(), start, timeout, max_output_bytes);
}

Result<ChildOutcome> run_command(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env,
                                 std::chrono::milliseconds timeout, const CommandOptions& options) {
  if (argv.empty() || argv.front().empty()) {
    return make_error(Errc::kInvalidArgument, "run_command: empty argv");
  }
  // The pointer arrays are built before fork: the child only reads them.
  std::vector<char*> argv_pointers;
  for (const std::string& arg : argv) {
    argv_pointers.push_back(const_cast<char*>(arg.c_str()));  // execve does not write them
  }
  argv_pointers.push_back(nullptr);
  std::vector<char*> env_pointers;
  for (const std::string& entry : env) {
    env_pointers.push_back(const_cast<char*>(entry.c_str()));
  }
  env_pointers.push_back(nullptr);

  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    return tl::unexpected<Error>(errno_error("pipe2"));
  }
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  const auto start = Clock::now();
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    return tl::unexpected<Error>(errno_error("fork"));
  }
  if (pid == 0) {
    exec_child(argv_pointers.data(), env_pointers.data(), options.working_directory,
               write_end.get(), parent);
  }
  write_end.reset();
  auto outcome = collect(pid, read_end.get(), start, timeout, options.max_output_bytes);
  if (!outcome) {
    return tl::unexpected(outcome.error().with_context(argv.front()));
  }
  return outcome;
}

}  // namespace tfgpu::probe
