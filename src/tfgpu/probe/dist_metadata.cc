// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/dist_metadata.h"

#include <fmt/format.h>

#include "tfgpu/base/strings.h"

namespace tfgpu::probe {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

bool is_identifier_char(char c) {
  return is_name_char(c) && c != '-' && c != '.';
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// The extra an environment marker requires: `extra == "and-cuda"` (PEP 508 also allows single
// quotes and no spaces). Only the `extra == <string>` form is recognised; others yield "".
std::string marker_extra(std::string_view marker) {
  for (std::size_t at = marker.find("extra"); at != std::string_view::npos;
       at = marker.find("extra", at + 1)) {
    if (at > 0 && is_identifier_char(marker[at - 1])) {
      continue;
    }
    std::size_t i = at + 5;
    if (i < marker.size() && is_identifier_char(marker[i])) {
      continue;
    }
    while (i < marker.size() && is_space(marker[i])) {
      ++i;
    }
    if (marker.substr(i, 2) != "==") {
      continue;
    }
    i += 2;
    while (i < marker.size() && is_space(marker[i])) {
      ++i;
    }
    if (i >= marker.size() || (marker[i] != '"' && marker[i] != '\'')) {
      continue;
    }
    const char quote = marker[i];
    const std::size_t end = marker.find(quote, i + 1);
    if (end == std::string_view::npos) {
      return {};
    }
    return normalize_project_name(marker.substr(i + 1, end - i - 1));
  }
  return {};
}

}  // namespace

std::string normalize_project_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool in_separator_run = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_separator_run) {
        out.push_back('-');
      }
      in_separator_run = true;
      continue;
    }
    in_separator_run = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

std::optional<Requirement> parse_requirement(std::string_view text) {
  Requirement requirement;
  std::string_view spec = text;
  if (const std::size_t semicolon = text.find(';'); semicolon != std::string_view::npos) {
    requirement.marker = std::string(trim(text.substr(semicolon + 1)));
    spec = text.substr(0, semicolon);
  }
  spec = trim(spec);
  std::size_t i = 0;
  while (i < spec.size() && is_name_char(spec[i])) {
    ++i;
  }
  if (i == 0) {
    return std::nullopt;
  }
  requirement.name = normalize_project_name(spec.substr(0, i));
  std::string_view rest = trim(spec.substr(i));
  if (!rest.empty() && rest.front() == '[') {  // requested extras of the dependency: skip them
    const std::size_t close = rest.find(']');
    rest = close == std::string_view::npos ? std::string_view() : trim(rest.substr(close + 1));
  }
  for (char c : rest) {
    if (c != '(' && c != ')' && !is_space(c)) {
      requirement.specifier.push_back(c);
    }
  }
  requirement.extra = marker_extra(requirement.marker);
  return requirement;
}

Result<DistMetadata> parse_dist_metadata(std::string_view text, std::string_view source) {
  DistMetadata metadata;
  // Collect (key, value) headers with continuation lines folded in, up to the first blank line.
  std::vector<std::pair<std::string, std::string>> headers;
  std::size_t line_number = 0;
  for (std::string_view line : split_lines(text)) {
    ++line_number;
    if (trim(line).empty()) {
      break;
    }
    if (is_space(line.front())) {
      if (headers.empty()) {
        return make_error(Errc::kMalformed,
                          fmt::format("{}: line {}: continuation line before any header",
                                      printable(source), line_number));
      }
      headers.back().second += " ";
      headers.back().second += trim(line);
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return make_error(Errc::kMalformed,
                        fmt::format("{}: line {}: not a \"Key: value\" header: {}",
                                    printable(source), line_number, printable(line, 60)));
    }
    headers.emplace_back(to_lower(trim(line.substr(0, colon))),
                         std::string(trim(line.substr(colon + 1))));
  }
  for (auto& [key, value] : headers) {
    if (key == "name" && metadata.name.empty()) {
      metadata.name = value;
    } else if (key == "version" && metadata.version.empty()) {
      metadata.version = value;
    } else if (key == "provides-extra") {
      metadata.provides_extra.push_back(normalize_project_name(value));
    } else if (key == "requires-dist") {
      if (auto requirement = parse_requirement(value)) {
        metadata.requires_dist.push_back(std::move(*requirement));
      }
    }
  }
  if (metadata.name.empty()) {
    return make_error(Errc::kMalformed, fmt::format("{}: no Name header", printable(source)));
  }
  if (metadata.version.empty()) {
    return make_error(Errc::kMalformed, fmt::format("{}: no Version header", printable(source)));
  }
  metadata.normalized_name = normalize_project_name(metadata.name);
  return metadata;
}

std::optional<DistInfoName> parse_dist_info_name(std::string_view directory_name) {
  std::string_view stem;
  bool egg = false;
  if (directory_name.ends_with(".dist-info")) {
    stem = directory_name.substr(0, directory_name.size() - std::string_view(".dist-info").size());
  } else if (directory_name.ends_with(".egg-info")) {
    stem = directory_name.substr(0, directory_name.size() - std::string_view(".egg-info").size());
    egg = true;
  } else {
    return std::nullopt;
  }
  // Wheel and egg file names escape '-' inside the name and version as '_' (PEP 427), so the
  // first '-' separates the name from the version.
  const std::size_t dash = stem.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash + 1 >= stem.size()) {
    return std::nullopt;
  }
  std::string_view version = stem.substr(dash + 1);
  if (egg) {  // "tensorflow-2.3.0-py3.8.egg-info": drop the "-pyX.Y" tag
    version = version.substr(0, version.find('-'));
  }
  if (version.empty()) {
    return std::nullopt;
  }
  return DistInfoName{normalize_project_name(stem.substr(0, dash)), std::string(version)};
}

}  // namespace tfgpu::probe
