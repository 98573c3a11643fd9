// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/base/version.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace tfgpu {

std::optional<Version> Version::parse(std::string_view text) {
  Version version;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] < '0' || text[pos] > '9') {
      break;
    }
    int value = 0;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), value);
    if (ec != std::errc()) {
      return std::nullopt;  // out of range: not a version we can compare
    }
    version.parts_.push_back(value);
    pos = static_cast<std::size_t>(end - text.data());
    if (pos + 1 < text.size() && text[pos] == '.' && text[pos + 1] >= '0' && text[pos + 1] <= '9') {
      ++pos;
      continue;
    }
    break;
  }
  if (version.parts_.empty()) {
    return std::nullopt;
  }
  version.text_ = std::string(text.substr(0, pos));
  // The suffix ends at the first blank or control byte: "2.36.\nCopyright" keeps ".", not the
  // rest of a banner.
  std::size_t end = pos;
  while (end < text.size() && static_cast<unsigned char>(text[end]) > 0x20 && text[end] != 0x7f) {
    ++end;
  }
  version.suffix_ = std::string(text.substr(pos, end - pos));
  return version;
}

std::optional<Version> Version::from_cuda_int(long encoded) {
  if (encoded <= 0) {
    return std::nullopt;
  }
  Version version;
  version.parts_ = {static_cast<int>(encoded / 1000), static_cast<int>((encoded % 1000) / 10)};
  version.text_ = fmt::format("{}.{}", version.parts_[0], version.parts_[1]);
  return version;
}

std::optional<Version> Version::from_cudnn_int(long encoded) {
  if (encoded <= 0) {
    return std::nullopt;
  }
  Version version;
  // cuDNN 9 changed CUDNN_VERSION from major*1000 to major*10000 (cudnn_version.h, 9.0.0).
  // 9xxxx or more is the new encoding; below 10000 is the old one.
  if (encoded >= 10000) {
    version.parts_ = {static_cast<int>(encoded / 10000), static_cast<int>((encoded % 10000) / 100),
                      static_cast<int>(encoded % 100)};
  } else {
    version.parts_ = {static_cast<int>(encoded / 1000), static_cast<int>((encoded % 1000) / 100),
                      static_cast<int>(encoded % 100)};
  }
  version.text_ = fmt::format("{}.{}.{}", version.parts_[0], version.parts_[1], version.parts_[2]);
  return version;
}

bool Version::same_prefix(const Version& other, std::size_t n) const {
  for (std::size_t i = 0; i < n; ++i) {
    if (part(i) != other.part(i)) {
      return false;
    }
  }
  return true;
}

std::strong_ordering Version::operator<=>(const Version& other) const {
  const std::size_t n = std::max(parts_.size(), other.parts_.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (auto c = part(i) <=> other.part(i); c != 0) {
      return c;
    }
  }
  return std::strong_ordering::equal;
}

}  // namespace tfgpu
