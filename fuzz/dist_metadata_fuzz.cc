// SPDX-License-Identifier: Apache-2.0
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tfgpu/probe/dist_metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  (void)tfgpu::probe::parse_dist_metadata(text, "METADATA");
  (void)tfgpu::probe::parse_requirement(text);
  (void)tfgpu::probe::parse_dist_info_name(text);
  return 0;
}
