// SPDX-License-Identifier: Apache-2.0
#pragma once
// One Version type for every version in the stack, parsed at the boundary.
//
// Why: the stack spells versions in incompatible ways. The kernel driver says "535.104.05",
// cuDriverGetVersion() says 12040 (= 12.4: major*1000 + minor*10), cuDNN's CUDNN_VERSION says
// 8902 (= 8.9.2: major*1000 + minor*100 + patch) before 9.0 and 90300 (= 9.3.0: major*10000 +
// minor*100 + patch) from 9.0 on, pip wheels say "12.5.82" or "2.15.0.post1". Each encoding
// has its own parser here, so a raw int never travels downstream where it could be decoded
// the wrong way.

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tfgpu {

class Version {
 public:
  Version() = default;

  // Parse "535.104.05", "12.4", "2.15.0.post1", "9.3.0.75", "2.21.0rc1". Numeric dot-separated
  // components are kept; the first non-numeric suffix ends the numbers and is kept as `suffix`
  // up to the first blank or control byte.
  // Returns nullopt when `text` does not start with a digit.
  static std::optional<Version> parse(std::string_view text);

  // Decode cuDriverGetVersion()/cudaRuntimeGetVersion()/NVML CUDA version: 12040 -> 12.4.
  static std::optional<Version> from_cuda_int(long encoded);

  // Decode CUDNN_VERSION / cudnnGetVersion(): 8902 -> 8.9.2, 90300 -> 9.3.0, 7605 -> 7.6.5.
  static std::optional<Version> from_cudnn_int(long encoded);

  // The components as written; "535.104.05" keeps its leading zero in text().
  const std::vector<int>& parts() const { return parts_; }

  // The original spelling for numbers parsed from text, or the canonical dotted form.
  const std::string& text() const { return text_; }

  const std::string& suffix() const { return suffix_; }

  // Component `i`, or 0 when the version has fewer components.
  int part(std::size_t i) const { return i < parts_.size() ? parts_[i] : 0; }

  int major() const { return part(0); }

  int minor() const { return part(1); }

  // True when the first `n` components equal those of `other`, e.g. same major (n = 1).
  bool same_prefix(const Version& other, std::size_t n) const;

  // Numeric comparison; missing components count as 0; the suffix does not take part.
  std::strong_ordering operator<=>(const Version& other) const;

  bool operator==(const Version& other) const { return (*this <=> other) == 0; }

 private:
  std::vector<int> parts_;
  std::string text_;
  std::string suffix_;
};

}  // namespace tfgpu
