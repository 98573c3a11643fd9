// SPDX-License-Identifier: Apache-2.0
#pragma once
// Doctor's checks: small pure functions (facts, knowledge base) → findings, each with a stable
// snake_case id, in one registry (registry.cc). A machine check sees the machine; an environment
// check sees one Python environment with one TensorFlow install, plus what that build needs.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/base/version.h"
#include "tfgpu/kb/knowledge_base.h"
#include "tfgpu/model/facts.h"
#include "tfgpu/model/finding.h"

namespace tfgpu::checks {

// A GPU as doctor sees it: from the live driver when it answered, else from PCI plus the KB.
struct GpuView {
  int index = 0;  // CUDA ordinal when live; PCI order otherwise
  std::string name;
  std::optional<Version> compute_capability;
  std::string name_source;  // "cuDeviceGetName", "pci.ids", "knowledge base pci_device"
  std::string cc_source;    // "cuDeviceGetAttribute", "knowledge base gpu"
  const kb::GpuModel* kb_row = nullptr;
  std::string pci_bus_id;
};

// What a TensorFlow install needs, from its own build_info.py when it has one, else from the KB.
struct BuildTarget {
  std::optional<Version> cuda;
  std::string cuda_source;  // ".../build_info.py" or "knowledge base release 2.21"
  std::optional<Version> cudnn;
  std::string cudnn_source;
  std::vector<std::string> compute_capabilities;  // "sm_80", "compute_90"
  std::string compute_capabilities_source;
  bool is_cuda_build = true;
  const kb::TensorflowRelease* release = nullptr;  // null when the KB lacks the line
  const kb::WheelBuild* wheel_build = nullptr;
};

struct MachineView {
  const model::Facts& facts;
  const kb::KnowledgeBase& kb;
  const std::vector<GpuView>& gpus;
};

struct EnvView {
  const model::Facts& facts;
  const kb::KnowledgeBase& kb;
  const std::vector<GpuView>& gpus;
  const model::PythonEnv& env;
  const model::TensorflowInstall& tensorflow;  // the install the verdict is about
  const BuildTarget& target;
};

using MachineCheckFn = std::vector<model::Finding> (*)(const MachineView&);
using EnvCheckFn = std::vector<model::Finding> (*)(const EnvView&);

struct CheckInfo {
  std::string_view id;
  std::string_view title;  // what it looks for, for `tfgpu doctor --list-checks` and the docs
  MachineCheckFn machine = nullptr;
  EnvCheckFn env = nullptr;
};

// Every check, machine checks first; ids are unique (tested).
const std::vector<CheckInfo>& registry();

// The GPUs doctor reasons about (see GpuView).
std::vector<GpuView> gpu_views(const model::Facts& facts, const kb::KnowledgeBase& kb);

// What `tensorflow` in `env` needs.
BuildTarget build_target(const model::TensorflowInstall& tensorflow, const kb::KnowledgeBase& kb);

// Helpers for building findings.
model::KbCitation cite(const kb::Provenance& provenance);

}  // namespace tfgpu::checks
