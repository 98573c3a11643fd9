// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/report/doctor_text.h"

#include <fmt/format.h>

#include "tfgpu/report/text_parts.h"

namespace tfgpu::report {
namespace {

using model::Finding;
using model::Severity;

Mark severity_mark(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return Mark::kError;
    case Severity::kWarning:
      return Mark::kWarning;
    case Severity::kInfo:
      return Mark::kInfo;
  }
  return Mark::kInfo;
}

Mark state_mark(model::LayerState state) {
  switch (state) {
    case model::LayerState::kOk:
      return Mark::kOk;
    case model::LayerState::kWarning:
      return Mark::kWarning;
    case model::LayerState::kError:
      return Mark::kError;
    case model::LayerState::kUnknown:
    case model::LayerState::kNotApplicable:
      return Mark::kInfo;
  }
  return Mark::kInfo;
}

// Fixes in finding order (errors first), each once, with the number every finding refers to.
struct NumberedFix {
  const model::Fix* fix;
  std::vector<std::string> finding_ids;
};

struct FixIndex {
  std::vector<NumberedFix> fixes;
  std::vector<std::vector<int>> numbers_per_finding;  // 1-based
};

FixIndex number_fixes(const std::vector<Finding>& findings) {
  FixIndex index;
  for (const auto& finding : findings) {
    std::vector<int> numbers;
    for (const auto& fix : finding.fixes) {
      int number = 0;
      for (std::size_t i = 0; i < index.fixes.size(); ++i) {
        const auto* known = index.fixes[i].fix;
        if (known->why == fix.why && known->commands == fix.commands) {
          number = static_cast<int>(i) + 1;
          index.fixes[i].finding_ids.push_back(finding.id);
        }
      }
      if (number == 0) {
        index.fixes.push_back({&fix, {finding.id}});
        number = static_cast<int>(index.fixes.size());
      }
      numbers.push_back(number);
    }
    index.numbers_per_finding.push_back(std::move(numbers));
  }
  return index;
}

std::string fix_refs(const std::vector<int>& numbers) {
  if (numbers.empty()) {
    return {};
  }
  std::vector<std::string> parts;
  for (int n : numbers) {
    parts.push_back(std::to_string(n));
  }
  return fmt::format(" (fix {})", fmt::join(parts, ", "));
}

std::string scope_label(const Finding& finding, const TextStyle& style) {
  return finding.scope == "machine" ? std::string() : style.path(finding.scope) + ": ";
}

std::string no_tensorflow_text() {
  return "No Python environment with TensorFlow was found (searched: VIRTUAL_ENV, CONDA_PREFIX, "
         "python3 on PATH, pyenv, --python). Install it in a virtual environment:\n"
         "    python3 -m venv ~/venv && ~/venv/bin/python -m pip install 'tensorflow[and-cuda]'\n"
         "then run tfgpu doctor again (with --python ~/venv/bin/python when it is not active).\n";
}

}  // namespace

std::string command_text(const std::string& command, const std::string& home) {
  if (home.empty() || home == "/") {
    return command;
  }
  std::string out;
  std::size_t at = 0;
  while (at < command.size()) {
    const bool quoted = command.compare(at, 1, "'") == 0 &&
                        command.compare(at + 1, home.size() + 1, home + "/") == 0;
    const bool plain = command.compare(at, home.size(), home) == 0 &&
                       (at + home.size() == command.size() || command[at + home.size()] == '/' ||
                        command[at + home.size()] == ':' || command[at + home.size()] == ' ');
    const bool word_start =
        at == 0 || command[at - 1] == ' ' || command[at - 1] == '=' || command[at - 1] == ':';
    if (quoted && word_start) {
      out += "~/'";
      at += 1 + home.size() + 1;
    } else if (plain && word_start) {
      out += "~";
      at += home.size();
    } else {
      out.push_back(command[at]);
      ++at;
    }
  }
  return out;
}

std::string render_doctor_text(const model::DoctorReport& report, const TextStyle& style,
                               const DoctorTextOptions& options) {
  std::string out = style.bold("tfgpu doctor") + " " + options.tool_version;
  if (report.kb_origin != "embedded" && !report.kb_origin.empty()) {
    out += "  (knowledge base: " + style.path(report.kb_origin) + ")";
  }
  out += "\n\n";
  for (const auto& layer : report.layers) {
    out += fmt::format("{} {:<16} {}\n", style.mark(state_mark(layer.state)),
                       style.text(layer.label), style.text(layer.detail));
  }
  out += "\n";
  if (report.could_not_check) {
    out += style.mark(Mark::kError) +
           " Could not check: " + style.text(report.could_not_check_reason) + "\n\n";
  }
  for (const auto& verdict : report.verdicts) {
    out += style.mark(verdict.will_use_gpu ? Mark::kOk : Mark::kError) + " " +
           style.bold(style.text(verdict.sentence)) + "\n";
  }
  if (report.no_tensorflow) {
    out += style.text(no_tensorflow_text());
  }
  const FixIndex index = number_fixes(report.findings);
  if (!report.findings.empty()) {
    out += "\nFindings:\n";
    for (std::size_t i = 0; i < report.findings.size(); ++i) {
      const auto& finding = report.findings[i];
      out += fmt::format("{} {}{}{}  [{}]\n", style.mark(severity_mark(finding.severity)),
                         scope_label(finding, style), style.text(finding.summary),
                         fix_refs(index.numbers_per_finding[i]), finding.id);
      if (options.verbose) {
        for (const auto& evidence : finding.evidence) {
          out += style.dim(fmt::format("      {}: {}  ({})", evidence.what,
                                       style.text(evidence.value), style.text(evidence.source))) +
                 "\n";
        }
        for (const auto& citation : finding.kb) {
          out += style.dim("      kb: " + kb_citation_text(citation)) + "\n";
        }
      }
    }
  }
  if (!index.fixes.empty()) {
    out += "\nFixes:\n";
    for (std::size_t i = 0; i < index.fixes.size(); ++i) {
      const auto& fix = *index.fixes[i].fix;
      out += fmt::format("{:>2}. {}{}\n", i + 1, style.text(fix.why),
                         action_notes(fix.needs_root, fix.reboot));
      for (const auto& command : fix.commands) {
        out += "      " + style.bold(command_text(command, style.home)) + "\n";
      }
    }
  }
  if (!options.verbose && !report.findings.empty()) {
    out +=
        style.dim("\n(-v shows the evidence and knowledge-base rows behind each finding)") + "\n";
  }
  return out;
}

std::string render_doctor_markdown(const model::DoctorReport& report, const TextStyle& style,
                                   const DoctorTextOptions& options) {
  std::string out = "### tfgpu doctor " + options.tool_version + "\n\n";
  out += "| | layer | detail |\n|---|---|---|\n";
  for (const auto& layer : report.layers) {
    out += fmt::format("| {} | {} | {} |\n", style.mark(state_mark(layer.state)),
                       style.text(layer.label), style.text(layer.detail));
  }
  out += "\n";
  if (report.could_not_check) {
    out += "**Could not check:** " + style.text(report.could_not_check_reason) + "\n\n";
  }
  for (const auto& verdict : report.verdicts) {
    out += "**" + style.text(verdict.sentence) + "**\n\n";
  }
  if (report.no_tensorflow) {
    out += style.text(no_tensorflow_text()) + "\n";
  }
  const FixIndex index = number_fixes(report.findings);
  if (!report.findings.empty()) {
    out += "#### Findings\n\n";
    for (std::size_t i = 0; i < report.findings.size(); ++i) {
      const auto& finding = report.findings[i];
      out += fmt::format("- {} `{}` {}{}{}\n", style.mark(severity_mark(finding.severity)),
                         finding.id, scope_label(finding, style), style.text(finding.summary),
                         fix_refs(index.numbers_per_finding[i]));
      for (const auto& evidence : finding.evidence) {
        out += fmt::format("  - {}: `{}` ({})\n", evidence.what, style.text(evidence.value),
                           style.text(evidence.source));
      }
      for (const auto& citation : finding.kb) {
        out += "  - kb: " + kb_citation_text(citation) + "\n";
      }
    }
    out += "\n";
  }
  if (!index.fixes.empty()) {
    out += "#### Fixes\n\n";
    for (std::size_t i = 0; i < index.fixes.size(); ++i) {
      const auto& fix = *index.fixes[i].fix;
      out += fmt::format("{}. {}{}\n", i + 1, style.text(fix.why),
                         action_notes(fix.needs_root, fix.reboot));
      if (!fix.commands.empty()) {
        out += "   ```sh\n";
        for (const auto& command : fix.commands) {
          out += "   " + command_text(command, style.home) + "\n";
        }
        out += "   ```\n";
      }
    }
  }
  return out;
}

}  // namespace tfgpu::report
