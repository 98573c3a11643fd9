// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/report/style.h"

#include "tfgpu/base/strings.h"

namespace tfgpu::report {

std::string TextStyle::mark(Mark mark) const {
  const char* symbol = "";
  const char* colour = "";
  switch (mark) {
    case Mark::kOk:
      symbol = unicode ? "\u2713" : "ok";
      colour = "\x1b[32m";
      break;
    case Mark::kWarning:
      symbol = unicode ? "!" : "!!";
      colour = "\x1b[33m";
      break;
    case Mark::kError:
      symbol = unicode ? "\u2717" : "xx";
      colour = "\x1b[31m";
      break;
    case Mark::kInfo:
      symbol = unicode ? "\u00b7" : "--";
      colour = "\x1b[2m";
      break;
  }
  if (!color) {
    return symbol;
  }
  return std::string(colour) + symbol + "\x1b[0m";
}

std::string TextStyle::path(const std::string& path) const {
  return tilde_home(path, home);
}

std::string TextStyle::text(const std::string& text) const {
  if (home.empty() || home == "/") {
    return text;
  }
  std::string out;
  std::size_t at = 0;
  while (true) {
    const std::size_t next = text.find(home, at);
    if (next == std::string::npos) {
      return out + text.substr(at);
    }
    const std::size_t end = next + home.size();
    // Only whole components: "/home/ana" in "/home/anabel" is not the home directory.
    const bool whole = end == text.size() || text[end] == '/';
    out += text.substr(at, next - at) + (whole ? "~" : home);
    at = end;
  }
}

std::string TextStyle::bold(const std::string& text) const {
  return color ? "\x1b[1m" + text + "\x1b[0m" : text;
}

std::string TextStyle::dim(const std::string& text) const {
  return color ? "\x1b[2m" + text + "\x1b[0m" : text;
}

}  // namespace tfgpu::report
