// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/explain/diagnose.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <utility>

namespace tfgpu::explain {
namespace {

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

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

// Environment evidence: one boost for a cause, with the sentence that says why.
struct EnvBoost {
  std::string cause;
  double weight = 0;
  std::string why;
};

struct EnvView {
  const ReportEnv& env;
  const kb::KnowledgeBase& kb;
  std::optional<Version> tensorflow;
  const kb::TensorflowRelease* release = nullptr;
  // Causes with at least one signature hit in the report's lines, and whether any of them is
  // noise: the rules below read what the log already shows.
  std::vector<std::string> log_causes;
  bool log_has_noise = false;
  std::vector<std::string> cudnn_load_failures;  // the lines cited for missing_cudnn
  // A failed load whose printed LD_LIBRARY_PATH already names site-packages/nvidia/<wheel>/lib.
  bool failed_with_nvidia_wheels_on_path = false;

  bool log_shows(std::string_view cause) const {
    return std::find(log_causes.begin(), log_causes.end(), cause) != log_causes.end();
  }
};

bool wheels_on_printed_path(std::string_view line) {
  const auto at = line.find("LD_LIBRARY_PATH:");
  return (contains(line, "Could not load dynamic library") ||
          contains(line, "cannot open shared object file")) &&
         at != std::string_view::npos && contains(line.substr(at), "/nvidia/");
}

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
std::optional<EnvBoost> runpath_misses_wheels(const EnvView& view, bool library_load_failed) {
  if (!library_load_failed || view.failed_with_nvidia_wheels_on_path ||
      first_version(view.env.cuda).has_value() ||
      !contains(to_lower(view.env.install_method), "pip")) {
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
std::optional<EnvBoost> and_cuda_extra_missing(const EnvView& view, bool library_load_failed) {
  if (!library_load_failed || !view.tensorflow || *view.tensorflow < *Version::parse("2.14")) {
    return std::nullopt;
  }
  if (first_version(view.env.cuda).has_value() ||
      !contains(to_lower(view.env.install_method), "pip") ||
      view.failed_with_nvidia_wheels_on_path) {
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

std::vector<EnvBoost> environment_boosts(const EnvView& view, bool library_load_failed) {
  std::vector<EnvBoost> boosts;
  for (auto boost :
       {windows_native_after_2_10(view), cuda_runtime_mismatch(view), cudnn_mismatch(view),
        python_unsupported(view), capability_too_low(view), arch_too_new(view),
        and_cuda_extra_missing(view, library_load_failed), conda_env_version_clash(view),
        conda_cuda_with_pip_tensorflow(view), secure_boot_stated(view),
        runpath_misses_wheels(view, library_load_failed), wheels_on_path_lack_soname(view)}) {
    if (boost) {
      boosts.push_back(std::move(*boost));
    }
  }
  return boosts;
}

bool is_library_load_failure(std::string_view line) {
  return contains(line, "Cannot dlopen some GPU libraries") ||
         contains(line, "Could not load dynamic library");
}

}  // namespace

Result<void> set_env_fact(EnvFacts& facts, std::string_view key, std::string value) {
  std::string* field = nullptr;
  if (key == "tf_version") {
    field = &facts.tf_version;
  } else if (key == "os") {
    field = &facts.os;
  } else if (key == "python") {
    field = &facts.python;
  } else if (key == "cuda") {
    field = &facts.cuda;
  } else if (key == "cudnn") {
    field = &facts.cudnn;
  } else if (key == "driver") {
    field = &facts.driver;
  } else if (key == "gpu") {
    field = &facts.gpu;
  } else if (key == "install_method") {
    field = &facts.install_method;
  }
  if (field == nullptr) {
    return make_error(Errc::kInvalidArgument,
                      "unknown environment key '" + std::string(key) +
                          "' (known: tf_version, os, python, cuda, cudnn, driver, gpu, "
                          "install_method)");
  }
  *field = std::move(value);
  return {};
}

ReportEnv merged_env(const ReportEnv& stated, const EnvFacts& extra) {
  ReportEnv env = stated;
  const auto over = [](std::string& field, const std::string& value) {
    if (!value.empty()) {
      field = value;
    }
  };
  over(env.tf_version, extra.tf_version);
  over(env.os, extra.os);
  over(env.python, extra.python);
  over(env.cuda, extra.cuda);
  over(env.cudnn, extra.cudnn);
  over(env.driver, extra.driver);
  over(env.gpu, extra.gpu);
  over(env.install_method, extra.install_method);
  env.other.insert(env.other.end(), extra.other.begin(), extra.other.end());
  return env;
}

Diagnoser::Diagnoser(const kb::KnowledgeBase& kb, const SignatureMatcher& matcher)
    : kb_(kb), matcher_(matcher), hits_(kb.causes.size()) {}

void Diagnoser::add_line(std::uint64_t number, std::string_view text, LineOrigin origin) {
  ++lines_;
  const auto hits = matcher_.match_line(text);
  if (hits.empty()) {
    return;
  }
  library_load_failed_ = library_load_failed_ || is_library_load_failure(text);
  const double factor = origin == LineOrigin::kDescription ? kDescriptionWeightFactor : 1.0;
  for (const auto& hit : hits) {
    const auto& signature = kb_.signatures[hit.signature];
    const auto cause = std::find_if(kb_.causes.begin(), kb_.causes.end(),
                                    [&](const kb::Cause& c) { return c.id == signature.cause; });
    if (cause == kb_.causes.end()) {
      continue;  // kb lint rejects a signature of an unknown cause; a --kb folder is linted too
    }
    auto& cause_hits = hits_[static_cast<std::size_t>(cause - kb_.causes.begin())];
    const double weight = signature.weight * factor;
    const auto known =
        std::find(cause_hits.signatures.begin(), cause_hits.signatures.end(), hit.signature);
    if (known == cause_hits.signatures.end()) {
      cause_hits.signatures.push_back(hit.signature);
      cause_hits.signature_weights.push_back(weight);
    } else {
      auto& strongest =
          cause_hits
              .signature_weights[static_cast<std::size_t>(known - cause_hits.signatures.begin())];
      strongest = std::max(strongest, weight);
    }
    const bool already_cited =
        !cause_hits.evidence.empty() && cause_hits.evidence.back().line == number;
    if (!already_cited && cause_hits.evidence.size() < kMaxEvidenceLines) {
      cause_hits.evidence.push_back(Evidence{number, std::string(text)});
    }
  }
}

Explanation Diagnoser::finish(const ReportEnv& env) const {
  EnvView view{env, kb_, first_version(env.tf_version), nullptr, {}, false, {}, false};
  if (view.tensorflow) {
    view.release = kb_.release_for(*view.tensorflow);
  }
  for (std::size_t i = 0; i < kb_.causes.size(); ++i) {
    if (!hits_[i].signatures.empty()) {
      view.log_causes.push_back(kb_.causes[i].id);
      view.log_has_noise = view.log_has_noise || kb_.causes[i].kind == kb::CauseKind::kNoise;
    }
    for (const auto& evidence : hits_[i].evidence) {
      view.failed_with_nvidia_wheels_on_path =
          view.failed_with_nvidia_wheels_on_path || wheels_on_printed_path(evidence.text);
    }
    if (kb_.causes[i].id == "missing_cudnn") {
      for (const auto& evidence : hits_[i].evidence) {
        view.cudnn_load_failures.push_back(evidence.text);
      }
    }
  }
  std::map<std::string, std::vector<const EnvBoost*>> boosts_by_cause;
  const auto boosts = environment_boosts(view, library_load_failed_);
  for (const auto& boost : boosts) {
    boosts_by_cause[boost.cause].push_back(&boost);
  }

  Explanation explanation;
  explanation.lines_scanned = lines_;
  bool any_failure = false;
  bool any_noise = false;
  for (std::size_t i = 0; i < kb_.causes.size(); ++i) {
    const auto& cause = kb_.causes[i];
    const auto& cause_hits = hits_[i];
    const auto boosted = boosts_by_cause.find(cause.id);
    if (cause_hits.signatures.empty() && boosted == boosts_by_cause.end()) {
      continue;
    }
    double miss = 1.0;
    for (const double weight : cause_hits.signature_weights) {
      miss *= 1.0 - std::clamp(weight, 0.0, 1.0);
    }
    RankedCause ranked{cause.id, cause.kind, 0.0, cause.summary, cause.fix, cause_hits.evidence};
    if (boosted != boosts_by_cause.end()) {
      for (const auto* boost : boosted->second) {
        miss *= 1.0 - boost->weight;
        ranked.evidence.push_back(Evidence{0, "environment: " + boost->why});
      }
    }
    ranked.confidence = 1.0 - miss;
    (cause.kind == kb::CauseKind::kNoise ? any_noise : any_failure) = true;
    explanation.causes.push_back(std::move(ranked));
  }
  // Failures before noise whatever the scores; then by confidence; ties keep the KB's order.
  std::stable_sort(explanation.causes.begin(), explanation.causes.end(),
                   [](const RankedCause& a, const RankedCause& b) {
                     const bool a_noise = a.kind == kb::CauseKind::kNoise;
                     const bool b_noise = b.kind == kb::CauseKind::kNoise;
                     if (a_noise != b_noise) {
                       return b_noise;
                     }
                     return a.confidence > b.confidence;
                   });
  explanation.noise_only = any_noise && !any_failure;
  return explanation;
}

Result<Explanation> explain(const Report& report, const kb::KnowledgeBase& kb,
                            const EnvFacts& extra) {
  auto matcher = SignatureMatcher::compile(kb);
  if (!matcher) {
    return tl::unexpected(matcher.error());
  }
  Diagnoser diagnoser(kb, *matcher);
  for (const auto& line : report.log_lines) {
    diagnoser.add_line(line.number, line.text, line.origin);
  }
  return diagnoser.finish(merged_env(report.env, extra));
}

}  // namespace tfgpu::explain
