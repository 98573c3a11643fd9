// SPDX-License-Identifier: Apache-2.0
// CUDA toolkit probe: every toolkit root a user or XLA could pick up, its version and where ptxas
// and libdevice are (XLA needs both for jit_compile; see xla/tsl/platform/default/
// cuda_root_path.cc, which searches $CUDA_HOME, /usr/local/cuda and /opt/cuda).
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tfgpu/base/strings.h"
#include "tfgpu/probe/c_header.h"
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {
namespace {

using model::Observed;

// Root real path -> toolkit, so /usr/local/cuda and /usr/local/cuda-13.0 count once.
using ToolkitMap = std::map<std::string, model::CudaToolkit>;

void add_root(const ProbeContext& context, ToolkitMap& toolkits, const std::string& root,
              const std::string& reason) {
  auto real = context.root.real_path(root);
  if (!real || !context.root.is_directory(*real)) {
    return;
  }
  // A toolkit has bin/nvcc, a lib64 or lib dir with cudart, or include/cuda.h; anything else
  // (say /usr/local/cuda-samples) is not one.
  const bool looks_like_toolkit =
      context.root.exists(*real + "/bin/nvcc") || context.root.exists(*real + "/include/cuda.h") ||
      context.root.exists(*real + "/version.json") || context.root.exists(*real + "/version.txt");
  if (!looks_like_toolkit) {
    return;
  }
  auto& toolkit = toolkits[*real];
  toolkit.root = *real;
  if (std::find(toolkit.found_via.begin(), toolkit.found_via.end(), reason) ==
      toolkit.found_via.end()) {
    toolkit.found_via.push_back(reason);
  }
}

Observed<Version> toolkit_version(const ProbeContext& context, const std::string& root) {
  // Why each source that exists gave no version, so the final reason is not "no version.json"
  // for a version.json that is there but unreadable or damaged.
  std::vector<std::string> trouble;
  auto note = [&](const Result<std::string>& text) {
    if (!text && text.error().code != Errc::kNotFound) {
      trouble.push_back(text.error().message);
    }
  };
  // version.json (CUDA >= 11.1): {"cuda": {"name": "CUDA SDK", "version": "12.4.1"}, ...}
  const std::string json_path = root + "/version.json";
  const auto json_text = context.root.read_file(json_path, 256 * 1024);
  note(json_text);
  if (json_text) {
    const auto doc = nlohmann::json::parse(*json_text, nullptr, false);
    if (doc.is_object() && doc.contains("cuda") && doc["cuda"].is_object() &&
        doc["cuda"].contains("version") && doc["cuda"]["version"].is_string()) {
      if (auto v = Version::parse(doc["cuda"]["version"].get<std::string>())) {
        return Observed<Version>::present(*v, json_path);
      }
    }
    trouble.push_back(json_path + ": no cuda.version string");
  }
  // version.txt (CUDA <= 11.0): "CUDA Version 10.2.89"
  const std::string txt_path = root + "/version.txt";
  const auto txt_text = context.root.read_file(txt_path, 4096);
  note(txt_text);
  if (const auto& text = txt_text) {
    const std::size_t at = text->find("CUDA Version ");
    if (at != std::string::npos) {
      std::string_view rest = std::string_view(*text).substr(at + 13, 32);
      rest = rest.substr(0, rest.find_first_of(" \t\r\n"));
      if (auto v = Version::parse(rest)) {
        return Observed<Version>::present(*v, txt_path);
      }
    }
  }
  // include/cuda.h: "#define CUDA_VERSION 13000" (major*1000 + minor*10).
  const std::string header = root + "/include/cuda.h";
  const auto header_text = context.root.read_file(header, 4U << 20);
  note(header_text);
  if (header_text) {
    if (auto encoded = header_define(*header_text, "CUDA_VERSION")) {
      if (auto v = Version::from_cuda_int(*encoded)) {
        return Observed<Version>::present(*v, header + " CUDA_VERSION");
      }
    }
    trouble.push_back(header + ": no usable CUDA_VERSION define");
  }
  // A toolkit assembled from NVIDIA's wheels keeps only their dist-info: nvidia_cuda_nvcc-X.
  const std::string dist_dir = root + "/dist-info";
  if (auto entries = context.root.list_directory(dist_dir)) {
    for (const char* prefix : {"nvidia_cuda_nvcc-", "nvidia_cuda_runtime-"}) {
      for (const auto& name : *entries) {
        if (name.starts_with(prefix) && name.ends_with(".dist-info")) {
          const std::string_view version_text = std::string_view(name).substr(
              std::string_view(prefix).size(), name.size() - std::string_view(prefix).size() -
                                                   std::string_view(".dist-info").size());
          if (auto v = Version::parse(version_text)) {
            return Observed<Version>::present(*v, dist_dir + "/" + name);
          }
        }
      }
    }
  }
  if (!trouble.empty()) {
    std::string why;
    for (const std::string& item : trouble) {
      why += (why.empty() ? "" : "; ") + item;
    }
    return Observed<Version>::unknown(root, why);
  }
  return Observed<Version>::unknown(root,
                                    "no version.json, version.txt, include/cuda.h or dist-info");
}

Observed<std::string> file_fact(const ProbeContext& context, const std::string& path) {
  return context.root.exists(path) ? Observed<std::string>::present(path, path)
                                   : Observed<std::string>::absent(path);
}

}  // namespace

void probe_toolkits(const ProbeContext& context, model::Facts& facts) {
  ToolkitMap toolkits;
  for (const char* var : {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT", "CUDA_TOOLKIT_ROOT_DIR"}) {
    const std::string value = context.env(var);
    if (!value.empty()) {
      add_root(context, toolkits, value, std::string("env ") + var);
    }
  }
  add_root(context, toolkits, "/usr/local/cuda", "/usr/local/cuda");
  if (auto entries = context.root.list_directory("/usr/local")) {
    for (const auto& name : *entries) {
      if (name.starts_with("cuda-")) {
        add_root(context, toolkits, "/usr/local/" + name, "/usr/local/" + name);
      }
    }
  } else if (entries.error().code != Errc::kNotFound) {
    add_problem(facts, "toolkits", entries.error());
  }
  add_root(context, toolkits, "/opt/cuda", "/opt/cuda");
  // nvcc on PATH: its bin/.. is a toolkit root (Debian's nvidia-cuda-toolkit puts nvcc in
  // /usr/bin, whose parent /usr then has include/cuda.h).
  const std::string path_variable = context.env("PATH");
  for (std::string_view dir : split(path_variable, ':')) {
    if (dir.empty()) {
      continue;
    }
    const std::string nvcc = join_path(dir, "nvcc");
    if (auto real = context.root.real_path(nvcc)) {
      add_root(context, toolkits, parent_path(parent_path(*real)), "nvcc on PATH (" + nvcc + ")");
      break;  // the first nvcc on PATH is the one a user gets
    }
  }
  for (auto& [root, toolkit] : toolkits) {
    toolkit.version = toolkit_version(context, root);
    toolkit.nvcc = file_fact(context, root + "/bin/nvcc");
    toolkit.ptxas = file_fact(context, root + "/bin/ptxas");
    toolkit.libdevice = file_fact(context, root + "/nvvm/libdevice/libdevice.10.bc");
    facts.cuda_toolkits.push_back(std::move(toolkit));
  }
}

}  // namespace tfgpu::probe
