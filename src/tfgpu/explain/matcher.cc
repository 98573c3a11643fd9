// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/explain/matcher.h"

#include <algorithm>
#include <utility>

#include <re2/re2.h>
#include <re2/set.h>

namespace tfgpu::explain {

struct SignatureMatcher::Impl {
  explicit Impl(const RE2::Options& options) : set(options, RE2::UNANCHORED) {}

  RE2::Set set;
  std::vector<std::unique_ptr<RE2>> patterns;  // one per signature, for its captures
};

namespace {

RE2::Options matcher_options() {
  RE2::Options options;
  // Log bytes are not necessarily UTF-8; Latin-1 makes every byte a character so no line is
  // rejected, and the KB's patterns are ASCII.
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_log_errors(false);
  return options;
}

}  // namespace

SignatureMatcher::SignatureMatcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SignatureMatcher::SignatureMatcher(SignatureMatcher&&) noexcept = default;
SignatureMatcher& SignatureMatcher::operator=(SignatureMatcher&&) noexcept = default;
SignatureMatcher::~SignatureMatcher() = default;

Result<SignatureMatcher> SignatureMatcher::compile(const kb::KnowledgeBase& kb) {
  const RE2::Options options = matcher_options();
  auto impl = std::make_unique<Impl>(options);
  for (const auto& signature : kb.signatures) {
    std::string error;
    if (impl->set.Add(signature.pattern, &error) < 0) {
      return make_error(Errc::kMalformed,
                        "signature " + signature.id + ": pattern does not compile: " + error);
    }
    auto pattern = std::make_unique<RE2>(signature.pattern, options);
    if (!pattern->ok()) {
      return make_error(Errc::kMalformed, "signature " + signature.id +
                                              ": pattern does not compile: " + pattern->error());
    }
    impl->patterns.push_back(std::move(pattern));
  }
  if (!impl->patterns.empty() && !impl->set.Compile()) {
    return make_error(Errc::kMalformed, "the signatures' patterns are too large to compile");
  }
  return SignatureMatcher(std::move(impl));
}

std::size_t SignatureMatcher::size() const {
  return impl_->patterns.size();
}

std::vector<SignatureHit> SignatureMatcher::match_line(std::string_view line) const {
  std::vector<SignatureHit> hits;
  if (impl_->patterns.empty()) {
    return hits;
  }
  const std::string_view text = line.substr(0, kMaxMatchedLineBytes);
  std::vector<int> matched;
  if (!impl_->set.Match(re2::StringPiece(text), &matched)) {
    return hits;
  }
  std::sort(matched.begin(), matched.end());
  for (const int index : matched) {
    const RE2& pattern = *impl_->patterns[static_cast<std::size_t>(index)];
    const int groups = pattern.NumberOfCapturingGroups();
    SignatureHit hit;
    hit.signature = static_cast<std::size_t>(index);
    if (groups == 0) {
      // The set already proved the match and there is nothing to capture: most hits are noise
      // lines, and matching them a second time was most of explain's time on large logs.
      hits.push_back(std::move(hit));
      continue;
    }
    std::vector<re2::StringPiece> values(static_cast<std::size_t>(groups) + 1);
    if (pattern.Match(re2::StringPiece(text), 0, text.size(), RE2::UNANCHORED, values.data(),
                      static_cast<int>(values.size()))) {
      for (std::size_t i = 1; i < values.size(); ++i) {
        hit.captures.emplace_back(values[i].data(), values[i].size());
      }
    }
    hits.push_back(std::move(hit));
  }
  return hits;
}

}  // namespace tfgpu::explain
