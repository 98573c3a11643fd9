// SPDX-License-Identifier: Apache-2.0
#pragma once
// `tfgpu doctor` for people: the layer lines, one verdict sentence per environment, the findings
// and the numbered fixes; `verbose` adds each finding's evidence and knowledge-base rows. Markdown
// is the same content shaped for a bug report (home as "~", evidence always shown).

#include <string>

#include "tfgpu/model/finding.h"
#include "tfgpu/report/style.h"

namespace tfgpu::report {

struct DoctorTextOptions {
  bool verbose = false;
  std::string tool_version;
};

std::string render_doctor_text(const model::DoctorReport& report, const TextStyle& style,
                               const DoctorTextOptions& options);

std::string render_doctor_markdown(const model::DoctorReport& report, const TextStyle& style,
                                   const DoctorTextOptions& options);

// A fix command with the home directory written as "~" where the shell still expands it: at the
// start of a word, after '=' or ':' in an assignment, and in front of a single-quoted word
// ('/home/ana/my venv' → ~/'my venv'), so the command stays copy-pasteable.
std::string command_text(const std::string& command, const std::string& home);

}  // namespace tfgpu::report
