// SPDX-License-Identifier: Apache-2.0
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tfgpu/probe/nvidia_version.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = tfgpu::probe::parse_nvidia_version(
      std::string_view(reinterpret_cast<const char*>(data), size));  // NOLINT
  if (parsed) {
    // A parsed version must be usable downstream.
    (void)parsed->version.text();
    (void)parsed->line.size();
  }
  return 0;
}
