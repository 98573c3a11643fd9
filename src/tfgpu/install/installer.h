// SPDX-License-Identifier: Apache-2.0
#pragma once
// `tfgpu install`: carries out a plan's user-space steps (the venv, pip, the wiring) into one
// directory, keeping the record of what is done in that directory so that an interrupted or failed
// install is marked incomplete and a re-run resumes after the last step that finished. Steps that
// need root (the driver, a system CUDA or cuDNN) or another machine are never run: they come back
// as shown-only, for the user. The plan's own `verify` step is left to the caller, which runs
// `tfgpu verify` on the new environment in process.

#include <chrono>
#include <functional>
#include <string>

#include "tfgpu/base/result.h"
#include "tfgpu/install/shell_runner.h"
#include "tfgpu/install/target_dir.h"
#include "tfgpu/model/install.h"
#include "tfgpu/model/plan.h"

namespace tfgpu::install {

struct InstallOptions {
  bool dry_run = false;
  std::chrono::seconds step_timeout{std::chrono::minutes(30)};
  std::string tool_version;
};

// Runs one command (the real one: run_shell; tests pass their own).
using RunCommand = std::function<ShellRun(const std::string& command)>;
// Progress for people, one line at a time ("install: [2/3] pip: …"), on stderr.
using Progress = std::function<void(const std::string&)>;
// UTC now as ISO 8601 ("2026-11-26T18:40:02Z"); tests fix it.
using Clock = std::function<std::string()>;

std::string utc_now();

// Why `plan` cannot be installed into `target` at all, before anything is touched: no TensorFlow
// fits (the plan's why), a Python the plan needs first (its `python` step), a directory that holds
// something other than a venv (and no record of ours), or a venv of another Python than the
// plan's. kInvalidArgument, naming the directory or the plan's reason.
Result<void> check_installable(const model::Plan& plan, const TargetDir& target);

// Carries out the steps (or, with dry_run, says which would run), writing the record before and
// after each. Stops at the first step that fails, times out or is interrupted (InterruptGuard
// must be alive for Ctrl-C to be caught). A record that cannot be written stops it too (the
// problem says so): an install tfgpu cannot mark is not carried on with.
model::InstallReport install(const model::Plan& plan, const TargetDir& target,
                             const InstallOptions& options, const RunCommand& run,
                             const Progress& progress = {}, const Clock& clock = utc_now);

}  // namespace tfgpu::install
