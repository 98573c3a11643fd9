// SPDX-License-Identifier: Apache-2.0
#pragma once
// Matching log lines against the knowledge base's signatures (signatures.toml).
//
// All patterns are compiled once into one RE2::Set, which says in a single pass over a line which
// signatures match it; the few that do are then run again on their own RE2 to read their capture
// groups. A log of a million lines therefore costs one DFA pass per line, not one per signature.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/kb/knowledge_base.h"

namespace tfgpu::explain {

// Lines are matched on their first 64 KiB only: every signature is a short message that starts
// near the line's beginning, and a bounded prefix keeps a megabyte tensor dump from costing a
// megabyte of regex work per signature that matched.
inline constexpr std::size_t kMaxMatchedLineBytes = std::size_t{64} << 10;

struct SignatureHit {
  std::size_t signature = 0;          // index into KnowledgeBase::signatures
  std::vector<std::string> captures;  // the named groups' values, in Signature::captures order
};

class SignatureMatcher {
 public:
  // Compile every signature of `kb`. Fails with kMalformed naming the signature whose pattern RE2
  // rejects (kb lint prevents that for the embedded KB; a --kb folder may still hold one).
  static Result<SignatureMatcher> compile(const kb::KnowledgeBase& kb);

  SignatureMatcher(SignatureMatcher&&) noexcept;
  SignatureMatcher& operator=(SignatureMatcher&&) noexcept;
  ~SignatureMatcher();

  // The signatures that match `line`, in signature order.
  std::vector<SignatureHit> match_line(std::string_view line) const;

  std::size_t size() const;

 private:
  struct Impl;
  explicit SignatureMatcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tfgpu::explain
