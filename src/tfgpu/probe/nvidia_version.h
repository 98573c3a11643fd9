// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parser for /proc/driver/nvidia/version, the kernel module's own statement of its version:
//
//   NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024
//   NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  575.57.08  Release Build  (...)
//
// The proprietary and open (mandatory from Blackwell on) modules word the line differently, and
// XLA's cuda_diagnostics.cc once searched for "Kernel Module  " (two spaces), which misses the open
// wording. The rule here does not depend on spacing or on the words between "Module" and the
// number: the version is the first token after "Module" that starts with a digit and parses as a
// dotted Version (the "for x86_64" / "for aarch64" tokens start with a letter).

#include <string>
#include <string_view>

#include "tfgpu/base/result.h"
#include "tfgpu/base/version.h"

namespace tfgpu::probe {

struct NvidiaKernelModuleVersion {
  Version version;     // 550.54.14
  std::string flavor;  // "open" or "proprietary"
  std::string line;    // the NVRM line, trimmed and made printable
};

// Parse the contents of /proc/driver/nvidia/version. Fails with kMalformed when there is no
// "NVRM version:" line, no "Module" word on it, or no dotted version after that word.
Result<NvidiaKernelModuleVersion> parse_nvidia_version(std::string_view text);

}  // namespace tfgpu::probe
