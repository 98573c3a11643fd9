// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/c_header.h"

#include <string>

#include "tfgpu/base/strings.h"

namespace tfgpu::probe {

std::optional<long> header_define(std::string_view text, std::string_view name) {
  const std::string needle = "#define " + std::string(name);
  std::size_t at = 0;
  while ((at = text.find(needle, at)) != std::string_view::npos) {
    const std::size_t value_at = at + needle.size();
    at = value_at;
    if (value_at >= text.size() || (text[value_at] != ' ' && text[value_at] != '\t')) {
      continue;  // a longer name that shares the prefix
    }
    std::string_view rest = trim(text.substr(value_at, 32));
    long value = 0;
    std::size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
      if (value >= 100000000) {
        return std::nullopt;  // no real CUDA_VERSION has this many digits: a damaged header
      }
      value = value * 10 + (rest[digits] - '0');
      ++digits;
    }
    if (digits > 0) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace tfgpu::probe
