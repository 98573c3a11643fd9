// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/ld_trace.h"

#include "tfgpu/base/strings.h"

namespace tfgpu::probe {
namespace {

// Bounds on what hostile output can make us keep.
constexpr std::size_t kMaxMessages = 64;
constexpr std::size_t kMaxMessageBytes = 400;

constexpr std::string_view kArrow = " => ";
constexpr std::string_view kNotFound = "not found";

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The value of "0x<1..16 hex digits>", or nullopt.
std::optional<std::uint64_t> parse_hex(std::string_view text) {
  if (text.size() < 3 || text.size() > 18 || text.substr(0, 2) != "0x") {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (char c : text.substr(2)) {
    if (!is_hex_digit(c)) {
      return std::nullopt;
    }
    const unsigned digit = c <= '9'   ? static_cast<unsigned>(c - '0')
                           : c <= 'F' ? static_cast<unsigned>(c - 'A' + 10)
                                      : static_cast<unsigned>(c - 'a' + 10);
    value = (value << 4U) | digit;
  }
  return value;
}

// An object line without its leading tab, or nullopt when it is not one.
std::optional<LdTraceEntry> parse_object_line(std::string_view body) {
  if (body.empty() || body.front() == ' ' || body.front() == '\t') {
    return std::nullopt;  // LD_VERBOSE's nested version lines and the like
  }
  LdTraceEntry entry;
  // " (0x…)" at the end: the load address.
  if (body.back() == ')') {
    const std::size_t open = body.rfind(" (");
    if (open != std::string_view::npos) {
      if (auto address = parse_hex(body.substr(open + 2, body.size() - open - 3))) {
        entry.address = address;
        body = body.substr(0, open);
      }
    }
  }
  const std::size_t arrow = body.find(kArrow);
  if (arrow == std::string_view::npos) {
    // "%s (0x…)": requested by the name it was loaded from (a path, the vDSO, ld.so itself).
    if (!entry.address || body.ends_with(" =>")) {
      return std::nullopt;
    }
    entry.name = std::string(body);
    entry.path = entry.name;
  } else {
    entry.name = std::string(body.substr(0, arrow));
    const std::string_view target = body.substr(arrow + kArrow.size());
    if (target == kNotFound) {
      if (entry.address) {
        return std::nullopt;  // a faked entry has no address
      }
      entry.path = std::nullopt;
    } else if (!target.empty() && entry.address) {
      entry.path = std::string(target);
    } else {
      return std::nullopt;
    }
  }
  if (entry.name.empty()) {
    return std::nullopt;
  }
  return entry;
}

}  // namespace

const LdTraceEntry* LdTrace::find(std::string_view name) const {
  for (const LdTraceEntry& entry : entries) {
    if (entry.name == name) {
      return &entry;
    }
  }
  return nullptr;
}

LdTrace parse_ld_trace(std::string_view output) {
  LdTrace trace;
  for (std::string_view line : split_lines(output)) {
    if (!line.empty() && line.front() == '\t') {
      const std::string_view body = line.substr(1);
      if (body == "statically linked") {
        trace.statically_linked = true;
        continue;
      }
      if (auto entry = parse_object_line(body)) {
        trace.entries.push_back(std::move(*entry));
        continue;
      }
    }
    const std::string_view text = trim(line);
    if (!text.empty() && trace.messages.size() < kMaxMessages) {
      trace.messages.push_back(printable(text, kMaxMessageBytes));
    }
  }
  return trace;
}

}  // namespace tfgpu::probe
