// SPDX-License-Identifier: Apache-2.0
#pragma once
// `tfgpu install` as text: what it is about to do (the preview the user confirms), and what one run
// did, step by step, with the root steps it leaves to the user and, for an install left
// incomplete, how to resume.

#include <string>

#include "tfgpu/model/install.h"
#include "tfgpu/report/style.h"

namespace tfgpu::report {

// The steps before they run: numbered, each command on its own line; the steps an earlier run
// finished and the root steps set apart.
std::string render_install_preview(const model::InstallReport& report, const TextStyle& style);

// One run's outcome, step by step, then the root steps and the problem, if any.
std::string render_install_text(const model::InstallReport& report, const TextStyle& style);

}  // namespace tfgpu::report
