// SPDX-License-Identifier: Apache-2.0
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tfgpu/probe/pci_ids.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  const auto db = tfgpu::probe::PciIdDatabase::parse(text);
  // Look up IDs taken from the input itself so lookups hit what the parser stored.
  std::uint16_t ids[4] = {0x2331, 0x10de, 0x1626, 0x20b2};
  for (std::size_t i = 0; i < 4 && 2 * i + 1 < size; ++i) {
    ids[i] = static_cast<std::uint16_t>((data[2 * i] << 8U) | data[2 * i + 1]);
  }
  (void)db.lookup(tfgpu::probe::kNvidiaPciVendor, ids[0], ids[1], ids[2]);
  (void)db.lookup(tfgpu::probe::kNvidiaPciVendor, ids[3], 0, 0);
  (void)tfgpu::probe::parse_pci_id(text.substr(0, 4));
  return 0;
}
