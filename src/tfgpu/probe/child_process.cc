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
#include <chrono>
#include <exception>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <utility>

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

  // Give up ownership: the descriptor, which this no longer closes.
  int release() { return std::exchange(fd_, -1); }

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

// SIGKILL, then reap within a bounded grace period. A child stuck in uninterruptible sleep
// inside a driver call (a wedged cuInit ioctl: D state) cannot die until the kernel call returns;
// waiting for it without a limit would hang tfgpu, so after the grace period it is left behind
// (the kernel reparents it to init when tfgpu exits). Returns the wait result; kRunning means it
// was left behind.
WaitResult kill_and_reap(pid_t pid) {
  constexpr auto kGrace = std::chrono::seconds(2);
  ::kill(pid, SIGKILL);
  const auto give_up = std::chrono::steady_clock::now() + kGrace;
  auto pause = std::chrono::microseconds(50);
  while (true) {
    const WaitResult waited = wait_for(pid, WNOHANG);
    if (waited.state != WaitState::kRunning || std::chrono::steady_clock::now() >= give_up) {
      return waited;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(20000));
  }
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

namespace {

// One child being collected by finish_children. It owns the process and the pipe's read end
// (taken from the RunningChild) until it holds a result, so that no return path leaks either.
struct Collecting {
  enum class Phase { kReading, kReaping, kDone };

  Collecting() = default;
  Collecting(const Collecting&) = delete;
  Collecting& operator=(const Collecting&) = delete;

  ~Collecting() {
    close_pipe();
    if (pid >= 0) {
      kill_and_reap(pid);
    }
  }

  void close_pipe() {
    if (read_fd >= 0) {
      ::close(read_fd);
      read_fd = -1;
    }
  }

  std::chrono::milliseconds elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  }

  // The child is gone (reaped): record its outcome.
  void finish(ChildOutcome outcome) {
    close_pipe();
    pid = -1;
    outcome.output = std::move(output);
    outcome.elapsed = elapsed();
    result = std::move(outcome);
    phase = Phase::kDone;
  }

  // Kill, reap and record `error` (with the command as context).
  void fail(const Error& error) {
    close_pipe();
    if (pid >= 0) {
      kill_and_reap(pid);
      pid = -1;
    }
    result = tl::unexpected(label.empty() ? error : error.with_context(label));
    phase = Phase::kDone;
  }

  pid_t pid = -1;
  int read_fd = -1;
  Clock::time_point start;
  Clock::time_point deadline;
  std::size_t max_output_bytes = 0;
  std::string label;
  Phase phase = Phase::kReading;
  std::string output;
  std::optional<Result<ChildOutcome>> result;
};

// One read(2) from a child whose pipe poll() reported ready: append, or see EOF and start reaping.
void read_once(Collecting& child, std::span<char> buffer) {
  const ssize_t got = ::read(child.read_fd, buffer.data(), buffer.size());
  if (got < 0) {
    if (errno != EINTR && errno != EAGAIN) {
      child.fail(errno_error("read"));
    }
    return;
  }
  if (got == 0) {
    // EOF: the child exited (or closed the pipe and is about to).
    child.close_pipe();
    child.phase = Collecting::Phase::kReaping;
    return;
  }
  child.output.append(buffer.data(), static_cast<std::size_t>(got));
  if (child.output.size() > child.max_output_bytes) {
    child.fail(Error{Errc::kTooLarge,
                     fmt::format("child output exceeds {} bytes", child.max_output_bytes),
                     std::nullopt});
  }
}

// waitpid(WNOHANG) for a child past EOF; records the outcome once it is reaped.
void try_reap(Collecting& child) {
  WaitResult waited = wait_for(child.pid, WNOHANG);
  if (waited.state == WaitState::kGone) {
    child.pid = -1;  // nothing left to kill or reap
    child.fail(Error{Errc::kInternal, "child process was reaped elsewhere (is SIGCHLD ignored?)",
                     std::nullopt});
  } else if (waited.state == WaitState::kReaped) {
    child.finish(outcome_from_status(waited.status));
  }
}

// The child's deadline has passed. First take what it has already done, without waiting: the
// output already in the pipe, and its exit if it has exited (it may have finished in time while
// another child was being read). Then SIGKILL and reap; if it had reached EOF and the status shows
// an exit of its own rather than our SIGKILL, the kill came after it ended and that is its outcome.
void expire(Collecting& child, std::span<char> buffer) {
  while (child.phase == Collecting::Phase::kReading) {
    pollfd poll_fd{child.read_fd, POLLIN, 0};
    const int ready = ::poll(&poll_fd, 1, 0);
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      break;  // nothing more written yet (a poll error is taken as that: the child is killed)
    }
    read_once(child, buffer);
  }
  if (child.phase == Collecting::Phase::kReaping) {
    try_reap(child);
  }
  if (child.phase == Collecting::Phase::kDone) {
    return;
  }
  const bool saw_eof = child.phase == Collecting::Phase::kReaping;
  const WaitResult waited = kill_and_reap(child.pid);
  child.pid = -1;
  if (waited.state == WaitState::kReaped && saw_eof &&
      !(WIFSIGNALED(waited.status) && WTERMSIG(waited.status) == SIGKILL)) {
    child.finish(outcome_from_status(waited.status));
    return;
  }
  ChildOutcome outcome;
  outcome.end = ChildEnd::kTimeout;
  child.finish(std::move(outcome));
}

timespec to_timespec(Clock::duration duration) {
  const auto nanoseconds = std::max<long long>(
      0, std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count());
  return timespec{static_cast<time_t>(nanoseconds / 1'000'000'000),
                  static_cast<long>(nanoseconds % 1'000'000'000)};
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
  // Move both descriptors above 2 first: if tfgpu was started with stdin/stdout/stderr closed,
  // pipe2() or open() may have returned 0-2, and dup2(fd, fd) would keep O_CLOEXEC set (the
  // stream would vanish at exec) or one dup2 would overwrite the other.
  const int pipe_fd = ::fcntl(write_fd, F_DUPFD_CLOEXEC, 3);
  const int opened = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int null_fd = opened < 0 ? -1 : ::fcntl(opened, F_DUPFD_CLOEXEC, 3);
  if (pipe_fd < 0 || null_fd < 0 || ::dup2(null_fd, STDIN_FILENO) < 0 ||
      ::dup2(pipe_fd, STDOUT_FILENO) < 0 || ::dup2(pipe_fd, STDERR_FILENO) < 0) {
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

RunningChild::RunningChild(RunningChild&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      read_fd_(std::exchange(other.read_fd_, -1)),
      start_(other.start_),
      max_output_bytes_(other.max_output_bytes_),
      label_(std::move(other.label_)) {}

RunningChild& RunningChild::operator=(RunningChild&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    read_fd_ = std::exchange(other.read_fd_, -1);
    start_ = other.start_;
    max_output_bytes_ = other.max_output_bytes_;
    label_ = std::move(other.label_);
  }
  return *this;
}

RunningChild::~RunningChild() {
  kill_and_reap();
}

void RunningChild::kill_and_reap() {
  if (read_fd_ >= 0) {
    ::close(read_fd_);
    read_fd_ = -1;
  }
  if (pid_ >= 0) {
    probe::kill_and_reap(std::exchange(pid_, -1));
  }
}

Result<RunningChild> RunningChild::fork_with_pipe(std::size_t max_output_bytes, std::string label,
                                                  const std::function<void(int, pid_t)>& in_child) {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    return tl::unexpected<Error>(errno_error("pipe2"));
  }
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  RunningChild child;
  child.start_ = Clock::now();
  child.max_output_bytes_ = max_output_bytes;
  child.label_ = std::move(label);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    return tl::unexpected<Error>(errno_error("fork"));
  }
  if (pid == 0) {
    read_end.reset();
    in_child(write_end.get(), parent);
    ::_exit(kChildExecFailed);  // in_child never returns; this only guards the contract
  }
  child.pid_ = pid;
  write_end.reset();  // so EOF arrives when the child exits
  child.read_fd_ = read_end.release();
  return child;
}

Result<RunningChild> start_in_child(const std::function<std::string()>& work,
                                    std::size_t max_output_bytes) {
  return RunningChild::fork_with_pipe(max_output_bytes, "", [&](int write_fd, pid_t parent) {
    child_main(work, write_fd, parent);
  });
}

Result<RunningChild> start_command(const std::vector<std::string>& argv,
                                   const std::vector<std::string>& env,
                                   const CommandOptions& options) {
  if (argv.empty() || argv.front().empty()) {
    return make_error(Errc::kInvalidArgument, "start_command: empty argv");
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

  return RunningChild::fork_with_pipe(options.max_output_bytes, argv.front(),
                                      [&](int write_fd, pid_t parent) {
                                        exec_child(argv_pointers.data(), env_pointers.data(),
                                                   options.working_directory, write_fd, parent);
                                      });
}

std::vector<Result<ChildOutcome>> finish_children(std::span<RunningChild* const> children,
                                                  std::chrono::milliseconds timeout,
                                                  const ChildFinished& on_finished) {
  // Take every child over: from here each is owned by its Collecting (killed and reaped on any
  // exit, bad_alloc included), and every RunningChild is finished.
  std::vector<Collecting> states(children.size());
  for (std::size_t i = 0; i < children.size(); ++i) {
    RunningChild* child = children[i];
    Collecting& state = states[i];
    if (child == nullptr || child->pid_ < 0) {
      state.fail(Error{Errc::kInvalidArgument, "finish_children: no running child", std::nullopt});
      continue;
    }
    state.pid = std::exchange(child->pid_, -1);
    state.read_fd = std::exchange(child->read_fd_, -1);
    state.start = child->start_;
    state.deadline = child->start_ + timeout;
    state.max_output_bytes = child->max_output_bytes_;
    state.label = std::move(child->label_);
  }

  std::vector<bool> reported(states.size(), false);
  auto report_finished = [&] {
    for (std::size_t i = 0; i < states.size(); ++i) {
      if (states[i].phase == Collecting::Phase::kDone && !reported[i]) {
        reported[i] = true;
        if (on_finished) {
          on_finished(i, *states[i].result);
        }
      }
    }
  };

  std::array<char, 1 << 16> buffer{};
  std::vector<pollfd> poll_fds;
  std::vector<Collecting*> polled;
  // Reaping a child past EOF is polled, fast first (it closes the pipe as it exits, so it is
  // normally reaped within microseconds), then backing off to 2 ms.
  constexpr std::chrono::microseconds kFirstPause(50);
  constexpr std::chrono::microseconds kLongestPause(2000);
  std::chrono::microseconds pause = kFirstPause;
  std::size_t reaping_before = 0;
  for (;;) {
    const auto now = Clock::now();
    std::optional<Clock::time_point> wake;
    std::size_t reaping = 0;
    poll_fds.clear();
    polled.clear();
    for (Collecting& state : states) {
      if (state.phase != Collecting::Phase::kDone && now >= state.deadline) {
        expire(state, buffer);
      }
      if (state.phase == Collecting::Phase::kReaping) {
        try_reap(state);
      }
      if (state.phase == Collecting::Phase::kDone) {
        continue;
      }
      wake = wake ? std::min(*wake, state.deadline) : state.deadline;
      if (state.phase == Collecting::Phase::kReaping) {
        ++reaping;
      } else {
        poll_fds.push_back(pollfd{state.read_fd, POLLIN, 0});
        polled.push_back(&state);
      }
    }
    report_finished();
    if (!wake) {
      break;  // every child has its result
    }
    if (reaping > reaping_before) {
      pause = kFirstPause;  // a child newly past EOF
    }
    reaping_before = reaping;
    Clock::duration wait = *wake - Clock::now();  // on_finished may have taken a while
    if (reaping > 0) {
      wait = std::min<Clock::duration>(wait, pause);
      pause = std::min(pause * 2, kLongestPause);
    }
    const timespec wait_spec = to_timespec(wait);
    const int ready = ::ppoll(poll_fds.data(), poll_fds.size(), &wait_spec, nullptr);
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      const Error error = errno_error("poll");
      for (Collecting& state : states) {
        if (state.phase != Collecting::Phase::kDone) {
          state.fail(error);
        }
      }
      report_finished();
      break;
    }
    for (std::size_t i = 0; i < poll_fds.size() && ready > 0; ++i) {
      if (poll_fds[i].revents != 0) {
        read_once(*polled[i], buffer);
      }
    }
  }

  std::vector<Result<ChildOutcome>> results;
  results.reserve(states.size());
  for (Collecting& state : states) {
    results.push_back(std::move(*state.result));
  }
  return results;
}

Result<ChildOutcome> finish_child(RunningChild& child, std::chrono::milliseconds timeout) {
  RunningChild* one = &child;
  return std::move(finish_children(std::span(&one, 1), timeout).front());
}

Result<ChildOutcome> run_in_child(const std::function<std::string()>& work,
                                  std::chrono::milliseconds timeout, std::size_t max_output_bytes) {
  auto child = start_in_child(work, max_output_bytes);
  if (!child) {
    return tl::unexpected(child.error());
  }
  return finish_child(*child, timeout);
}

Result<ChildOutcome> run_command(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env,
                                 std::chrono::milliseconds timeout, const CommandOptions& options) {
  auto child = start_command(argv, env, options);
  if (!child) {
    return tl::unexpected(child.error());
  }
  return finish_child(*child, timeout);
}

}  // namespace tfgpu::probe
