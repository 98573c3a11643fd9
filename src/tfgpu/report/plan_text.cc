// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/report/plan_text.h"

#include <vector>

#include <fmt/format.h>

#include "tfgpu/report/doctor_text.h"
#include "tfgpu/report/text_parts.h"

namespace tfgpu::report {
namespace {

std::string or_unknown(const std::string& value) {
  return value.empty() ? "unknown" : value;
}

std::string with_source(const std::string& value, const std::string& source) {
  return source.empty() || value.empty() ? or_unknown(value) : value + "  (" + source + ")";
}

struct MachineLine {
  std::string label;
  std::string value;
};

std::vector<MachineLine> machine_lines(const model::PlannedMachine& machine) {
  std::string gpu = machine.gpu;
  if (!machine.compute_capability.empty()) {
    gpu +=
        (gpu.empty() ? "" : ", ") + std::string("compute capability ") + machine.compute_capability;
  }
  std::vector<MachineLine> lines{
      {"GPU", with_source(gpu, machine.gpu_source)},
      {"Driver", with_source(machine.driver, machine.driver_source)},
      {"Python", with_source(machine.python, machine.python_source)},
      {"OS", with_source(machine.os, machine.os_source)},
  };
  if (!machine.tensorflow_pin.empty()) {
    lines.push_back({"TensorFlow", machine.tensorflow_pin + " (pinned)"});
  }
  lines.push_back({"CUDA from", machine.cuda_from});
  return lines;
}

std::string headline(const model::Plan& plan) {
  const auto& tensorflow = plan.tensorflow;
  if (!tensorflow.version) {
    return "No TensorFlow can use this GPU here";
  }
  return fmt::format("TensorFlow {} — pip install {}=={}, Python {}, CUDA {}, cuDNN {}",
                     *tensorflow.version, tensorflow.package, *tensorflow.version,
                     tensorflow.python, tensorflow.cuda, tensorflow.cudnn);
}

std::string driver_line(const model::DriverNeed& driver, const std::string& current) {
  std::string line = "needs >= " + driver.minimum;
  if (driver.platform == "windows") {
    line += " (the Windows driver)";
  }
  if (!driver.last_branch.empty()) {
    line += ", at most R" + driver.last_branch;
  }
  if (driver.satisfied) {
    line += *driver.satisfied ? "; " + current + " does" : "; " + current + " does not";
  } else {
    line += "; the machine's driver is not known";
  }
  return line;
}

}  // namespace

std::string render_plan_text(const model::Plan& plan, const TextStyle& style,
                             const PlanTextOptions& options) {
  std::string out = style.bold("tfgpu plan") + " " + options.tool_version + "  (" +
                    plan.machine.description + ")";
  if (plan.kb_origin != "embedded" && !plan.kb_origin.empty()) {
    out += "  (knowledge base: " + style.path(plan.kb_origin) + ")";
  }
  out += "\n\n";
  for (const auto& line : machine_lines(plan.machine)) {
    out += fmt::format("  {:<11} {}\n", line.label, style.text(line.value));
  }
  out += "\n";
  const bool usable = plan.tensorflow.version && plan.gpu_usable;
  out +=
      style.mark(usable ? Mark::kOk : (plan.tensorflow.version ? Mark::kWarning : Mark::kError)) +
      " " + style.bold(headline(plan)) + "\n";
  out += "  " + style.text(plan.tensorflow.why) + "\n";
  if (options.verbose) {
    for (const auto& citation : plan.tensorflow.citations) {
      out += style.dim("      kb: " + kb_citation_text(citation)) + "\n";
    }
  }
  if (plan.driver) {
    out += "\n" + style.mark(plan.driver->satisfied.value_or(true) ? Mark::kOk : Mark::kWarning) +
           " Driver: " + driver_line(*plan.driver, plan.machine.driver) + "\n";
    out += "  " + style.text(plan.driver->why) + "\n";
    if (options.verbose) {
      for (const auto& citation : plan.driver->citations) {
        out += style.dim("      kb: " + kb_citation_text(citation)) + "\n";
      }
    }
  }
  if (!plan.notes.empty()) {
    out += "\nNotes:\n";
    for (const auto& note : plan.notes) {
      out += style.mark(Mark::kWarning) + " " + style.text(note.text) + "  [" + note.id + "]\n";
      if (options.verbose) {
        for (const auto& citation : note.citations) {
          out += style.dim("      kb: " + kb_citation_text(citation)) + "\n";
        }
      }
    }
  }
  if (!plan.alternatives.empty()) {
    out += "\nAlternatives:\n";
    for (const auto& alternative : plan.alternatives) {
      out += style.mark(Mark::kInfo) + " TensorFlow " + alternative.tensorflow + ": " +
             style.text(alternative.why) + "\n";
    }
  }
  if (!plan.steps.empty()) {
    out += "\nSteps:\n";
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
      const auto& step = plan.steps[i];
      out += fmt::format("{:>2}. {}{}\n", i + 1, style.bold(style.text(step.title)),
                         action_notes(step.needs_root, step.reboot, step.shown_only));
      for (const auto& command : step.commands) {
        out += "      " + command_text(command, style.home) + "\n";
      }
      out += style.dim("      " + style.text(step.why)) + "\n";
      if (options.verbose) {
        for (const auto& citation : step.citations) {
          out += style.dim("      kb: " + kb_citation_text(citation)) + "\n";
        }
      }
    }
  }
  if (plan.rests_on_unconfirmed) {
    out += "\n" + style.mark(Mark::kWarning) +
           " Part of this plan rests on knowledge-base rows marked unconfirmed (-v shows which).\n";
  }
  if (!options.verbose) {
    out += style.dim("\n(-v shows the knowledge-base rows behind each part)") + "\n";
  }
  return out;
}

std::string render_plan_markdown(const model::Plan& plan, const TextStyle& style,
                                 const PlanTextOptions& options) {
  std::string out = "### tfgpu plan " + options.tool_version + " (" + plan.machine.description +
                    ")\n\n| | |\n|---|---|\n";
  for (const auto& line : machine_lines(plan.machine)) {
    out += fmt::format("| {} | {} |\n", line.label, style.text(line.value));
  }
  out += "\n**" + headline(plan) + "**\n\n" + style.text(plan.tensorflow.why) + "\n\n";
  for (const auto& citation : plan.tensorflow.citations) {
    out += "- kb: " + kb_citation_text(citation) + "\n";
  }
  if (plan.driver) {
    out += "\n**Driver:** " + driver_line(*plan.driver, plan.machine.driver) + ". " +
           style.text(plan.driver->why) + "\n";
  }
  if (!plan.notes.empty()) {
    out += "\n#### Notes\n\n";
    for (const auto& note : plan.notes) {
      out += "- `" + note.id + "` " + style.text(note.text) + "\n";
    }
  }
  if (!plan.alternatives.empty()) {
    out += "\n#### Alternatives\n\n";
    for (const auto& alternative : plan.alternatives) {
      out += "- TensorFlow " + alternative.tensorflow + ": " + style.text(alternative.why) + "\n";
    }
  }
  if (!plan.steps.empty()) {
    out += "\n#### Steps\n\n";
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
      const auto& step = plan.steps[i];
      out += fmt::format("{}. **{}**{}  \n   {}\n", i + 1, style.text(step.title),
                         action_notes(step.needs_root, step.reboot, step.shown_only),
                         style.text(step.why));
      if (!step.commands.empty()) {
        out += "   ```sh\n";
        for (const auto& command : step.commands) {
          out += "   " + command_text(command, style.home) + "\n";
        }
        out += "   ```\n";
      }
      for (const auto& citation : step.citations) {
        out += "   - kb: " + kb_citation_text(citation) + "\n";
      }
    }
  }
  if (plan.rests_on_unconfirmed) {
    out += "\n_Part of this plan rests on knowledge-base rows marked unconfirmed._\n";
  }
  return out;
}

}  // namespace tfgpu::report
