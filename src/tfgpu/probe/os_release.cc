// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/os_release.h"

#include "tfgpu/base/strings.h"

namespace tfgpu::probe {

std::map<std::string, std::string> parse_os_release(std::string_view text) {
  std::map<std::string, std::string> fields;
  for (std::string_view line : split_lines(text)) {
    line = trim(line);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      continue;
    }
    const std::string key(trim(line.substr(0, eq)));
    std::string_view raw = trim(line.substr(eq + 1));
    std::string value;
    if (!raw.empty() && (raw.front() == '"' || raw.front() == '\'')) {
      const char quote = raw.front();
      raw.remove_prefix(1);
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == quote) {
          break;
        }
        if (quote == '"' && raw[i] == '\\' && i + 1 < raw.size()) {
          ++i;
        }
        value.push_back(raw[i]);
      }
    } else {
      value = std::string(raw);
    }
    fields[key] = value;
  }
  return fields;
}

}  // namespace tfgpu::probe
