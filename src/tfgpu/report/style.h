// SPDX-License-Identifier: Apache-2.0
#pragma once
// How text output looks: colour only on a terminal without NO_COLOR, Unicode marks unless the
// terminal cannot show them, and the home directory written as "~".

#include <string>

namespace tfgpu::report {

enum class Mark { kOk, kWarning, kError, kInfo };

struct TextStyle {
  bool color = false;
  bool unicode = true;
  std::string home;  // replaced by "~" in paths; empty = leave paths as they are

  // "✓" / "!" / "✗" / "·" (ASCII: "ok", "!!", "xx", "--"), coloured when `color`.
  std::string mark(Mark mark) const;

  // `path` with the home directory shown as "~".
  std::string path(const std::string& path) const;

  // `text` with every home-directory path in it shown as "~" (messages that quote paths).
  std::string text(const std::string& text) const;

  // `text` in bold when colour is on.
  std::string bold(const std::string& text) const;

  // `text` dimmed when colour is on.
  std::string dim(const std::string& text) const;
};

}  // namespace tfgpu::report
