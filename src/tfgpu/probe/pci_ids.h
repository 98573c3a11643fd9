// SPDX-License-Identifier: Apache-2.0
#pragma once
// Model names from pci.ids, the PCI ID Project's database (https://pci-ids.ucw.cz/; Debian ships
// it as /usr/share/misc/pci.ids, Fedora as /usr/share/hwdata/pci.ids). Its syntax, from the
// file's own header:
//
//   vendor  vendor_name
//   <TAB>device  device_name
//   <TAB><TAB>subvendor subdevice  subsystem_name
//
// followed by a "C class" section. The file is ~1.3 MB and tfgpu only names NVIDIA GPUs, so
// parse() jumps straight to the "10de" vendor line and reads that block alone (about 3,000
// lines) instead of every line. Malformed lines are skipped: the file is input, not trusted.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace tfgpu::probe {

inline constexpr std::uint16_t kNvidiaPciVendor = 0x10de;

class PciIdDatabase {
 public:
  // The NVIDIA block of a pci.ids text. Never fails: text without a 10de block (or hostile
  // text) gives an empty database.
  static PciIdDatabase parse(std::string_view text);

  // The subsystem's name when pci.ids lists (subsystem_vendor, subsystem_device) under the
  // device, else the device's name; nullopt when the device is not listed or `vendor` is not
  // NVIDIA.
  std::optional<std::string> lookup(std::uint16_t vendor, std::uint16_t device,
                                    std::uint16_t subsystem_vendor,
                                    std::uint16_t subsystem_device) const;

  std::size_t device_count() const { return devices_.size(); }

 private:
  struct Device {
    std::string name;
    // (subvendor << 16 | subdevice) -> name
    std::map<std::uint32_t, std::string> subsystems;
  };

  std::map<std::uint16_t, Device> devices_;
};

// Parse exactly four hex digits (either case), as pci.ids writes IDs.
std::optional<std::uint16_t> parse_pci_id(std::string_view hex4);

}  // namespace tfgpu::probe
