// SPDX-License-Identifier: Apache-2.0
// PLACEHOLDER (being written): CUDA toolkits: /usr/local/cuda*, /opt/cuda, CUDA_HOME/CUDA_PATH, nvcc on PATH.
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {

void probe_toolkits(const ProbeContext& /*context*/, model::Facts& /*facts*/) {}

}  // namespace tfgpu::probe
