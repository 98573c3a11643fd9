// SPDX-License-Identifier: Apache-2.0
#pragma once
// Pieces doctor's and plan's renderers share: how a knowledge-base citation and a step's root and
// reboot needs read.

#include <string>

#include "tfgpu/model/finding.h"

namespace tfgpu::report {

// `release "2.21" (confirmed) https://… — note`.
std::string kb_citation_text(const model::KbCitation& citation);

// " [needs root; then reboot]" (with "shown, not run by tfgpu install" for a shown-only step), or
// "" when the step needs none of these.
std::string action_notes(bool needs_root, bool reboot, bool shown_only = false);

}  // namespace tfgpu::report
