// SPDX-License-Identifier: Apache-2.0
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tfgpu/probe/ld_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);  // NOLINT
  const tfgpu::probe::LdTrace trace = tfgpu::probe::parse_ld_trace(bytes);
  for (const auto& entry : trace.entries) {
    // Every entry names something, and a found one a file.
    if (entry.name.empty() || (entry.path && entry.path->empty())) {
      __builtin_trap();
    }
    (void)trace.find(entry.name);
  }
  return 0;
}
