// SPDX-License-Identifier: Apache-2.0
#pragma once
// `tfgpu env`: the environment variables that let one Python's TensorFlow find its CUDA libraries
// and ptxas, worked out from the facts (env_exports) and written for a shell (render_exports).
// Pure: the command probes, picks the environment and prints.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/model/facts.h"

namespace tfgpu::checks {

enum class Shell { kBash, kZsh, kFish };

// "bash", "zsh", "fish"; null for any other name.
std::optional<Shell> shell_named(std::string_view name);

struct EnvExport {
  std::string variable;              // "LD_LIBRARY_PATH"
  std::vector<std::string> entries;  // put in front of the current value (PATH-like variables)
  std::string value;                 // set outright when `entries` is empty
  std::string why;                   // one line, shown as a comment before the export
};

struct EnvExportOptions {
  bool memory_growth = false;  // TF_FORCE_GPU_ALLOW_GROWTH=true
};

struct EnvExports {
  std::vector<EnvExport> exports;
  std::string nothing_to_add;  // why nothing is exported, when `exports` is empty
};

// What `env`'s first TensorFlow install needs: LD_LIBRARY_PATH += the nvidia-* wheel library
// folders its loader RUNPATH misses (nvidia_wheels.h, as doctor's nvidia_wheels_unreachable);
// PATH += the nvidia-cuda-nvcc wheel's bin folder when no ptxas of the build's CUDA major is on
// PATH already (XLA runs the first ptxas on PATH); TF_FORCE_GPU_ALLOW_GROWTH with memory_growth.
// `cuda_major` is the build's CUDA major (null: not a CUDA build, or unknown).
EnvExports env_exports(const model::Facts& facts, const model::PythonEnv& env,
                       std::optional<int> cuda_major, const EnvExportOptions& options);

// `text` as one fish word in single quotes (\\ and \' escaped).
std::string fish_single_quote(std::string_view text);

// The exports as lines for `eval "$(tfgpu env)"` (bash, zsh) or `tfgpu env --shell fish | source`:
// each preceded by "# <why>"; "# nothing to add: <why>" when there are none.
std::string render_exports(const EnvExports& exports, Shell shell);

}  // namespace tfgpu::checks
