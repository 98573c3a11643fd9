// SPDX-License-Identifier: Apache-2.0
#pragma once
// The steps of a plan, one builder each: the exact commands (shell-quoted), why, the KB rows they
// rest on, and whether they need root or a reboot. The planner decides which steps a machine
// needs and in what order; these only write them.

#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/base/version.h"
#include "tfgpu/kb/knowledge_base.h"
#include "tfgpu/model/plan.h"
#include "tfgpu/plan/driver_need.h"
#include "tfgpu/plan/machine.h"

namespace tfgpu::plan {

// A path as one shell word that still expands "~/" ("~/tf venv" → ~/'tf venv').
std::string path_word(std::string_view path);

// `path` + "/" + `tail`, as a shell word.
std::string path_word(std::string_view path, std::string_view tail);

// The venv's interpreter ("~/tf-venv/bin/python") and site-packages for Python `python`.
std::string venv_python(std::string_view venv);
std::string venv_site_packages(std::string_view venv, const Version& python);

struct DriverStepInput {
  Platform platform = Platform::kLinux;
  std::string os;    // the machine's os id (for the distribution's commands)
  std::string arch;  // "x86_64"
  Version minimum;
  const DriverNeeds* needs = nullptr;
  std::optional<Version> current;  // the machine's driver; null: unknown
  // The current driver is newer than the GPU's last branch: install that branch instead.
  bool install_branch = false;
};

model::PlanStep driver_step(const DriverStepInput& input, const kb::KnowledgeBase& kb);

// A manual step: install Python `python`, since `given` is outside what `release` supports (or,
// with `route`, what its [and-cuda] extra installs on).
model::PlanStep python_step(const Version& python, const Version& given,
                            const kb::TensorflowRelease& release, const kb::AndCudaRoute* route);

// The venv, with `python` from `range` (the Pythons the plan can install `release` on), made by
// `interpreter` (a path on this machine) when given, else by `pythonX.Y` found on PATH.
model::PlanStep venv_step(std::string_view venv, const Version& python,
                          const kb::TensorflowRelease& release, const kb::VersionRange& range,
                          std::string_view interpreter = {});

// The CUDA toolkit of `release`, system-wide, from NVIDIA's repository for the distribution.
model::PlanStep cuda_toolkit_step(const kb::TensorflowRelease& release, std::string_view os,
                                  std::string_view arch, const kb::KnowledgeBase& kb);

// cuDNN from NVIDIA's tar archive, placed into the toolkit: headers into include/, libraries with
// their symlinks into lib64/, readable by all, then ldconfig.
model::PlanStep cudnn_step(const kb::TensorflowRelease& release, const kb::KnowledgeBase& kb);

// `pip install "<requirement>"` (plus extra requirements) with the venv's interpreter.
model::PlanStep pip_step(std::string_view venv, const std::vector<std::string>& requirements,
                         std::string why, std::vector<model::KbCitation> citations);

// Make the nvidia wheels' libraries reachable from TensorFlow's loader object (and-cuda routes
// with link_libraries): links to the libraries of the wheels its RUNPATH misses (and_cuda
// loader_runpath_wheels), placed in a wheel folder the RUNPATH names.
model::PlanStep link_libraries_step(std::string_view venv, const Version& python,
                                    const kb::AndCudaRoute& route, const kb::AndCudaExtra* extra,
                                    const kb::KnowledgeBase& kb);

// ptxas from the nvidia-cuda-nvcc wheel onto the venv's PATH (routes with link_ptxas).
model::PlanStep link_ptxas_step(std::string_view venv, const Version& python,
                                const kb::AndCudaRoute& route, const kb::KnowledgeBase& kb);

// XLA_FLAGS pointing XLA at the system toolkit's ptxas and libdevice, set in the venv's activate.
model::PlanStep xla_toolkit_step(std::string_view venv, const kb::TensorflowRelease& release,
                                 const kb::KnowledgeBase& kb);

model::PlanStep verify_step(std::string_view venv);

}  // namespace tfgpu::plan
