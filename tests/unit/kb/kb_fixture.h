// SPDX-License-Identifier: Apache-2.0
#pragma once
// A small, valid knowledge base as inline TOML (docs/kb.md), shared by the load and lint tests.
// Each table has the shapes the parser must handle: ranges, an optional windows driver present
// and absent, GPU alternatives, nested [[cudnn.build]], ids and URLs as sources, [nightly], a
// failure and a noise cause, a signature with captures and one (its weight an integer) without,
// PCIe generations with an integer and a float rate.
// Tests append rows to one file to make a lint problem fire.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/kb/load.h"

namespace tfgpu::kb::testing {

inline constexpr std::string_view kSourcesToml = R"toml(
[[source]]
id = "tf-build-configs"
title = "TensorFlow: tested build configurations"
url = "https://www.tensorflow.org/install/source#gpu"

[[source]]
id = "cuda-release-notes"
title = "CUDA Toolkit release notes"
url = "https://docs.nvidia.com/cuda/cuda-toolkit-release-notes/"
)toml";

inline constexpr std::string_view kTensorflowToml = R"toml(
[[release]]
line = "2.20"
first_version = "2.20.0"
python = ["3.9", "3.13"]
cuda = "12.5"
cudnn = "9.3"
gpu_platforms = ["linux", "wsl2"]
confidence = "confirmed"
sources = ["tf-build-configs"]

[[release]]
line = "2.21"
first_version = "2.21.0"
python = ["3.10", "3.13"]
cuda = "12.5.1"
cudnn = "9.3"
gpu_platforms = ["linux", "wsl2"]
confidence = "derived"
sources = ["tf-build-configs", "https://github.com/tensorflow/tensorflow/releases/tag/v2.21.0"]
note = "Not yet in the tested-configurations table."

[[wheel_build]]
lines = ["2.20", "2.20"]
compute_capabilities = ["sm_60", "sm_70", "sm_80", "sm_89", "compute_90"]
confidence = "confirmed"
sources = ["tf-build-configs"]

[[wheel_build]]
lines = ["2.21", "2.21"]
compute_capabilities = ["sm_60", "sm_70", "sm_80", "sm_89", "sm_90a", "compute_90"]
confidence = "unconfirmed"
sources = ["tf-build-configs"]

[[and_cuda]]
line = "2.21"
requirements = ["nvidia-cudnn-cu12>=9.3.0.75,<10.0", "nvidia-cuda-runtime-cu12==12.5.82"]
loader_runpath_wheels = ["cuda_runtime", "cudnn"]
confidence = "confirmed"
sources = ["https://pypi.org/project/tensorflow/2.21.0/"]

[[sonames]]
lines = ["2.20", "2.21"]
cuda_major = 12
libraries = { cudart = "libcudart.so.12", cudnn = "libcudnn.so.9" }
confidence = "confirmed"
sources = ["tf-build-configs"]

[[statement]]
id = "macos_no_cuda"
text = "TensorFlow has no CUDA build for macOS."
confidence = "confirmed"
sources = ["tf-build-configs"]

[nightly]
rule = "tf-nightly 2.22.0.devYYYYMMDD belongs to line 2.22."
)toml";

inline constexpr std::string_view kCudaToml = R"toml(
[[driver_minimum]]
cuda = "12.5.1"
release = "CUDA 12.5 Update 1"
linux = "555.42.06"
windows = "555.85"
confidence = "confirmed"
sources = ["cuda-release-notes"]

[[driver_minimum]]
cuda = "13.0.0"
release = "CUDA 13.0 GA"
linux = "580.65.06"
confidence = "confirmed"
sources = ["cuda-release-notes"]

[[minor_version_compat]]
cuda_major = 12
linux = "525.60.13"
windows = "527.41"
below = "580"
confidence = "confirmed"
sources = ["cuda-release-notes"]

[[arch_support]]
cuda = ["12.0", "12.9"]
compute_capabilities = ["5.0", "6.0", "7.0", "8.0", "9.0"]
confidence = "derived"
sources = ["cuda-release-notes"]

[[arch_support]]
cuda = ["13.0", "13.1"]
compute_capabilities = ["7.5", "8.0", "9.0", "10.0", "12.0"]
confidence = "confirmed"
sources = ["cuda-release-notes"]
)toml";

inline constexpr std::string_view kGpusToml = R"toml(
[[gpu]]
name = "GeForce RTX 3060"
segment = "geforce"
compute_capability = "8.6"
architecture = "Ampere"
confidence = "confirmed"
sources = ["https://developer.nvidia.com/cuda-gpus"]

[[gpu]]
name = "GeForce GTX 860M"
segment = "geforce-notebook"
compute_capability = "5.0"
alternatives = ["3.0"]
architecture = "Maxwell"
confidence = "confirmed"
sources = ["https://developer.nvidia.com/cuda-gpus"]
note = "Sold with a Kepler (3.0) and a Maxwell (5.0) chip."

[[pci_device]]
vendor = "10de"
device = "2b85"
name = "GeForce RTX 3060"
confidence = "unconfirmed"
sources = ["https://pci-ids.ucw.cz/read/PC/10de"]

[[pcie_generation]]
generation = 4
transfer_rate_gts = 16
encoding = "128b/130b"
payload_efficiency = 0.9846153846153847
confidence = "confirmed"
sources = ["tf-build-configs"]

[[pcie_generation]]
generation = 6
transfer_rate_gts = 64.0
encoding = "1b/1b FLIT"
payload_efficiency = 0.9453125
confidence = "derived"
sources = ["https://en.wikipedia.org/wiki/PCI_Express"]
note = "242 of a flit's 256 bytes."
)toml";

inline constexpr std::string_view kCudnnToml = R"toml(
[[cudnn]]
versions = ["9.0", "9.2"]
soname = "libcudnn.so.9"
compute_capability = ["5.0", "9.0"]
confidence = "confirmed"
sources = ["https://docs.nvidia.com/deeplearning/cudnn/"]

[[cudnn.build]]
cuda = ["12.0", "12.4"]
linux_driver = "525.60.13"
windows_driver = "527.41"

[[cudnn]]
versions = ["9.3", "9.5"]
soname = "libcudnn.so.9"
compute_capability = ["5.0", "12.0"]
confidence = "confirmed"
sources = ["https://docs.nvidia.com/deeplearning/cudnn/"]

[[cudnn.build]]
cuda = ["12.0", "12.6"]
linux_driver = "525.60.13"
windows_driver = "527.41"

[[cudnn.build]]
cuda = ["11.8", "11.8"]
linux_driver = "520.61.05"
)toml";

inline constexpr std::string_view kSignaturesToml = R"toml(
[[cause]]
id = "missing_cudnn"
kind = "failure"
summary = "cuDNN is not installed, or not where TensorFlow can load it."
fix = "Install it into the same environment: `pip install 'tensorflow[and-cuda]'`."
confidence = "confirmed"
sources = ["tf-build-configs"]

[[cause]]
id = "benign_warning_numa"
kind = "noise"
summary = "A NUMA notice; harmless."
fix = "Nothing to fix."
confidence = "confirmed"
sources = ["https://github.com/tensorflow/tensorflow/issues/42738"]
note = "Seen on every machine whose firmware reports no NUMA node."

[[signature]]
id = "dlopen_cudnn_failed"
cause = "missing_cudnn"
pattern = "Could not load dynamic library '(libcudnn[^']*)'; dlerror: (.*)"
weight = 0.9
captures = ["library", "dlerror"]
confidence = "confirmed"
sources = ["tf-build-configs"]

[[signature]]
id = "numa_node_negative"
cause = "benign_warning_numa"
pattern = 'successful NUMA node read from SysFS had negative value \(-1\)'
weight = 1
confidence = "confirmed"
sources = ["tf-build-configs"]
)toml";

inline std::vector<KbFile> valid_files() {
  return {
      {"sources.toml", std::string(kSourcesToml)},
      {"tensorflow.toml", std::string(kTensorflowToml)},
      {"cuda.toml", std::string(kCudaToml)},
      {"gpus.toml", std::string(kGpusToml)},
      {"cudnn.toml", std::string(kCudnnToml)},
      {"signatures.toml", std::string(kSignaturesToml)},
  };
}

// The valid files with `toml` appended to file `name`.
inline std::vector<KbFile> with_appended(std::string_view name, std::string_view toml) {
  std::vector<KbFile> files = valid_files();
  for (KbFile& file : files) {
    if (file.name == name) {
      file.text += toml;
    }
  }
  return files;
}

// The valid files with file `name` replaced by `text`.
inline std::vector<KbFile> with_replaced(std::string_view name, std::string_view text) {
  std::vector<KbFile> files = valid_files();
  for (KbFile& file : files) {
    if (file.name == name) {
      file.text = text;
    }
  }
  return files;
}

// True when some problem is at exactly `where` and its text contains `text`.
inline bool has_problem(const std::vector<LintProblem>& problems, std::string_view where,
                        std::string_view text) {
  return std::any_of(problems.begin(), problems.end(), [&](const LintProblem& problem) {
    return problem.where == where && problem.problem.find(text) != std::string::npos;
  });
}

// For failure messages: every problem, one a line.
inline std::string describe(const std::vector<LintProblem>& problems) {
  std::string text;
  for (const LintProblem& problem : problems) {
    text += problem.where + ": " + problem.problem + "\n";
  }
  return text;
}

}  // namespace tfgpu::kb::testing
