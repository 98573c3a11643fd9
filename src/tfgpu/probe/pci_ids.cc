// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/pci_ids.h"

#include "tfgpu/base/strings.h"

namespace tfgpu::probe {
namespace {

// Offset of the NVIDIA vendor line ("10de  NVIDIA Corporation"), or npos. A vendor line starts
// at the beginning of a line with the four hex digits and then whitespace.
std::size_t find_nvidia_block(std::string_view text) {
  constexpr std::string_view kVendor = "10de";
  std::size_t at = 0;
  while (true) {
    at = text.find(kVendor, at);
    if (at == std::string_view::npos) {
      return at;
    }
    const bool line_start = at == 0 || text[at - 1] == '\n';
    const std::size_t after = at + kVendor.size();
    const bool then_space = after < text.size() && (text[after] == ' ' || text[after] == '\t');
    if (line_start && then_space) {
      return at;
    }
    at = after;
  }
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// The name after an ID and its separating whitespace, trimmed and made printable.
std::string name_after(std::string_view rest) {
  return printable(trim(rest), 200);
}

}  // namespace

std::optional<std::uint16_t> parse_pci_id(std::string_view hex4) {
  if (hex4.size() != 4) {
    return std::nullopt;
  }
  unsigned value = 0;
  for (char c : hex4) {
    unsigned digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<unsigned>(c - 'a') + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<unsigned>(c - 'A') + 10;
    } else {
      return std::nullopt;
    }
    value = value * 16 + digit;
  }
  return static_cast<std::uint16_t>(value);
}

PciIdDatabase PciIdDatabase::parse(std::string_view text) {
  PciIdDatabase db;
  const std::size_t start = find_nvidia_block(text);
  if (start == std::string_view::npos) {
    return db;
  }
  Device* current = nullptr;
  bool first = true;
  std::size_t pos = start;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (first) {
      first = false;  // the vendor line itself
      continue;
    }
    if (line.empty() || line.front() == '#') {
      continue;
    }
    if (line.front() != '\t') {
      break;  // the next vendor (or the class section): the NVIDIA block is over
    }
    if (line.size() >= 2 && line[1] == '\t') {
      // "\t\tsvvv sddd  name": needs a current device.
      if (current == nullptr || line.size() < 12 || line[6] != ' ' || !is_blank(line[11])) {
        continue;
      }
      auto subvendor = parse_pci_id(line.substr(2, 4));
      auto subdevice = parse_pci_id(line.substr(7, 4));
      if (!subvendor || !subdevice) {
        continue;
      }
      const std::uint32_t key = (std::uint32_t{*subvendor} << 16U) | *subdevice;
      current->subsystems[key] = name_after(line.substr(11));
      continue;
    }
    // "\tdddd  name"
    current = nullptr;
    if (line.size() < 6 || !is_blank(line[5])) {
      continue;
    }
    auto device = parse_pci_id(line.substr(1, 4));
    if (!device) {
      continue;
    }
    current = &db.devices_[*device];
    current->name = name_after(line.substr(5));
  }
  return db;
}

std::optional<std::string> PciIdDatabase::lookup(std::uint16_t vendor, std::uint16_t device,
                                                 std::uint16_t subsystem_vendor,
                                                 std::uint16_t subsystem_device) const {
  if (vendor != kNvidiaPciVendor) {
    return std::nullopt;
  }
  auto it = devices_.find(device);
  if (it == devices_.end() || it->second.name.empty()) {
    return std::nullopt;
  }
  const std::uint32_t key = (std::uint32_t{subsystem_vendor} << 16U) | subsystem_device;
  auto sub = it->second.subsystems.find(key);
  if (sub != it->second.subsystems.end() && !sub->second.empty()) {
    return sub->second;
  }
  return it->second.name;
}

}  // namespace tfgpu::probe
