// SPDX-License-Identifier: Apache-2.0
// Libraries probe: where the dynamic loader would find libcuda, libnvidia-ml and every CUDA
// soname when dlopened from an object with no DT_RPATH/DT_RUNPATH (the system view; the python
// probe resolves the same names as TensorFlow's own objects would). Also lists every toolkit
// stub libcuda, because a stub found first makes cuInit fail with CUDA_ERROR_STUB_LIBRARY (34).
#include <elf.h>

#include <set>
#include <string>

#include "tfgpu/base/strings.h"
#include "tfgpu/probe/cuda_sonames.h"
#include "tfgpu/probe/library_resolver.h"
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {
namespace {

using model::Observed;

ElfTarget target_for_arch(const model::Observed<std::string>& arch) {
  if (arch.is_present() && *arch.value == "aarch64") {
    return {ElfClass::k64, EM_AARCH64};
  }
  return {ElfClass::k64, EM_X86_64};
}

// Every stubs/libcuda.so in the CUDA toolkits (NVIDIA installs it in lib64/stubs and
// targets/<arch>-linux/lib/stubs) and in LD_LIBRARY_PATH directories that are stubs dirs
// (the classic mistake of exporting .../lib64/stubs to make linking work).
std::vector<std::string> find_stub_libcuda(const ProbeContext& context) {
  std::vector<std::string> stub_dirs;
  std::vector<std::string> toolkits;
  if (auto names = context.root.list_directory("/usr/local")) {
    for (const std::string& name : *names) {
      if (name.starts_with("cuda")) {
        toolkits.push_back(join_path("/usr/local", name));
      }
    }
  }
  toolkits.emplace_back("/opt/cuda");
  for (const std::string& toolkit : toolkits) {
    stub_dirs.push_back(join_path(toolkit, "lib64/stubs"));
    stub_dirs.push_back(join_path(toolkit, "lib/stubs"));
    if (auto targets = context.root.list_directory(join_path(toolkit, "targets"))) {
      for (const std::string& target : *targets) {
        stub_dirs.push_back(join_path(toolkit, "targets/" + target + "/lib/stubs"));
      }
    }
  }
  for (const std::string& entry : split_library_path(context.env("LD_LIBRARY_PATH"))) {
    if (entry.starts_with('/') && entry.find("stubs") != std::string::npos) {
      stub_dirs.push_back(entry);
    }
  }
  std::vector<std::string> found;
  std::set<std::string> seen_real;
  for (const std::string& dir : stub_dirs) {
    for (const char* name : {"libcuda.so", "libcuda.so.1"}) {
      const std::string path = join_path(dir, name);
      auto status = context.root.status(path);
      if (!status || status->type != FileType::kRegular) {
        continue;
      }
      auto real = context.root.real_path(path);
      if (seen_real.insert(real ? *real : path).second) {
        found.push_back(path);
      }
    }
  }
  return found;
}

}  // namespace

void probe_libraries(const ProbeContext& context, model::Facts& facts) {
  LibraryResolver resolver(context.root, context.environment, target_for_arch(facts.host.arch));
  for (const SonameSpec& spec : all_known_sonames()) {
    facts.system_libraries.push_back(
        resolver.resolve({spec.soname, spec.family, spec.required, {}}));
  }

  model::UserDriverFacts& driver = facts.user_driver;
  driver.libcuda = resolver.resolve({"libcuda.so.1", "cuda", true, {}});
  driver.libnvidia_ml = resolver.resolve({"libnvidia-ml.so.1", "nvml", false, {}});

  // Stub marker: the path, not the contents. NVIDIA's stub carries SONAME libcuda.so.1 and exports
  // the cu* API like the driver, so neither SONAME nor the cu* symbols tell them apart; what does
  // is where it lives (a stubs/ directory, also through symlinks: real_path is checked) and its
  // file name (only the stub is a regular file called plain libcuda.so; the driver's real file is
  // libcuda.so.<driver version>). A stub copied under a driver-like name is not caught.
  const auto& libcuda = driver.libcuda;
  if (libcuda.path.is_present()) {
    const std::string real = libcuda.real_path.value_or(*libcuda.path.value);
    driver.libcuda_is_stub = Observed<bool>::present(
        is_stub_libcuda_path(*libcuda.path.value, real), real + " (stubs/ dir or file name)");
  } else if (libcuda.path.presence == model::Presence::kAbsent) {
    driver.libcuda_is_stub = Observed<bool>::absent(libcuda.path.source);
  } else {
    driver.libcuda_is_stub = Observed<bool>::unknown(libcuda.path.source, libcuda.path.why_unknown);
  }
  driver.stub_libcuda_paths = find_stub_libcuda(context);

  for (const Error& error : resolver.problems()) {
    add_problem(facts, "libraries", error);
  }
}

}  // namespace tfgpu::probe
