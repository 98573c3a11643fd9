// SPDX-License-Identifier: Apache-2.0
// Library checks: what TensorFlow dlopens (env.libraries, resolved the way ld.so would from
// TensorFlow's own objects), what else the machine has (system_libraries, CUDA toolkits, cuDNN
// installs), and what XLA needs beside the libraries (ptxas, libdevice).
//
// The nvidia-* wheel layout these checks rely on is in nvidia_wheels.h (shared with tfgpu env).
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/checks/check_groups.h"
#include "tfgpu/checks/common.h"
#include "tfgpu/checks/nvidia_wheels.h"

namespace tfgpu::checks {
namespace {

using model::Finding;
using model::Fix;
using model::LibraryResolution;
using model::Provider;
using model::SearchStep;
using model::Severity;

// ---------------------------------------------------------------------------------------------
// Reading the facts

// The requirement name of this install for pip ("tensorflow", "tf-nightly").
std::string tensorflow_package(const EnvView& view) {
  return view.tensorflow.package.empty() ? "tensorflow" : view.tensorflow.package;
}

// The CUDA major the build needs; null when the build is not CUDA or its CUDA is unknown.
std::optional<int> build_cuda_major(const EnvView& view) {
  if (!view.target.is_cuda_build || !view.target.cuda) {
    return std::nullopt;
  }
  return view.target.cuda->major();
}

// "export LD_LIBRARY_PATH=…" with `removed` entries dropped, or "unset LD_LIBRARY_PATH" when
// nothing is left.
std::string ld_library_path_without(const std::string& value,
                                    const std::set<std::string>& removed) {
  std::vector<std::string> kept;
  for (const auto& entry : library_path_entries(value)) {
    if (removed.count(entry) == 0) {
      kept.push_back(entry);
    }
  }
  if (kept.empty()) {
    return "unset LD_LIBRARY_PATH";
  }
  return "export LD_LIBRARY_PATH=" + shell_quote(join(kept, ":"));
}

// The toolkit a path lies in (by its root, or a symlink to the root such as /usr/local/cuda).
const model::CudaToolkit* toolkit_holding(const model::Facts& facts, std::string_view path) {
  for (const auto& toolkit : facts.cuda_toolkits) {
    if (path_is_within(path, toolkit.root)) {
      return &toolkit;
    }
    for (const auto& via : toolkit.found_via) {
      if (via.starts_with('/') && path_is_within(path, via)) {
        return &toolkit;
      }
    }
  }
  return nullptr;
}

std::string major_minor_text(const Version& version) {
  return fmt::format("{}.{}", version.major(), version.minor());
}

// What the places this search looked at were, for a sentence: the directories as searched.
std::string places_searched(const LibraryResolution& library) {
  std::vector<std::string> places;
  for (const auto& candidate : library.candidates) {
    std::string place;
    if (candidate.step == SearchStep::kLdCache) {
      place = candidate.search_dir.empty() ? "/etc/ld.so.cache" : candidate.search_dir;
    } else if (!candidate.path.empty()) {
      place = parent_dir(candidate.path);
    }
    if (!place.empty() && std::find(places.begin(), places.end(), place) == places.end()) {
      places.push_back(place);
    }
  }
  if (places.empty()) {
    return library.path.source.empty() ? "nowhere it could search" : library.path.source;
  }
  return join(places, ", ");
}

// ---------------------------------------------------------------------------------------------
// Libraries that do not resolve, classified once for the three checks that report them.

// Another copy of a missing library's family somewhere on the machine.
struct OtherCopy {
  std::string soname;  // empty for a toolkit that is not on the loader's path
  std::string path;    // the library, or the toolkit root
  std::optional<int> cuda_major;
  std::string where;  // "CUDA 13.0, /usr/local/cuda-13.0"
  std::string source;
};

enum class Absence { kWheelUnreachable, kOtherMajorOnly, kMissing };

struct MissingLibrary {
  const LibraryResolution* library = nullptr;
  Absence kind = Absence::kMissing;
  std::optional<InstalledWheel> wheel;
  std::vector<OtherCopy> others;
};

// The CUDA major of a system library: its toolkit's version, else the only major the knowledge
// base's soname sets give that soname, else (cudart only) the soname's own major.
std::optional<int> cuda_major_of(const EnvView& view, const LibraryResolution& library,
                                 const model::CudaToolkit* toolkit) {
  if (toolkit != nullptr && toolkit->version.is_present()) {
    return toolkit->version.value->major();
  }
  std::set<int> majors;
  for (const auto& set : view.kb.sonames) {
    auto it = set.libraries.find(library.family);
    if (it != set.libraries.end() && it->second == library.soname) {
      majors.insert(set.cuda_major);
    }
  }
  if (majors.size() == 1) {
    return *majors.begin();
  }
  if (library.family == "cudart") {
    if (auto version = soname_version(library.soname)) {
      return version->major();
    }
  }
  return std::nullopt;
}

bool is_toolkit_family(std::string_view family) {
  return family != "cudnn" && family != "nccl";
}

std::vector<OtherCopy> other_copies(const EnvView& view, const LibraryResolution& missing,
                                    int build_major, bool* same_major_toolkit) {
  std::vector<OtherCopy> copies;
  std::set<std::string> toolkits_named;
  for (const auto& system : view.facts.system_libraries) {
    if (system.family != missing.family || system.soname == missing.soname ||
        !system.path.is_present()) {
      continue;
    }
    const std::string& path = *system.path.value;
    const auto* toolkit = toolkit_holding(view.facts, path);
    if (toolkit == nullptr && system.real_path.is_present()) {
      toolkit = toolkit_holding(view.facts, *system.real_path.value);
    }
    OtherCopy copy;
    copy.soname = system.soname;
    copy.path = path;
    copy.cuda_major = cuda_major_of(view, system, toolkit);
    copy.source = system.path.source;
    if (toolkit != nullptr) {
      toolkits_named.insert(toolkit->root);
      copy.where =
          toolkit->version.is_present()
              ? fmt::format("CUDA {}, {}", major_minor_text(*toolkit->version.value), toolkit->root)
              : toolkit->root;
    } else if (copy.cuda_major) {
      copy.where = fmt::format("CUDA {}, {}", *copy.cuda_major, path);
    } else {
      copy.where = path;
    }
    copies.push_back(std::move(copy));
  }
  *same_major_toolkit = false;
  if (is_toolkit_family(missing.family)) {
    for (const auto& toolkit : view.facts.cuda_toolkits) {
      if (!toolkit.version.is_present()) {
        continue;
      }
      const int major = toolkit.version.value->major();
      if (major == build_major) {
        *same_major_toolkit = true;
        continue;
      }
      if (toolkits_named.count(toolkit.root) != 0) {
        continue;
      }
      OtherCopy copy;
      copy.path = toolkit.root;
      copy.cuda_major = major;
      copy.where =
          fmt::format("CUDA {}, {}", major_minor_text(*toolkit.version.value), toolkit.root);
      copy.source = toolkit.version.source;
      copies.push_back(std::move(copy));
    }
  }
  return copies;
}

std::vector<MissingLibrary> missing_libraries(const EnvView& view) {
  std::vector<MissingLibrary> out;
  const auto build_major = build_cuda_major(view);
  if (!build_major) {
    return out;
  }
  for (const auto& library : view.env.libraries) {
    // Unknown (an unreadable requester) is not missing: nothing is claimed about it.
    if (!library.required || library.path.presence != model::Presence::kAbsent) {
      continue;
    }
    MissingLibrary missing;
    missing.library = &library;
    missing.wheel = wheel_for(view.env, library.family, library.soname, *build_major);
    bool same_major_toolkit = false;
    missing.others = other_copies(view, library, *build_major, &same_major_toolkit);
    if (missing.wheel) {
      missing.kind = Absence::kWheelUnreachable;
    } else if (!missing.others.empty() && !same_major_toolkit) {
      missing.kind = Absence::kOtherMajorOnly;
    }
    out.push_back(std::move(missing));
  }
  return out;
}

// The fix for a library the environment lacks: TensorFlow's and-cuda extra where the line has
// one, else the CUDA and cuDNN the release was built with, installed system-wide.
void add_install_fixes(const EnvView& view, Finding& finding) {
  const auto& version = view.tensorflow.version;
  if (version.is_present()) {
    if (const auto* extra = view.kb.and_cuda_for(*version.value)) {
      finding.fixes.push_back(
          Fix{fmt::format("Install {} with the CUDA libraries it was built for as pip wheels (its "
                          "and-cuda extra), which its RUNPATH finds",
                          tensorflow_name(view)),
              {fmt::format("{} -m pip install '{}[and-cuda]=={}'", python_command(view.env),
                           tensorflow_package(view), text_of(*version.value))},
              false,
              false});
      cite_row(finding, extra->provenance);
      cite_statement(finding, view.kb, "and_cuda_from_2_14");
      return;
    }
  }
  std::optional<Version> cuda = view.target.cuda;
  std::optional<Version> cudnn = view.target.cudnn;
  std::string from = view.target.cuda_source;
  if (view.target.release != nullptr) {
    cuda = view.target.release->cuda;
    cudnn = view.target.release->cudnn;
    from = "knowledge base release " + view.target.release->line.text();
    cite_row(finding, view.target.release->provenance);
  }
  if (!cuda || !cudnn) {
    return;
  }
  finding.fixes.push_back(
      Fix{fmt::format("Install CUDA {} and cuDNN {} ({} was built with them: {}) system-wide, then "
                      "refresh the loader cache",
                      cuda->text(), cudnn->text(), tensorflow_name(view), from),
          {"sudo ldconfig"},
          true,
          false});
}

void add_search_evidence(Finding& finding, const LibraryResolution& library) {
  add_evidence(finding, library.soname + " searched", places_searched(library),
               library.path.source);
  if (!library.requester.empty()) {
    add_evidence(finding, "requester", library.requester, "probe");
  }
}

std::vector<Finding> library_missing(const EnvView& view) {
  std::vector<Finding> findings;
  for (const auto& missing : missing_libraries(view)) {
    if (missing.kind != Absence::kMissing) {
      continue;
    }
    const auto& library = *missing.library;
    // A copy that exists but cannot be loaded (wrong ELF class, damaged) is named as such.
    std::vector<std::string> rejected;
    for (const auto& candidate : library.candidates) {
      if (candidate.exists && !candidate.rejected_because.empty()) {
        rejected.push_back(candidate.path + ": " + candidate.rejected_because);
      }
    }
    Finding finding = make_finding(
        "library_missing", Severity::kError, view.env.prefix,
        rejected.empty()
            ? fmt::format("{} needs {} and the loader finds it nowhere (searched {}): "
                          "TensorFlow skips every GPU.",
                          tensorflow_name(view), library.soname, places_searched(library))
            : fmt::format("{} needs {} and the loader finds no copy it can load ({}): "
                          "TensorFlow skips every GPU.",
                          tensorflow_name(view), library.soname, join(rejected, "; ")));
    add_search_evidence(finding, library);
    for (const auto& other : missing.others) {
      add_evidence(finding, "other " + library.family + " on this machine",
                   (other.soname.empty() ? "" : other.soname + " ") + "(" + other.where + ")",
                   other.source);
    }
    add_install_fixes(view, finding);
    findings.push_back(std::move(finding));
  }
  return findings;
}

std::vector<Finding> cuda_other_major_only(const EnvView& view) {
  std::vector<Finding> findings;
  const auto build_major = build_cuda_major(view);
  for (const auto& missing : missing_libraries(view)) {
    if (missing.kind != Absence::kOtherMajorOnly) {
      continue;
    }
    const auto& library = *missing.library;
    const OtherCopy& first = missing.others.front();
    const bool cudnn = library.family == "cudnn";
    std::string needs;
    if (cudnn && view.target.cudnn) {
      needs = fmt::format("cuDNN {}", view.target.cudnn->major());
    } else if (!cudnn && build_major) {
      needs = fmt::format("CUDA {}", *build_major);
    }
    const std::string has = first.soname.empty()
                                ? fmt::format("CUDA {}", first.where)
                                : fmt::format("{} ({})", first.soname, first.where);
    std::string why;
    if (!cudnn && first.cuda_major && build_major && *first.cuda_major != *build_major) {
      why = fmt::format("a CUDA {} library cannot serve a CUDA {} build", *first.cuda_major,
                        *build_major);
    } else {
      why =
          fmt::format("another major of {} cannot stand in for {}", library.family, library.soname);
    }
    Finding finding = make_finding(
        "cuda_other_major_only", Severity::kError, view.env.prefix,
        fmt::format("{} needs {}{}; this machine has only {} — {}.", tensorflow_name(view),
                    library.soname, needs.empty() ? "" : " (" + needs + ")", has, why));
    add_search_evidence(finding, library);
    for (const auto& other : missing.others) {
      add_evidence(finding, "other " + library.family + " on this machine",
                   (other.soname.empty() ? "" : other.soname + " ") + "(" + other.where + ")",
                   other.source);
    }
    if (view.target.cuda) {
      add_evidence(finding, "build CUDA", view.target.cuda->text(), view.target.cuda_source);
    }
    add_install_fixes(view, finding);
    findings.push_back(std::move(finding));
  }
  return findings;
}

// The wheel folders TensorFlow needs reached for a CUDA build (cuda_runtime, cublas, …, cudnn).
const std::vector<std::string>& needed_wheel_dirs() {
  static const std::vector<std::string> dirs = {"cuda_runtime", "cublas",   "cufft",
                                                "cusolver",     "cusparse", "cudnn"};
  return dirs;
}

// The release line nearest to `current` (newer first, else older) with the and-cuda extra whose
// loader object's RUNPATH reaches every wheel TensorFlow needs (KB and_cuda
// loader_runpath_wheels) and that supports `python`, if any.
const kb::AndCudaExtra* nearest_line_reaching_wheels(const kb::KnowledgeBase& kb,
                                                     const Version& current,
                                                     const model::Observed<Version>& python) {
  const kb::AndCudaExtra* best = nullptr;
  auto distance = [&](const kb::AndCudaExtra& extra) {
    // Newer lines first (an upgrade), nearest first; then older ones, nearest first.
    const int delta =
        (extra.line.major() - current.major()) * 100 + (extra.line.minor() - current.minor());
    return delta > 0 ? delta : 10000 - delta;
  };
  for (const auto& extra : kb.and_cuda) {
    if (extra.line.same_prefix(current, 2)) {
      continue;
    }
    const auto& reached = extra.loader_runpath_wheels;
    const bool reaches_all =
        std::all_of(needed_wheel_dirs().begin(), needed_wheel_dirs().end(), [&](const auto& dir) {
          return std::find(reached.begin(), reached.end(), dir) != reached.end();
        });
    const auto* release = kb.release_for(extra.line);
    if (!reaches_all || release == nullptr ||
        (python.is_present() && !release->python.contains(*python.value))) {
      continue;
    }
    if (best == nullptr || distance(extra) < distance(*best)) {
      best = &extra;
    }
  }
  return best;
}

std::vector<Finding> nvidia_wheels_unreachable(const EnvView& view) {
  const auto unreachable = unreachable_wheels(view.env, build_cuda_major(view));
  if (unreachable.empty()) {
    return {};
  }
  std::vector<std::string> sonames;
  for (const auto& missing : unreachable) {
    sonames.push_back(missing.library->soname);
  }
  const auto dirs = wheel_lib_dirs(unreachable);
  Finding finding = make_finding(
      "nvidia_wheels_unreachable", Severity::kError, view.env.prefix,
      fmt::format("The nvidia-* wheels that hold {} are installed in {}, but {}'s loader cannot "
                  "reach them: neither LD_LIBRARY_PATH nor the RUNPATH of its objects names "
                  "their directories, so TensorFlow skips every GPU.",
                  join(sonames, ", "), view.env.prefix, tensorflow_name(view)));
  for (const auto& missing : unreachable) {
    const auto& wheel = missing.wheel;
    add_evidence(
        finding, missing.library->soname + " is in",
        fmt::format("{} {} ({})", wheel.package->name, wheel.package->version, wheel.lib_dir),
        wheel.package->dist_info);
    add_search_evidence(finding, *missing.library);
  }
  const auto& tensorflow = view.tensorflow;
  if (tensorflow.loader_object.is_present()) {
    add_evidence(finding, "RUNPATH of the loader object",
                 tensorflow.runpath.empty() ? "(none)" : join(tensorflow.runpath, ":"),
                 *tensorflow.loader_object.value);
  }
  const auto ld_library_path = env_value(view.facts, "LD_LIBRARY_PATH");
  add_evidence(finding, "LD_LIBRARY_PATH", ld_library_path.value_or("(unset)"), "environment");
  std::vector<std::string> quoted;
  for (const auto& dir : dirs) {
    quoted.push_back(shell_quote(dir));
  }
  finding.fixes.push_back(
      Fix{"Put the wheels' library directories on the loader's path (add the line to the "
          "environment's activate script to keep it)",
          {"export LD_LIBRARY_PATH=" + join(quoted, ":") + "${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"},
          false,
          false});
  if (tensorflow.version.is_present()) {
    if (const auto* extra = nearest_line_reaching_wheels(view.kb, *tensorflow.version.value,
                                                         view.env.python_version)) {
      const bool upgrade = extra->line > *tensorflow.version.value;
      finding.fixes.push_back(
          Fix{fmt::format("Or {} TensorFlow {}, whose libtensorflow_framework.so.2 RUNPATH reaches "
                          "every nvidia-* wheel it loads",
                          upgrade ? "upgrade to" : "move to", extra->line.text()),
              {fmt::format("{} -m pip install '{}[and-cuda]=={}.*'", python_command(view.env),
                           tensorflow_package(view), extra->line.text())},
              false,
              false});
      cite_row(finding, extra->provenance);
    }
    if (const auto* current = view.kb.and_cuda_for(*tensorflow.version.value)) {
      cite_row(finding, current->provenance);
    }
  }
  cite_statement(finding, view.kb, "wheels_unreachable_2_16");
  return {std::move(finding)};
}

// ---------------------------------------------------------------------------------------------

// The system's CUDA installs of another major than the build's: toolkits, and libcudart on the
// system's loader path (its soname carries the CUDA major).
struct SystemCuda {
  std::string what;  // "CUDA 13.0 (/usr/local/cuda-13.0)"
  std::string source;
};

std::vector<SystemCuda> system_cuda_of_other_major(const EnvView& view, int build_major) {
  std::vector<SystemCuda> found;
  for (const auto& toolkit : view.facts.cuda_toolkits) {
    if (toolkit.version.is_present() && toolkit.version.value->major() != build_major) {
      found.push_back(
          {fmt::format("CUDA {} ({})", major_minor_text(*toolkit.version.value), toolkit.root),
           toolkit.version.source});
    }
  }
  for (const auto& library : view.facts.system_libraries) {
    if (library.family != "cudart" || !library.path.is_present()) {
      continue;
    }
    const auto version = soname_version(library.soname);
    if (!version || version->major() == build_major) {
      continue;
    }
    const std::string& path = *library.path.value;
    const bool in_toolkit = toolkit_holding(view.facts, path) != nullptr ||
                            (library.real_path.is_present() &&
                             toolkit_holding(view.facts, *library.real_path.value) != nullptr);
    if (!in_toolkit) {
      found.push_back({fmt::format("{} ({})", library.soname, path), library.path.source});
    }
  }
  return found;
}

std::vector<Finding> system_cuda_other_major(const EnvView& view) {
  const auto build_major = build_cuda_major(view);
  if (!build_major || view.env.libraries.empty()) {
    return {};
  }
  // The libraries that resolve; the missing ones have their own finding (library_missing and
  // friends), and this one still says why the system's CUDA is no help for them.
  std::vector<const LibraryResolution*> required;
  std::size_t missing = 0;
  for (const auto& library : view.env.libraries) {
    if (!library.required) {
      continue;
    }
    if (!library.path.is_present()) {
      ++missing;
      continue;
    }
    required.push_back(&library);
  }
  const auto others = system_cuda_of_other_major(view, *build_major);
  if (required.empty() || others.empty()) {
    return {};
  }
  std::vector<std::string> installs;
  for (const auto& other : others) {
    installs.push_back(other.what);
  }
  const bool all_wheels =
      std::all_of(required.begin(), required.end(),
                  [](const LibraryResolution* l) { return l->provider == Provider::kPipWheel; });
  std::string used;
  if (all_wheels) {
    const std::string& path = *required.front()->path.value;
    const std::size_t nvidia = path.find("/nvidia/");
    used = fmt::format("the nvidia-* wheels in {}",
                       nvidia == std::string::npos ? view.env.prefix : path.substr(0, nvidia));
  } else {
    std::vector<std::string> dirs;
    for (const auto* library : required) {
      const std::string dir = parent_dir(*library->path.value);
      if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) {
        dirs.push_back(dir);
      }
    }
    used = join(dirs, ", ");
  }
  Finding finding = make_finding(
      "system_cuda_other_major", Severity::kInfo, view.env.prefix,
      fmt::format("The system's {} could not serve this CUDA {} build of {}; TensorFlow uses the "
                  "CUDA {} libraries from {} instead{}.",
                  join(installs, ", "), *build_major, tensorflow_name(view), *build_major, used,
                  missing == 0 ? std::string()
                               : fmt::format(" ({} of {} found there)", required.size(),
                                             required.size() + missing)));
  for (const auto& other : others) {
    add_evidence(finding, "system CUDA", other.what, other.source);
  }
  add_evidence(finding, "build CUDA", view.target.cuda->text(), view.target.cuda_source);
  for (const auto* library : required) {
    add_evidence(finding, library->soname, *library->path.value, library->path.source);
  }
  return {std::move(finding)};
}

// ---------------------------------------------------------------------------------------------

std::string step_words(SearchStep step) {
  switch (step) {
    case SearchStep::kRpath:
      return "DT_RPATH";
    case SearchStep::kLdLibraryPath:
      return "LD_LIBRARY_PATH";
    case SearchStep::kRunpath:
      return "DT_RUNPATH";
    case SearchStep::kLdCache:
      return "/etc/ld.so.cache";
    case SearchStep::kDefaultDir:
      return "a default directory";
  }
  return "the search";
}

std::vector<Finding> library_shadowed(const EnvView& view) {
  std::vector<Finding> findings;
  const auto build_major = build_cuda_major(view);
  if (!build_major) {
    return findings;
  }
  const auto ld_library_path = env_value(view.facts, "LD_LIBRARY_PATH");
  for (const auto& library : view.env.libraries) {
    if (!library.path.is_present()) {
      continue;
    }
    const std::string& path = *library.path.value;
    const auto* winner = winner_of(library);
    const auto wheel = wheel_for(view.env, library.family, library.soname, *build_major);
    const bool early_step = winner != nullptr && (winner->step == SearchStep::kRpath ||
                                                  winner->step == SearchStep::kLdLibraryPath);
    if (early_step && wheel && !path_is_within(path, wheel->lib_dir) &&
        runpath_names_wheel_dir(view.tensorflow, library.family) && library.version.is_present() &&
        wheel->version && !(*library.version.value == *wheel->version)) {
      const bool older = *library.version.value < *wheel->version;
      Finding finding = make_finding(
          "library_shadowed", Severity::kWarning, view.env.prefix,
          fmt::format("{} loads from {} ({}, version {}) ahead of the environment's own {} {} in "
                      "{}{}.",
                      library.soname, path, step_words(winner->step), library.version.value->text(),
                      wheel->package->name, wheel->package->version, wheel->lib_dir,
                      older ? "; the copy that wins is the older one" : ""));
      add_evidence(finding, "loaded copy", path + " (" + library.version.value->text() + ")",
                   library.version.source);
      add_evidence(finding, "search entry", winner->search_dir, step_words(winner->step));
      add_evidence(finding, "wheel copy",
                   wheel->lib_dir + "/" + library.soname + " (" + wheel->package->version + ")",
                   wheel->package->dist_info);
      if (winner->step == SearchStep::kLdLibraryPath && ld_library_path) {
        // Other libraries found through the same entry lose it too; say which.
        std::vector<std::string> also;
        for (const auto& other : view.env.libraries) {
          const auto* other_winner = winner_of(other);
          if (&other != &library && other_winner != nullptr &&
              other_winner->step == SearchStep::kLdLibraryPath &&
              other_winner->search_dir == winner->search_dir) {
            also.push_back(other.soname);
          }
        }
        finding.fixes.push_back(Fix{
            fmt::format("Drop {} from LD_LIBRARY_PATH so TensorFlow's RUNPATH finds the wheel's "
                        "copy{}",
                        winner->search_dir,
                        also.empty() ? ""
                                     : " (" + join(also, ", ") +
                                           " also come from there and will be looked up anew)"),
            {ld_library_path_without(*ld_library_path, {winner->search_dir})},
            false,
            false});
      } else if (winner->step == SearchStep::kRpath) {
        finding.fixes.push_back(
            Fix{fmt::format("The DT_RPATH of {} puts {} before everything else; remove {} from "
                            "that directory or reinstall {} so the wheel's copy is used",
                            library.requester, winner->search_dir, library.soname,
                            tensorflow_name(view)),
                {},
                false,
                false});
      }
      findings.push_back(std::move(finding));
    }
    const auto& check = library.loader_check;
    if (check && check->agrees.is_present() && !*check->agrees.value) {
      const std::string loaded =
          check->loaded_path.is_present() ? *check->loaded_path.value : std::string("nothing");
      Finding finding = make_finding(
          "library_shadowed", Severity::kWarning, view.env.prefix,
          fmt::format("The real dynamic loader opened {} for {}, not {} that the search of "
                      "TensorFlow's path gives: another copy takes its place.",
                      loaded, library.soname,
                      library.real_path.is_present() ? *library.real_path.value : path));
      add_evidence(finding, "ld.so loaded", loaded,
                   check->method.empty() ? check->loaded_path.source : check->method);
      add_evidence(finding, "search result",
                   path + " (" + text_or(library.version, "unknown") + ")", library.path.source);
      if (!check->error.empty()) {
        add_evidence(finding, "ld.so said", check->error, check->method);
      }
      findings.push_back(std::move(finding));
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------

std::vector<Finding> cudnn_version_mismatch(const EnvView& view) {
  const auto build_major = build_cuda_major(view);
  if (!build_major || !view.target.cudnn) {
    return {};
  }
  const Version& built = *view.target.cudnn;
  for (const auto& library : view.env.libraries) {
    if (library.family != "cudnn" || !library.path.is_present() || !library.version.is_present()) {
      continue;
    }
    const Version& loaded = *library.version.value;
    std::string problem;
    if (loaded.major() != built.major()) {
      problem = fmt::format("another major than the cuDNN {} {} was built with", built.text(),
                            tensorflow_name(view));
    } else if (built.parts().size() >= 2 && loaded.parts().size() >= 2 &&
               loaded.minor() < built.minor()) {
      // TF 2.21's build_info says only "9": a minor is compared only when the build names one.
      problem = fmt::format("older than the cuDNN {} {} was built with", built.text(),
                            tensorflow_name(view));
    } else {
      continue;
    }
    Finding finding = make_finding(
        "cudnn_version_mismatch", Severity::kError, view.env.prefix,
        fmt::format("{} is cuDNN {} ({}), {}: TensorFlow needs the same major and an equal or "
                    "higher minor, and fails to initialise cuDNN otherwise.",
                    library.soname, loaded.text(), *library.path.value, problem));
    add_evidence(finding, "loaded cuDNN", loaded.text(), library.version.source);
    add_evidence(finding, "build cuDNN", built.text(), view.target.cudnn_source);
    cite_statement(finding, view.kb, "cudnn_major_minor_rule");
    const bool wheel_setup =
        library.provider == Provider::kPipWheel ||
        find_package(view.env, fmt::format("nvidia-cudnn-cu{}", *build_major)) != nullptr;
    if (wheel_setup) {
      finding.fixes.push_back(Fix{
          fmt::format("Install a cuDNN {} wheel for CUDA {} at least as new as the build's",
                      built.major(), *build_major),
          {fmt::format("{} -m pip install 'nvidia-cudnn-cu{}>={},<{}'", python_command(view.env),
                       *build_major, built.text(), built.major() + 1)},
          false,
          false});
    } else {
      finding.fixes.push_back(Fix{
          fmt::format("Replace the cuDNN in {} with cuDNN {} (or a newer {}.x) for CUDA {}, "
                      "then refresh the loader cache",
                      parent_dir(*library.path.value), built.text(), built.major(), *build_major),
          {"sudo ldconfig"},
          true,
          false});
    }
    return {std::move(finding)};
  }
  return {};
}

// ---------------------------------------------------------------------------------------------

// The CUDA major an LD_LIBRARY_PATH entry belongs to: a known toolkit's, or a "cuda-X.Y" path
// component's.
struct EntryCuda {
  int major = 0;
  std::string what;  // "CUDA 11.8 toolkit /usr/local/cuda-11.8"
  std::string source;
};

std::optional<EntryCuda> cuda_of_entry(const model::Facts& facts, const std::string& entry) {
  if (!entry.starts_with('/')) {
    return std::nullopt;
  }
  if (const auto* toolkit = toolkit_holding(facts, entry)) {
    if (toolkit->version.is_present()) {
      return EntryCuda{
          toolkit->version.value->major(),
          fmt::format("CUDA {} toolkit {}", toolkit->version.value->text(), toolkit->root),
          toolkit->version.source};
    }
  }
  for (std::size_t at = entry.find("/cuda-"); at != std::string::npos;
       at = entry.find("/cuda-", at + 1)) {
    const std::size_t end = entry.find('/', at + 1);
    const std::string component =
        entry.substr(at + 6, end == std::string::npos ? std::string::npos : end - at - 6);
    if (auto version = Version::parse(component);
        version && version->suffix().empty() && version->parts().size() <= 3) {
      return EntryCuda{version->major(), fmt::format("CUDA {} by its path", version->text()),
                       "LD_LIBRARY_PATH"};
    }
  }
  return std::nullopt;
}

std::vector<Finding> ld_library_path_other_cuda_major(const EnvView& view) {
  const auto build_major = build_cuda_major(view);
  const auto value = env_value(view.facts, "LD_LIBRARY_PATH");
  if (!build_major || !value || value->empty()) {
    return {};
  }
  std::set<std::string> removed;
  std::vector<std::string> described;
  std::vector<EntryCuda> found;
  for (const auto& entry : library_path_entries(*value)) {
    const auto cuda = cuda_of_entry(view.facts, entry);
    if (!cuda || cuda->major == *build_major || removed.count(entry) != 0) {
      continue;
    }
    removed.insert(entry);
    described.push_back(fmt::format("{} ({})", entry, cuda->what));
    found.push_back(*cuda);
  }
  if (removed.empty()) {
    return {};
  }
  Finding finding = make_finding(
      "ld_library_path_other_cuda_major", Severity::kWarning, view.env.prefix,
      fmt::format("LD_LIBRARY_PATH has {}, another CUDA major than the CUDA {} {} was built "
                  "with: a library there that shares a soname with this build's (cuRAND, NCCL, "
                  "cuDNN) loads ahead of the right one.",
                  join(described, ", "), *build_major, tensorflow_name(view)));
  add_evidence(finding, "LD_LIBRARY_PATH", *value, "environment");
  for (const auto& cuda : found) {
    add_evidence(finding, "entry CUDA", cuda.what, cuda.source);
  }
  add_evidence(finding, "build CUDA", view.target.cuda->text(), view.target.cuda_source);
  finding.fixes.push_back(Fix{"Remove the other major's directories from LD_LIBRARY_PATH",
                              {ld_library_path_without(*value, removed)},
                              false,
                              false});
  return {std::move(finding)};
}

// ---------------------------------------------------------------------------------------------
// ptxas and libdevice for XLA (xla/tsl/platform/default/cuda_root_path.cc): a ptxas on PATH
// wins; otherwise, like libdevice, it is looked up under XLA_FLAGS' --xla_gpu_cuda_data_dir,
// $CUDA_HOME, /usr/local/cuda, /opt/cuda and the nvidia/cuda_nvcc wheel beside TensorFlow.

enum class XlaTool { kPtxas, kLibdevice };

std::optional<std::string> xla_data_dir(const model::Facts& facts) {
  const auto flags = env_value(facts, "XLA_FLAGS");
  if (!flags) {
    return std::nullopt;
  }
  static constexpr std::string_view kFlag = "--xla_gpu_cuda_data_dir=";
  const std::size_t at = flags->find(kFlag);
  if (at == std::string::npos) {
    return std::nullopt;
  }
  std::string dir = flags->substr(at + kFlag.size());
  dir = dir.substr(0, dir.find_first_of(" \t"));
  return strip_trailing_slash(dir);
}

bool toolkit_is_named_by(const model::CudaToolkit& toolkit, std::string_view dir) {
  const std::string wanted = strip_trailing_slash(dir);
  if (strip_trailing_slash(toolkit.root) == wanted) {
    return true;
  }
  return std::any_of(toolkit.found_via.begin(), toolkit.found_via.end(),
                     [&](const std::string& via) { return strip_trailing_slash(via) == wanted; });
}

bool xla_searches_toolkit(const model::Facts& facts, const model::CudaToolkit& toolkit,
                          XlaTool tool) {
  for (const char* dir : {"/usr/local/cuda", "/opt/cuda"}) {
    if (toolkit_is_named_by(toolkit, dir)) {
      return true;
    }
  }
  if (const auto home = env_value(facts, "CUDA_HOME");
      home && toolkit_is_named_by(toolkit, *home)) {
    return true;
  }
  if (const auto data_dir = xla_data_dir(facts);
      data_dir && toolkit_is_named_by(toolkit, *data_dir)) {
    return true;
  }
  if (tool == XlaTool::kPtxas) {
    if (const auto path = env_value(facts, "PATH")) {
      for (const auto& entry : library_path_entries(*path)) {
        if (entry.starts_with('/') && path_is_within(entry, toolkit.root) &&
            strip_trailing_slash(entry).ends_with("/bin")) {
          return true;
        }
        for (const auto& via : toolkit.found_via) {
          if (via.starts_with('/') && strip_trailing_slash(entry) == via + "/bin") {
            return true;
          }
        }
      }
    }
  }
  return false;
}

std::vector<Finding> xla_tool_missing(const EnvView& view, XlaTool tool) {
  const auto build_major = build_cuda_major(view);
  static const Version kFirstChecked = Version::parse("2.12").value_or(Version{});
  if (!build_major || !view.tensorflow.version.is_present() ||
      *view.tensorflow.version.value < kFirstChecked) {
    return {};
  }
  const std::string nvcc_wheel = fmt::format("nvidia-cuda-nvcc-cu{}", *build_major);
  if (find_package(view.env, nvcc_wheel) != nullptr) {
    return {};
  }
  const auto data_dir = xla_data_dir(view.facts);
  bool data_dir_known = false;
  const model::CudaToolkit* unsearched = nullptr;
  for (const auto& toolkit : view.facts.cuda_toolkits) {
    if (data_dir && toolkit_is_named_by(toolkit, *data_dir)) {
      data_dir_known = true;
    }
    if (!toolkit.version.is_present() || toolkit.version.value->major() != *build_major) {
      continue;
    }
    const auto& file = tool == XlaTool::kPtxas ? toolkit.ptxas : toolkit.libdevice;
    if (!file.is_present()) {
      continue;
    }
    if (xla_searches_toolkit(view.facts, toolkit, tool)) {
      return {};
    }
    unsearched = &toolkit;
  }
  if (data_dir && !data_dir_known) {
    return {};  // XLA is pointed at a folder the probe did not read: nothing to claim
  }
  const bool ptxas = tool == XlaTool::kPtxas;
  const std::string what = ptxas ? "ptxas" : "libdevice (nvvm/libdevice/libdevice.10.bc)";
  std::string summary;
  if (unsearched != nullptr) {
    summary = fmt::format(
        "XLA finds no CUDA {} {} for {} in {}: the CUDA {} toolkit at {} has one, but XLA does "
        "not search there and no {} wheel is installed; {}",
        *build_major, what, tensorflow_name(view), view.env.prefix,
        unsearched->version.value->text(), unsearched->root, nvcc_wheel,
        ptxas ? "XLA-compiled functions fail with \"Can't find ptxas binary\"."
              : "XLA-compiled functions fail with \"libdevice not found\".");
  } else {
    summary = fmt::format(
        "No CUDA {} {} is reachable for XLA in {}: no {} wheel and no CUDA {} toolkit that "
        "has one; {}",
        *build_major, what, view.env.prefix, nvcc_wheel, *build_major,
        ptxas ? "XLA-compiled functions (jit_compile, many Keras models) fail with \"Can't find "
                "ptxas binary\"."
              : "XLA-compiled functions that use math routines fail with \"libdevice not "
                "found\".");
  }
  Finding finding = make_finding(ptxas ? "xla_ptxas_missing" : "xla_libdevice_missing",
                                 Severity::kWarning, view.env.prefix, summary);
  add_evidence(finding, nvcc_wheel, "not installed", view.env.prefix);
  for (const auto& toolkit : view.facts.cuda_toolkits) {
    const auto& file = ptxas ? toolkit.ptxas : toolkit.libdevice;
    add_evidence(finding, "toolkit " + toolkit.root,
                 fmt::format("CUDA {}, {} {}", text_or(toolkit.version, "unknown"),
                             ptxas ? "ptxas" : "libdevice",
                             file.is_present() ? *file.value : std::string("absent")),
                 file.source.empty() ? toolkit.version.source : file.source);
  }
  if (ptxas) {
    add_evidence(finding, "PATH", env_value(view.facts, "PATH").value_or("(unset)"), "environment");
  }
  if (data_dir) {
    add_evidence(finding, "XLA_FLAGS --xla_gpu_cuda_data_dir", *data_dir, "environment");
  }
  cite_statement(finding, view.kb, "xla_needs_ptxas_libdevice");
  finding.fixes.push_back(
      Fix{fmt::format("Install NVIDIA's CUDA {} compiler wheel, which ships ptxas and libdevice "
                      "where XLA looks for them",
                      *build_major),
          {fmt::format("{} -m pip install '{}'", python_command(view.env), nvcc_wheel)},
          false,
          false});
  if (unsearched != nullptr) {
    const auto flags = env_value(view.facts, "XLA_FLAGS");
    const std::string value = "--xla_gpu_cuda_data_dir=" + unsearched->root +
                              (flags && !flags->empty() ? " " + *flags : std::string());
    finding.fixes.push_back(
        Fix{fmt::format("Or point XLA at the CUDA {} toolkit", unsearched->version.value->text()),
            {"export XLA_FLAGS=" + shell_quote(value)},
            false,
            false});
  }
  return {std::move(finding)};
}

std::vector<Finding> xla_ptxas_missing(const EnvView& view) {
  return xla_tool_missing(view, XlaTool::kPtxas);
}

std::vector<Finding> xla_libdevice_missing(const EnvView& view) {
  return xla_tool_missing(view, XlaTool::kLibdevice);
}

// ---------------------------------------------------------------------------------------------
// Machine checks: cuDNN installed by hand.

std::vector<Finding> cudnn_header_library_mismatch(const MachineView& view) {
  const auto& cudnn = view.facts.cudnn;
  if (cudnn.header_library_mismatches.empty()) {
    return {};
  }
  Finding finding = make_finding(
      "cudnn_header_library_mismatch", Severity::kWarning, kMachineScope,
      cudnn.header_library_mismatches.size() == 1
          ? cudnn.header_library_mismatches.front() +
                ": code built against the header runs against another cuDNN."
          : fmt::format("{} (and {} more): code built against these headers runs against "
                        "another cuDNN.",
                        cudnn.header_library_mismatches.front(),
                        cudnn.header_library_mismatches.size() - 1));
  for (const auto& mismatch : cudnn.header_library_mismatches) {
    add_evidence(finding, "mismatch", mismatch, "cuDNN probe");
  }
  for (const auto& header : cudnn.headers) {
    if (header.version.is_present()) {
      add_evidence(finding, "header " + header.path, header.version.value->text(),
                   header.version.source);
    }
  }
  for (const auto& library : cudnn.libraries) {
    if (library.version.is_present()) {
      add_evidence(finding, "library " + library.path, library.version.value->text(),
                   library.version.source);
    }
  }
  // The probe pairs a header with the library of the same install root (the parent of include/
  // and lib/); name, per pair, which archive's headers belong there. The archive's folder is
  // the user's, so this stays a manual step.
  for (const auto& header : cudnn.headers) {
    if (!header.version.is_present()) {
      continue;
    }
    const std::string root = parent_dir(parent_dir(header.path));
    for (const auto& library : cudnn.libraries) {
      if (!library.version.is_present() || parent_dir(parent_dir(library.path)) != root ||
          library.version.value->same_prefix(*header.version.value, 2)) {
        continue;
      }
      finding.fixes.push_back(
          Fix{fmt::format("Replace the headers in {} with those of the cuDNN {} archive the "
                          "library came from: sudo cp -P <archive>/include/cudnn*.h {}/",
                          parent_dir(header.path), library.version.value->text(),
                          shell_quote(parent_dir(header.path))),
              {},
              true,
              false});
      break;
    }
  }
  cite_statement(finding, view.kb, "cudnn_major_minor_rule");
  return {std::move(finding)};
}

// Where a misplaced cuDNN file belongs: the toolkit's include/ or lib64/ when it lies in a
// toolkit, else the sibling folder of the one it is in.
std::string include_dir_for(const model::Facts& facts, const std::string& path) {
  if (const auto* toolkit = toolkit_holding(facts, path)) {
    return toolkit->root + "/include";
  }
  return parent_dir(parent_dir(path)) + "/include";
}

std::string library_dir_for(const model::Facts& facts, const std::string& path) {
  if (const auto* toolkit = toolkit_holding(facts, path)) {
    return toolkit->root + "/lib64";
  }
  return parent_dir(parent_dir(path)) + "/lib";
}

std::vector<Finding> cudnn_files_misplaced(const MachineView& view) {
  const auto& misplaced = view.facts.cudnn.misplaced;
  if (misplaced.empty()) {
    return {};
  }
  Finding finding = make_finding(
      "cudnn_files_misplaced", Severity::kWarning, kMachineScope,
      fmt::format("{} cuDNN file{} out of place ({}{}): the loader and compilers may find a "
                  "wrong or partial cuDNN.",
                  misplaced.size(), misplaced.size() == 1 ? " is" : "s are", misplaced.front(),
                  misplaced.size() > 1 ? ", …" : ""));
  // Commands, in an order that is safe to paste: move files to where they belong (cp -P keeps
  // symlinks), restore the symlinks a plain cp flattened, make them readable, refresh the cache.
  std::vector<std::string> moves;
  std::vector<std::string> links;
  std::vector<std::string> manual;
  std::set<std::string> readable;
  for (const auto& entry : misplaced) {
    add_evidence(finding, "misplaced", entry, "cuDNN probe");
    const std::size_t colon = entry.find(": ");
    if (colon == std::string::npos) {
      manual.push_back(entry);
      continue;
    }
    const std::string path = entry.substr(0, colon);
    const std::string why = entry.substr(colon + 2);
    const std::string name = path.substr(path.rfind('/') + 1);
    if (why.starts_with("a cuDNN header in a library directory")) {
      const std::string to = include_dir_for(view.facts, path);
      moves.push_back(fmt::format("sudo cp -P {} {}/", shell_quote(path), shell_quote(to)));
      moves.push_back(fmt::format("sudo rm {}", shell_quote(path)));
      readable.insert(shell_quote(to) + "/cudnn*.h");
    } else if (why.starts_with("a cuDNN library in an include directory")) {
      const std::string to = library_dir_for(view.facts, path);
      moves.push_back(fmt::format("sudo cp -P {} {}/", shell_quote(path), shell_quote(to)));
      moves.push_back(fmt::format("sudo rm {}", shell_quote(path)));
      readable.insert(shell_quote(to) + "/libcudnn*");
    } else if (why.starts_with("a regular file beside ")) {
      std::string target = why.substr(std::string_view("a regular file beside ").size());
      target = target.substr(0, target.find(' '));
      links.push_back(fmt::format("sudo ln -sf {} {}", shell_quote(target), shell_quote(path)));
      readable.insert(shell_quote(parent_dir(path)) + "/libcudnn*");
    } else {
      manual.push_back(entry);
    }
  }
  std::vector<std::string> commands = moves;
  commands.insert(commands.end(), links.begin(), links.end());
  if (!readable.empty()) {
    commands.push_back("sudo chmod a+r " +
                       join(std::vector<std::string>(readable.begin(), readable.end()), " "));
    commands.push_back("sudo ldconfig");
  }
  if (!commands.empty()) {
    finding.fixes.push_back(Fix{
        "Put headers in include/ and libraries (symlinks kept) in lib64/, restore the symlinks a "
        "plain cp turned into copies, make them readable and refresh the loader cache",
        commands, true, false});
  }
  for (const auto& entry : manual) {
    finding.fixes.push_back(
        Fix{"Reinstall this file from the cuDNN archive with cp -P: " + entry, {}, true, false});
  }
  return {std::move(finding)};
}

}  // namespace

std::vector<CheckInfo> library_checks() {
  return {
      {"cudnn_header_library_mismatch",
       "a cuDNN header whose version differs from the library beside it",
       cudnn_header_library_mismatch, nullptr},
      {"cudnn_files_misplaced",
       "cuDNN headers in library folders, libraries in include folders, flattened symlinks",
       cudnn_files_misplaced, nullptr},
      {"library_missing", "a library TensorFlow must dlopen is nowhere on its search path", nullptr,
       library_missing},
      {"nvidia_wheels_unreachable",
       "nvidia-* wheels installed but outside TensorFlow's RUNPATH and LD_LIBRARY_PATH", nullptr,
       nvidia_wheels_unreachable},
      {"cuda_other_major_only",
       "a needed CUDA library exists only in another major (libcudart.so.13 for a CUDA 12 build)",
       nullptr, cuda_other_major_only},
      {"system_cuda_other_major",
       "the system's CUDA is another major than the build's; TensorFlow uses other libraries",
       nullptr, system_cuda_other_major},
      {"library_shadowed",
       "a library found through RPATH or LD_LIBRARY_PATH ahead of the environment's own wheel",
       nullptr, library_shadowed},
      {"cudnn_version_mismatch",
       "the cuDNN TensorFlow loads is another major or an older minor than its build's", nullptr,
       cudnn_version_mismatch},
      {"ld_library_path_other_cuda_major",
       "LD_LIBRARY_PATH names a CUDA toolkit of another major than the build's", nullptr,
       ld_library_path_other_cuda_major},
      {"xla_ptxas_missing", "no ptxas of the build's CUDA major where XLA looks", nullptr,
       xla_ptxas_missing},
      {"xla_libdevice_missing", "no libdevice of the build's CUDA major where XLA looks", nullptr,
       xla_libdevice_missing},
  };
}

}  // namespace tfgpu::checks
