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

std::string TextStyle::bold(const std::string& text) const {
  return color ? "\x1b[1m" + text + "\x1b[0m" : text;
}

std::string TextStyle::dim(const std::string& text) const {
  return color ? "\x1b[2m" + text + "\x1b[0m" : text;
}

}  // namespace tfgpu::report
