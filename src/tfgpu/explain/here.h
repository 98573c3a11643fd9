// SPDX-License-Identifier: Apache-2.0
#pragma once
// `tfgpu explain --here`: this machine's probed facts as the environment a log is explained
// against, in the words a reporter would use ("tensorflow 2.21.0", "Debian GNU/Linux 12", "12.5.82
// (nvidia wheel, site-packages/nvidia/cuda_runtime/lib)"), so the same environment rules apply to
// a pasted report and to a log captured here.

#include <string_view>

#include "tfgpu/explain/report.h"
#include "tfgpu/model/facts.h"

namespace tfgpu::explain {

// The GPU `--here` states for a machine with no NVIDIA GPU, on the conditions of doctor's
// no_nvidia_gpu check: none on the PCI bus (which was read without problems), none the driver
// lists, and not WSL2 (whose GPU is not on the PCI bus). The no_nvidia_gpu environment rule
// (env_rules.cc) reads it as it reads a reporter's "GPU: none".
inline constexpr std::string_view kNoNvidiaGpuStated = "none (no NVIDIA GPU on the PCI bus)";

// The stated environment of the first Python environment with TensorFlow (or of the machine alone
// when none has it): TensorFlow distribution and version, Python, install method, the CUDA and
// cuDNN that environment's loader resolves (else the system toolkit's), driver, GPU, OS; and, as
// details, LD_LIBRARY_PATH and CUDA_VISIBLE_DEVICES when set. Unknown facts stay "".
// A machine known to have no NVIDIA GPU states its GPU as kNoNvidiaGpuStated.
// With `interpreter`, that environment's facts instead of the first with TensorFlow.
ReportEnv env_from_facts(const model::Facts& facts, std::string_view interpreter = {});

}  // namespace tfgpu::explain
