// SPDX-License-Identifier: Apache-2.0
#pragma once
// pip's CUDA wheels (nvidia-*-cuXX) as TensorFlow's loader sees them: where each family's
// libraries live (site-packages/nvidia/<dir>/lib) and which installed wheels hold a library the
// loader did not reach. Shared by doctor's library checks and `tfgpu env`, so the directories
// doctor tells a user to add are the ones `tfgpu env` exports.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/base/version.h"
#include "tfgpu/model/facts.h"

namespace tfgpu::checks {

// True when `path` is `dir` or lies under it ("/a/b/c" is within "/a/b/").
bool path_is_within(std::string_view path, std::string_view dir);

// The version a soname carries: "libcudart.so.11.0" → 11.0, "libcudnn.so.9" → 9.
std::optional<Version> soname_version(std::string_view soname);

// Search-path entries as written; glibc splits LD_LIBRARY_PATH on ':' and ';' (elf/dl-load.c).
std::vector<std::string> library_path_entries(std::string_view value);

// The installed package named `name` (PEP 503 normalised); null when not installed.
const model::PythonPackage* find_package(const model::PythonEnv& env, std::string_view name);

// The site-packages a package is installed in: the folder of its dist-info.
std::string site_packages_of(const model::PythonEnv& env, const model::PythonPackage& package);

// An installed nvidia-* wheel that ships a soname.
struct InstalledWheel {
  const model::PythonPackage* package = nullptr;
  std::string lib_dir;  // site-packages/nvidia/<dir>/lib
  std::optional<Version> version;
};

// The installed CUDA `cuda_major` wheel of `family` that ships `soname`; null when none is
// installed, the family has no wheel, or the wheel's major is not the soname's.
std::optional<InstalledWheel> wheel_for(const model::PythonEnv& env, std::string_view family,
                                        std::string_view soname, int cuda_major);

// True when one of TensorFlow's RUNPATH entries names the wheel directory of `family`
// ("$ORIGIN/../nvidia/cudnn/lib"), so the wheel's copy is where the search goes next.
bool runpath_names_wheel_dir(const model::TensorflowInstall& tensorflow, std::string_view family);

// A library TensorFlow needs that the loader found nowhere, though a wheel holding it is installed.
struct UnreachableWheel {
  const model::LibraryResolution* library = nullptr;  // points into env.libraries
  InstalledWheel wheel;
};

// Every such library of `env`, in env.libraries order; none when `cuda_major` is null (not a
// CUDA build, or its CUDA unknown). Unknown resolutions are not missing: nothing is claimed.
std::vector<UnreachableWheel> unreachable_wheels(const model::PythonEnv& env,
                                                 std::optional<int> cuda_major);

// Their library directories, each once, in first-seen order.
std::vector<std::string> wheel_lib_dirs(const std::vector<UnreachableWheel>& unreachable);

}  // namespace tfgpu::checks
