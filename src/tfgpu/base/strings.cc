// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/base/strings.h"

#include <algorithm>

namespace tfgpu {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      fields.push_back(text.substr(start));
      return fields;
    }
    fields.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out += separator;
    }
    out += items[i];
  }
  return out;
}

std::string to_lower(std::string_view text) {
  std::string lowered(text);
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return lowered;
}

std::string tilde_home(std::string_view path, std::string_view home) {
  while (home.size() > 1 && home.back() == '/') {
    home.remove_suffix(1);
  }
  if (home.empty() || home == "/" || !path.starts_with(home)) {
    return std::string(path);
  }
  if (path.size() == home.size()) {
    return "~";
  }
  if (path[home.size()] != '/') {
    return std::string(path);
  }
  return "~" + std::string(path.substr(home.size()));
}

std::string tilde_home_in_list(std::string_view value, std::string_view home) {
  std::string out;
  bool first = true;
  for (std::string_view entry : split(value, ':')) {
    if (!first) {
      out += ':';
    }
    first = false;
    out += tilde_home(entry, home);
  }
  return out;
}

std::string from_c_buffer(const char* buffer, std::size_t size) {
  return std::string(buffer, std::find(buffer, buffer + size, '\0'));
}

std::string printable(std::string_view text, std::size_t max_length) {
  std::string out;
  for (char c : text.substr(0, max_length)) {
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  if (text.size() > max_length) {
    out += "...";
  }
  return out;
}

std::string shell_quote(std::string_view text) {
  const auto safe = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_@%+=:,./~-").find(c) != std::string_view::npos;
  };
  bool plain = !text.empty() && text.front() != '~';
  for (char c : text) {
    plain = plain && safe(c);
  }
  return plain ? std::string(text) : single_quote(text);
}

std::string single_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

}  // namespace tfgpu
