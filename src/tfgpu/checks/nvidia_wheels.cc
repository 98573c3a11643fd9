// SPDX-License-Identifier: Apache-2.0
// Why the nvidia-* wheel layout is written down here: the probe records which wheels are
// installed (dist-info) and where each library resolved, not the files of wheels the loader never
// reached. pip's CUDA wheels put a family's libraries in site-packages/nvidia/<dir>/lib
// (docs/tensorflow-wheel.md lists them for TF 2.21), and a wheel's version major is the soname
// major it ships (nvidia-cudnn-cu12 9.x holds libcudnn.so.9, nvidia-cufft-cu12 11.x
// libcufft.so.11). That is enough to name the directory an unreachable wheel left out, without
// claiming anything the facts do not hold. CUDA 13 wheels (one nvidia/cu13/lib) are not modelled:
// no TensorFlow line in the knowledge base is built with CUDA 13.
#include "tfgpu/checks/nvidia_wheels.h"

#include <algorithm>

#include <fmt/format.h>

#include "tfgpu/checks/common.h"

namespace tfgpu::checks {
namespace {

// Where pip's CUDA wheels keep each family (site-packages/nvidia/<dir>/lib).
struct WheelLayout {
  std::string_view family;
  std::string_view package;  // without the -cuXX suffix
  std::string_view dir;
};

constexpr WheelLayout kWheelLayouts[] = {
    {"cudart", "nvidia-cuda-runtime", "cuda_runtime"},
    {"cublas", "nvidia-cublas", "cublas"},
    {"cublasLt", "nvidia-cublas", "cublas"},
    {"cufft", "nvidia-cufft", "cufft"},
    {"curand", "nvidia-curand", "curand"},
    {"cusolver", "nvidia-cusolver", "cusolver"},
    {"cusparse", "nvidia-cusparse", "cusparse"},
    {"cudnn", "nvidia-cudnn", "cudnn"},
    {"cupti", "nvidia-cuda-cupti", "cuda_cupti"},
    {"nccl", "nvidia-nccl", "nccl"},
    {"nvjitlink", "nvidia-nvjitlink", "nvjitlink"},
};

const WheelLayout* layout_for(std::string_view family) {
  for (const auto& layout : kWheelLayouts) {
    if (layout.family == family) {
      return &layout;
    }
  }
  return nullptr;
}

}  // namespace

bool path_is_within(std::string_view path, std::string_view dir) {
  const std::string base = strip_trailing_slash(dir);
  if (base.empty()) {
    return false;
  }
  return path == base || (path.starts_with(base) && path.size() > base.size() &&
                          (path[base.size()] == '/' || base == "/"));
}

std::optional<Version> soname_version(std::string_view soname) {
  const std::size_t at = soname.find(".so.");
  return at == std::string_view::npos ? std::nullopt : Version::parse(soname.substr(at + 4));
}

std::vector<std::string> library_path_entries(std::string_view value) {
  std::vector<std::string> entries;
  std::string current;
  for (char c : value) {
    if (c == ':' || c == ';') {
      entries.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  entries.push_back(current);
  return entries;
}

const model::PythonPackage* find_package(const model::PythonEnv& env, std::string_view name) {
  for (const auto& package : env.packages) {
    if (package.name == name) {
      return &package;
    }
  }
  return nullptr;
}

std::string site_packages_of(const model::PythonEnv& env, const model::PythonPackage& package) {
  if (!package.dist_info.empty()) {
    return parent_dir(package.dist_info);
  }
  return env.site_packages.empty() ? std::string() : env.site_packages.front();
}

std::optional<InstalledWheel> wheel_for(const model::PythonEnv& env, std::string_view family,
                                        std::string_view soname, int cuda_major) {
  const WheelLayout* layout = layout_for(family);
  if (layout == nullptr) {
    return std::nullopt;
  }
  const auto* package = find_package(env, fmt::format("{}-cu{}", layout->package, cuda_major));
  if (package == nullptr) {
    return std::nullopt;
  }
  InstalledWheel wheel;
  wheel.package = package;
  wheel.version = Version::parse(package->version);
  // nvidia-cudnn-cu12 8.9 holds libcudnn.so.8, not the libcudnn.so.9 a newer build needs.
  const auto wanted = soname_version(soname);
  if (wheel.version && wanted && wheel.version->major() != wanted->major()) {
    return std::nullopt;
  }
  const std::string site = site_packages_of(env, *package);
  if (site.empty()) {
    return std::nullopt;
  }
  wheel.lib_dir = fmt::format("{}/nvidia/{}/lib", site, layout->dir);
  return wheel;
}

bool runpath_names_wheel_dir(const model::TensorflowInstall& tensorflow, std::string_view family) {
  const WheelLayout* layout = layout_for(family);
  if (layout == nullptr) {
    return false;
  }
  const std::string needle = fmt::format("nvidia/{}/lib", layout->dir);
  auto names = [&](const std::vector<std::string>& entries) {
    return std::any_of(entries.begin(), entries.end(), [&](const std::string& entry) {
      return entry.find(needle) != std::string::npos;
    });
  };
  return names(tensorflow.runpath) || names(tensorflow.cc_runpath);
}

std::vector<UnreachableWheel> unreachable_wheels(const model::PythonEnv& env,
                                                 std::optional<int> cuda_major) {
  std::vector<UnreachableWheel> out;
  if (!cuda_major) {
    return out;
  }
  for (const auto& library : env.libraries) {
    if (!library.required || library.path.presence != model::Presence::kAbsent) {
      continue;
    }
    if (auto wheel = wheel_for(env, library.family, library.soname, *cuda_major)) {
      out.push_back(UnreachableWheel{&library, std::move(*wheel)});
    }
  }
  return out;
}

std::vector<std::string> wheel_lib_dirs(const std::vector<UnreachableWheel>& unreachable) {
  std::vector<std::string> dirs;
  for (const auto& item : unreachable) {
    if (std::find(dirs.begin(), dirs.end(), item.wheel.lib_dir) == dirs.end()) {
      dirs.push_back(item.wheel.lib_dir);
    }
  }
  return dirs;
}

}  // namespace tfgpu::checks
