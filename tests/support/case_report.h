// SPDX-License-Identifier: Apache-2.0
#pragma once
// The case corpus (tests/data/cases/dev.jsonl) and shared/cases/to_report.py ported to C++: each
// record turned into the issue-report text users paste. Shared by the explain tests (report_test
// checks parse_report on it, corpus_test checks explain's accuracy on it).
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace tfgpu::test_support {

using Json = nlohmann::ordered_json;  // the env's keys in the file's order, as Python's dict

// --- to_report.py, ported -------------------------------------------------------------------

// Python's repr() of a string: single quotes unless it holds one and no double quote.
inline std::string py_repr_string(const std::string& text) {
  const bool has_single = text.find('\'') != std::string::npos;
  const bool has_double = text.find('"') != std::string::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == quote) {
      out += std::string("\\") + c;
    } else {
      out += c;
    }
  }
  return out + quote;
}

inline std::string py_str(const Json& value);

inline std::string py_repr(const Json& value) {
  return value.is_string() ? py_repr_string(value.get<std::string>()) : py_str(value);
}

// Python's str() of a JSON value as json.loads gives it.
inline std::string py_str(const Json& value) {
  if (value.is_string()) {
    return value.get<std::string>();
  }
  if (value.is_boolean()) {
    return value.get<bool>() ? "True" : "False";
  }
  if (value.is_null()) {
    return "None";
  }
  if (value.is_object()) {
    std::string out = "{";
    for (auto it = value.begin(); it != value.end(); ++it) {
      out += (it == value.begin() ? "" : ", ") + py_repr_string(it.key()) + ": " + py_repr(*it);
    }
    return out + "}";
  }
  if (value.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < value.size(); ++i) {
      out += (i == 0 ? "" : ", ") + py_repr(value[i]);
    }
    return out + "]";
  }
  return value.dump();  // numbers
}

// Python's str.strip() for the ASCII whitespace the corpus holds.
inline std::string py_strip(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string_view::npos) {
    return "";
  }
  return std::string(text.substr(first, text.find_last_not_of(" \t\r\n\f\v") - first + 1));
}

// `value not in (None, "")`
inline bool stated(const Json& value) {
  return !value.is_null() && !(value.is_string() && value.get<std::string>().empty());
}

struct HeadingKey {
  std::string_view key;
  std::string_view heading;
};

inline constexpr HeadingKey kHeadings[] = {
    {"tf_version", "TensorFlow version"},
    {"os", "OS platform and distribution"},
    {"python", "Python version"},
    {"install_method", "Install method"},
    {"cuda", "CUDA version"},
    {"cudnn", "cuDNN version"},
    {"driver", "NVIDIA driver version"},
    {"gpu", "GPU model and memory"},
};

struct BuiltReport {
  std::string text;
  std::uint64_t first_log_line = 0;  // line number of the log's first line in `text`
};

// to_report.py's report(case).
inline BuiltReport build_report(const Json& record) {
  Json env = record.contains("env") && record["env"].is_object() ? record["env"] : Json::object();
  std::vector<std::string> lines = {"# " + py_strip(record.value("title", "")), ""};
  for (const auto& [key, heading] : kHeadings) {
    const std::string name(key);
    if (env.contains(name)) {
      const Json value = env[name];
      env.erase(name);
      if (stated(value)) {
        lines.insert(lines.end(), {"### " + std::string(heading), "", py_strip(py_str(value)), ""});
      }
    }
  }
  if (!env.empty()) {
    lines.insert(lines.end(), {"### Other environment details", ""});
    for (auto it = env.begin(); it != env.end(); ++it) {
      if (stated(*it)) {
        lines.push_back("- " + it.key() + ": " + py_str(*it));
      }
    }
    lines.emplace_back("");
  }
  std::string log = record.value("log", "");
  while (!log.empty() && log.back() == '\n') {
    log.pop_back();
  }
  lines.insert(lines.end(), {"### Relevant log output", "", "```shell"});
  BuiltReport built;
  for (const std::string& line : lines) {
    built.text += line + "\n";
  }
  built.first_log_line =
      static_cast<std::uint64_t>(std::count(built.text.begin(), built.text.end(), '\n')) + 1;
  built.text += log + "\n```\n";
  return built;
}

// --- the corpus -----------------------------------------------------------------------------

inline std::vector<Json> load_cases() {
  std::vector<Json> cases;
  std::ifstream in(TFGPU_SOURCE_DIR "/tests/data/cases/dev.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) {
      cases.push_back(Json::parse(line));
    }
  }
  return cases;
}

inline const std::vector<Json>& cases() {
  static const std::vector<Json> loaded = load_cases();
  return loaded;
}

inline std::vector<std::size_t> case_indexes() {
  std::vector<std::size_t> indexes(cases().size());
  for (std::size_t i = 0; i < indexes.size(); ++i) {
    indexes[i] = i;
  }
  return indexes;
}

}  // namespace tfgpu::test_support
