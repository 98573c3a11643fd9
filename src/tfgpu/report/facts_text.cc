// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/report/facts_text.h"

#include <fmt/format.h>

#include "tfgpu/base/strings.h"

namespace tfgpu::report {
namespace {

using model::Observed;
using model::Presence;

std::string show(const std::string& value, const TextStyle& style) {
  return style.path(value);
}

std::string show(const Version& value, const TextStyle& /*style*/) {
  return value.text() + value.suffix();
}

std::string show(bool value, const TextStyle& /*style*/) {
  return value ? "yes" : "no";
}

std::string show(const std::vector<std::string>& values, const TextStyle& style) {
  std::string out;
  for (const auto& v : values) {
    out += (out.empty() ? "" : ", ") + style.path(v);
  }
  return out;
}

// "value  (source)" / "absent  (source)" / "unknown: why  (source)".
template <class T>
std::string observed(const Observed<T>& o, const TextStyle& style) {
  std::string text;
  switch (o.presence) {
    case Presence::kPresent:
      text = o.value ? show(*o.value, style) : "?";
      break;
    case Presence::kAbsent:
      text = "absent";
      break;
    case Presence::kUnknown:
      text = "unknown: " + o.why_unknown;
      break;
  }
  if (!o.source.empty()) {
    text += "  " + style.dim("(" + style.path(o.source) + ")");
  }
  return text;
}

void line(std::string& out, const std::string& label, const std::string& value) {
  out += fmt::format("  {:<22} {}\n", label, value);
}

// True when the real loader's check contradicts the prediction.
bool disagrees(const model::LibraryResolution& lib) {
  return lib.loader_check && lib.loader_check->agrees.is_present() &&
         !*lib.loader_check->agrees.value;
}

std::string library_line(const model::LibraryResolution& lib, const TextStyle& style) {
  if (lib.path.is_present()) {
    std::string text = style.path(*lib.path.value);
    if (lib.real_path.is_present() && *lib.real_path.value != *lib.path.value) {
      text += " -> " + style.path(*lib.real_path.value);
    }
    if (lib.version.is_present()) {
      text += "  " + show(*lib.version.value, style);
    }
    text += "  [" + model::provider_name(lib.provider) +
            (lib.wheel.empty() ? "" : " " + lib.wheel) + ", via " +
            (lib.candidates.empty() ? std::string("?")
                                    : [&] {
                                        for (const auto& c : lib.candidates) {
                                          if (c.rejected_because.empty() && c.exists) {
                                            return model::search_step_name(c.step);
                                          }
                                        }
                                        return std::string("?");
                                      }()) +
            "]";
    if (disagrees(lib)) {
      text += lib.loader_check->loaded_path.is_present()
                  ? "  ld.so loads " + style.path(*lib.loader_check->loaded_path.value) + " instead"
                  : "  ld.so does not load it: " + lib.loader_check->error;
    }
    return text;
  }
  if (lib.path.presence == Presence::kUnknown) {
    return "unknown: " + lib.path.why_unknown;
  }
  if (disagrees(lib) && lib.loader_check->loaded_path.is_present()) {
    return "not found, but ld.so loads " + style.path(*lib.loader_check->loaded_path.value);
  }
  // A file that exists but the loader would skip is the interesting part of "not found".
  for (const auto& candidate : lib.candidates) {
    if (candidate.exists && !candidate.rejected_because.empty() &&
        candidate.step != model::SearchStep::kLdCache) {
      return "not found (" + style.path(candidate.path) + ": " + candidate.rejected_because + ")";
    }
  }
  return "not found";
}

void section(std::string& out, const std::string& title, const TextStyle& style) {
  out += "\n" + style.bold(title) + "\n";
}

}  // namespace

std::string render_facts_text(const model::Facts& facts, const TextStyle& style) {
  std::string out;
  out += style.bold("tfgpu probe") + "  root " + facts.root +
         (facts.live ? "  (live checks on)" : "  (recorded machine: no live checks)") + "\n";

  section(out, "Host", style);
  line(out, "os", observed(facts.host.os_pretty_name, style));
  line(out, "kernel", observed(facts.host.kernel_release, style));
  line(out, "arch", observed(facts.host.arch, style));
  line(out, "glibc", observed(facts.host.glibc_version, style));
  line(out, "wsl2", observed(facts.host.wsl2, style));
  if (facts.host.wsl_lib_dir.is_present()) {
    line(out, "wsl driver libs", show(facts.host.wsl_driver_libraries, style));
  }
  line(out, "container", observed(facts.host.container, style));

  section(out, "GPUs (PCI)", style);
  if (facts.pci_gpus.empty()) {
    line(out, "nvidia devices", "none on the PCI bus");
  }
  for (const auto& gpu : facts.pci_gpus) {
    line(out, gpu.bus_id,
         fmt::format("{} [{}:{}]  driver {}", gpu.model_name.value_or("unknown model"),
                     gpu.vendor_id, gpu.device_id, gpu.bound_driver.value_or("none bound")));
  }

  section(out, "Kernel driver", style);
  line(out, "nvidia module", observed(facts.kernel_driver.module_version, style));
  line(out, "flavor", observed(facts.kernel_driver.module_flavor, style));
  line(out, "nvidia loaded", observed(facts.kernel_driver.nvidia_module_loaded, style));
  line(out, "nouveau loaded", observed(facts.kernel_driver.nouveau_loaded, style));
  line(out, "secure boot", observed(facts.kernel_driver.secure_boot, style));
  for (const auto& node : facts.kernel_driver.dev_nodes) {
    std::string state = node.exists ? "present" : "missing";
    if (node.accessible.is_present()) {
      state += *node.accessible.value ? ", accessible" : ", NOT accessible";
    }
    line(out, node.path, state);
  }

  section(out, "User-space driver", style);
  line(out, "libcuda.so.1", library_line(facts.user_driver.libcuda, style));
  line(out, "libnvidia-ml.so.1", library_line(facts.user_driver.libnvidia_ml, style));
  line(out, "libcuda is stub", observed(facts.user_driver.libcuda_is_stub, style));
  for (const auto& stub : facts.user_driver.stub_libcuda_paths) {
    line(out, "stub seen", style.path(stub));
  }
  const auto& live = facts.user_driver.live;
  line(out, "live check", observed(live.outcome, style));
  if (live.cu_init_status.is_present()) {
    line(out, "cuInit",
         fmt::format("{} ({})", live.cu_init_status_name, *live.cu_init_status.value));
  }
  line(out, "cuDriverGetVersion", observed(live.cuda_driver_version, style));
  line(out, "NVML driver",
       observed(live.nvml_driver_version, style) +
           (live.nvml_status_name.empty() ? "" : "  " + live.nvml_status_name));
  for (const auto& device : live.devices) {
    line(out, fmt::format("cuda device {}", device.ordinal),
         fmt::format("{}  sm_{}{}  {:.1f} GiB  {}  {}", device.name,
                     device.compute_capability.major(), device.compute_capability.minor(),
                     static_cast<double>(device.total_bytes) / (1024.0 * 1024.0 * 1024.0),
                     device.pci_bus_id, device.uuid));
  }

  section(out, "CUDA libraries (system search path)", style);
  for (const auto& lib : facts.system_libraries) {
    line(out, lib.soname, library_line(lib, style));
  }

  section(out, "CUDA toolkits", style);
  if (facts.cuda_toolkits.empty()) {
    line(out, "toolkits", "none found");
  }
  for (const auto& toolkit : facts.cuda_toolkits) {
    line(out, style.path(toolkit.root), observed(toolkit.version, style));
    line(out, "  found via", show(toolkit.found_via, style));
    line(out, "  nvcc", observed(toolkit.nvcc, style));
    line(out, "  ptxas", observed(toolkit.ptxas, style));
    line(out, "  libdevice", observed(toolkit.libdevice, style));
  }

  section(out, "cuDNN", style);
  for (const auto& lib : facts.cudnn.libraries) {
    std::string detail =
        observed(lib.version, style) + "  [" + model::provider_name(lib.provider) + "]";
    if (!lib.missing_sublibraries.empty()) {
      detail += "  missing: " + show(lib.missing_sublibraries, style);
    }
    line(out, style.path(lib.path), detail);
  }
  for (const auto& header : facts.cudnn.headers) {
    line(out, style.path(header.path), observed(header.version, style));
  }
  for (const auto& text : facts.cudnn.misplaced) {
    line(out, "misplaced", style.path(text));
  }
  for (const auto& text : facts.cudnn.header_library_mismatches) {
    line(out, "header/library", text);
  }

  section(out, "Python environments", style);
  if (facts.python_envs.empty()) {
    line(out, "environments", "none found");
  }
  for (const auto& env : facts.python_envs) {
    out += fmt::format("  {}  {}  ({}; found via {})\n", style.path(env.prefix),
                       observed(env.python_version, style), env.kind, show(env.found_via, style));
    for (const auto& pkg : env.packages) {
      line(out, "  " + pkg.name, pkg.version);
    }
    for (const auto& tf : env.tensorflow) {
      line(out, "  tensorflow", tf.package + " " + observed(tf.version, style));
      line(out, "  build cuda", observed(tf.build_info.cuda_version, style));
      line(out, "  build cudnn", observed(tf.build_info.cudnn_version, style));
      line(out, "  build arches", observed(tf.build_info.cuda_compute_capabilities, style));
      line(out, "  loader object", observed(tf.loader_object, style));
      line(out, "  runpath", show(tf.runpath, style));
    }
    for (const auto& lib : env.libraries) {
      line(out, "  " + lib.soname, library_line(lib, style));
    }
  }

  section(out, "Environment", style);
  for (const auto& [name, value] : facts.environment) {
    if (value) {
      line(out, name, tilde_home_in_list(*value, style.home));
    }
  }

  if (!facts.problems.empty()) {
    section(out, "Problems while probing", style);
    for (const auto& problem : facts.problems) {
      line(out, problem.probe, style.text(problem.error));
    }
  }
  return out;
}

std::string render_layers_text(const model::Facts& facts, const TextStyle& style) {
  std::string out;
  auto layer = [&](Mark mark, const std::string& name, const std::string& detail) {
    out += fmt::format("{} {:<18} {}\n", style.mark(mark), name, detail);
  };
  if (facts.pci_gpus.empty()) {
    layer(Mark::kError, "GPU", "no NVIDIA GPU on the PCI bus");
  } else {
    for (const auto& gpu : facts.pci_gpus) {
      layer(Mark::kOk, "GPU",
            fmt::format("{} at {} (driver: {})", gpu.model_name.value_or("NVIDIA " + gpu.device_id),
                        gpu.bus_id, gpu.bound_driver.value_or("none")));
    }
  }
  const auto& kd = facts.kernel_driver;
  if (kd.module_version.is_present()) {
    layer(Mark::kOk, "kernel driver",
          "NVIDIA " + show(*kd.module_version.value, style) + " (" +
              kd.module_flavor.value_or("?") + ")");
  } else {
    layer(Mark::kError, "kernel driver",
          "no NVIDIA kernel module loaded (" + kd.module_version.source + " " +
              (kd.module_version.presence == Presence::kAbsent ? "absent"
                                                               : kd.module_version.why_unknown) +
              ")");
  }
  const auto& libcuda = facts.user_driver.libcuda;
  if (facts.user_driver.libcuda_is_stub.value_or(false)) {
    layer(Mark::kError, "libcuda.so.1",
          "only the CUDA toolkit's stub: " + library_line(libcuda, style));
  } else {
    layer(libcuda.path.is_present() ? Mark::kOk : Mark::kError, "libcuda.so.1",
          library_line(libcuda, style));
  }
  int found = 0;
  for (const auto& lib : facts.system_libraries) {
    found += lib.path.is_present() ? 1 : 0;
  }
  layer(found > 0 ? Mark::kInfo : Mark::kWarning, "CUDA libraries",
        fmt::format("{} of {} sonames found on the system search path", found,
                    facts.system_libraries.size()));
  for (const auto& toolkit : facts.cuda_toolkits) {
    layer(Mark::kInfo, "CUDA toolkit",
          style.path(toolkit.root) + " " + toolkit.version.value_or(Version()).text());
  }
  if (facts.cuda_toolkits.empty()) {
    layer(Mark::kInfo, "CUDA toolkit", "none found (not needed with tensorflow[and-cuda])");
  }
  for (const auto& lib : facts.cudnn.libraries) {
    layer(Mark::kInfo, "cuDNN",
          style.path(lib.path) + " " + lib.version.value_or(Version()).text());
  }
  bool any_tf = false;
  for (const auto& env : facts.python_envs) {
    for (const auto& tf : env.tensorflow) {
      any_tf = true;
      int resolved = 0;
      for (const auto& lib : env.libraries) {
        resolved += lib.path.is_present() ? 1 : 0;
      }
      layer(
          resolved == static_cast<int>(env.libraries.size()) ? Mark::kOk : Mark::kWarning,
          "TensorFlow",
          fmt::format("{} {} in {} (built for CUDA {}, cuDNN {}); {} of {} CUDA libraries resolve",
                      tf.package, tf.version.value_or(Version()).text(), style.path(env.prefix),
                      tf.build_info.cuda_version.value_or(Version()).text(),
                      tf.build_info.cudnn_version.value_or(Version()).text(), resolved,
                      env.libraries.size()));
    }
  }
  if (!any_tf) {
    layer(Mark::kWarning, "TensorFlow", "no Python environment with TensorFlow found");
  }
  for (const auto& problem : facts.problems) {
    layer(Mark::kWarning, "probe " + problem.probe, style.text(problem.error));
  }
  return out;
}

}  // namespace tfgpu::report
