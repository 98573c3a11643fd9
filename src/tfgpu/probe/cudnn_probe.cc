// SPDX-License-Identifier: Apache-2.0
// cuDNN probe: every libcudnn and every cuDNN version header a user or TensorFlow could pick up
// (system, CUDA toolkit, pip wheel, conda), their versions, missing cuDNN sub-libraries,
// header/library disagreement and files a manual install put in the wrong place.
//
// Why sub-libraries: from cuDNN 8 on, libcudnn.so is a shim that dlopens the real engines by
// soname at first use (cuDNN 8: libcudnn_{ops,cnn,adv}_{infer,train}.so.8; cuDNN 9:
// libcudnn_{graph,ops,cnn,adv,heuristic,engines_precompiled,engines_runtime_compiled}.so.9 —
// cuDNN "API overview / library organisation" in the 8.x and 9.x developer guides). A copy of
// libcudnn.so.9 alone loads, passes TensorFlow's dlopen check and fails later.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tfgpu/base/strings.h"
#include "tfgpu/probe/c_header.h"
#include "tfgpu/probe/dist_metadata.h"
#include "tfgpu/probe/library_resolver.h"
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {
namespace {

using model::Observed;
using model::Provider;

const std::vector<std::string>& sublibraries_for(int major) {
  static const std::vector<std::string> kCudnn8 = {
      "libcudnn_ops_infer.so.8", "libcudnn_ops_train.so.8", "libcudnn_cnn_infer.so.8",
      "libcudnn_cnn_train.so.8", "libcudnn_adv_infer.so.8", "libcudnn_adv_train.so.8"};
  static const std::vector<std::string> kCudnn9 = {"libcudnn_graph.so.9",
                                                   "libcudnn_ops.so.9",
                                                   "libcudnn_cnn.so.9",
                                                   "libcudnn_adv.so.9",
                                                   "libcudnn_heuristic.so.9",
                                                   "libcudnn_engines_precompiled.so.9",
                                                   "libcudnn_engines_runtime_compiled.so.9"};
  static const std::vector<std::string> kNone;
  return major == 8 ? kCudnn8 : major == 9 ? kCudnn9 : kNone;
}

enum class DirKind { kLibrary, kInclude };

struct SearchDir {
  std::string path;
  DirKind kind;
  Provider provider;
};

// "libcudnn.so.9" -> 9 (the soname TensorFlow asks for); "libcudnn.so", "libcudnn.so.9.3.0" or
// "libcudnn_ops.so.9" -> nullopt.
std::optional<int> main_library_major(std::string_view name) {
  constexpr std::string_view kPrefix = "libcudnn.so.";
  if (!name.starts_with(kPrefix)) {
    return std::nullopt;
  }
  auto version = Version::parse(name.substr(kPrefix.size()));
  if (!version || !version->suffix().empty() || version->parts().size() != 1) {
    return std::nullopt;
  }
  return version->major();
}

// The version in a file name with more than the major: "libcudnn.so.8.9.7" -> 8.9.7.
std::optional<Version> full_version_from_name(std::string_view name) {
  constexpr std::string_view kPrefix = "libcudnn.so.";
  if (!name.starts_with(kPrefix)) {
    return std::nullopt;
  }
  auto version = Version::parse(name.substr(kPrefix.size()));
  if (!version || version->parts().size() < 2) {
    return std::nullopt;
  }
  return version;
}

// Version from the pip wheel that installed cuDNN: "<dir>/nvidia_cudnn_cu12-9.3.0.75.dist-info".
std::optional<std::pair<Version, std::string>> wheel_version(const ProbeContext& context,
                                                             const std::string& dist_dir) {
  auto entries = context.root.list_directory(dist_dir);
  if (!entries) {
    return std::nullopt;
  }
  for (const auto& name : *entries) {
    auto parsed = parse_dist_info_name(name);
    if (!parsed || !parsed->name.starts_with("nvidia-cudnn")) {
      continue;
    }
    if (auto v = Version::parse(parsed->version)) {
      return std::make_pair(*v, dist_dir + "/" + name);
    }
  }
  return std::nullopt;
}

Observed<Version> header_version(const ProbeContext& context, const std::string& path) {
  auto text = context.root.read_file(path, 1U << 20);
  if (!text) {
    return Observed<Version>::unknown(path, text.error().message);
  }
  // cudnn_version.h (cuDNN >= 8) and cudnn.h (<= 7) both define these three.
  auto define = [&](std::string_view name) {
    return header_define(*text, name);
  };
  const auto major = define("CUDNN_MAJOR");
  const auto minor = define("CUDNN_MINOR");
  const auto patch = define("CUDNN_PATCHLEVEL");
  if (!major || !minor || !patch) {
    // Expected of cudnn.h from cuDNN >= 8 (the caller skips those); a damaged header otherwise.
    return Observed<Version>::unknown(
        path, "no numeric CUDNN_MAJOR, CUDNN_MINOR and CUDNN_PATCHLEVEL defines");
  }
  return Observed<Version>::present(
      *Version::parse(std::to_string(*major) + "." + std::to_string(*minor) + "." +
                      std::to_string(*patch)),
      path);
}

std::vector<SearchDir> search_dirs(const ProbeContext& context, const model::Facts& facts) {
  std::vector<SearchDir> dirs;
  for (const char* dir : {"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64",
                          "/usr/lib", "/usr/local/lib", "/usr/lib/aarch64-linux-gnu"}) {
    dirs.push_back({dir, DirKind::kLibrary, Provider::kDistribution});
  }
  for (const char* dir : {"/usr/include", "/usr/include/x86_64-linux-gnu", "/usr/local/include",
                          "/usr/include/aarch64-linux-gnu"}) {
    dirs.push_back({dir, DirKind::kInclude, Provider::kDistribution});
  }
  for (const auto& toolkit : facts.cuda_toolkits) {
    for (const char* sub :
         {"/lib64", "/lib", "/targets/x86_64-linux/lib", "/targets/sbsa-linux/lib"}) {
      dirs.push_back({toolkit.root + sub, DirKind::kLibrary, Provider::kCudaToolkit});
    }
    dirs.push_back({toolkit.root + "/include", DirKind::kInclude, Provider::kCudaToolkit});
    dirs.push_back({toolkit.root + "/targets/x86_64-linux/include", DirKind::kInclude,
                    Provider::kCudaToolkit});
  }
  for (const auto& env : facts.python_envs) {
    for (const auto& site : env.site_packages) {
      for (const char* wheel_dir : {"/nvidia/cudnn", "/nvidia/cu13"}) {
        dirs.push_back({site + wheel_dir + "/lib", DirKind::kLibrary, Provider::kPipWheel});
        dirs.push_back({site + wheel_dir + "/include", DirKind::kInclude, Provider::kPipWheel});
      }
    }
    if (env.kind == "conda") {
      dirs.push_back({env.prefix + "/lib", DirKind::kLibrary, Provider::kConda});
      dirs.push_back({env.prefix + "/include", DirKind::kInclude, Provider::kConda});
    }
  }
  // Last: directories are visited once (by real path), so a known place that is also on
  // LD_LIBRARY_PATH (the conda recipe exports $CONDA_PREFIX/lib) keeps its known provider.
  for (const std::string& dir : split_library_path(context.env("LD_LIBRARY_PATH"))) {
    if (!dir.empty()) {
      dirs.push_back({dir, DirKind::kLibrary, Provider::kUnknown});
    }
  }
  return dirs;
}

// The dist-info folder that may describe a library in `lib_dir`: the site-packages above a
// wheel's nvidia/<pkg>/lib, or a toolkit root's dist-info/ (toolkits assembled from wheels).
std::string dist_info_dir_for(const std::string& lib_dir, Provider provider) {
  if (provider == Provider::kPipWheel) {
    return parent_path(parent_path(parent_path(lib_dir)));
  }
  return parent_path(lib_dir) + "/dist-info";
}

}  // namespace

void probe_cudnn(const ProbeContext& context, model::Facts& facts) {
  std::set<std::string> seen_dirs;
  std::set<std::string> seen_libraries;
  // Library dir real path -> installed cuDNN version, to compare headers with.
  std::map<std::string, Version> versions_by_install_root;
  for (const auto& dir : search_dirs(context, facts)) {
    auto real_dir = context.root.real_path(dir.path);
    if (!real_dir ||
        !seen_dirs.insert(*real_dir + (dir.kind == DirKind::kInclude ? "#i" : "#l")).second) {
      continue;
    }
    auto entries = context.root.list_directory(*real_dir);
    if (!entries) {
      if (entries.error().code != Errc::kNotFound) {
        add_problem(facts, "cudnn", entries.error());
      }
      continue;
    }
    const std::set<std::string> names(entries->begin(), entries->end());
    for (const auto& name : *entries) {
      const std::string path = *real_dir + "/" + name;
      const bool is_library = name.starts_with("libcudnn") && name.find(".so") != std::string::npos;
      const bool is_header = name.starts_with("cudnn") && name.ends_with(".h");
      if (dir.kind == DirKind::kInclude && is_library) {
        facts.cudnn.misplaced.push_back(path + ": a cuDNN library in an include directory");
        continue;
      }
      if (dir.kind == DirKind::kLibrary && is_header) {
        facts.cudnn.misplaced.push_back(path + ": a cuDNN header in a library directory");
        continue;
      }
      if (dir.kind == DirKind::kInclude &&
          (name == "cudnn_version.h" || name == "cudnn.h" ||
           (name.starts_with("cudnn_version_v") && name.ends_with(".h")))) {
        model::CudnnHeader header{path, header_version(context, path)};
        if (name == "cudnn.h" && !header.version.is_present()) {
          continue;  // cuDNN >= 8's cudnn.h: the version lives in cudnn_version.h
        }
        facts.cudnn.headers.push_back(std::move(header));
        continue;
      }
      const auto major = main_library_major(name);
      if (dir.kind != DirKind::kLibrary || !major) {
        continue;
      }
      auto real = context.root.real_path(path);
      if (real && !seen_libraries.insert(*real).second) {
        continue;
      }
      model::CudnnLibrary lib;
      lib.path = path;
      lib.provider = dir.provider;
      if (real) {
        lib.real_path = Observed<std::string>::present(*real, path);
      } else {
        lib.real_path = Observed<std::string>::unknown(path, real.error().message);
        facts.cudnn.misplaced.push_back(path + ": " + real.error().message +
                                        " (a broken symlink: copy the archive with cp -P)");
      }
      auto link = context.root.link_status(path);
      if (link && link->type == FileType::kRegular) {
        // The archive ships libcudnn.so.9 as a symlink to libcudnn.so.9.x.y; two regular files
        // mean it was copied without -P and ldconfig warns "is not a symbolic link".
        for (const auto& other : names) {
          if (other != name && other.starts_with(name + ".")) {
            auto other_link = context.root.link_status(*real_dir + "/" + other);
            if (other_link && other_link->type == FileType::kRegular) {
              facts.cudnn.misplaced.push_back(path + ": a regular file beside " + other +
                                              " (symlinks not preserved; copy with cp -P)");
              break;
            }
          }
        }
      }
      if (real) {
        if (auto v =
                full_version_from_name(parent_path(*real) == *real_dir
                                           ? std::string_view(*real).substr(real_dir->size() + 1)
                                           : std::string_view(name))) {
          lib.version = Observed<Version>::present(*v, *real);
        }
      }
      if (!lib.version.is_present()) {
        // A copy made without -P: the versioned sibling still names the version.
        for (const auto& other : names) {
          if (other.starts_with(name + ".")) {
            if (auto v = full_version_from_name(other)) {
              lib.version = Observed<Version>::present(*v, *real_dir + "/" + other);
              break;
            }
          }
        }
      }
      if (!lib.version.is_present()) {
        if (auto wheel = wheel_version(context, dist_info_dir_for(*real_dir, dir.provider))) {
          lib.version = Observed<Version>::present(wheel->first, wheel->second);
        } else {
          lib.version = Observed<Version>::unknown(
              path, "the file name carries only the major and no wheel dist-info describes it");
        }
      }
      for (const auto& sub : sublibraries_for(*major)) {
        if (names.count(sub) == 0) {
          lib.missing_sublibraries.push_back(sub);
        }
      }
      if (lib.version.is_present()) {
        versions_by_install_root[parent_path(*real_dir)] = *lib.version.value;
      }
      facts.cudnn.libraries.push_back(std::move(lib));
    }
  }
  // A header and a library of one install (the same parent of include/ and lib*/) must agree
  // on major.minor: builds against the header and runs against the library.
  for (const auto& header : facts.cudnn.headers) {
    if (!header.version.is_present()) {
      continue;
    }
    std::string root = parent_path(parent_path(header.path));
    auto it = versions_by_install_root.find(root);
    if (it != versions_by_install_root.end() && !it->second.same_prefix(*header.version.value, 2)) {
      facts.cudnn.header_library_mismatches.push_back(
          header.path + " says cuDNN " + header.version.value->text() + " but the library in " +
          root + " is " + it->second.text());
    }
  }
}

}  // namespace tfgpu::probe
