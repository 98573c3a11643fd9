// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/report/text_parts.h"

#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tfgpu::report {

std::string kb_citation_text(const model::KbCitation& citation) {
  std::string line =
      fmt::format("{} \"{}\" ({})", citation.table, citation.row, citation.confidence);
  if (!citation.urls.empty()) {
    line += " " + fmt::format("{}", fmt::join(citation.urls, " "));
  }
  if (!citation.note.empty()) {
    line += " — " + citation.note;
  }
  return line;
}

std::string action_notes(bool needs_root, bool reboot, bool shown_only) {
  std::vector<std::string> notes;
  if (needs_root) {
    notes.emplace_back("needs root");
  }
  if (reboot) {
    notes.emplace_back("then reboot");
  }
  if (shown_only) {
    notes.emplace_back("shown, not run by tfgpu install");
  }
  return notes.empty() ? std::string() : fmt::format(" [{}]", fmt::join(notes, "; "));
}

}  // namespace tfgpu::report
