// SPDX-License-Identifier: Apache-2.0
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tfgpu/probe/os_release.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tfgpu::probe::parse_os_release(
      std::string_view(reinterpret_cast<const char*>(data), size));  // NOLINT
  return 0;
}
