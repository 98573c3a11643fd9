// SPDX-License-Identifier: Apache-2.0
#pragma once
// `tfgpu plan` for people: the machine planned for, the TensorFlow chosen (or why none can use the
// GPU), the driver it needs, notes and alternatives, then the numbered steps with their exact
// commands; root steps are marked. `verbose` adds the knowledge-base rows behind each part.
// Markdown is the same content shaped for an issue or a wiki page (rows always shown).

#include <string>

#include "tfgpu/model/plan.h"
#include "tfgpu/report/style.h"

namespace tfgpu::report {

struct PlanTextOptions {
  bool verbose = false;
  std::string tool_version;
};

std::string render_plan_text(const model::Plan& plan, const TextStyle& style,
                             const PlanTextOptions& options);

std::string render_plan_markdown(const model::Plan& plan, const TextStyle& style,
                                 const PlanTextOptions& options);

}  // namespace tfgpu::report
