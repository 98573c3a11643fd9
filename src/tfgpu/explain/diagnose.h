// SPDX-License-Identifier: Apache-2.0
#pragma once
// Naming the cause of a failure from a log or an issue report (`tfgpu explain`).
//
// Each line is matched against the KB's signatures (matcher.h); a cause's score combines the
// weights of its signatures that matched, each signature counted once (its strongest line):
// 1 − Π(1 − w), so independent hints add up without ever reaching certainty from one weak line
// repeated. Lines outside an issue report's log section weigh less (kDescriptionWeightFactor).
// The stated environment then sharpens the ranking with general rules (env_rules.h) that compare
// it with the KB and the log: a Windows-native GPU setup on TensorFlow ≥ 2.11, a CUDA or Python
// the release was not built for, a GPU its wheel has no kernels for, a CPU-only distribution.
// A stated fact can make other causes moot (a machine with no NVIDIA GPU has no driver to fix):
// its cause then cites their lines and outranks them (EnvBoost::supersedes).
//
// Noise causes (benign warnings) never outrank a failure cause that scored at all: a log whose
// only hits are noise is `noise_only`, with the most likely noise first.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/explain/matcher.h"
#include "tfgpu/explain/report.h"
#include "tfgpu/kb/knowledge_base.h"

namespace tfgpu::explain {

inline constexpr double kDescriptionWeightFactor = 0.6;
inline constexpr std::size_t kMaxEvidenceLines = 5;

// Environment facts given on the command line (`--env tf_version=2.16.1`): a non-empty field
// overrides what the report states.
using EnvFacts = ReportEnv;

// Set the field `key` ("tf_version", "os", "python", "cuda", "cudnn", "driver", "gpu",
// "install_method") of `facts`. Fails with kInvalidArgument naming the key when it is unknown.
Result<void> set_env_fact(EnvFacts& facts, std::string_view key, std::string value);

// A line that supports a cause. Line 0 stands for the stated environment (an environment rule).
struct Evidence {
  std::uint64_t line = 0;
  std::string text;
};

struct RankedCause {
  std::string id;
  kb::CauseKind kind = kb::CauseKind::kFailure;
  double confidence = 0;  // 0–1
  std::string summary;
  std::string fix;
  std::vector<Evidence> evidence;  // at most kMaxEvidenceLines log lines, in input order, then
                                   // any environment evidence
};

struct Explanation {
  std::vector<RankedCause> causes;  // failures first, then noise; each by confidence
  bool noise_only = false;          // every hit was a noise cause
  std::uint64_t lines_scanned = 0;
};

// Collects hits line by line, so a raw log can be explained as it streams (only evidence lines
// are kept). `kb` and `matcher` must outlive it.
class Diagnoser {
 public:
  Diagnoser(const kb::KnowledgeBase& kb, const SignatureMatcher& matcher);

  void add_line(std::uint64_t number, std::string_view text, LineOrigin origin = LineOrigin::kLog);

  // Rank the causes, sharpened by `env` (the report's environment with any overrides applied).
  Explanation finish(const ReportEnv& env) const;

 private:
  struct CauseHits {
    std::vector<double> signature_weights;  // strongest weight per signature of this cause
    std::vector<std::size_t> signatures;
    std::vector<Evidence> evidence;
  };

  const kb::KnowledgeBase& kb_;
  const SignatureMatcher& matcher_;
  std::vector<CauseHits> hits_;  // by index into kb_.causes
  std::uint64_t lines_ = 0;
  bool library_load_failed_ = false;  // a "Could not load dynamic library"-style line was seen
  bool gpus_listed_none_ = false;     // a line says TensorFlow found 0 GPUs (lists_no_gpu())
  bool gpus_found_ = false;           // found_gpus_then_skipped() saw a line
  std::vector<std::string> listed_distributions_;  // see EnvView::listed_distributions
};

// The report's environment with the non-empty fields of `extra` put over it.
ReportEnv merged_env(const ReportEnv& stated, const EnvFacts& extra);

// Explain a parsed report: its title (reporters title an issue with the error they saw) and lines,
// against its stated environment with `extra` put over it.
Explanation explain(const Report& report, const kb::KnowledgeBase& kb,
                    const SignatureMatcher& matcher, const EnvFacts& extra = {});

// The same, compiling the KB's signatures first. Fails only when a signature's pattern does not
// compile (a --kb folder).
Result<Explanation> explain(const Report& report, const kb::KnowledgeBase& kb,
                            const EnvFacts& extra = {});

}  // namespace tfgpu::explain
