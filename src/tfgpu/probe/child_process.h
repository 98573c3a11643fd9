// SPDX-License-Identifier: Apache-2.0
#pragma once
// run_in_child(): run a piece of work in a forked child with a deadline, so that a vendor library
// that hangs (a wedged driver in cuInit) or crashes (SIGSEGV in a broken libcuda) becomes a
// recorded outcome instead of a hung or crashed tool.
//
// fork() without exec() is only safe in a single-threaded process (only the calling thread is
// copied; locks held by others stay locked in the child). The probe is single-threaded, and the
// child calls only what `work` calls before _exit(). The child dies with its parent
// (PR_SET_PDEATHSIG), so a Ctrl-C of tfgpu never leaves a hung driver call behind.
//
// run_command(): the same deadline, reaping and death-with-the-parent for another program
// (fork + execve), with its stdout and stderr captured together: the live probe runs the system's
// dynamic loader this way, in the probed user's environment rather than this process's.
//
// Both come in two halves, start_* and finish_children(), so that several children run at once:
// the live probe starts its driver child and every loader trace, then collects them all in one
// poll() loop. Each child's deadline counts from its own start, and every pipe is drained while
// any child runs, so a child never waits on a full pipe (64 KiB, pipe(7)) because another one is
// being collected. Every child is started from the one thread (the fork rule above).

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/base/signal_name.h"  // signal_name(), which ChildOutcome uses

namespace tfgpu::probe {

enum class ChildEnd {
  kExited,    // the child called _exit(exit_code)
  kTimeout,   // still running at the deadline: killed with SIGKILL
  kSignaled,  // killed by a signal (signal_name) before the deadline
};

struct ChildOutcome {
  ChildEnd end = ChildEnd::kExited;
  int exit_code = 0;        // kExited: 0 when `work` returned normally
  std::string signal_name;  // kSignaled: "SIGSEGV"
  std::string output;       // what `work` returned (complete only when kExited with 0)
  std::chrono::milliseconds elapsed{0};

  // "exited", "exited 3", "timeout", "signal SIGSEGV": the LiveDriverFacts::outcome spelling.
  std::string describe() const;
};

// Exit code of a child whose `work` threw (the exception never crosses the fork).
inline constexpr int kChildWorkThrew = 70;

// Exit code of a command child whose execve failed (what shells use for "cannot execute"); its
// output then holds "exec <path>: <strerror>".
inline constexpr int kChildExecFailed = 127;

struct CommandOptions {
  std::string working_directory;  // chdir here before execve; empty = this process's
  std::size_t max_output_bytes = std::size_t{16} << 20;
};

class RunningChild;

// Fork; the child runs `work`, writes its result to a pipe and _exit(0)s (no atexit handlers,
// no stdio flush of the parent's buffers). Fails with kIo when pipe/fork fail. The child inherits
// the read ends of children started before it (harmless: only write ends hold off an EOF).
Result<RunningChild> start_in_child(const std::function<std::string()>& work,
                                    std::size_t max_output_bytes = std::size_t{16} << 20);

// Fork and execve(argv[0], argv, env) (no PATH search: argv[0] is a path) with stdin from
// /dev/null, stdout and stderr into one pipe and no other file descriptor inherited. `env` is the
// whole environment ("NAME=value" strings); nothing of this process's is passed on. Fails with
// kInvalidArgument for an empty argv and kIo when pipe/fork fail; a failed execve is the outcome
// "exited 127" (kChildExecFailed).
Result<RunningChild> start_command(const std::vector<std::string>& argv,
                                   const std::vector<std::string>& env,
                                   const CommandOptions& options = {});

// Collect every child at once: read each one's pipe with poll() until EOF, then reap it; a child
// still running `timeout` after its own start is SIGKILLed and reaped (its outcome kTimeout, with
// the output read so far). Before that kill, what the child has already written is read and a
// child that has already exited is reaped, so a child that finished in time is never reported as
// a timeout because this process was late to look. One result per child, in order: kTooLarge
// (child killed) when its output exceeds its max_output_bytes, kIo when poll/read fail (every
// child still running is then killed), kInvalidArgument for a null or already finished child. A
// child that times out or dies on a signal is an outcome, not an error. Retries on EINTR; no
// child is left running or unreaped on any return, and every child ends finished.
//
// `on_finished`, when given, is called with a child's index and result as soon as that child has
// one, while the others may still run, so that its output can be used meanwhile (the time the
// call takes delays reading the others' pipes, never their deadlines' honesty).
using ChildFinished = std::function<void(std::size_t index, const Result<ChildOutcome>& outcome)>;
std::vector<Result<ChildOutcome>> finish_children(std::span<RunningChild* const> children,
                                                  std::chrono::milliseconds timeout,
                                                  const ChildFinished& on_finished = {});

// A child that start_in_child or start_command began and finish_children has not yet collected.
// Move-only. Its destructor SIGKILLs and reaps a child that was never finished, so an early
// return leaves neither a stray process nor a zombie.
class RunningChild {
 public:
  RunningChild(RunningChild&& other) noexcept;
  RunningChild& operator=(RunningChild&& other) noexcept;
  RunningChild(const RunningChild&) = delete;
  RunningChild& operator=(const RunningChild&) = delete;
  ~RunningChild();

  // The child's process id; -1 once finished (or moved from).
  pid_t pid() const { return pid_; }

 private:
  RunningChild() = default;
  void kill_and_reap();

  // Make the pipe, fork, and run `in_child(write_fd, parent_pid)` (which never returns) in the
  // child; the parent keeps the read end. The common part of start_in_child and start_command.
  static Result<RunningChild> fork_with_pipe(std::size_t max_output_bytes, std::string label,
                                             const std::function<void(int, pid_t)>& in_child);

  friend Result<RunningChild> start_in_child(const std::function<std::string()>& work,
                                             std::size_t max_output_bytes);
  friend Result<RunningChild> start_command(const std::vector<std::string>& argv,
                                            const std::vector<std::string>& env,
                                            const CommandOptions& options);
  friend std::vector<Result<ChildOutcome>> finish_children(std::span<RunningChild* const> children,
                                                           std::chrono::milliseconds timeout,
                                                           const ChildFinished& on_finished);

  pid_t pid_ = -1;
  int read_fd_ = -1;  // the pipe's read end, owned
  std::chrono::steady_clock::time_point start_;
  std::size_t max_output_bytes_ = 0;
  std::string label_;  // context for errors (the command's path); empty for start_in_child
};

// finish_children for one child. Finishing children one after another also completes (each is
// drained in turn), but a child that fills its pipe blocks until its turn comes and may reach its
// deadline meanwhile: collect children that run together with one finish_children call.
Result<ChildOutcome> finish_child(RunningChild& child, std::chrono::milliseconds timeout);

// start_in_child + finish_child.
Result<ChildOutcome> run_in_child(const std::function<std::string()>& work,
                                  std::chrono::milliseconds timeout,
                                  std::size_t max_output_bytes = std::size_t{16} << 20);

// start_command + finish_child; errors from finishing carry argv[0] as context.
Result<ChildOutcome> run_command(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env,
                                 std::chrono::milliseconds timeout,
                                 const CommandOptions& options = {});

}  // namespace tfgpu::probe
