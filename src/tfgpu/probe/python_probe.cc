// SPDX-License-Identifier: Apache-2.0
// PLACEHOLDER (being written): Python environments, their TensorFlow and the libraries TensorFlow's loader object resolves.
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {

void probe_python(const ProbeContext& /*context*/, model::Facts& /*facts*/) {}

}  // namespace tfgpu::probe
