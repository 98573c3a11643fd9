// SPDX-License-Identifier: Apache-2.0
// Environment checks on the TensorFlow package itself: which distribution is installed, whether
// the environment's Python and the platform have a GPU build of that release, and whether the
// knowledge base knows the release at all.
//
// Why distributions matter: tensorflow, tensorflow-cpu, tensorflow-intel, tf-nightly … all install
// the same top-level tensorflow/ folder (shared/reference/tensorflow-internals.md §3.2), so a CPU
// distribution silently replaces the GPU build, and two of them overwrite each other's files.

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/checks/check_groups.h"
#include "tfgpu/checks/common.h"

namespace tfgpu::checks {
namespace {

using model::Finding;
using model::Fix;
using model::Severity;

// Every distribution that installs the top-level `tensorflow` package (as the python probe lists
// them).
constexpr std::string_view kTensorflowDistributions[] = {
    "tensorflow",        "tensorflow-cpu",  "tensorflow-gpu",   "tensorflow-intel",
    "tf-nightly",        "tf-nightly-gpu",  "tf-nightly-cpu",   "tf-nightly-intel",
    "tensorflow-macos",  "tensorflow-rocm", "intel-tensorflow", "tensorflow-cpu-aws",
    "tensorflow-aarch64"};

// CPU-only builds: the CPU package, and the collaborator builds (Intel for Windows, AWS for
// Linux ARM64) that carry no CUDA (kb_facts.md §1c).
constexpr std::string_view kCpuDistributions[] = {"tensorflow-cpu", "tensorflow-intel",
                                                  "tensorflow-cpu-aws", "tf-nightly-cpu",
                                                  "tf-nightly-intel"};

// The `tensorflow` wheel on Windows, Linux ARM64 and Apple Silicon is an empty package that
// depends on the collaborator build of the same version (TensorFlow's setup.py,
// collaborator_build_dependent_options): the pair is one install, not two.
constexpr std::string_view kCollaboratorBuilds[] = {"tensorflow-intel", "tensorflow-cpu-aws",
                                                    "tensorflow-macos"};

template <std::size_t N>
bool one_of(std::string_view name, const std::string_view (&names)[N]) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

// A TensorFlow version as pip spells it ("2.15.0.post1", "2.22.0.dev20260101"), or a note that
// it could not be read.
std::string version_text(const model::Observed<Version>& version) {
  return text_or(version, "(version unknown)");
}

std::optional<Version> line_of(const Version& version) {
  return Version::parse(fmt::format("{}.{}", version.major(), version.minor()));
}

// "linux", "wsl2", "windows" or "macos": the names of a release's gpu_platforms.
std::string platform_of(const model::Facts& facts) {
  if (in_wsl2(facts)) {
    return "wsl2";
  }
  const std::string os = os_id(facts);
  if (os == "macos" || os == "darwin") {
    return "macos";
  }
  if (os == "windows") {
    return "windows";
  }
  return "linux";
}

// "Linux", "WSL2", "Windows", "macOS": a platform name for sentences.
std::string platform_display(std::string_view platform) {
  if (platform == "wsl2") {
    return "WSL2";
  }
  if (platform == "windows") {
    return "native Windows";
  }
  if (platform == "macos") {
    return "macOS";
  }
  return platform == "linux" ? "Linux" : std::string(platform);
}

// Whether the install's release has a GPU build for this platform; without a KB row, Linux and
// WSL2 are assumed to (every line in the KB has them) and the others not.
bool platform_has_gpu_build(const EnvView& view) {
  const std::string platform = platform_of(view.facts);
  if (platform == "macos") {
    return false;
  }
  if (view.target.release == nullptr) {
    return platform == "linux" || platform == "wsl2";
  }
  const auto& platforms = view.target.release->gpu_platforms;
  return std::find(platforms.begin(), platforms.end(), platform) != platforms.end();
}

// The distribution that carries CUDA for the same series as `package`.
std::string gpu_distribution(std::string_view package) {
  return package.starts_with("tf-nightly") ? "tf-nightly" : "tensorflow";
}

// A pip requirement that installs a GPU build, and what else the user must provide.
struct GpuInstall {
  std::string requirement;  // already shell-quoted
  std::string note;         // empty, or what must be installed beside it
};

// The requirement for `package` (tensorflow or tf-nightly) at `pin` ("==2.21.0", "==2.20.*"),
// whose version is `version`: the and-cuda extra from 2.14 (the KB's and_cuda rows, or its
// and_cuda_from_2_14 statement), else the plain wheel with the CUDA and cuDNN of its KB release
// row to install system-wide. Cites what it rests on in `finding`.
GpuInstall gpu_install(const kb::KnowledgeBase& kb, std::string package, const Version& version,
                       const std::string& pin, Finding& finding) {
  static const Version kAndCudaFirst = Version::parse("2.14").value_or(Version{});
  static const Version kSingleWheelFirst = Version::parse("2.1").value_or(Version{});
  if (const auto* extra = kb.and_cuda_for(version)) {
    cite_row(finding, extra->provenance);
    return {shell_quote(package + "[and-cuda]" + pin), {}};
  }
  if (version >= kAndCudaFirst) {
    cite_statement(finding, kb, "and_cuda_from_2_14");
    return {shell_quote(package + "[and-cuda]" + pin), {}};
  }
  // Before 2.1 the GPU build was the separate tensorflow-gpu package (TensorFlow 2.1.0 release
  // notes: "The tensorflow pip package now includes GPU support by default").
  if (version < kSingleWheelFirst && package == "tensorflow") {
    package = "tensorflow-gpu";
  }
  GpuInstall install{shell_quote(package + pin), {}};
  if (const auto* release = kb.release_for(version)) {
    cite_row(finding, release->provenance);
    install.note = fmt::format(
        " TensorFlow {} wheels bring no CUDA libraries: install CUDA {} and cuDNN {} system-wide "
        "(knowledge base release {}).",
        release->line.text(), release->cuda.text(), release->cudnn.text(), release->line.text());
  } else {
    install.note = fmt::format(
        " TensorFlow {} wheels bring no CUDA libraries, and the knowledge base has no row saying "
        "which CUDA and cuDNN it needs.",
        text_of(version));
  }
  return install;
}

// Install the GPU build of the same version as `tensorflow` (or the newest, when the version is
// unknown).
Fix install_gpu_build_fix(const EnvView& view, std::string_view package,
                          const model::Observed<Version>& version, Finding& finding) {
  const std::string python = python_command(view.env);
  const std::string distribution = gpu_distribution(package);
  if (!version.is_present()) {
    return Fix{
        "Install the GPU build (the installed version could not be read, so this takes the "
        "newest).",
        {python + " -m pip install " + shell_quote(distribution + "[and-cuda]")},
        false,
        false};
  }
  const auto install =
      gpu_install(view.kb, distribution, *version.value, "==" + text_of(*version.value), finding);
  return Fix{fmt::format("Install the GPU build of TensorFlow {}.{}", text_of(*version.value),
                         install.note),
             {python + " -m pip install " + install.requirement},
             false,
             false};
}

void add_package_evidence(Finding& finding, const EnvView& view) {
  const auto& tensorflow = view.tensorflow;
  add_evidence(finding, "TensorFlow distribution",
               tensorflow.package + " " + version_text(tensorflow.version),
               tensorflow.version.source.empty() ? tensorflow.location : tensorflow.version.source);
}

std::string range_text(const kb::VersionRange& range) {
  return range.first.text() + "–" + range.last.text();
}

// ---- the checks -----------------------------------------------------------------------------

std::vector<Finding> check_tensorflow_cpu_package(const EnvView& view) {
  const auto& tensorflow = view.tensorflow;
  const auto& info = tensorflow.build_info;
  const std::string package = to_lower(tensorflow.package);
  const bool named_cpu = one_of(package, kCpuDistributions);
  const bool rocm = package == "tensorflow-rocm" || info.is_rocm_build.value_or(false);
  const bool without_cuda = info.is_cuda_build.is_present() && !*info.is_cuda_build.value;
  if (!named_cpu && !rocm && !without_cuda) {
    return {};
  }
  const std::string what = tensorflow.package + " " + version_text(tensorflow.version);
  std::string summary;
  if (rocm) {
    summary = fmt::format(
        "{} is a ROCm build of TensorFlow, for AMD GPUs: it cannot use an NVIDIA "
        "GPU, so TensorFlow will run on the CPU.",
        what);
  } else if (named_cpu) {
    summary = fmt::format(
        "{} is TensorFlow's CPU-only distribution: it has no CUDA support, so "
        "TensorFlow will run on the CPU.",
        what);
  } else {
    summary = fmt::format(
        "{} was built without CUDA (build_info.py: is_cuda_build False): "
        "TensorFlow will run on the CPU.",
        what);
  }
  auto finding = make_finding("tensorflow_cpu_package", Severity::kError, view.env.prefix, summary);
  add_package_evidence(finding, view);
  add_evidence(finding, "is_cuda_build", shown(info.is_cuda_build, python_bool),
               info.is_cuda_build.source.empty() ? info.source : info.is_cuda_build.source);
  add_evidence(finding, "is_rocm_build", shown(info.is_rocm_build, python_bool),
               info.is_rocm_build.source.empty() ? info.source : info.is_rocm_build.source);
  cite_statement(finding, view.kb, "tensorflow_cpu_package");
  if (!platform_has_gpu_build(view)) {
    finding.fixes.push_back(Fix{
        fmt::format("There is no CUDA build of TensorFlow {} for {}: see "
                    "platform_without_gpu_support.",
                    version_text(tensorflow.version), platform_display(platform_of(view.facts))),
        {},
        false,
        false});
    return {finding};
  }
  finding.fixes.push_back(
      Fix{"Remove the " + tensorflow.package + " distribution.",
          {python_command(view.env) + " -m pip uninstall -y " + shell_quote(tensorflow.package)},
          false,
          false});
  finding.fixes.push_back(
      install_gpu_build_fix(view, tensorflow.package, tensorflow.version, finding));
  return {finding};
}

std::vector<Finding> check_multiple_tensorflow_packages(const EnvView& view) {
  struct Installed {
    std::string name;
    std::string version;
    std::string source;
  };

  std::vector<Installed> installed;
  auto add = [&](const std::string& name, const std::string& version, const std::string& source) {
    const std::string lower = to_lower(name);
    const bool seen = std::any_of(installed.begin(), installed.end(),
                                  [&](const Installed& i) { return i.name == lower; });
    if (!seen && one_of(lower, kTensorflowDistributions)) {
      installed.push_back({lower, version, source});
    }
  };
  for (const auto& package : view.env.packages) {
    add(package.name, package.version, package.dist_info);
  }
  for (const auto& tensorflow : view.env.tensorflow) {
    add(tensorflow.package,
        tensorflow.version.is_present() ? text_of(*tensorflow.version.value) : "",
        tensorflow.version.source.empty() ? tensorflow.location : tensorflow.version.source);
  }
  // The empty `tensorflow` wheel beside the collaborator build it pulls in is one install.
  std::vector<Installed> distinct = installed;
  const auto meta = std::find_if(distinct.begin(), distinct.end(),
                                 [](const Installed& i) { return i.name == "tensorflow"; });
  if (meta != distinct.end()) {
    const bool has_collaborator =
        std::any_of(distinct.begin(), distinct.end(), [&](const Installed& i) {
          return one_of(i.name, kCollaboratorBuilds) && !i.version.empty() &&
                 i.version == meta->version;
        });
    if (has_collaborator) {
      distinct.erase(meta);
    }
  }
  if (distinct.size() < 2) {
    return {};
  }
  std::string listing;
  std::string names;
  for (const auto& i : installed) {
    listing += (listing.empty() ? "" : ", ") + i.name + (i.version.empty() ? "" : " " + i.version);
    names += " " + shell_quote(i.name);
  }
  auto finding = make_finding(
      "multiple_tensorflow_packages", Severity::kError, view.env.prefix,
      fmt::format("{} TensorFlow distributions are installed in {} ({}): each writes the same "
                  "tensorflow/ folder, so its files are a mix of them and TensorFlow may fail to "
                  "import or run a CPU build.",
                  distinct.size(), view.env.prefix, listing));
  for (const auto& i : installed) {
    add_evidence(finding, "installed distribution",
                 i.name + " " + (i.version.empty() ? "(version unknown)" : i.version), i.source);
  }
  finding.fixes.push_back(Fix{"Remove all of them in one command.",
                              {python_command(view.env) + " -m pip uninstall -y" + names},
                              false,
                              false});
  // Reinstall the GPU series the user had: plain tensorflow first, then tf-nightly, else the
  // install this verdict is about.
  std::string keep = view.tensorflow.package;
  model::Observed<Version> version = view.tensorflow.version;
  for (const char* preferred : {"tensorflow", "tf-nightly"}) {
    const auto it = std::find_if(installed.begin(), installed.end(),
                                 [&](const Installed& i) { return i.name == preferred; });
    if (it != installed.end()) {
      keep = it->name;
      if (auto parsed = Version::parse(it->version)) {
        version = model::Observed<Version>::present(*parsed, "installed " + it->name);
      }
      break;
    }
  }
  finding.fixes.push_back(install_gpu_build_fix(view, keep, version, finding));
  return {finding};
}

std::vector<Finding> check_python_version_unsupported(const EnvView& view) {
  const auto* release = view.target.release;
  const auto& python = view.env.python_version;
  if (release == nullptr || !python.is_present() || release->python.contains(*python.value)) {
    return {};
  }
  const Version& py = *python.value;
  const auto& tensorflow = view.tensorflow;
  auto finding = make_finding(
      "python_version_unsupported", Severity::kError, view.env.prefix,
      fmt::format("TensorFlow {} supports Python {} and this environment has Python {}: the "
                  "release is not built for it.",
                  release->line.text(), range_text(release->python), py.text()));
  add_evidence(finding, "Python", py.text(), python.source);
  add_package_evidence(finding, view);
  add_evidence(finding, "supported Pythons", range_text(release->python),
               "knowledge base release " + release->line.text());
  cite_row(finding, release->provenance);

  const std::string distribution = gpu_distribution(tensorflow.package);
  // A new environment with the newest Python this line supports.
  const std::string newest_python =
      fmt::format("{}.{}", release->python.last.major(), release->python.last.minor());
  const std::string venv =
      (view.env.prefix.empty() ? std::string("tf-venv") : view.env.prefix) + "-py" + newest_python;
  const Version pinned = tensorflow.version.value_or(release->first_version);
  const auto same = gpu_install(view.kb, distribution, pinned, "==" + text_of(pinned), finding);
  finding.fixes.push_back(Fix{
      fmt::format("Make an environment with Python {} (install that Python first if it is "
                  "missing) and install TensorFlow {} there.{}",
                  newest_python, text_of(pinned), same.note),
      {fmt::format("python{} -m venv {}", newest_python, shell_quote(venv)),
       fmt::format("{} -m pip install {}", shell_quote(venv + "/bin/python"), same.requirement)},
      false,
      false});
  // Or keep this Python with the newest release that supports it.
  const kb::TensorflowRelease* fitting = nullptr;
  for (const auto& candidate : view.kb.releases) {
    if (candidate.python.contains(py) && (fitting == nullptr || candidate.line > fitting->line)) {
      fitting = &candidate;
    }
  }
  if (fitting != nullptr) {
    const std::string pin = "==" + fitting->line.text() + ".*";
    const auto other = gpu_install(view.kb, distribution, fitting->line, pin, finding);
    cite_row(finding, fitting->provenance);
    finding.fixes.push_back(
        Fix{fmt::format("Or keep Python {} and install TensorFlow {}, the newest release in the "
                        "knowledge base that supports it.{}",
                        py.text(), fitting->line.text(), other.note),
            {python_command(view.env) + " -m pip install " + other.requirement},
            false,
            false});
  }
  return {finding};
}

std::vector<Finding> check_platform_without_gpu_support(const EnvView& view) {
  const std::string platform = platform_of(view.facts);
  const auto* release = view.target.release;
  if (platform != "macos" && (release == nullptr || platform_has_gpu_build(view))) {
    return {};
  }
  const std::string version = version_text(view.tensorflow.version);
  const std::string python = python_command(view.env);
  if (platform == "macos") {
    auto finding = make_finding(
        "platform_without_gpu_support", Severity::kError, view.env.prefix,
        fmt::format("TensorFlow has no CUDA build for macOS: TensorFlow {} here will not use an "
                    "NVIDIA GPU.",
                    version));
    add_evidence(finding, "operating system", os_id(view.facts), view.facts.host.os_id.source);
    add_package_evidence(finding, view);
    cite_statement(finding, view.kb, "macos_no_cuda");
    finding.fixes.push_back(
        Fix{"On a Mac, TensorFlow uses the Apple GPU through the tensorflow-metal plugin.",
            {python + " -m pip install tensorflow tensorflow-metal"},
            false,
            false});
    return {finding};
  }
  const std::string platforms = join(release->gpu_platforms, ", ");
  auto finding = make_finding(
      "platform_without_gpu_support", Severity::kError, view.env.prefix,
      fmt::format("TensorFlow {} has no GPU build for {} (its GPU platforms: {}), so it will run "
                  "on the CPU.",
                  version, platform_display(platform), platforms.empty() ? "none" : platforms));
  add_evidence(finding, "platform", platform,
               platform == "wsl2" ? view.facts.host.wsl2.source : view.facts.host.os_id.source);
  add_package_evidence(finding, view);
  add_evidence(finding, "GPU platforms", platforms.empty() ? "none" : platforms,
               "knowledge base release " + release->line.text());
  cite_row(finding, release->provenance);
  if (platform == "windows") {
    cite_statement(finding, view.kb, "windows_native_gpu_ends_2_10");
    finding.fixes.push_back(
        Fix{"Use WSL2, where current TensorFlow has GPU support: in PowerShell, install it, then "
            "install TensorFlow inside the Linux distribution.",
            {"wsl --install"},
            false,
            false});
    const auto last_windows = Version::parse("2.10");
    if (const auto* r210 = last_windows ? view.kb.release_for(*last_windows) : nullptr) {
      cite_row(finding, r210->provenance);
      finding.fixes.push_back(Fix{
          fmt::format("Or stay on native Windows with TensorFlow 2.10, the last release with GPU "
                      "support there: it needs CUDA {}, cuDNN {} and Python {}.",
                      r210->cuda.text(), r210->cudnn.text(), range_text(r210->python)),
          {python + " -m pip install \"tensorflow<2.11\""},
          false,
          false});
    }
  } else {
    finding.fixes.push_back(
        Fix{fmt::format("Run TensorFlow {} on one of its GPU platforms ({}).", version, platforms),
            {},
            false,
            false});
  }
  return {finding};
}

std::vector<Finding> check_tensorflow_line_unknown(const EnvView& view) {
  if (view.target.release != nullptr) {
    return {};
  }
  const auto& tensorflow = view.tensorflow;
  const auto& info = tensorflow.build_info;
  std::string build = "its build_info.py";
  if (info.cuda_version.is_present() || info.cudnn_version.is_present()) {
    build +=
        fmt::format(" (CUDA {}, cuDNN {})", shown(info.cuda_version), shown(info.cudnn_version));
  } else {
    build += " (which names no CUDA version here)";
  }
  const kb::TensorflowRelease* oldest = nullptr;
  for (const auto& release : view.kb.releases) {
    if (oldest == nullptr || release.line < oldest->line) {
      oldest = &release;
    }
  }
  const auto* newest = view.kb.newest_release();
  std::optional<Version> line;
  if (tensorflow.version.is_present()) {
    line = line_of(*tensorflow.version.value);
  }
  const bool older = line && oldest != nullptr && *line < oldest->line;
  std::string summary;
  if (!tensorflow.version.is_present()) {
    summary = fmt::format(
        "The version of {} in {} could not be read: verdicts for it use {} "
        "and may be wrong.",
        tensorflow.package.empty() ? "TensorFlow" : tensorflow.package, view.env.prefix, build);
  } else if (older) {
    summary = fmt::format(
        "TensorFlow {} is older than every release in the knowledge base "
        "(oldest: {}): verdicts for it use {} and may be wrong.",
        text_of(*tensorflow.version.value), oldest->line.text(), build);
  } else {
    summary = fmt::format(
        "The knowledge base has no row for TensorFlow {}'s line{}: verdicts "
        "use {}.",
        text_of(*tensorflow.version.value),
        newest != nullptr ? " (newest: " + newest->line.text() + ")" : "", build);
  }
  auto finding =
      make_finding("tensorflow_line_unknown", older ? Severity::kWarning : Severity::kInfo,
                   view.env.prefix, summary);
  add_package_evidence(finding, view);
  add_evidence(finding, "build_info.py CUDA", shown(info.cuda_version),
               info.cuda_version.source.empty() ? info.source : info.cuda_version.source);
  add_evidence(finding, "build_info.py cuDNN", shown(info.cudnn_version),
               info.cudnn_version.source.empty() ? info.source : info.cudnn_version.source);
  if (newest != nullptr) {
    add_evidence(finding, "newest release in the knowledge base", newest->line.text(),
                 "knowledge base " + view.kb.origin);
  }
  finding.rests_on_unconfirmed = true;
  if (older && newest != nullptr) {
    finding.fixes.push_back(
        Fix{fmt::format("Prefer a TensorFlow release the knowledge base covers ({} to {}), whose "
                        "CUDA and cuDNN needs tfgpu can check.",
                        oldest->line.text(), newest->line.text()),
            {},
            false,
            false});
  }
  return {finding};
}

// An environment an earlier `tfgpu install` did not finish (its record in the venv says which
// step did not). A machine check, so that it also speaks of a venv whose TensorFlow never got
// installed (the environment checks run only where TensorFlow is).
std::vector<Finding> check_tfgpu_install_incomplete(const MachineView& view) {
  std::vector<Finding> out;
  for (const auto& env : view.facts.python_envs) {
    if (!env.tfgpu_install || (env.tfgpu_install->complete && env.tfgpu_install->problem.empty())) {
      continue;
    }
    const auto& mark = *env.tfgpu_install;
    if (!mark.problem.empty()) {
      auto finding = make_finding(
          "tfgpu_install_incomplete", Severity::kWarning, env.prefix,
          fmt::format("The record of a tfgpu install in {} cannot be read, so whether that install "
                      "finished is unknown.",
                      env.prefix));
      add_evidence(finding, "install record", mark.problem, mark.source);
      finding.fixes.push_back(Fix{
          "Remove the environment and install it again.",
          {"rm -rf " + shell_quote(env.prefix), "tfgpu install --venv " + shell_quote(env.prefix)},
          false,
          false});
      out.push_back(std::move(finding));
      continue;
    }
    const std::string step =
        mark.unfinished_step.empty() ? "a step" : "its '" + mark.unfinished_step + "' step";
    auto finding = make_finding(
        "tfgpu_install_incomplete", Severity::kError, env.prefix,
        fmt::format("The tfgpu install of TensorFlow {} into {} did not finish ({}{}): the "
                    "environment is incomplete.",
                    mark.tensorflow.empty() ? "?" : mark.tensorflow, env.prefix, step,
                    mark.detail.empty() ? "" : ": " + mark.detail));
    add_evidence(finding, "install record", "complete: false, started " + mark.started_at,
                 mark.source);
    std::string resume = "tfgpu install --venv " + shell_quote(env.prefix);
    if (const auto version = Version::parse(mark.tensorflow);
        version && version->parts().size() >= 2) {
      resume += fmt::format(" --tf {}.{}", version->major(), version->minor());
    }
    finding.fixes.push_back(
        Fix{"Run the install again: it resumes at the step that did not finish.",
            {resume},
            false,
            false});
    out.push_back(std::move(finding));
  }
  return out;
}

}  // namespace

std::vector<CheckInfo> tensorflow_checks() {
  return {
      {"tfgpu_install_incomplete", "a tfgpu install into the environment finished",
       check_tfgpu_install_incomplete, nullptr},
      {"tensorflow_cpu_package", "the installed TensorFlow is a CUDA build", nullptr,
       check_tensorflow_cpu_package},
      {"multiple_tensorflow_packages", "only one TensorFlow distribution is installed", nullptr,
       check_multiple_tensorflow_packages},
      {"python_version_unsupported", "the environment's Python is one the release supports",
       nullptr, check_python_version_unsupported},
      {"platform_without_gpu_support", "the release has a GPU build for this platform", nullptr,
       check_platform_without_gpu_support},
      {"tensorflow_line_unknown", "the knowledge base knows the TensorFlow release line", nullptr,
       check_tensorflow_line_unknown},
  };
}

}  // namespace tfgpu::checks
