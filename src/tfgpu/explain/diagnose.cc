// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/explain/diagnose.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <utility>

#include "tfgpu/explain/env_rules.h"

namespace tfgpu::explain {
namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

bool is_library_load_failure(std::string_view line) {
  return contains(line, "Cannot dlopen some GPU libraries") ||
         contains(line, "Could not load dynamic library");
}

// A stated fact that makes other causes moot (env_rules.h, EnvBoost::supersedes): their
// confidence is what is left once the fact is believed, and the fact's cause cites their log
// lines (in input order, at most kMaxEvidenceLines), before its own environment evidence.
void supersede(std::vector<RankedCause>& causes, const EnvBoost& boost) {
  const auto winner = std::find_if(causes.begin(), causes.end(), [&](const RankedCause& cause) {
    return cause.id == boost.cause;
  });
  if (winner == causes.end()) {
    return;  // every boost adds its cause; a --kb folder without the cause has no row for it
  }
  std::vector<Evidence> lines;
  std::vector<Evidence> environment;
  for (auto& evidence : winner->evidence) {
    (evidence.line == 0 ? environment : lines).push_back(std::move(evidence));
  }
  for (auto& cause : causes) {
    if (cause.id == boost.cause || std::find(boost.supersedes.begin(), boost.supersedes.end(),
                                             cause.id) == boost.supersedes.end()) {
      continue;
    }
    cause.confidence *= 1.0 - boost.weight;
    for (const auto& evidence : cause.evidence) {
      if (evidence.line != 0) {
        lines.push_back(evidence);
      }
    }
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const Evidence& a, const Evidence& b) { return a.line < b.line; });
  lines.erase(std::unique(lines.begin(), lines.end(),
                          [](const Evidence& a, const Evidence& b) { return a.line == b.line; }),
              lines.end());
  if (lines.size() > kMaxEvidenceLines) {
    lines.resize(kMaxEvidenceLines);
  }
  lines.insert(lines.end(), environment.begin(), environment.end());
  winner->evidence = std::move(lines);
}

}  // namespace

Result<void> set_env_fact(EnvFacts& facts, std::string_view key, std::string value) {
  std::string* field = nullptr;
  if (key == "tf_version") {
    field = &facts.tf_version;
  } else if (key == "os") {
    field = &facts.os;
  } else if (key == "python") {
    field = &facts.python;
  } else if (key == "cuda") {
    field = &facts.cuda;
  } else if (key == "cudnn") {
    field = &facts.cudnn;
  } else if (key == "driver") {
    field = &facts.driver;
  } else if (key == "gpu") {
    field = &facts.gpu;
  } else if (key == "install_method") {
    field = &facts.install_method;
  }
  if (field == nullptr) {
    return make_error(Errc::kInvalidArgument,
                      "unknown environment key '" + std::string(key) +
                          "' (known: tf_version, os, python, cuda, cudnn, driver, gpu, "
                          "install_method)");
  }
  *field = std::move(value);
  return {};
}

ReportEnv merged_env(const ReportEnv& stated, const EnvFacts& extra) {
  ReportEnv env = stated;
  const auto over = [](std::string& field, const std::string& value) {
    if (!value.empty()) {
      field = value;
    }
  };
  over(env.tf_version, extra.tf_version);
  over(env.os, extra.os);
  over(env.python, extra.python);
  over(env.cuda, extra.cuda);
  over(env.cudnn, extra.cudnn);
  over(env.driver, extra.driver);
  over(env.gpu, extra.gpu);
  over(env.install_method, extra.install_method);
  env.other.insert(env.other.end(), extra.other.begin(), extra.other.end());
  return env;
}

Diagnoser::Diagnoser(const kb::KnowledgeBase& kb, const SignatureMatcher& matcher)
    : kb_(kb), matcher_(matcher), hits_(kb.causes.size()) {}

void Diagnoser::add_line(std::uint64_t number, std::string_view text, LineOrigin origin) {
  ++lines_;
  if (std::string listed = listed_distribution(text);
      !listed.empty() && std::find(listed_distributions_.begin(), listed_distributions_.end(),
                                   listed) == listed_distributions_.end()) {
    listed_distributions_.push_back(std::move(listed));
  }
  gpus_listed_none_ = gpus_listed_none_ || lists_no_gpu(text);
  gpus_found_ = gpus_found_ || found_gpus_then_skipped(text);
  const auto hits = matcher_.match_line(text);
  if (hits.empty()) {
    return;
  }
  library_load_failed_ = library_load_failed_ || is_library_load_failure(text);
  const double factor = origin == LineOrigin::kDescription ? kDescriptionWeightFactor : 1.0;
  for (const auto& hit : hits) {
    const auto& signature = kb_.signatures[hit.signature];
    const auto cause = std::find_if(kb_.causes.begin(), kb_.causes.end(),
                                    [&](const kb::Cause& c) { return c.id == signature.cause; });
    if (cause == kb_.causes.end()) {
      continue;  // kb lint rejects a signature of an unknown cause; a --kb folder is linted too
    }
    auto& cause_hits = hits_[static_cast<std::size_t>(cause - kb_.causes.begin())];
    const double weight = signature.weight * factor;
    const auto known =
        std::find(cause_hits.signatures.begin(), cause_hits.signatures.end(), hit.signature);
    if (known == cause_hits.signatures.end()) {
      cause_hits.signatures.push_back(hit.signature);
      cause_hits.signature_weights.push_back(weight);
    } else {
      auto& strongest =
          cause_hits
              .signature_weights[static_cast<std::size_t>(known - cause_hits.signatures.begin())];
      strongest = std::max(strongest, weight);
    }
    const bool already_cited =
        !cause_hits.evidence.empty() && cause_hits.evidence.back().line == number;
    if (!already_cited && cause_hits.evidence.size() < kMaxEvidenceLines) {
      cause_hits.evidence.push_back(Evidence{number, std::string(text)});
    }
  }
}

Explanation Diagnoser::finish(const ReportEnv& env) const {
  EnvView view{env,
               kb_,
               first_version(env.tf_version),
               nullptr,
               {},
               false,
               {},
               false,
               library_load_failed_,
               listed_distributions_};
  view.log_lists_no_gpu = gpus_listed_none_;
  view.log_found_gpus = gpus_found_;
  if (view.tensorflow) {
    view.release = kb_.release_for(*view.tensorflow);
  }
  for (std::size_t i = 0; i < kb_.causes.size(); ++i) {
    if (!hits_[i].signatures.empty()) {
      view.log_causes.push_back(kb_.causes[i].id);
      view.log_has_noise = view.log_has_noise || kb_.causes[i].kind == kb::CauseKind::kNoise;
    }
    for (const auto& evidence : hits_[i].evidence) {
      view.failed_with_nvidia_wheels_on_path =
          view.failed_with_nvidia_wheels_on_path || wheels_on_printed_path(evidence.text);
    }
    if (kb_.causes[i].id == "missing_cudnn") {
      for (const auto& evidence : hits_[i].evidence) {
        view.cudnn_load_failures.push_back(evidence.text);
      }
    }
  }
  std::map<std::string, std::vector<const EnvBoost*>> boosts_by_cause;
  const auto boosts = environment_boosts(view);
  for (const auto& boost : boosts) {
    boosts_by_cause[boost.cause].push_back(&boost);
  }

  Explanation explanation;
  explanation.lines_scanned = lines_;
  bool any_failure = false;
  bool any_noise = false;
  for (std::size_t i = 0; i < kb_.causes.size(); ++i) {
    const auto& cause = kb_.causes[i];
    const auto& cause_hits = hits_[i];
    const auto boosted = boosts_by_cause.find(cause.id);
    if (cause_hits.signatures.empty() && boosted == boosts_by_cause.end()) {
      continue;
    }
    double miss = 1.0;
    for (const double weight : cause_hits.signature_weights) {
      miss *= 1.0 - std::clamp(weight, 0.0, 1.0);
    }
    RankedCause ranked{cause.id, cause.kind, 0.0, cause.summary, cause.fix, cause_hits.evidence};
    if (boosted != boosts_by_cause.end()) {
      for (const auto* boost : boosted->second) {
        miss *= 1.0 - boost->weight;
        ranked.evidence.push_back(Evidence{0, "environment: " + boost->why});
      }
    }
    ranked.confidence = 1.0 - miss;
    (cause.kind == kb::CauseKind::kNoise ? any_noise : any_failure) = true;
    explanation.causes.push_back(std::move(ranked));
  }
  for (const auto& boost : boosts) {
    if (!boost.supersedes.empty()) {
      supersede(explanation.causes, boost);
    }
  }
  // Failures before noise whatever the scores; among noise, one the stated environment supports
  // first (it says which benign reading applies to this user: "TensorFlow is not meant to use the
  // GPU here" covers every CUDA warning in the log); then by confidence; ties keep the KB's order.
  const auto environment_supported = [&](const RankedCause& cause) {
    return boosts_by_cause.count(cause.id) != 0;
  };
  std::stable_sort(explanation.causes.begin(), explanation.causes.end(),
                   [&](const RankedCause& a, const RankedCause& b) {
                     const bool a_noise = a.kind == kb::CauseKind::kNoise;
                     const bool b_noise = b.kind == kb::CauseKind::kNoise;
                     if (a_noise != b_noise) {
                       return b_noise;
                     }
                     if (a_noise && environment_supported(a) != environment_supported(b)) {
                       return environment_supported(a);
                     }
                     return a.confidence > b.confidence;
                   });
  explanation.noise_only = any_noise && !any_failure;
  return explanation;
}

Result<Explanation> explain(const Report& report, const kb::KnowledgeBase& kb,
                            const EnvFacts& extra) {
  auto matcher = SignatureMatcher::compile(kb);
  if (!matcher) {
    return tl::unexpected(matcher.error());
  }
  return explain(report, kb, *matcher, extra);
}

Explanation explain(const Report& report, const kb::KnowledgeBase& kb,
                    const SignatureMatcher& matcher, const EnvFacts& extra) {
  Diagnoser diagnoser(kb, matcher);
  // Reporters title an issue with the error they saw ("Could not load dynamic library
  // 'libcudnn.so.8'"), often the line their excerpt cut off: it counts as description text.
  if (!report.title.empty()) {
    diagnoser.add_line(report.title_line, report.title, LineOrigin::kDescription);
  }
  for (const auto& line : report.log_lines) {
    diagnoser.add_line(line.number, line.text, line.origin);
  }
  return diagnoser.finish(merged_env(report.env, extra));
}

}  // namespace tfgpu::explain
