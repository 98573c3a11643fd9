// SPDX-License-Identifier: Apache-2.0
#pragma once
// probe_tree(): run every probe on a TempTree as a recorded machine with the environment `env`.

#include <utility>

#include "temp_tree.h"
#include "tfgpu/probe/probe.h"

inline tfgpu::model::Facts probe_tree(const TempTree& tree, tfgpu::probe::Environment env = {}) {
  tfgpu::probe::ProbeOptions options;
  options.root = tree.root();
  options.environment = std::move(env);
  return tfgpu::probe::probe_machine(options);
}
