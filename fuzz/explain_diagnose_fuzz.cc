// SPDX-License-Identifier: Apache-2.0
// The signature matcher and the ranking over the shipped KB: any bytes, as a report or as a raw
// log's lines, and the first input line read as stated environment facts (so the environment
// rules see arbitrary text too). Checks what must hold for every input: confidences in [0, 1],
// failures before noise, at most kMaxEvidenceLines log lines of evidence per cause, evidence
// citing lines that exist.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tfgpu/explain/diagnose.h"
#include "tfgpu/explain/env_rules.h"
#include "tfgpu/explain/line_reader.h"
#include "tfgpu/explain/matcher.h"
#include "tfgpu/explain/report.h"
#include "tfgpu/kb/load.h"

namespace {

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

void check_explanation(const tfgpu::explain::Explanation& explanation, std::uint64_t max_line) {
  bool seen_noise = false;
  for (const auto& cause : explanation.causes) {
    check(cause.confidence >= 0.0 && cause.confidence <= 1.0);
    const bool noise = cause.kind == tfgpu::kb::CauseKind::kNoise;
    check(!(seen_noise && !noise));  // no failure after a noise cause
    seen_noise = seen_noise || noise;
    std::size_t log_evidence = 0;
    for (const auto& evidence : cause.evidence) {
      check(evidence.line <= max_line);
      log_evidence += evidence.line != 0 ? 1 : 0;
    }
    check(log_evidence <= tfgpu::explain::kMaxEvidenceLines);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tfgpu::explain;  // NOLINT
  static const tfgpu::kb::KnowledgeBase kb = *tfgpu::kb::load_embedded();
  static const SignatureMatcher matcher = *SignatureMatcher::compile(kb);
  const std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT

  // The first line as every stated fact: the rules must cope with any text in any field.
  const std::string_view first_line = input.substr(0, input.find('\n'));
  EnvFacts facts;
  for (const char* key :
       {"tf_version", "os", "python", "cuda", "cudnn", "driver", "gpu", "install_method"}) {
    check(set_env_fact(facts, key, std::string(first_line)).has_value());
  }
  facts.other.push_back(EnvDetail{"packages", std::string(first_line)});

  std::uint64_t lines = 0;
  for_each_line(input, [&](const LineView&) { ++lines; });
  const Report report = parse_report(input);
  check_explanation(explain(report, kb, matcher, facts), lines + 1);

  Diagnoser diagnoser(kb, matcher);
  for_each_line(input, [&](const LineView& line) {
    diagnoser.add_line(line.number, line.text);
    (void)listed_distribution(line.text);
  });
  check_explanation(diagnoser.finish(facts), lines + 1);
  return 0;
}
