// SPDX-License-Identifier: Apache-2.0
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tfgpu/probe/ld_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);  // NOLINT
  if (auto entries = tfgpu::probe::parse_ld_cache(bytes)) {
    for (const auto& entry : *entries) {
      (void)tfgpu::probe::ld_cache_flags_name(entry.flags);
      (void)tfgpu::probe::ld_cache_is_hwcaps_entry(entry);
    }
  }
  return 0;
}
