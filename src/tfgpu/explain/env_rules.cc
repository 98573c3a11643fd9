// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/explain/env_rules.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include <re2/re2.h>

#include "tfgpu/base/strings.h"

namespace tfgpu::explain {
namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

// The first number-looking token of free text: "TF 2.1.0" → 2.1.0, "11.2/8 in conda env" → 11.2,
// "1.4.1 (tensorflow-gpu)" → 1.4.1. Reporters write versions amid words; the first number is the
// version they mean in every template field this is used on.
std::optional<Version> first_version(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size() && std::isdigit(static_cast<unsigned char>(text[start])) == 0) {
    ++start;
  }
  std::size_t end = start;
  while (end < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[end])) != 0 || text[end] == '.')) {
    ++end;
  }
  std::string_view token = text.substr(start, end - start);
  while (!token.empty() && token.back() == '.') {
    token.remove_suffix(1);
  }
  if (token.empty()) {
    return std::nullopt;
  }
  return Version::parse(token);
}

// A failed load whose printed LD_LIBRARY_PATH already names site-packages/nvidia/<wheel>/lib.
bool wheels_on_printed_path(std::string_view line) {
  const auto at = line.find("LD_LIBRARY_PATH:");
  return (contains(line, "Could not load dynamic library") ||
          contains(line, "cannot open shared object file")) &&
         at != std::string_view::npos && contains(line.substr(at), "/nvidia/");
}

std::string listed_distribution(std::string_view line) {
  // `pip list` ("tensorflow-gpu     2.4.1"), `pip freeze` ("tensorflow-gpu==2.4.1") and `conda
  // list` ("tensorflow-gpu   2.4.1   h30adc30_0") put the name first on its own line.
  static const RE2 kListing(
      R"(^\s*((?:tensorflow|tf-nightly)(?:[-_](?:gpu|cpu|intel|macos|rocm|aarch64))?)(?:\s+|==)v?\d+\.\d+)");
  const std::string_view trimmed = trim(line);
  if (trimmed.size() < 10 || (trimmed[0] != 't' && trimmed[0] != 'T')) {
    return {};  // the cheap test first: this runs on every line of a 1 GB log
  }
  std::string name;
  if (!RE2::PartialMatch(to_lower(trimmed.substr(0, 64)), kListing, &name)) {
    return {};
  }
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

bool lists_no_gpu(std::string_view line) {
  static const RE2 kNoGpus(
      R"((?i)\bnum(?:ber)?(?:\s+of)?\s+gpus?(?:\s+available)?\s*[:=]\s*0\b|\blists\s+0\s+gpus\b)");
  if (!contains(line, "GPU") && !contains(line, "gpu")) {
    return false;  // the cheap test first: this runs on every line of a 1 GB log
  }
  return RE2::PartialMatch(line, kNoGpus);
}

bool found_gpus_then_skipped(std::string_view line) {
  return contains(line, "Skipping registering GPU devices") ||
         contains(line, "Cannot dlopen some GPU libraries");
}

bool EnvView::log_shows(std::string_view cause) const {
  return std::find(log_causes.begin(), log_causes.end(), cause) != log_causes.end();
}

bool EnvView::log_shows_failure() const {
  return std::any_of(log_causes.begin(), log_causes.end(), [&](const std::string& id) {
    const auto* cause = kb.cause(id);
    return cause != nullptr && cause->kind == kb::CauseKind::kFailure;
  });
}

namespace {

// Every stated fact in one lower-case text, for facts reporters put in any field or note.
std::string all_env_text(const ReportEnv& env) {
  std::string text = env.os + "\n" + env.install_method + "\n" + env.cuda + "\n" + env.cudnn +
                     "\n" + env.driver + "\n" + env.tf_version;
  for (const auto& detail : env.other) {
    text += "\n" + detail.key + ": " + detail.value;
  }
  return to_lower(text);
}

// TensorFlow dropped native-Windows GPU support after 2.10 (the install guide): a report from
// Windows (not WSL) on 2.11 or later cannot use the GPU whatever its CUDA setup.
std::optional<EnvBoost> windows_native_after_2_10(const EnvView& view) {
  const std::string os = to_lower(view.env.os);
  if (!view.tensorflow || !contains(os, "windows") || contains(os, "wsl")) {
    return std::nullopt;
  }
  if (*view.tensorflow < *Version::parse("2.11")) {
    return std::nullopt;
  }
  return EnvBoost{"windows_native_gpu_unsupported_after_2_10", 0.9,
                  "native Windows with TensorFlow " + view.tensorflow->text()};
}

// A TensorFlow wheel loads the CUDA runtime by soname: major.minor before CUDA 11
// (cudart64_101.dll), major from CUDA 11 on (libcudart.so.11). A stated CUDA that differs there
// from the release's tested CUDA is not the one TensorFlow asks for.
std::optional<EnvBoost> cuda_runtime_mismatch(const EnvView& view) {
  if (view.release == nullptr) {
    return std::nullopt;
  }
  const auto cuda = first_version(view.env.cuda);
  if (!cuda) {
    return std::nullopt;
  }
  const Version& wanted = view.release->cuda;
  const std::size_t parts = wanted.major() < 11 ? 2 : 1;
  if (cuda->same_prefix(wanted, parts)) {
    return std::nullopt;
  }
  return EnvBoost{"cuda_runtime_version_mismatch", 0.6,
                  "CUDA " + cuda->text() + " stated; TensorFlow " + view.release->line.text() +
                      " is built for CUDA " + wanted.text()};
}

// The cuDNN major a failed load asked for, from its soname in the log ("libcudnn.so.6",
// "cudnn64_8.dll"): what TensorFlow wants even for a release the KB does not list.
std::optional<Version> wanted_cudnn_from_log(const std::vector<std::string>& failed_loads) {
  for (const auto& line : failed_loads) {
    for (const std::string_view marker : {"libcudnn.so.", "cudnn64_"}) {
      const auto at = line.find(marker);
      if (at != std::string::npos) {
        if (auto major = first_version(std::string_view(line).substr(at + marker.size(), 2))) {
          return major;
        }
      }
    }
  }
  return std::nullopt;
}

// The same for cuDNN, whose soname carries its major version (libcudnn.so.8, cudnn64_8.dll).
std::optional<EnvBoost> cudnn_mismatch(const EnvView& view) {
  const auto from_log = wanted_cudnn_from_log(view.cudnn_load_failures);
  if (view.release == nullptr && !from_log) {
    return std::nullopt;
  }
  const Version wanted = view.release != nullptr ? view.release->cudnn : *from_log;
  const std::string built_for =
      view.release != nullptr ? "TensorFlow " + view.release->line.text() + " is built for cuDNN "
                              : "TensorFlow asks for cuDNN ";
  const auto cudnn = first_version(view.env.cudnn);
  if (!cudnn || cudnn->same_prefix(wanted, 1)) {
    return std::nullopt;
  }
  // A cuDNN load failure with another major stated is that mismatch seen from the loader: the
  // soname TensorFlow asks for (libcudnn.so.<its major>) is absent because another major is
  // installed, so the installed cuDNN is the wrong one, not missing.
  const bool load_failed = view.log_shows("missing_cudnn");
  return EnvBoost{"cudnn_version_mismatch", load_failed ? 0.85 : 0.5,
                  "cuDNN " + cudnn->text() + " stated; " + built_for + wanted.text() +
                      (load_failed ? ", and the log shows cuDNN failing to load" : "")};
}

// `conda install tensorflow-gpu` puts its own cudatoolkit and cudnn into the env, and TensorFlow
// loads those before any system copy. A CUDA/cuDNN version clash in the log of a conda-installed
// TensorFlow is therefore the env's copies, which replacing the system libraries cannot fix.
std::optional<EnvBoost> conda_env_version_clash(const EnvView& view) {
  const std::string method = to_lower(view.env.install_method);
  if (!contains(method, "conda") || contains(method, "pip")) {
    return std::nullopt;
  }
  if (!view.log_shows("cudnn_version_mismatch") &&
      !view.log_shows("cuda_runtime_version_mismatch")) {
    return std::nullopt;
  }
  return EnvBoost{"conda_env_mismatch", 0.95,
                  "TensorFlow installed with conda, whose env carries its own CUDA/cuDNN, and the "
                  "log shows a CUDA/cuDNN version clash"};
}

// A pip-installed TensorFlow with CUDA/cuDNN from conda (cudatoolkit, cudnn packages): the
// libraries sit in $CONDA_PREFIX/lib, which the wheel's RUNPATH does not reach, so the install
// guide of those releases has LD_LIBRARY_PATH set to it. Without that the GPU is silently skipped.
std::optional<EnvBoost> conda_cuda_with_pip_tensorflow(const EnvView& view) {
  const std::string method = to_lower(view.env.install_method);
  const bool cuda_from_conda = contains(to_lower(view.env.cuda), "conda") ||
                               contains(to_lower(view.env.cudnn), "conda") ||
                               contains(method, "cudatoolkit");
  if (!cuda_from_conda || !contains(method, "pip")) {
    return std::nullopt;
  }
  return EnvBoost{"ld_library_path_missing_env_cuda_libs", 0.5,
                  "TensorFlow installed with pip and CUDA/cuDNN from conda: $CONDA_PREFIX/lib is "
                  "not on the loader's path unless LD_LIBRARY_PATH names it"};
}

// With Secure Boot on, the kernel refuses an unsigned (DKMS/akmod-built) NVIDIA module, and what
// the user sees is only the driver not being loaded. A stated Secure Boot that is on turns the
// driver-not-loaded evidence into its cause.
std::optional<EnvBoost> secure_boot_stated(const EnvView& view) {
  const std::string text = all_env_text(view.env);
  const auto at = text.find("secure boot");
  if (at == std::string::npos || !view.log_shows("driver_not_loaded_kernel_module")) {
    return std::nullopt;
  }
  const std::string_view rest = std::string_view(text).substr(at, 40);
  if (contains(rest, "disabled") || contains(rest, " off") || contains(rest, "not enabled")) {
    return std::nullopt;
  }
  return EnvBoost{"secure_boot_blocks_nvidia_module", 0.9,
                  "Secure Boot stated as on, and the NVIDIA driver is not loaded"};
}

// pip has no wheel of a release for a Python outside the release's range, so the install fails
// or resolves to an older, possibly CPU-only, release.
std::optional<EnvBoost> python_unsupported(const EnvView& view) {
  if (view.release == nullptr) {
    return std::nullopt;
  }
  // TensorFlow's own runtime notices (the benign lines) prove it was installed and imported under
  // this Python: a stated Python outside the range is then a misstatement, not the cause.
  const auto python = first_version(view.env.python);
  if (!python || view.release->python.contains(*python) || view.log_has_noise) {
    return std::nullopt;
  }
  return EnvBoost{"python_version_unsupported", 0.7,
                  "Python " + python->text() + " stated; TensorFlow " + view.release->line.text() +
                      " supports Python " + view.release->python.first.text() + "–" +
                      view.release->python.last.text()};
}

// The KB's GPU named in free text ("NVIDIA GTX 1650 4GB", "GeForce RTX 3060 12GB"): the exact
// lookup, else the longest KB name (with or without its "GeForce " brand) found in the text at
// word boundaries.
const kb::GpuModel* stated_gpu(const EnvView& view) {
  if (view.env.gpu.empty()) {
    return nullptr;
  }
  if (const auto* gpu = view.kb.gpu_by_name(view.env.gpu)) {
    return gpu;
  }
  const std::string text = to_lower(view.env.gpu);
  const auto found_at_word = [&](const std::string& name) {
    for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
      const std::size_t end = at + name.size();
      const bool starts = at == 0 || std::isalnum(static_cast<unsigned char>(text[at - 1])) == 0;
      const bool ends =
          end == text.size() || std::isalnum(static_cast<unsigned char>(text[end])) == 0;
      if (starts && ends) {
        return true;
      }
    }
    return false;
  };
  const kb::GpuModel* best = nullptr;
  std::size_t best_length = 0;
  for (const auto& gpu : view.kb.gpus) {
    std::string name = to_lower(gpu.name);
    if (name.starts_with("geforce ") && !found_at_word(name)) {
      name = name.substr(8);
    }
    if (name.size() > best_length && found_at_word(name)) {
      best = &gpu;
      best_length = name.size();
    }
  }
  return best;
}

// "sm_80" → 8.0, "compute_90" → 9.0.
std::optional<Version> arch_capability(std::string_view arch) {
  const auto underscore = arch.find('_');
  if (underscore == std::string_view::npos || arch.size() < underscore + 3) {
    return std::nullopt;
  }
  const std::string digits(arch.substr(underscore + 1));
  return Version::parse(digits.substr(0, digits.size() - 1) + "." + digits.back());
}

// A GPU below the lowest compute capability the release's wheel was built for gets no kernels:
// TensorFlow ignores it ("Ignoring visible gpu device").
std::optional<EnvBoost> capability_too_low(const EnvView& view) {
  const auto* build = view.tensorflow ? view.kb.wheel_build_for(*view.tensorflow) : nullptr;
  const auto* gpu = stated_gpu(view);
  if (build == nullptr || gpu == nullptr) {
    return std::nullopt;
  }
  std::optional<Version> lowest;
  for (const auto& arch : build->compute_capabilities) {
    const auto cc = arch_capability(arch);
    if (cc && (!lowest || *cc < *lowest)) {
      lowest = cc;
    }
  }
  if (!lowest || !(gpu->compute_capability < *lowest)) {
    return std::nullopt;
  }
  return EnvBoost{"compute_capability_unsupported", 0.8,
                  gpu->name + " has compute capability " + gpu->compute_capability.text() +
                      "; TensorFlow " + view.tensorflow->text() + " is built for " +
                      lowest->text() + " and up"};
}

// A GPU of a newer major architecture than every SASS and PTX the wheel carries runs only through
// PTX JIT across architectures, which fails or takes minutes. (PTX of the GPU's own major, as
// compute_80 for an A100 on 2.15, JIT-compiles within the family and is not flagged.)
std::optional<EnvBoost> arch_too_new(const EnvView& view) {
  const auto* build = view.tensorflow ? view.kb.wheel_build_for(*view.tensorflow) : nullptr;
  const auto* gpu = stated_gpu(view);
  if (build == nullptr || gpu == nullptr) {
    return std::nullopt;
  }
  int highest_major = -1;
  for (const auto& arch : build->compute_capabilities) {
    const auto cc = arch_capability(arch);
    if (cc) {
      highest_major = std::max(highest_major, cc->major());
    }
  }
  if (highest_major < 0 || gpu->compute_capability.major() <= highest_major) {
    return std::nullopt;
  }
  return EnvBoost{"gpu_arch_too_new_for_build", 0.6,
                  gpu->name + " has compute capability " + gpu->compute_capability.text() +
                      "; TensorFlow " + view.tensorflow->text() +
                      "'s wheel has code for compute capability " + std::to_string(highest_major) +
                      ".x at most"};
}

// The `[and-cuda]` wheels TensorFlow dlopens that the line's libtensorflow_framework.so.2 RUNPATH
// does not reach (2.16: all but cuda_runtime; 2.21: cusolver), comma-separated; empty when all are
// reached or the line has no `[and-cuda]` extra.
// A CUDA the reporter has outside the wheels: a stated version not said to come from pip's
// nvidia wheels ("12.5.82 (nvidia wheel, …)" as `--here` writes it, "12.3 via pip").
bool stated_system_cuda(const ReportEnv& env) {
  const std::string cuda = to_lower(env.cuda);
  return first_version(cuda).has_value() && !contains(cuda, "wheel") && !contains(cuda, "pip");
}

std::string wheels_runpath_misses(const EnvView& view) {
  const auto* extra = view.tensorflow ? view.kb.and_cuda_for(*view.tensorflow) : nullptr;
  std::string unreached;
  if (extra == nullptr) {
    return unreached;
  }
  const auto& reached = extra->loader_runpath_wheels;
  for (const std::string_view wheel : {"cublas", "cudnn", "cufft", "cusolver", "cusparse"}) {
    if (std::find(reached.begin(), reached.end(), wheel) == reached.end()) {
      unreached += (unreached.empty() ? "" : ", ") + std::string(wheel);
    }
  }
  return unreached;
}

// TensorFlow dlopens its CUDA libraries from libtensorflow_framework.so.2, whose RUNPATH reaches
// only some of the `[and-cuda]` wheels' folders on some lines. There a pip install fails to load
// the libraries even with the extra installed, until LD_LIBRARY_PATH names the wheel folders: a
// path problem, not a missing install.
std::optional<EnvBoost> runpath_misses_wheels(const EnvView& view) {
  if (!view.library_load_failed || view.failed_with_nvidia_wheels_on_path ||
      stated_system_cuda(view.env) || !contains(to_lower(view.env.install_method), "pip")) {
    return std::nullopt;
  }
  const std::string unreached = wheels_runpath_misses(view);
  if (unreached.empty()) {
    return std::nullopt;
  }
  return EnvBoost{"ld_library_path_missing_env_cuda_libs", 0.75,
                  "TensorFlow " + view.tensorflow->text() +
                      "'s loader RUNPATH does not reach the nvidia wheel folders of " + unreached};
}

// From 2.14 the CUDA libraries come as the `[and-cuda]` extra's pip wheels; a pip install that
// fails to load them, with no system CUDA stated, is most likely missing the extra.
std::optional<EnvBoost> and_cuda_extra_missing(const EnvView& view) {
  if (!view.library_load_failed || !view.tensorflow || *view.tensorflow < *Version::parse("2.14")) {
    return std::nullopt;
  }
  // The extra stated as installed ("pip install tensorflow[and-cuda]", nvidia-*-cu12 wheels
  // listed) is not missing.
  const std::string method = to_lower(view.env.install_method);
  if (stated_system_cuda(view.env) || !contains(method, "pip") || contains(method, "and-cuda") ||
      contains(method, "nvidia-") || view.failed_with_nvidia_wheels_on_path) {
    return std::nullopt;
  }
  // Where the RUNPATH misses wheels, the load fails with the extra installed too: the failure
  // says less about the extra.
  const double weight = wheels_runpath_misses(view).empty() ? 0.7 : 0.4;
  return EnvBoost{"and_cuda_extra_missing", weight,
                  "pip install of TensorFlow " + view.tensorflow->text() +
                      " failed to load GPU libraries, and no system CUDA is stated"};
}

// A failed load that printed an LD_LIBRARY_PATH already naming site-packages/nvidia/<wheel>/lib
// folders: the wheels are installed and on the path, so the soname asked for is not in them —
// wheels of another CUDA major (e.g. -cu11 wheels for a CUDA 12 build).
std::optional<EnvBoost> wheels_on_path_lack_soname(const EnvView& view) {
  if (!view.failed_with_nvidia_wheels_on_path) {
    return std::nullopt;
  }
  return EnvBoost{"cuda_runtime_version_mismatch", 0.6,
                  "the libraries failed to load although LD_LIBRARY_PATH names the nvidia wheel "
                  "folders"};
}

// RE2 over lower-case env text; the patterns are fixed, so a failure to compile is a bug the
// tests catch (every rule has a test where it fires).
bool search(std::string_view text, const RE2& pattern) {
  return RE2::PartialMatch(text, pattern);
}

// A virtual environment or conda env that was not activated: the command ran another Python
// (the system's), with other packages, than the environment where TensorFlow works.
std::optional<EnvBoost> environment_not_activated(const EnvView& view) {
  static const RE2 kNotActivated(
      R"((?:not|never|without|forgot(?: to)?)\s+(?:being\s+|having\s+)?activat|)"
      R"(outside\s+(?:of\s+)?(?:the\s+|my\s+)?(?:venv|virtualenv|virtual env|conda env|env\b))");
  static const RE2 kOtherInterpreter(
      R"(\b(?:system|wrong|different|another|other)\s+(?:python|interpreter)\b)");
  static const RE2 kNotebook(R"(\b(?:jupyter|notebook|ipykernel|kernel)\b)");
  const std::string text = all_env_text(view.env);
  // In a notebook the other interpreter is the kernel's: jupyter_kernel_env_mismatch.
  const bool other_interpreter = search(text, kOtherInterpreter) && !search(text, kNotebook);
  if (!search(text, kNotActivated) && !other_interpreter) {
    return std::nullopt;
  }
  return EnvBoost{"wrong_python_interpreter", 0.9,
                  "the stated environment was not activated, or another Python ran the command"};
}

// The TensorFlow distributions free text names: the suffixed names anywhere ("tensorflow-gpu",
// "tf-nightly"), the plain "tensorflow" only with a version after it ("tensorflow 1.9.0",
// "tensorflow==2.4"), since in prose the plain word is the project, not a package.
std::vector<std::string> distributions_named(std::string_view text) {
  static const RE2 kDistribution(
      R"(\b((?:tensorflow|tf-nightly)(?:[-_](?:gpu|cpu|intel|macos|rocm|aarch64))?)\b)"
      R"((\s*(?:==|\s)\s*v?\d+\.\d+)?)");
  std::vector<std::string> names;
  re2::StringPiece input(text.data(), text.size());
  std::string name;
  std::string version;
  while (RE2::FindAndConsume(&input, kDistribution, &name, &version)) {
    std::replace(name.begin(), name.end(), '_', '-');
    const bool suffixed = name != "tensorflow";
    if ((suffixed || !version.empty()) &&
        std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  }
  return names;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) {
    text += (text.empty() ? "" : " and ") + name;
  }
  return text;
}

// Every TensorFlow distribution installs into the same site-packages/tensorflow folder, so two in
// one environment overwrite each other's files and the last one installed wins (often the
// CPU-only one). Evidence: a package listing in the log with two, or a stated package list or
// install command that names two.
std::optional<EnvBoost> several_distributions(const EnvView& view) {
  if (view.listed_distributions.size() >= 2) {
    return EnvBoost{"multiple_tf_packages", 0.9,
                    "the log's package listing holds " + joined(view.listed_distributions)};
  }
  std::string stated = to_lower(view.env.install_method);
  for (const auto& detail : view.env.other) {
    const std::string key = to_lower(detail.key);
    if (contains(key, "package") || contains(key, "pip") || contains(key, "conda list") ||
        contains(key, "installed")) {
      stated += "\n" + to_lower(detail.value);
    }
  }
  const auto names = distributions_named(stated);
  if (names.size() < 2) {
    return std::nullopt;
  }
  return EnvBoost{"multiple_tf_packages", 0.85,
                  "the stated packages hold " + joined(names) + " in one environment"};
}

// A process that crashed earlier or still runs keeps its GPU memory (TensorFlow reserves nearly
// all of it up front), so this run's allocations and cuDNN/cuBLAS handle creation fail: what reads
// as running out of memory is the other process's reservation.
std::optional<EnvBoost> earlier_process_holds_gpu(const EnvView& view) {
  static const RE2 kOtherProcess(
      R"(\b(?:earlier|previous|prior|last|other|another|second)\s+(?:run|process|job|session|)"
      R"(instance|notebook|kernel|training|program)|\bzombie\b|\bstill\s+(?:running|holds?|)"
      R"(holding|alive)\b|\b(?:process|run|job)\w*\s+(?:that\s+)?(?:crashed|segfaulted|hung|was)"
      R"(\s+killed)\b)");
  if (!view.log_shows("oom_without_memory_growth") &&
      !view.log_shows("gpu_memory_held_by_other_process")) {
    return std::nullopt;
  }
  if (!search(all_env_text(view.env), kOtherProcess)) {
    return std::nullopt;
  }
  return EnvBoost{"gpu_memory_held_by_other_process", 0.9,
                  "another or an earlier (crashed) process is stated, and this run could not get "
                  "GPU memory"};
}

bool stated_wsl(const ReportEnv& env) {
  if (contains(to_lower(env.os), "wsl")) {
    return true;
  }
  for (const auto& detail : env.other) {
    const std::string key = to_lower(detail.key);
    const std::string value = to_lower(detail.value);
    if ((key == "wsl" || key == "wsl2") && value != "false" && value != "no") {
      return true;
    }
    if (contains(value, "wsl") && !contains(value, "not wsl") && !contains(value, "no wsl")) {
      return true;
    }
  }
  return false;
}

// Under WSL2 the GPU is reached through the Windows driver and /usr/lib/wsl/lib's libcuda; there a
// device-level failure (no device, busy or unavailable, cuInit failing, the driver "not loaded")
// is the WSL set-up — a WSL1 distribution, a Linux driver installed inside WSL, an old Windows
// build or driver — not what the same message means on native Linux.
std::optional<EnvBoost> wsl_device_failure(const EnvView& view) {
  if (!stated_wsl(view.env)) {
    return std::nullopt;
  }
  for (const std::string_view cause :
       {"gpu_memory_held_by_other_process", "driver_not_loaded_kernel_module",
        "docker_gpu_runtime_missing", "driver_state_after_suspend", "stub_libcuda_loaded"}) {
    if (view.log_shows(cause)) {
      return EnvBoost{"wsl_setup", 0.9,
                      "WSL is stated, and the log shows the GPU device itself failing"};
    }
  }
  return std::nullopt;
}

// The causes whose lines are what TensorFlow prints when it reaches no GPU: cuInit failing or
// finding no device, no driver or libcuda, the GPU libraries not loaded, the GPU devices skipped.
// On a machine with no NVIDIA GPU each is moot: no driver or library change gives it one.
constexpr std::array<std::string_view, 13> kNoGpuReachedCauses = {
    "driver_not_loaded_kernel_module",
    "driver_state_after_suspend",
    "cuda_visible_devices_hidden",
    "docker_gpu_runtime_missing",
    "stub_libcuda_loaded",
    "nvidia_container_toolkit_outdated",
    "wsl_setup",
    "and_cuda_extra_missing",
    "cuda_runtime_version_mismatch",
    "missing_cudnn",
    "ld_library_path_missing_env_cuda_libs",
    "windows_cuda_dll_not_on_search_path",
    "secure_boot_blocks_nvidia_module"};

// The causes whose lines need a GPU that TensorFlow reached (its compute capability, its memory,
// cuDNN or a kernel running on it) or a driver that answered (its version): with one in the log
// the statement that there is no GPU is in doubt, and the rule leaves the log's reading alone.
constexpr std::array<std::string_view, 9> kGpuReachedCauses = {
    "compute_capability_unsupported",
    "gpu_arch_too_new_for_build",
    "oom_without_memory_growth",
    "gpu_memory_held_by_other_process",
    "cudnn_version_mismatch",
    "keras3_xla_jit_unsupported_op",
    "ptxas_or_libdevice_missing",
    "driver_too_old",
    "container_lost_gpu_after_daemon_reload"};

// A GPU field or GPU detail that says there is none: "none", "None (CPU only)", "no GPU", "no
// NVIDIA GPU", "CPU-only", "CPU", and `--here`'s kNoNvidiaGpuStated. Not "N/A", which reporters
// also write for a field they skip.
bool says_no_gpu(const std::string& value) {
  static const RE2 kNone(
      R"(^[\s\-*_`'"(]*(?:none|no\s+(?:nvidia\s+|cuda[- ]capable\s+|dedicated\s+|discrete\s+)?)"
      R"((?:gpus?|graphics\s+card|video\s+card)|cpu(?:[- ]only)?)\b)");
  // "None detected", "no GPU found by TensorFlow", "CPU (GPU not visible)": the symptom, not the
  // machine, which may well have one.
  static const RE2 kSymptom(
      R"(detect|found|find|recogni[sz]|visible|show|list|regist|availab|appear|work|\bus(?:e|ed|ing)\b)"
      R"(|\bsees?\b|\bseen\b|tensorflow|\btf\b|pytorch|torch)");
  const std::string text = to_lower(value);
  return RE2::PartialMatch(text, kNone) && !RE2::PartialMatch(text, kSymptom);
}

// Whether the stated environment says this machine has no NVIDIA GPU: the GPU field (or a detail
// about the GPU) says none, or the notes say so of the machine ("a CPU-only laptop", "the server
// has no GPU", "I don't have an NVIDIA GPU"). Bare "no GPU" in prose is usually the symptom ("no
// GPU found"), so prose must name the machine (or the reporter) as the one without it.
bool stated_no_nvidia_gpu(const EnvView& view) {
  static const RE2 kMachineWithout(
      R"((?m)\bcpu[- ]only\s+(?:machine|laptop|computer|desktop|pc|server|host|instance|vm|node|)"
      R"(workstation)\b|\b(?:machine|laptop|computer|desktop|pc|server|host|instance|vm|node|)"
      R"(workstation|i|we)\s+(?:(?:without|with\s+no|has\s+no|have\s+no)\s+(?:an?\s+)?|)"
      R"((?:does|do)\s*(?:n[o']t|not)\s+have\s+(?:an?\s+)?)(?:nvidia\s+)?gpus?\b)");
  if (stated_gpu(view) != nullptr) {
    return false;  // a GPU the KB knows is named: "none" there is about something else
  }
  if (says_no_gpu(view.env.gpu)) {
    return true;
  }
  for (const auto& detail : view.env.other) {
    // "GPU model and memory: none", "gpu_count: 0" (but "gpu: 0" names device 0).
    const std::string key = to_lower(detail.key);
    const bool count = contains(key, "count") || contains(key, "num");
    if (contains(key, "gpu") &&
        (says_no_gpu(detail.value) || (count && trim(detail.value) == "0"))) {
      return true;
    }
  }
  return search(all_env_text(view.env), kMachineWithout);
}

// TensorFlow's GPU support needs an NVIDIA GPU (the install guide's hardware requirements). On a
// machine stated to have none, and not WSL2 (where the GPU is not on the PCI bus and the failures
// are wsl_setup's), the cuInit, driver and library failures TensorFlow logs are what it prints
// when it finds no GPU: the driver and library causes they point at are moot.
std::optional<EnvBoost> no_nvidia_gpu_stated(const EnvView& view) {
  if (stated_wsl(view.env) || !stated_no_nvidia_gpu(view)) {
    return std::nullopt;
  }
  const auto shown = [&](std::string_view cause) {
    return view.log_shows(cause);
  };
  if (view.log_found_gpus ||
      std::any_of(kGpuReachedCauses.begin(), kGpuReachedCauses.end(), shown)) {
    return std::nullopt;
  }
  if (!view.log_lists_no_gpu &&
      std::none_of(kNoGpuReachedCauses.begin(), kNoGpuReachedCauses.end(), shown)) {
    return std::nullopt;  // nothing GPU-related failed: the statement alone explains nothing
  }
  const std::string stated = says_no_gpu(view.env.gpu) ? "GPU stated as \"" + view.env.gpu + "\""
                                                       : "a machine without an NVIDIA GPU stated";
  return EnvBoost{"no_nvidia_gpu", 0.9,
                  stated + ", not WSL2, and the log shows TensorFlow finding no usable GPU",
                  std::vector<std::string>(kNoGpuReachedCauses.begin(), kNoGpuReachedCauses.end())};
}

// The application's own setting picks the CPU (a config file's device, a --cpu flag, a device
// parameter): TensorFlow then sees no GPU, and its messages read like a driver problem.
std::optional<EnvBoost> app_selects_cpu(const EnvView& view) {
  static const RE2 kSettingSelectsCpu(
      R"(\b(?:config\w*|setting\w*|option\w*|flag\w*|parameter\w*|argument\w*|yaml|json|)"
      R"(script)\b[^.\n]{0,60}\b(?:select\w*|choos\w*|chose|forc\w*|use[sd]?|set\w*|run\w*|)"
      R"(default\w*|pick\w*)\b[^.\n]{0,40}\bcpu\b|\b(?:device|use_gpu|gpu)\s*[=:]\s*["']?)"
      R"((?:cpu|false|none)\b|--cpu\b)");
  if (!search(all_env_text(view.env), kSettingSelectsCpu)) {
    return std::nullopt;
  }
  return EnvBoost{"app_config_forces_cpu", 0.85, "the stated application settings select the CPU"};
}

// The distribution and version the reporter installed, from the install command first, then the
// TensorFlow version field ("pip3 install tensorflow==1.15.2", "1.15.2 ('tensorflow' PyPI
// package)"), and the KB's answer whether that distribution carries CUDA at that version: the
// plain `tensorflow` name was CPU-only before 1.15, at 1.15.2-1.15.5 and in 2.0.
std::optional<EnvBoost> cpu_only_distribution(const EnvView& view) {
  static const RE2 kNamedVersion(
      R"(\b((?:tensorflow|tf-nightly)(?:[-_](?:gpu|cpu|intel))?)\b['"]?\s*(?:==|\s)\s*v?)"
      R"((\d+(?:\.\d+)+))");
  static const RE2 kNamed(R"((?:^|[\s'"`(])((?:tensorflow|tf-nightly)(?:[-_](?:gpu|cpu|intel))?))"
                          R"(['"`]?(?:\s|$|\)|,))");
  std::string name;
  std::string version_text;
  for (const std::string* field : {&view.env.install_method, &view.env.tf_version}) {
    const std::string text = to_lower(*field);
    if (RE2::PartialMatch(text, kNamedVersion, &name, &version_text)) {
      break;
    }
    if (view.tensorflow && RE2::PartialMatch(text, kNamed, &name)) {
      version_text = view.tensorflow->text();
      break;
    }
    name.clear();
  }
  const auto version = Version::parse(version_text);
  if (name.empty() || !version) {
    return std::nullopt;
  }
  const auto* row = view.kb.distribution(name, *version);
  if (row == nullptr || row->cuda) {
    return std::nullopt;
  }
  return EnvBoost{"tensorflow_cpu_only_package", 0.9,
                  "the " + row->name + " " + version->text() +
                      " distribution on PyPI has no CUDA support (KB distribution " +
                      row->provenance.key + ")"};
}

// The official images are built on a fixed CUDA/cuDNN base, and some tags ship a cuDNN whose
// major is not the one their TensorFlow loads (KB container_image): libcudnn.so.<major> is then
// missing inside the container whatever the host has. The image is named by a GPU tag
// ("tensorflow/tensorflow:2.18.0-gpu", "tensorflow:latest-gpu-jupyter") or in words ("the
// official TensorFlow docker image").
std::optional<EnvBoost> container_image_lacks_cudnn(const EnvView& view) {
  static const RE2 kTag(
      R"(\btensorflow(?:/tensorflow)?:((?:\d[\w.]*-|latest-|nightly-)gpu[\w.\-]*))");
  static const RE2 kInWords(
      R"(\bofficial\s+(?:tensorflow\s+)?(?:docker\s+|gpu\s+)*(?:image|container)s?\b)");
  const std::string text = all_env_text(view.env);
  std::string tag;
  if (!RE2::PartialMatch(text, kTag, &tag) && !search(text, kInWords)) {
    return std::nullopt;
  }
  // A versioned tag ("2.18.0-gpu") names its TensorFlow; "latest-gpu" is the stated version.
  std::optional<Version> tensorflow;
  if (!tag.empty() && std::isdigit(static_cast<unsigned char>(tag.front())) != 0) {
    tensorflow = first_version(tag);
  }
  if (!tensorflow) {
    tensorflow = view.tensorflow;
  }
  if (!tensorflow) {
    return std::nullopt;
  }
  const auto* image = view.kb.container_image("tensorflow/tensorflow", *tensorflow);
  const auto* release = view.kb.release_for(*tensorflow);
  if (image == nullptr || release == nullptr || image->cudnn.major() == release->cudnn.major()) {
    return std::nullopt;
  }
  const std::string named = tag.empty() ? "TensorFlow " + release->line.text() + " image"
                                        : "tensorflow/tensorflow:" + tag + " image";
  return EnvBoost{"missing_cudnn", 0.9,
                  "the official " + named + " ships cuDNN " + image->cudnn.text() +
                      ", and TensorFlow " + release->line.text() + " loads cuDNN " +
                      std::to_string(release->cudnn.major()) + " (KB container_image " +
                      image->provenance.key + ")"};
}

// A TensorFlow that brings its own CUDA libraries (nvidia-tensorflow, the [and-cuda] wheels,
// conda's cudatoolkit) with a system CUDA named on LD_LIBRARY_PATH: LD_LIBRARY_PATH is searched
// before the wheels' RUNPATH, so the system copies, of another version, load first.
std::optional<EnvBoost> system_cuda_before_bundled(const EnvView& view) {
  static const RE2 kBundled(
      R"(nvidia-tensorflow|and-cuda|own cuda|bundled cuda|cuda from (?:pip|the wheels)|)"
      R"(cudatoolkit|nvidia-[a-z-]+-cu1\d)");
  static const RE2 kSystemOnPath(
      R"(ld_library_path[^\n]*(?:system|/usr/local/cuda|/usr/lib)|(?:system|/usr/local/cuda)[^\n]*)"
      R"(ld_library_path)");
  const std::string text = all_env_text(view.env);
  if (!search(text, kBundled) || !search(text, kSystemOnPath)) {
    return std::nullopt;
  }
  return EnvBoost{"system_libs_shadow_env_libs", 0.8,
                  "a TensorFlow with its own CUDA libraries, and a system CUDA stated on "
                  "LD_LIBRARY_PATH"};
}

// TensorFlow pulled in by another framework's tool (TensorBoard logging for a PyTorch trainer)
// prints its CUDA warnings at import, yet nothing is meant to run on the GPU through it: for that
// user the warnings are noise. Only for a log without a failure: a failure is still reported.
std::optional<EnvBoost> tensorflow_not_used_for_gpu(const EnvView& view) {
  static const RE2 kNotUsed(
      R"(only for tensorboard|tensorboard only|for tensorboard\b|(?:done|run|trained|training))"
      R"( (?:by|with|in|on) (?:pytorch|torch|jax)|not (?:used )?(?:by |with |for |on )?)"
      R"((?:tensorflow|tf)(?:$|[^.\w])|(?:no gpu|cpu[- ]only) (?:is )?(?:intended|needed|wanted|machine))"
      R"(|(?:don't|do not|doesn't|does not) (?:need|want|use) (?:the |a )?gpu)");
  if (view.log_shows_failure() || !search(all_env_text(view.env), kNotUsed)) {
    return std::nullopt;
  }
  return EnvBoost{"benign_warning_no_gpu_intended", 0.9,
                  "the stated set-up does not use TensorFlow on the GPU"};
}

}  // namespace

std::vector<EnvBoost> environment_boosts(const EnvView& view) {
  std::vector<EnvBoost> boosts;
  for (auto boost : {windows_native_after_2_10(view),
                     cuda_runtime_mismatch(view),
                     cudnn_mismatch(view),
                     python_unsupported(view),
                     capability_too_low(view),
                     arch_too_new(view),
                     and_cuda_extra_missing(view),
                     conda_env_version_clash(view),
                     conda_cuda_with_pip_tensorflow(view),
                     secure_boot_stated(view),
                     runpath_misses_wheels(view),
                     wheels_on_path_lack_soname(view),
                     environment_not_activated(view),
                     several_distributions(view),
                     earlier_process_holds_gpu(view),
                     wsl_device_failure(view),
                     no_nvidia_gpu_stated(view),
                     app_selects_cpu(view),
                     cpu_only_distribution(view),
                     container_image_lacks_cudnn(view),
                     system_cuda_before_bundled(view),
                     tensorflow_not_used_for_gpu(view)}) {
    if (boost) {
      boosts.push_back(std::move(*boost));
    }
  }
  return boosts;
}

}  // namespace tfgpu::explain
