// SPDX-License-Identifier: Apache-2.0
#pragma once
// probe_machine(): run every probe against a root and an environment and assemble Facts.
// One probe failing never stops the others: each records its trouble in facts.problems.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tfgpu/model/facts.h"
#include "tfgpu/probe/sysroot.h"

namespace tfgpu::probe {

struct ProbeOptions {
  std::string root = "/";
  Environment environment;                 // the environment the probed user would have
  std::vector<std::string> extra_pythons;  // --python PATH (machine paths)
  // Live checks (cuInit and NVML in a child process, the loader check by ld.so's trace); only
  // when the root is "/" and this is set.
  bool run_live_checks = true;
  std::chrono::milliseconds live_timeout{10000};
  // soname -> path, for tests: the live checks dlopen (and the loader check's stand-in needs) the
  // path instead of the soname ("libcuda.so.1" -> a fake libcuda built at test time).
  std::map<std::string, std::string> library_overrides;
  std::string helper_executable;  // the tfgpu binary that runs the live child (argv: probe-child)
  std::string tool_version;
};

// Context handed to each probe.
struct ProbeContext {
  const SysRoot& root;
  const Environment& environment;
  const ProbeOptions& options;

  // Value of environment variable `name`, or empty.
  std::string env(const std::string& name) const;
};

model::Facts probe_machine(const ProbeOptions& options);

// Capture the variables that matter to TensorFlow on GPUs from `environment`.
std::map<std::string, std::optional<std::string>> relevant_environment(
    const Environment& environment);

}  // namespace tfgpu::probe
