// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the check tests ask of findings (one finding by id, a fix command, a piece of evidence, a
// KB citation), plus the recorded machines' probe facts, written once for every
// tests/unit/checks/*_test.cc. The machine they start from is check_fixtures.h's.

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "check_fixtures.h"
#include "tfgpu/model/facts_json.h"

namespace tfgpu::testing {

// The interpreter of healthy_facts()'s environment, as fix commands name it.
inline const std::string kPython = "/home/ana/venv/bin/python3";

// healthy_facts()'s environment and its TensorFlow install, to change one thing in a test.
inline model::PythonEnv& venv(model::Facts& facts) {
  return facts.python_envs.front();
}

inline model::TensorflowInstall& tf(model::Facts& facts) {
  return venv(facts).tensorflow.front();
}

// The one finding with `id`; an empty finding (and a test failure) when there is not exactly one.
inline model::Finding the(const std::vector<model::Finding>& findings, std::string_view id) {
  std::vector<model::Finding> matching;
  for (const auto& finding : findings) {
    if (finding.id == id) {
      matching.push_back(finding);
    }
  }
  if (matching.size() != 1) {
    ADD_FAILURE() << matching.size() << " findings with id " << id;
    return {};
  }
  return matching.front();
}

// Run check `id` and return its one finding (see the()).
inline model::Finding run_one(std::string_view id, const model::Facts& facts,
                              const kb::KnowledgeBase& kb = small_kb()) {
  return the(run_check(id, facts, kb), id);
}

// True when check `id` finds nothing.
inline bool quiet(std::string_view id, const model::Facts& facts,
                  const kb::KnowledgeBase& kb = small_kb()) {
  return run_check(id, facts, kb).empty();
}

// True when one of the finding's fixes has exactly `command`.
inline bool has_command(const model::Finding& finding, std::string_view command) {
  for (const auto& fix : finding.fixes) {
    for (const auto& c : fix.commands) {
      if (c == command) {
        return true;
      }
    }
  }
  return false;
}

// Every fix command of the finding, one a line: for failure messages.
inline std::string all_commands(const model::Finding& finding) {
  std::string out;
  for (const auto& fix : finding.fixes) {
    for (const auto& c : fix.commands) {
      out += c + "\n";
    }
  }
  return out;
}

// True when some evidence value of the finding contains `value`.
inline bool evidence_shows(const model::Finding& finding, std::string_view value) {
  for (const auto& evidence : finding.evidence) {
    if (evidence.value.find(value) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// True when the finding cites the KB row (or statement) `row`.
inline bool cites(const model::Finding& finding, std::string_view row) {
  for (const auto& citation : finding.kb) {
    if (citation.row == row) {
      return true;
    }
  }
  return false;
}

inline bool mentions(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// A recorded machine's probe facts, as `tfgpu probe --root tests/machines/<name> --json` gave
// them; empty facts (and a test failure) when the file is missing or unreadable.
inline model::Facts recorded(const std::string& name) {
  const std::string path =
      std::string(TFGPU_SOURCE_DIR) + "/tests/machines/" + name + "/expected/probe.json";
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return {};
  }
  std::stringstream text;
  text << in.rdbuf();
  const auto document = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    ADD_FAILURE() << "cannot parse " << path;
    return {};
  }
  auto facts = model::facts_from_json(document);
  if (!facts) {
    ADD_FAILURE() << path << ": " << facts.error().message;
    return {};
  }
  return *facts;
}

}  // namespace tfgpu::testing
