// SPDX-License-Identifier: Apache-2.0
#pragma once
// The individual probes, one per file. Each fills its part of `facts` and records its own
// failures in facts.problems; none throws (probe_machine still guards against std exceptions).

#include "tfgpu/model/facts.h"
#include "tfgpu/probe/probe.h"

namespace tfgpu::probe {

void probe_host(const ProbeContext& context, model::Facts& facts);

// Record `error` as a problem of `probe_name`.
void add_problem(model::Facts& facts, std::string probe_name, const Error& error);

}  // namespace tfgpu::probe
