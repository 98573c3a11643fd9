// SPDX-License-Identifier: Apache-2.0
// The exports of `tfgpu env` (see env_exports.h). The library folders are exactly those doctor's
// nvidia_wheels_unreachable fix names: both come from unreachable_wheels().
#include "tfgpu/checks/env_exports.h"

#include <algorithm>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/checks/common.h"
#include "tfgpu/checks/nvidia_wheels.h"

namespace tfgpu::checks {
namespace {

std::string tensorflow_label(const model::PythonEnv& env) {
  if (env.tensorflow.empty() || !env.tensorflow.front().version.is_present()) {
    return "TensorFlow";
  }
  return "TensorFlow " + env.tensorflow.front().version.value->text();
}

// A comment must stay one line: a path with a newline would otherwise end it early.
std::string one_line(std::string_view text) {
  std::string out(text);
  std::replace(out.begin(), out.end(), '\n', ' ');
  std::replace(out.begin(), out.end(), '\r', ' ');
  return out;
}

bool path_names_dir(const std::vector<std::string>& path_entries, std::string_view dir) {
  const std::string wanted = strip_trailing_slash(dir);
  return std::any_of(path_entries.begin(), path_entries.end(), [&](const std::string& entry) {
    return !entry.empty() && strip_trailing_slash(entry) == wanted;
  });
}

// A ptxas of the build's CUDA major already on PATH: the wheel's own folder, or a toolkit's
// bin (by its root or the link it was found through) whose ptxas the probe saw.
bool build_ptxas_on_path(const model::Facts& facts, const std::vector<std::string>& path_entries,
                         std::string_view wheel_bin, int cuda_major) {
  if (path_names_dir(path_entries, wheel_bin)) {
    return true;
  }
  for (const auto& toolkit : facts.cuda_toolkits) {
    if (!toolkit.ptxas.is_present() || !toolkit.version.is_present() ||
        toolkit.version.value->major() != cuda_major) {
      continue;
    }
    if (path_names_dir(path_entries, parent_dir(*toolkit.ptxas.value))) {
      return true;
    }
    for (const auto& via : toolkit.found_via) {
      if (via.starts_with('/') && path_names_dir(path_entries, via + "/bin")) {
        return true;
      }
    }
  }
  return false;
}

std::optional<EnvExport> library_path_export(const model::PythonEnv& env,
                                             std::optional<int> cuda_major) {
  const auto unreachable = unreachable_wheels(env, cuda_major);
  if (unreachable.empty() || env.tensorflow.empty()) {
    return std::nullopt;
  }
  std::vector<std::string> sonames;
  for (const auto& item : unreachable) {
    sonames.push_back(item.library->soname);
  }
  const auto& tensorflow = env.tensorflow.front();
  const std::string loader = tensorflow.loader_object.is_present()
                                 ? *tensorflow.loader_object.value
                                 : std::string("its loader object");
  EnvExport out;
  out.variable = "LD_LIBRARY_PATH";
  out.entries = wheel_lib_dirs(unreachable);
  out.why = fmt::format(
      "{} needs {}: installed as nvidia-* wheels, but the RUNPATH of {} does not reach them",
      tensorflow_label(env), join(sonames, ", "), loader);
  return out;
}

std::optional<EnvExport> ptxas_export(const model::Facts& facts, const model::PythonEnv& env,
                                      std::optional<int> cuda_major) {
  if (!cuda_major) {
    return std::nullopt;
  }
  const auto* nvcc = find_package(env, fmt::format("nvidia-cuda-nvcc-cu{}", *cuda_major));
  if (nvcc == nullptr) {
    return std::nullopt;
  }
  const std::string site = site_packages_of(env, *nvcc);
  if (site.empty()) {
    return std::nullopt;
  }
  const std::string bin = site + "/nvidia/cuda_nvcc/bin";
  const auto path = env_value(facts, "PATH");
  const auto entries = library_path_entries(path.value_or(""));
  if (build_ptxas_on_path(facts, entries, bin, *cuda_major)) {
    return std::nullopt;
  }
  EnvExport out;
  out.variable = "PATH";
  out.entries = {bin};
  out.why = fmt::format(
      "XLA runs the first ptxas on PATH; {} {} ships the CUDA {} ptxas in this folder, and no "
      "CUDA {} ptxas is on PATH",
      nvcc->name, nvcc->version, *cuda_major, *cuda_major);
  return out;
}

}  // namespace

std::optional<Shell> shell_named(std::string_view name) {
  if (name == "bash") {
    return Shell::kBash;
  }
  if (name == "zsh") {
    return Shell::kZsh;
  }
  if (name == "fish") {
    return Shell::kFish;
  }
  return std::nullopt;
}

EnvExports env_exports(const model::Facts& facts, const model::PythonEnv& env,
                       std::optional<int> cuda_major, const EnvExportOptions& options) {
  EnvExports out;
  if (auto libraries = library_path_export(env, cuda_major)) {
    out.exports.push_back(std::move(*libraries));
  }
  if (auto ptxas = ptxas_export(facts, env, cuda_major)) {
    out.exports.push_back(std::move(*ptxas));
  }
  if (options.memory_growth) {
    out.exports.push_back(EnvExport{
        "TF_FORCE_GPU_ALLOW_GROWTH",
        {},
        "true",
        "--memory-growth: TensorFlow takes GPU memory as it needs it instead of nearly all of it "
        "at start"});
  }
  if (out.exports.empty()) {
    if (!cuda_major) {
      out.nothing_to_add = fmt::format(
          "{} in {} is not a CUDA build (or its CUDA version is unknown), so no CUDA folder "
          "helps it",
          tensorflow_label(env), env.prefix);
    } else {
      out.nothing_to_add = fmt::format(
          "every CUDA library {} in {} needs that a wheel holds is found through its RUNPATH or "
          "the current LD_LIBRARY_PATH, and no ptxas folder is missing from PATH",
          tensorflow_label(env), env.prefix);
    }
  }
  return out;
}

std::string fish_single_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string render_exports(const EnvExports& exports, Shell shell) {
  std::string out;
  if (exports.exports.empty()) {
    return "# nothing to add: " + one_line(exports.nothing_to_add) + "\n";
  }
  for (const auto& item : exports.exports) {
    out += "# " + one_line(item.why) + "\n";
    if (shell == Shell::kFish) {
      // fish keeps PATH-like variables as lists and joins them with ':' when exporting.
      out += "set -gx " + item.variable;
      if (item.entries.empty()) {
        out += " " + fish_single_quote(item.value);
      } else {
        for (const auto& entry : item.entries) {
          out += " " + fish_single_quote(entry);
        }
        out += " $" + item.variable;
      }
      out += "\n";
      continue;
    }
    if (item.entries.empty()) {
      out += "export " + item.variable + "=" + single_quote(item.value) + "\n";
    } else {
      // The current value goes after ours only when set and non-empty: an empty entry would
      // make the loader search the current directory.
      out += fmt::format("export {0}={1}\"${{{0}:+:${0}}}\"\n", item.variable,
                         single_quote(join(item.entries, ":")));
    }
  }
  return out;
}

}  // namespace tfgpu::checks
