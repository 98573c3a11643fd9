// SPDX-License-Identifier: Apache-2.0
// The planner: which TensorFlow, then which steps.
//
// Why this order of choices: the GPU decides first, because nothing can change it (a wheel
// without code for the GPU, or a GPU below the wheel's lowest capability, is a dead end); the
// Python next, because keeping the Python the user has is cheaper than installing another (the
// newest release that supports it wins, the newer one is offered as an alternative); the driver
// last, because it can be upgraded: the plan keeps the newest TensorFlow and adds a driver step,
// and names the newest TensorFlow the current driver already runs as the alternative.

#include "tfgpu/plan/planner.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/checks/check.h"
#include "tfgpu/plan/driver_need.h"
#include "tfgpu/plan/gpu_fit.h"
#include "tfgpu/plan/steps.h"

namespace tfgpu::plan {
namespace {

using model::KbCitation;

struct Candidate {
  const kb::TensorflowRelease* release = nullptr;
  std::string package;  // the PyPI distribution with CUDA support: "tensorflow", "tensorflow-gpu"
  GpuFit fit;
  DriverNeeds needs;
  bool gpu_ok = false;
  // The Pythons this plan can install it on: the release's, narrowed by the [and-cuda] route
  // where its extra is what installs it (2.14: no tensorrt wheel for 3.11).
  kb::VersionRange python;
  const kb::AndCudaRoute* python_route = nullptr;
  // The extra does not install on the user's Python but the release supports it: the plan
  // installs CUDA and cuDNN system-wide instead (`python_route` says why).
  bool extra_refused = false;
  bool python_ok = false;
  std::optional<bool> driver_ok;  // null when the machine's driver is unknown
};

std::string major_minor(const Version& version) {
  return fmt::format("{}.{}", version.major(), version.minor());
}

void cite_once(std::vector<KbCitation>& citations, KbCitation citation) {
  for (const auto& known : citations) {
    if (known.table == citation.table && known.row == citation.row) {
      return;
    }
  }
  citations.push_back(std::move(citation));
}

void cite_statement(std::vector<KbCitation>& citations, const kb::KnowledgeBase& kb,
                    std::string_view id) {
  if (const auto* statement = kb.statement(id)) {
    cite_once(citations, checks::cite(statement->provenance));
  }
}

std::string statement_text(const kb::KnowledgeBase& kb, std::string_view id) {
  const auto* statement = kb.statement(id);
  return statement != nullptr ? statement->text : std::string();
}

DriverColumn column_for(Platform platform) {
  return platform == Platform::kLinux ? DriverColumn::kLinux : DriverColumn::kWindows;
}

const char* platform_key(Platform platform) {
  switch (platform) {
    case Platform::kWsl2:
      return "wsl2";
    case Platform::kWindows:
      return "windows";
    case Platform::kLinux:
    case Platform::kMacos:
      break;
  }
  return "linux";
}

const char* platform_words(Platform platform) {
  switch (platform) {
    case Platform::kWsl2:
      return "WSL2";
    case Platform::kWindows:
      return "native Windows";
    case Platform::kMacos:
      return "macOS";
    case Platform::kLinux:
      break;
  }
  return "Linux";
}

bool runs_on(const kb::TensorflowRelease& release, Platform platform) {
  const std::string key = platform_key(platform);
  return std::find(release.gpu_platforms.begin(), release.gpu_platforms.end(), key) !=
         release.gpu_platforms.end();
}

// The PyPI distribution that carries CUDA at the line's first version: "tensorflow" from 2.1,
// "tensorflow-gpu" before (KB [[distribution]] rows); empty when neither does.
std::string cuda_package(const kb::TensorflowRelease& release, const kb::KnowledgeBase& kb) {
  for (const char* name : {"tensorflow", "tensorflow-gpu"}) {
    const auto* row = kb.distribution(name, release.first_version);
    if (row != nullptr && row->cuda) {
      return name;
    }
  }
  return {};
}

std::string gpu_words(const MachineDescription& machine) {
  if (!machine.compute_capability) {
    return machine.gpu_name.empty() ? "the GPU" : machine.gpu_name;
  }
  const std::string cc = "compute capability " + machine.compute_capability->text();
  return machine.gpu_name.empty() ? cc : machine.gpu_name + " (" + cc + ")";
}

std::string fit_words(const GpuFit& fit) {
  switch (fit.fit) {
    case CodeFit::kSass:
      return fit.code + " SASS";
    case CodeFit::kPtxJit:
      return fit.code + " PTX, JIT-compiled";
    case CodeFit::kBelowMinimum:
      return "below its lowest, " + fit.lowest.text();
    case CodeFit::kNoCode:
      return "no code for it";
    case CodeFit::kUnknownGpu:
      return "GPU not known";
    case CodeFit::kNoBuildRow:
      return "its compute capabilities are not in the knowledge base";
  }
  return {};
}

// Why `candidate` cannot be the plan, in words; empty when it can.
std::string rejection(const Candidate& candidate, const MachineDescription& machine) {
  const auto& release = *candidate.release;
  const std::string line = release.line.text();
  std::string list;
  if (candidate.fit.row != nullptr) {
    list = join(candidate.fit.row->compute_capabilities, " ");
  }
  switch (candidate.fit.fit) {
    case CodeFit::kBelowMinimum:
      return fmt::format(
          "TensorFlow {}'s wheel is built for compute capability {} and up ({}); TensorFlow "
          "ignores a GPU below that",
          line, candidate.fit.lowest.text(), list);
    case CodeFit::kNoCode:
      return fmt::format(
          "TensorFlow {}'s wheel ({}) has neither SASS for compute capability {}'s "
          "major nor PTX it can compile",
          line, list, machine.compute_capability->text());
    default:
      break;
  }
  if (candidate.needs.beyond_branch_end()) {
    return fmt::format(
        "TensorFlow {} needs a driver >= {}, newer than R{}, the last branch that "
        "supports {} GPUs",
        line, candidate.needs.minimum->text(), candidate.needs.branch_end->last_branch.text(),
        candidate.needs.branch_end->architecture);
  }
  if (!candidate.python_ok && machine.python) {
    return fmt::format(
        "TensorFlow {} {} Python {} to {}, not {}", line,
        candidate.python_route != nullptr ? "with [and-cuda] installs on" : "supports",
        candidate.python.first.text(), candidate.python.last.text(), machine.python->text());
  }
  return {};
}

// True when the plan installs `release` through the [and-cuda] extra on this machine.
bool uses_extra(const kb::TensorflowRelease& release, const MachineDescription& machine,
                Platform platform, const kb::KnowledgeBase& kb) {
  return platform != Platform::kWindows && machine.cuda_from == CudaFrom::kWheels &&
         kb.and_cuda_for(release.first_version) != nullptr;
}

Candidate evaluate(const kb::TensorflowRelease& release, const MachineDescription& machine,
                   Platform platform, const kb::KnowledgeBase& kb) {
  Candidate candidate;
  candidate.release = &release;
  candidate.package = cuda_package(release, kb);
  candidate.fit = fit_gpu(kb.wheel_build_for(release.first_version), machine.compute_capability);
  candidate.needs =
      driver_needs(release, candidate.fit, machine.compute_capability, column_for(platform), kb);
  const CodeFit fit = candidate.fit.fit;
  candidate.gpu_ok = (fit == CodeFit::kSass || fit == CodeFit::kPtxJit ||
                      fit == CodeFit::kUnknownGpu || fit == CodeFit::kNoBuildRow) &&
                     !candidate.needs.beyond_branch_end();
  candidate.python = release.python;
  if (uses_extra(release, machine, platform, kb)) {
    const auto* route = kb.and_cuda_route_for(release.first_version);
    if (route != nullptr && route->python) {
      candidate.python_route = route;
      if (machine.python && !route->python->contains(*machine.python) &&
          release.python.contains(*machine.python)) {
        candidate.extra_refused = true;
      } else {
        candidate.python = *route->python;
      }
    }
  }
  candidate.python_ok = !machine.python || candidate.python.contains(*machine.python);
  if (machine.driver) {
    candidate.driver_ok = driver_satisfies(*machine.driver, candidate.needs);
  }
  return candidate;
}

// Every release the platform can run with CUDA, newest first.
std::vector<Candidate> candidates_for(const MachineDescription& machine, Platform platform,
                                      const kb::KnowledgeBase& kb) {
  std::vector<const kb::TensorflowRelease*> releases;
  for (const auto& release : kb.releases) {
    if (runs_on(release, platform) && !cuda_package(release, kb).empty()) {
      releases.push_back(&release);
    }
  }
  std::sort(releases.begin(), releases.end(),
            [](const auto* a, const auto* b) { return a->line > b->line; });
  std::vector<Candidate> candidates;
  for (const auto* release : releases) {
    candidates.push_back(evaluate(*release, machine, platform, kb));
  }
  return candidates;
}

// The version pip installs: the [[and_cuda_route]] pin where the first release cannot be
// installed with the extra, else the line's first release.
std::string install_version(const kb::TensorflowRelease& release, bool with_extra,
                            const kb::KnowledgeBase& kb) {
  if (with_extra) {
    const auto* route = kb.and_cuda_route_for(release.first_version);
    if (route != nullptr && !route->pin.empty()) {
      return route->pin;
    }
  }
  return release.first_version.text();
}

// A pip requirement split into its name and its specifiers: "nvidia-cudnn-cu12<10.0,>=9.3.0.75",
// "nvidia-cudnn-cu12 ==9.3.0.75" and "nvidia-cudnn-cu12 (==8.9.4.25)" (the three spellings of
// the and-cuda METADATA).
struct Requirement {
  std::string name;
  std::optional<Version> pinned;  // ==
  std::optional<Version> lower;   // >=
  std::optional<Version> upper;   // < (exclusive)
};

Requirement parse_requirement(std::string_view text) {
  Requirement requirement;
  const std::size_t end = text.find_first_of(" <>=!~(");
  requirement.name = std::string(text.substr(0, end));
  if (end == std::string_view::npos) {
    return requirement;
  }
  std::string specifiers;
  for (char c : text.substr(end)) {
    if (c != ' ' && c != '(' && c != ')') {
      specifiers.push_back(c);
    }
  }
  for (const auto part : split(specifiers, ',')) {
    if (part.starts_with("==")) {
      requirement.pinned = Version::parse(part.substr(2));
    } else if (part.starts_with(">=")) {
      requirement.lower = Version::parse(part.substr(2));
    } else if (part.starts_with("<") && !part.starts_with("<=")) {
      requirement.upper = Version::parse(part.substr(1));
    }
  }
  return requirement;
}

// What the plan does about cuDNN on this GPU, with the [and-cuda] extra: pip takes the newest
// nvidia-cudnn the extra allows, and the newest cuDNN releases drop old GPUs (cudnn.toml 9.17:
// compute capability 7.5 and up). A constraint keeps cuDNN at the newest release the KB knows
// still supports the GPU; where the extra pins one exact cuDNN that does not list the GPU, a note.
struct CudnnAdvice {
  std::string constraint;  // "nvidia-cudnn-cu12>=9.3.0.75,<9.11"; empty: none needed
  std::optional<model::PlanNote> note;
  std::vector<KbCitation> citations;
};

CudnnAdvice cudnn_advice(const kb::AndCudaExtra& extra, const Version& capability,
                         const kb::KnowledgeBase& kb) {
  CudnnAdvice advice;
  for (const auto& text : extra.requirements) {
    if (!text.starts_with("nvidia-cudnn-cu")) {
      continue;
    }
    const Requirement requirement = parse_requirement(text);
    if (requirement.pinned) {
      const auto* row = kb.cudnn_for(*requirement.pinned);
      if (row != nullptr && !row->compute_capability.contains(capability)) {
        model::PlanNote note;
        note.id = "cudnn_gpu_not_listed";
        note.text = fmt::format(
            "The [and-cuda] extra pins cuDNN {}, whose support matrix lists compute capability "
            "{} to {}, not {}: some cuDNN operations may fail on this GPU.",
            requirement.pinned->text(), row->compute_capability.first.text(),
            row->compute_capability.last.text(), capability.text());
        note.citations = {checks::cite(row->provenance), checks::cite(extra.provenance)};
        advice.note = std::move(note);
      }
      return advice;
    }
    if (!requirement.lower || !requirement.upper) {
      return advice;
    }
    // The KB's cuDNN rows pip may choose from: overlapping [lower, upper).
    std::vector<const kb::CudnnRelease*> allowed;
    for (const auto& row : kb.cudnn) {
      const Version lower_line = *Version::parse(major_minor(*requirement.lower));
      if (row.versions.last >= lower_line && row.versions.first < *requirement.upper) {
        allowed.push_back(&row);
      }
    }
    std::sort(allowed.begin(), allowed.end(),
              [](const auto* a, const auto* b) { return a->versions.last > b->versions.last; });
    if (allowed.empty() || allowed.front()->compute_capability.contains(capability)) {
      return advice;
    }
    const kb::CudnnRelease* newest = allowed.front();
    const kb::CudnnRelease* supporting = nullptr;
    for (const auto* row : allowed) {
      if (row->compute_capability.contains(capability)) {
        supporting = row;
        break;
      }
    }
    advice.citations = {checks::cite(newest->provenance), checks::cite(extra.provenance)};
    if (supporting == nullptr) {
      model::PlanNote note;
      note.id = "cudnn_gpu_not_listed";
      note.text = fmt::format(
          "No cuDNN the [and-cuda] extra allows ({}) lists compute capability "
          "{} in the knowledge base.",
          text, capability.text());
      note.citations = advice.citations;
      advice.note = std::move(note);
      return advice;
    }
    const std::string next = fmt::format("{}.{}", supporting->versions.last.major(),
                                         supporting->versions.last.minor() + 1);
    advice.constraint =
        fmt::format("{}>={},<{}", requirement.name, requirement.lower->text(), next);
    advice.citations.insert(advice.citations.begin() + 1, checks::cite(supporting->provenance));
    model::PlanNote note;
    note.id = "cudnn_kept_for_gpu";
    note.text = fmt::format(
        "pip takes the newest cuDNN that {} allows, and cuDNN {} supports compute capability {} "
        "to {} only; so the pip command keeps cuDNN below {} (cuDNN {}, the newest the "
        "knowledge base lists for {}).",
        text, newest->versions.first.text(), newest->compute_capability.first.text(),
        newest->compute_capability.last.text(), next, supporting->versions.last.text(),
        capability.text());
    note.citations = advice.citations;
    advice.note = std::move(note);
    return advice;
  }
  return advice;
}

void add_note(model::Plan& plan, std::string id, std::string text,
              std::vector<KbCitation> citations) {
  plan.notes.push_back(model::PlanNote{std::move(id), std::move(text), std::move(citations)});
}

void fill_machine(model::Plan& plan, const MachineDescription& machine) {
  auto& out = plan.machine;
  out.description = machine.description;
  out.gpu = machine.gpu_name;
  out.gpu_source = machine.gpu_source;
  if (machine.compute_capability) {
    out.compute_capability = machine.compute_capability->text();
    if (out.gpu_source.empty()) {
      out.gpu_source = machine.compute_capability_source;
    }
  }
  out.driver = machine.driver ? machine.driver->text() : "";
  out.driver_source = machine.driver_source;
  out.python = machine.python ? major_minor(*machine.python) : "";
  out.python_source = machine.python_source;
  out.os = machine.os;
  out.os_source = machine.os_source;
  out.tensorflow_pin = machine.tensorflow_pin ? major_minor(*machine.tensorflow_pin) : "";
  out.cuda_from = cuda_from_name(machine.cuda_from);
}

// macOS: no CUDA build exists; Apple GPUs go through tensorflow-metal.
void plan_macos(model::Plan& plan, const MachineDescription& machine, const kb::KnowledgeBase& kb) {
  plan.gpu_usable = false;
  plan.tensorflow.why = statement_text(kb, "macos_no_cuda");
  if (plan.tensorflow.why.empty()) {
    plan.tensorflow.why = "TensorFlow has no CUDA support on macOS.";
  }
  cite_statement(plan.tensorflow.citations, kb, "macos_no_cuda");
  const std::string python = machine.python ? "python" + major_minor(*machine.python) : "python3";
  model::PlanStep venv;
  venv.id = "venv";
  venv.title = "Create a virtual environment";
  venv.commands = {python + " -m venv " + path_word(machine.venv)};
  venv.why = "A virtual environment keeps TensorFlow apart from the system's Python.";
  model::PlanStep pip;
  pip.id = "pip";
  pip.title = "Install TensorFlow with the tensorflow-metal plugin (Apple GPUs)";
  pip.commands = {venv_python(machine.venv) + " -m pip install tensorflow tensorflow-metal"};
  pip.why =
      "No NVIDIA GPU can be used on macOS; tensorflow-metal is the PluggableDevice that "
      "runs TensorFlow on an Apple GPU (TensorFlow 2.5 or later).";
  cite_statement(pip.citations, kb, "macos_no_cuda");
  model::PlanStep verify;
  verify.id = "verify";
  verify.title = "Check that TensorFlow lists the Apple GPU";
  verify.commands = {venv_python(machine.venv) +
                     " -c \"import tensorflow as tf; "
                     "print(tf.config.list_physical_devices('GPU'))\""};
  verify.why = "tfgpu verify checks CUDA GPUs; the Metal device shows in TensorFlow's own list.";
  plan.steps = {venv, pip, verify};
}

// No TensorFlow wheel has code for the GPU: say which was the last that did, else building.
void plan_no_wheel(model::Plan& plan, const MachineDescription& machine,
                   const std::vector<Candidate>& candidates, const kb::KnowledgeBase& kb) {
  plan.gpu_usable = false;
  std::vector<std::string> reasons;
  for (const auto& candidate : candidates) {
    const std::string reason = rejection(candidate, machine);
    if (!reason.empty()) {
      reasons.push_back(reason);
      if (candidate.fit.row != nullptr) {
        cite_once(plan.tensorflow.citations, checks::cite(candidate.fit.row->provenance));
      }
      if (candidate.needs.branch_end != nullptr && candidate.needs.beyond_branch_end()) {
        cite_once(plan.tensorflow.citations, checks::cite(candidate.needs.branch_end->provenance));
      }
    }
  }
  cite_statement(plan.tensorflow.citations, kb, "cc_below_minimum_ignored");
  const auto lowest = lowest_capability_ever(kb);
  std::string why =
      fmt::format("No TensorFlow release in the knowledge base can use {}", gpu_words(machine));
  if (lowest && machine.compute_capability && *machine.compute_capability < *lowest) {
    why += fmt::format(": every TensorFlow 2 pip wheel needs compute capability {} or higher",
                       lowest->text());
  }
  if (!reasons.empty()) {
    // The newest and the oldest release say it all; the ones between repeat them.
    why += ". " + reasons.front() + (reasons.size() > 1 ? "; … " + reasons.back() : "") + ".";
  } else {
    why += ".";
  }
  plan.tensorflow.why = std::move(why);

  model::PlanStep build;
  build.id = "build_from_source";
  build.title = "Build TensorFlow from source for compute capability " +
                (machine.compute_capability ? machine.compute_capability->text()
                                            : std::string("of this GPU"));
  std::string cuda_hint;
  if (machine.compute_capability) {
    // The newest toolkit whose nvcc still targets the GPU bounds the TensorFlow one can build.
    const kb::ArchSupport* last = nullptr;
    for (const auto& row : kb.arch_support) {
      for (const auto& listed : row.compute_capabilities) {
        if (listed == *machine.compute_capability &&
            (last == nullptr || row.cuda.last > last->cuda.last)) {
          last = &row;
        }
      }
    }
    if (last != nullptr) {
      cuda_hint = fmt::format(
          " CUDA {} is the newest toolkit in the knowledge base whose nvcc "
          "still builds for it; pick a TensorFlow whose build supports that "
          "toolkit.",
          last->cuda.last.text());
      cite_once(build.citations, checks::cite(last->provenance));
    }
  }
  build.why =
      "Set TF_CUDA_COMPUTE_CAPABILITIES to the GPU's capability when configuring the build "
      "(https://www.tensorflow.org/install/source)." +
      cuda_hint + " Or run TensorFlow on the CPU: pip install tensorflow-cpu.";
  build.shown_only = true;
  plan.steps = {build};
}

model::Plan build_plan(const MachineDescription& machine, const kb::KnowledgeBase& kb) {
  model::Plan plan;
  plan.kb_origin = kb.origin;
  fill_machine(plan, machine);
  const Platform platform = platform_of(machine.os);
  if (platform == Platform::kMacos) {
    plan_macos(plan, machine, kb);
    return plan;
  }

  std::vector<Candidate> all = candidates_for(machine, platform, kb);
  std::vector<Candidate> candidates;
  if (machine.tensorflow_pin) {
    const auto* pinned = kb.release_for(*machine.tensorflow_pin);
    for (const auto& candidate : all) {
      if (candidate.release == pinned) {
        candidates.push_back(candidate);
      }
    }
    if (candidates.empty()) {
      plan.gpu_usable = false;
      plan.tensorflow.line = major_minor(*machine.tensorflow_pin);
      if (pinned == nullptr) {
        plan.tensorflow.why = fmt::format("The knowledge base has no TensorFlow {} release row.",
                                          major_minor(*machine.tensorflow_pin));
        return plan;
      }
      plan.tensorflow.why = fmt::format(
          "TensorFlow {} has no CUDA build for {} (its release row lists {}).", pinned->line.text(),
          platform_words(platform), join(pinned->gpu_platforms, ", "));
      cite_once(plan.tensorflow.citations, checks::cite(pinned->provenance));
      if (platform == Platform::kWindows) {
        plan.tensorflow.why += " " + statement_text(kb, "windows_native_gpu_ends_2_10");
        cite_statement(plan.tensorflow.citations, kb, "windows_native_gpu_ends_2_10");
      }
      MachineDescription unpinned = machine;
      unpinned.tensorflow_pin.reset();
      const model::Plan other = make_plan(unpinned, kb);
      if (other.tensorflow.version) {
        plan.alternatives.push_back(
            {*other.tensorflow.version,
             "the newest TensorFlow with a CUDA build for " + std::string(platform_words(platform)),
             other.tensorflow.citations});
      }
      if (platform == Platform::kWindows) {
        MachineDescription wsl = unpinned;
        wsl.os = "wsl2";
        const model::Plan in_wsl = make_plan(wsl, kb);
        if (in_wsl.tensorflow.version) {
          plan.alternatives.push_back({*in_wsl.tensorflow.version,
                                       "in WSL2 (the Linux wheel with the Windows driver)",
                                       in_wsl.tensorflow.citations});
        }
      }
      return plan;
    }
  } else {
    candidates = all;
  }

  // The GPU first.
  const Candidate* newest_for_gpu = nullptr;
  for (const auto& candidate : candidates) {
    if (candidate.gpu_ok) {
      newest_for_gpu = &candidate;
      break;
    }
  }
  if (newest_for_gpu == nullptr) {
    plan_no_wheel(plan, machine, candidates, kb);
    if (machine.tensorflow_pin) {
      MachineDescription unpinned = machine;
      unpinned.tensorflow_pin.reset();
      const model::Plan other = make_plan(unpinned, kb);
      if (other.tensorflow.version) {
        plan.alternatives.push_back({*other.tensorflow.version,
                                     "the newest TensorFlow whose wheel can use this GPU",
                                     other.tensorflow.citations});
        plan.steps.clear();
      }
    }
    return plan;
  }

  // Then the Python: the newest release for the GPU that supports the Python the user has.
  const Candidate* chosen = newest_for_gpu;
  if (machine.python && !newest_for_gpu->python_ok) {
    for (const auto& candidate : candidates) {
      if (candidate.gpu_ok && candidate.python_ok) {
        chosen = &candidate;
        break;
      }
    }
  }
  const kb::TensorflowRelease& release = *chosen->release;
  const bool python_kept = machine.python && chosen->python_ok;
  const Version python =
      python_kept ? *Version::parse(major_minor(*machine.python)) : chosen->python.last;
  if (chosen != newest_for_gpu) {
    const auto& newest = *newest_for_gpu->release;
    plan.alternatives.push_back(
        {install_version(
             newest, uses_extra(newest, machine, platform, kb) && !newest_for_gpu->extra_refused,
             kb),
         fmt::format("the newest TensorFlow for this GPU; it needs Python {} to {} (install one)",
                     newest_for_gpu->python.first.text(), newest_for_gpu->python.last.text()),
         {checks::cite(newest.provenance)}});
  }

  // How the CUDA libraries arrive: the [and-cuda] wheels from 2.14 on, unless asked otherwise.
  const kb::AndCudaExtra* extra = kb.and_cuda_for(release.first_version);
  const bool with_extra = uses_extra(release, machine, platform, kb) && !chosen->extra_refused;
  const std::string version = install_version(release, with_extra, kb);
  plan.gpu_usable = !machine.gpu_absent;
  plan.tensorflow.version = version;
  plan.tensorflow.line = release.line.text();
  plan.tensorflow.package = with_extra ? chosen->package + "[and-cuda]" : chosen->package;
  plan.tensorflow.python = major_minor(python);
  plan.tensorflow.cuda = release.cuda.text();
  plan.tensorflow.cudnn = release.cudnn.text();
  cite_once(plan.tensorflow.citations, checks::cite(release.provenance));
  if (chosen->fit.row != nullptr) {
    cite_once(plan.tensorflow.citations, checks::cite(chosen->fit.row->provenance));
  }

  // Why this one, and why not the newer ones.
  std::string why;
  if (machine.tensorflow_pin) {
    why = fmt::format("TensorFlow {} (pinned with --tf)", version);
  } else {
    why = fmt::format("TensorFlow {} is the newest release", version);
  }
  std::vector<std::string> fits;
  if (machine.compute_capability) {
    fits.push_back(fmt::format("whose wheel runs on {} with its {}", gpu_words(machine),
                               fit_words(chosen->fit)));
  }
  fits.push_back(
      fmt::format("{} Python {}{}", python_kept ? "with" : "for", major_minor(python),
                  python_kept ? ""
                              : fmt::format(" (it supports {} to {})", chosen->python.first.text(),
                                            chosen->python.last.text())));
  fits.push_back(fmt::format("on {}", platform_words(platform)));
  why += (machine.tensorflow_pin ? ": " : " ") + join(fits, ", ");
  why +=
      fmt::format("; built with CUDA {} and cuDNN {}.", release.cuda.text(), release.cudnn.text());
  // The release just above the chosen one says what the newer ones lack.
  const Candidate* above = nullptr;
  for (const auto& candidate : candidates) {
    if (candidate.release->line > release.line) {
      above = &candidate;
    }
  }
  if (above != nullptr) {
    const std::string reason = rejection(*above, machine);
    if (!reason.empty()) {
      why += " Newer releases do not fit: " + reason + ".";
      if (above->fit.row != nullptr) {
        cite_once(plan.tensorflow.citations, checks::cite(above->fit.row->provenance));
      }
      if (above->needs.beyond_branch_end()) {
        cite_once(plan.tensorflow.citations, checks::cite(above->needs.branch_end->provenance));
      }
    }
  }
  plan.tensorflow.why = std::move(why);

  // Notes about the GPU.
  if (machine.gpu_absent) {
    add_note(plan, "no_nvidia_gpu",
             "No NVIDIA GPU was found on this machine: TensorFlow will run on the CPU until one "
             "is present and its driver is installed.",
             {});
  } else if (!machine.compute_capability) {
    add_note(
        plan, "gpu_not_given",
        fmt::format("The GPU's compute capability is not known (give --gpu or --cc): the plan "
                    "assumes it is at least {}, the lowest TensorFlow {}'s wheel is built for.",
                    chosen->fit.lowest.text(), release.line.text()),
        chosen->fit.row != nullptr
            ? std::vector<KbCitation>{checks::cite(chosen->fit.row->provenance)}
            : std::vector<KbCitation>{});
  }
  if (chosen->fit.fit == CodeFit::kPtxJit) {
    std::vector<KbCitation> citations;
    cite_statement(citations, kb, "ptx_jit_first_use");
    add_note(plan, "ptx_jit_first_use",
             fmt::format("TensorFlow {}'s wheel has no SASS for compute capability {}: the driver "
                         "JIT-compiles its {} PTX on first use, which can take 30 minutes or "
                         "longer (the result is cached, see CUDA_CACHE_MAXSIZE).",
                         release.line.text(), machine.compute_capability->text(), chosen->fit.code),
             std::move(citations));
    if (machine.compute_capability->major() == 12 &&
        kb.statement("blackwell_consumer_ptx_failures") != nullptr) {
      std::vector<KbCitation> blackwell;
      cite_statement(blackwell, kb, "blackwell_consumer_ptx_failures");
      add_note(plan, "blackwell_consumer_ptx_failures",
               statement_text(kb, "blackwell_consumer_ptx_failures"), std::move(blackwell));
    }
  }

  // The driver.
  const DriverNeeds& needs = chosen->needs;
  if (needs.minimum && !machine.gpu_absent) {
    model::DriverNeed need;
    need.minimum = needs.minimum->text();
    need.platform = platform == Platform::kLinux ? "linux" : "windows";
    if (const auto* binding = needs.binding()) {
      need.why = binding->why;
    }
    for (const auto& requirement : needs.requirements) {
      for (const auto& citation : requirement.citations) {
        cite_once(need.citations, citation);
      }
    }
    if (needs.branch_end != nullptr) {
      need.last_branch = needs.branch_end->last_branch.text();
      cite_once(need.citations, checks::cite(needs.branch_end->provenance));
    }
    need.satisfied = chosen->driver_ok;
    plan.driver = std::move(need);
    if (machine.driver && machine.driver->parts().size() == 1 &&
        machine.driver->major() == needs.minimum->major()) {
      add_note(plan, "driver_branch_given",
               fmt::format("--driver {} names a branch: TensorFlow {} needs {} or newer within it.",
                           machine.driver->text(), release.line.text(), needs.minimum->text()),
               {});
    }
  }
  const bool needs_driver_step =
      !machine.gpu_absent && needs.minimum && (!chosen->driver_ok || !*chosen->driver_ok);
  if (needs_driver_step && machine.driver && !machine.tensorflow_pin) {
    // The newest TensorFlow the current driver already runs, for users who cannot upgrade.
    for (const auto& candidate : candidates) {
      if (candidate.release->line < release.line && candidate.gpu_ok &&
          candidate.python.contains(python) && candidate.driver_ok.value_or(false)) {
        const bool extra_too =
            uses_extra(*candidate.release, machine, platform, kb) && !candidate.extra_refused;
        std::vector<KbCitation> citations{checks::cite(candidate.release->provenance)};
        std::string need_text;
        if (const auto* binding = candidate.needs.binding()) {
          need_text = " (" + binding->why + ")";
          for (const auto& citation : binding->citations) {
            cite_once(citations, citation);
          }
        }
        plan.alternatives.push_back(
            {install_version(*candidate.release, extra_too, kb),
             fmt::format("keeps driver {}: it needs only >= {}{}", machine.driver->text(),
                         candidate.needs.minimum ? candidate.needs.minimum->text() : "?",
                         need_text),
             std::move(citations)});
        break;
      }
    }
  }

  if (platform == Platform::kWindows) {
    // Native Windows: TensorFlow's documented conda route (tf-docs-pip), then WSL2 for newer.
    if (needs_driver_step) {
      DriverStepInput input{platform, machine.os,     machine.arch, *needs.minimum,
                            &needs,   machine.driver, false};
      plan.steps.push_back(driver_step(input, kb));
    }
    model::PlanStep env;
    env.id = "conda_env";
    env.title = "Create a conda environment with Python " + major_minor(python);
    env.commands = {"conda create --name tf python=" + major_minor(python), "conda activate tf"};
    env.why = fmt::format(
        "TensorFlow {} supports Python {} to {}{}; conda (Miniconda) also brings the CUDA and "
        "cuDNN DLLs of the next step into the environment.",
        release.line.text(), release.python.first.text(), release.python.last.text(),
        machine.python && !python_kept
            ? fmt::format(", so not Python {}", major_minor(*machine.python))
            : std::string());
    env.citations.push_back(checks::cite(release.provenance));
    model::PlanStep cuda;
    cuda.id = "cuda_conda";
    cuda.title = fmt::format("Install CUDA {} and cuDNN {} into it", release.cuda.text(),
                             release.cudnn.text());
    cuda.commands = {fmt::format("conda install -c conda-forge cudatoolkit={} cudnn={}",
                                 release.cuda.text(), release.cudnn.text())};
    cuda.why = fmt::format("TensorFlow {} was built with CUDA {} and cuDNN {}.",
                           release.line.text(), release.cuda.text(), release.cudnn.text());
    cuda.citations.push_back(checks::cite(release.provenance));
    model::PlanStep pip;
    pip.id = "pip";
    pip.title = "Install " + chosen->package + " " + version;
    pip.commands = {"python -m pip install \"" + chosen->package + "==" + version + "\""};
    pip.why = statement_text(kb, "windows_native_gpu_ends_2_10");
    cite_statement(pip.citations, kb, "windows_native_gpu_ends_2_10");
    model::PlanStep verify;
    verify.id = "verify";
    verify.title = "Check that TensorFlow lists the GPU";
    verify.commands = {
        "python -c \"import tensorflow as tf; print(tf.config.list_physical_devices('GPU'))\""};
    verify.why = "tfgpu runs on Linux and WSL2; on Windows, TensorFlow's own list shows the GPU.";
    plan.steps.push_back(env);
    plan.steps.push_back(cuda);
    plan.steps.push_back(pip);
    plan.steps.push_back(verify);
    MachineDescription wsl = machine;
    wsl.os = "wsl2";
    wsl.tensorflow_pin.reset();
    const model::Plan in_wsl = make_plan(wsl, kb);
    if (in_wsl.tensorflow.version && *in_wsl.tensorflow.version != version) {
      plan.alternatives.push_back(
          {*in_wsl.tensorflow.version,
           "in WSL2, for anything newer than 2.10: the Linux wheel, with the Windows driver",
           in_wsl.tensorflow.citations});
    }
  } else {
    if (needs_driver_step) {
      DriverStepInput input{platform,
                            machine.os,
                            machine.arch,
                            *needs.minimum,
                            &needs,
                            machine.driver,
                            machine.driver && driver_beyond_branch(*machine.driver, needs)};
      plan.steps.push_back(driver_step(input, kb));
    }
    if (machine.python && !python_kept) {
      plan.steps.push_back(python_step(python, *machine.python, release, chosen->python_route));
    }
    if (!with_extra) {
      if (chosen->extra_refused) {
        add_note(plan, "and_cuda_refused_on_python",
                 fmt::format("TensorFlow {}'s [and-cuda] extra does not install on Python {} "
                             "(it does on {} to {}): the CUDA toolkit and cuDNN are installed "
                             "system-wide instead. {}",
                             release.line.text(), major_minor(python),
                             chosen->python_route->python->first.text(),
                             chosen->python_route->python->last.text(),
                             chosen->python_route->provenance.note),
                 {checks::cite(chosen->python_route->provenance)});
      } else if (extra == nullptr && machine.cuda_from == CudaFrom::kWheels) {
        std::vector<KbCitation> citations;
        cite_statement(citations, kb, "and_cuda_from_2_14");
        add_note(plan, "no_and_cuda_extra",
                 fmt::format("TensorFlow {} has no [and-cuda] extra (it exists from 2.14): the "
                             "CUDA toolkit and cuDNN are installed system-wide.",
                             release.line.text()),
                 std::move(citations));
      }
      plan.steps.push_back(cuda_toolkit_step(release, machine.os, machine.arch, kb));
      plan.steps.push_back(cudnn_step(release, kb));
    }
    // The interpreter asked for makes the venv when it is the Python the plan uses.
    const bool own_python = !machine.python_interpreter.empty() && machine.python &&
                            machine.python->same_prefix(python, 2);
    plan.steps.push_back(venv_step(machine.venv, python, release, chosen->python,
                                   own_python ? machine.python_interpreter : std::string()));
    std::vector<std::string> requirements{plan.tensorflow.package + "==" + version};
    std::vector<KbCitation> pip_citations{checks::cite(release.provenance)};
    std::string pip_why;
    if (with_extra) {
      pip_why = fmt::format(
          "The [and-cuda] extra installs CUDA {} and cuDNN {} as nvidia-* pip wheels into the "
          "venv, the versions TensorFlow {} was built against.",
          release.cuda.text(), release.cudnn.text(), release.line.text());
      cite_once(pip_citations, checks::cite(extra->provenance));
      cite_statement(pip_citations, kb, "and_cuda_from_2_14");
      if (const auto* route = kb.and_cuda_route_for(release.first_version);
          route != nullptr && !route->pin.empty()) {
        pip_why += fmt::format(" {} rather than {}: {}", route->pin, release.first_version.text(),
                               route->provenance.note);
        cite_once(pip_citations, checks::cite(route->provenance));
      }
      if (machine.compute_capability) {
        CudnnAdvice advice = cudnn_advice(*extra, *machine.compute_capability, kb);
        if (!advice.constraint.empty()) {
          requirements.push_back(advice.constraint);
          pip_why += " The second requirement keeps a cuDNN that still supports this GPU.";
          for (auto& citation : advice.citations) {
            cite_once(pip_citations, std::move(citation));
          }
        }
        if (advice.note) {
          plan.notes.push_back(std::move(*advice.note));
        }
      }
    } else {
      pip_why = fmt::format(
          "Without the [and-cuda] extra: TensorFlow {} loads CUDA {} and cuDNN {} from the "
          "system toolkit installed above.",
          release.line.text(), release.cuda.text(), release.cudnn.text());
    }
    plan.steps.push_back(pip_step(machine.venv, requirements, pip_why, pip_citations));
    if (with_extra) {
      if (const auto* route = kb.and_cuda_route_for(release.first_version)) {
        if (route->link_libraries) {
          plan.steps.push_back(link_libraries_step(machine.venv, python, *route, extra, kb));
        }
        if (route->link_ptxas) {
          plan.steps.push_back(link_ptxas_step(machine.venv, python, *route, kb));
        }
      }
    } else {
      plan.steps.push_back(xla_toolkit_step(machine.venv, release, kb));
    }
    plan.steps.push_back(verify_step(machine.venv));
  }

  return plan;
}

}  // namespace

model::Plan make_plan(const MachineDescription& machine, const kb::KnowledgeBase& kb) {
  model::Plan plan = build_plan(machine, kb);
  // A plan that rests on an unconfirmed row says so.
  auto unconfirmed = [](const std::vector<KbCitation>& citations) {
    return std::any_of(citations.begin(), citations.end(),
                       [](const KbCitation& c) { return c.confidence == "unconfirmed"; });
  };
  plan.rests_on_unconfirmed = unconfirmed(plan.tensorflow.citations) ||
                              (plan.driver && unconfirmed(plan.driver->citations));
  for (const auto& step : plan.steps) {
    plan.rests_on_unconfirmed = plan.rests_on_unconfirmed || unconfirmed(step.citations);
  }
  for (const auto& note : plan.notes) {
    plan.rests_on_unconfirmed = plan.rests_on_unconfirmed || unconfirmed(note.citations);
  }
  return plan;
}

}  // namespace tfgpu::plan
