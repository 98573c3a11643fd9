// SPDX-License-Identifier: Apache-2.0
// PLACEHOLDER (being written): libcuda/libnvidia-ml and every CUDA soname on the system search path (no requester).
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {

void probe_libraries(const ProbeContext& /*context*/, model::Facts& /*facts*/) {}

}  // namespace tfgpu::probe
