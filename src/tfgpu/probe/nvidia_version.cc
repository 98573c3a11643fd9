// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/nvidia_version.h"

#include <vector>

#include "tfgpu/base/strings.h"

namespace tfgpu::probe {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

std::vector<std::string_view> tokens(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) {
      ++i;
    }
    const std::size_t start = i;
    while (i < line.size() && !is_space(line[i])) {
      ++i;
    }
    if (i > start) {
      out.push_back(line.substr(start, i - start));
    }
  }
  return out;
}

bool starts_with_digit(std::string_view token) {
  return !token.empty() && token.front() >= '0' && token.front() <= '9';
}

}  // namespace

Result<NvidiaKernelModuleVersion> parse_nvidia_version(std::string_view text) {
  constexpr std::string_view kPrefix = "NVRM version:";
  for (std::string_view raw : split_lines(text)) {
    const std::string_view line = trim(raw);
    if (!line.starts_with(kPrefix)) {
      continue;
    }
    const std::vector<std::string_view> words = tokens(line.substr(kPrefix.size()));
    std::size_t at = 0;
    while (at < words.size() && words[at] != "Module") {
      ++at;
    }
    if (at == words.size()) {
      return make_error(Errc::kMalformed, "no 'Module' in NVRM line: " + printable(line));
    }
    for (++at; at < words.size(); ++at) {
      if (!starts_with_digit(words[at])) {
        continue;
      }
      // A driver version always has a dot (550.54.14, 304.137); a bare number is a year or a
      // build tag, not the version.
      auto version = Version::parse(words[at]);
      if (version && version->parts().size() >= 2) {
        const bool open = line.find("Open Kernel Module") != std::string_view::npos;
        return NvidiaKernelModuleVersion{*version, open ? "open" : "proprietary",
                                         printable(line, 400)};
      }
    }
    return make_error(Errc::kMalformed,
                      "no version after 'Module' in NVRM line: " + printable(line));
  }
  return make_error(Errc::kMalformed, "no 'NVRM version:' line");
}

}  // namespace tfgpu::probe
