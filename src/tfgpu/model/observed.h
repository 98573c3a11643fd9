// SPDX-License-Identifier: Apache-2.0
#pragma once
// A probed value is never bare: it says whether it is present, absent or unknown, where it was
// read (a path, a symbol, an environment variable) and, when unknown, why. "Absent" is a fact
// (no /proc/driver/nvidia/version: no module loaded); "unknown" is a failure to find out
// (permission denied, truncated file). Downstream checks treat the two differently.

#include <optional>
#include <string>
#include <utility>

namespace tfgpu::model {

enum class Presence { kPresent, kAbsent, kUnknown };

template <class T>
struct Observed {
  Presence presence = Presence::kUnknown;
  std::optional<T> value;   // set iff presence == kPresent
  std::string source;       // "/proc/driver/nvidia/version", "env CUDA_HOME", "DT_RUNPATH of …"
  std::string why_unknown;  // set iff presence == kUnknown

  static Observed present(T value, std::string source) {
    return Observed{Presence::kPresent, std::move(value), std::move(source), {}};
  }

  static Observed absent(std::string source) {
    return Observed{Presence::kAbsent, std::nullopt, std::move(source), {}};
  }

  static Observed unknown(std::string source, std::string why) {
    return Observed{Presence::kUnknown, std::nullopt, std::move(source), std::move(why)};
  }

  bool is_present() const { return presence == Presence::kPresent && value.has_value(); }

  // The value, or `fallback` when not present.
  T value_or(T fallback) const { return is_present() ? *value : std::move(fallback); }
};

}  // namespace tfgpu::model
