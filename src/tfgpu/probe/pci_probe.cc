// SPDX-License-Identifier: Apache-2.0
// PLACEHOLDER (being written): NVIDIA GPUs on the PCI bus, model names from pci.ids, bound kernel driver.
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {

void probe_pci(const ProbeContext& /*context*/, model::Facts& /*facts*/) {}

}  // namespace tfgpu::probe
