// SPDX-License-Identifier: Apache-2.0
// PLACEHOLDER (being written): /proc/driver/nvidia/version, /proc/modules, /dev/nvidia*, secure boot.
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {

void probe_kernel_driver(const ProbeContext& /*context*/, model::Facts& /*facts*/) {}

}  // namespace tfgpu::probe
