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

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "tfgpu/base/result.h"

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

// Fork; the child runs `work`, writes its result to a pipe and _exit(0)s (no atexit handlers,
// no stdio flush of the parent's buffers). The parent reads with poll() until EOF or `timeout`,
// then SIGKILLs and reaps the child; it never leaves a zombie and retries on EINTR. Fails with
// kIo when pipe/fork fail, and kTooLarge (child killed) when the output exceeds
// `max_output_bytes`. A child that times out or dies on a signal is an outcome, not an error.
Result<ChildOutcome> run_in_child(const std::function<std::string()>& work,
                                  std::chrono::milliseconds timeout,
                                  std::size_t max_output_bytes = std::size_t{16} << 20);

// Exit code of a command child whose execve failed (what shells use for "cannot execute"); its
// output then holds "exec <path>: <strerror>".
inline constexpr int kChildExecFailed = 127;

struct CommandOptions {
  std::string working_directory;  // chdir here before execve; empty = this process's
  std::size_t max_output_bytes = std::size_t{16} << 20;
};

// Fork and execve(argv[0], argv, env) (no PATH search: argv[0] is a path) with stdin from
// /dev/null, stdout and stderr into one pipe and no other file descriptor inherited. `env` is the
// whole environment ("NAME=value" strings); nothing of this process's is passed on. Output,
// deadline, SIGKILL and reaping as run_in_child. Fails with kInvalidArgument for an empty argv,
// kIo when pipe/fork fail and kTooLarge over `max_output_bytes`; a failed execve is the outcome
// "exited 127" (kChildExecFailed).
Result<ChildOutcome> run_command(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env,
                                 std::chrono::milliseconds timeout,
                                 const CommandOptions& options = {});

// "SIGSEGV" for SIGSEGV, "signal 64" for numbers without a name.
std::string signal_name(int signal_number);

}  // namespace tfgpu::probe
