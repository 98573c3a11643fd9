// SPDX-License-Identifier: Apache-2.0
// Kernel-driver probe: is an NVIDIA kernel module loaded, which version and flavour, is nouveau
// holding the GPU instead, would Secure Boot refuse an unsigned module, and do the device nodes
// that libcuda opens exist. These are the first things XLA's cuda_diagnostics.cc reports after a
// failed cuInit ("/proc/driver/nvidia/version does not exist", "/dev/nvidia0 does not exist").
//
// On WSL2 none of the Linux driver's files exist: the GPU is paravirtualised through /dev/dxg
// and libcuda comes from the Windows driver in /usr/lib/wsl/lib (NVIDIA CUDA on WSL user guide).
// The probe still records exactly what exists; the checks decide what its absence means.
#include <algorithm>
#include <string>
#include <vector>

#include "tfgpu/base/strings.h"
#include "tfgpu/probe/nvidia_version.h"
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {
namespace {

using model::Observed;

constexpr const char* kVersionFile = "/proc/driver/nvidia/version";
constexpr const char* kModules = "/proc/modules";
constexpr const char* kEfiDir = "/sys/firmware/efi";
constexpr const char* kEfiVars = "/sys/firmware/efi/efivars";
// EFI_GLOBAL_VARIABLE's GUID (UEFI spec §3.3 "Globally Defined Variables"); efivarfs names each
// variable <Name>-<GUID>. mokutil --sb-state reads the same variable.
constexpr const char* kSecureBootVar =
    "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";

void probe_version_file(const ProbeContext& context, model::KernelDriverFacts& driver) {
  auto text = context.root.read_file(kVersionFile, 64 * 1024);
  if (!text) {
    if (text.error().code == Errc::kNotFound) {
      // No module loaded (or WSL2, or a container that hides /proc/driver): a fact.
      driver.module_version = Observed<Version>::absent(kVersionFile);
      driver.module_flavor = Observed<std::string>::absent(kVersionFile);
      driver.version_line = Observed<std::string>::absent(kVersionFile);
      return;
    }
    const std::string& why = text.error().message;
    driver.module_version = Observed<Version>::unknown(kVersionFile, why);
    driver.module_flavor = Observed<std::string>::unknown(kVersionFile, why);
    driver.version_line = Observed<std::string>::unknown(kVersionFile, why);
    return;
  }
  auto parsed = parse_nvidia_version(*text);
  if (!parsed) {
    const std::string& why = parsed.error().message;
    driver.module_version = Observed<Version>::unknown(kVersionFile, why);
    driver.module_flavor = Observed<std::string>::unknown(kVersionFile, why);
    const auto lines = split_lines(*text);
    driver.version_line =
        lines.empty() || trim(lines.front()).empty()
            ? Observed<std::string>::unknown(kVersionFile, "empty file")
            : Observed<std::string>::present(printable(trim(lines.front()), 400), kVersionFile);
    return;
  }
  driver.module_version = Observed<Version>::present(parsed->version, kVersionFile);
  driver.module_flavor = Observed<std::string>::present(parsed->flavor, kVersionFile);
  driver.version_line = Observed<std::string>::present(parsed->line, kVersionFile);
}

// True when a /proc/modules line names `module` ("nvidia 56823808 77 nvidia_uvm,... Live 0x0").
bool modules_list(std::string_view text, std::string_view module) {
  for (std::string_view line : split_lines(text)) {
    const std::size_t space = line.find(' ');
    if (line.substr(0, space) == module) {
      return true;
    }
  }
  return false;
}

void probe_modules(const ProbeContext& context, model::KernelDriverFacts& driver) {
  // /proc/modules is a few KB; 1 MiB bounds a hostile recorded file.
  auto text = context.root.read_file(kModules, 1U << 20);
  if (text) {
    driver.nvidia_module_loaded = Observed<bool>::present(modules_list(*text, "nvidia"), kModules);
    driver.nouveau_loaded = Observed<bool>::present(modules_list(*text, "nouveau"), kModules);
    return;
  }
  // Without /proc/modules, /sys/module/<name> is the other evidence: it exists for every loaded
  // module (and for built-in ones with parameters), see Documentation/ABI/stable/sysfs-module.
  const bool have_sys_module = context.root.is_directory("/sys/module");
  auto from_sys = [&](const char* name) {
    const std::string dir = std::string("/sys/module/") + name;
    if (context.root.is_directory(dir)) {
      return Observed<bool>::present(true, dir);
    }
    if (have_sys_module) {
      return Observed<bool>::present(false, dir);
    }
    return Observed<bool>::unknown(kModules, text.error().message);
  };
  driver.nvidia_module_loaded = from_sys("nvidia");
  driver.nouveau_loaded = from_sys("nouveau");
}

void probe_secure_boot(const ProbeContext& context, model::KernelDriverFacts& driver) {
  if (!context.root.exists(kEfiDir)) {
    // Legacy BIOS boot (or a container that masks /sys/firmware): there is no Secure Boot.
    driver.secure_boot = Observed<bool>::absent(kEfiDir);
    return;
  }
  // efivarfs layout: 4 bytes of attributes, then the value; SecureBoot is one byte, 1 = enabled
  // (UEFI spec "SecureBoot" global variable; Documentation/filesystems/efivarfs.rst).
  auto data = context.root.read_file(kSecureBootVar, 4096);
  if (!data) {
    if (data.error().code != Errc::kNotFound) {
      driver.secure_boot = Observed<bool>::unknown(kSecureBootVar, data.error().message);
      return;
    }
    auto vars = context.root.list_directory(kEfiVars);
    if (!vars) {
      driver.secure_boot = Observed<bool>::unknown(kEfiVars, vars.error().message);
      return;
    }
    if (vars->empty()) {
      driver.secure_boot = Observed<bool>::unknown(kEfiVars, "efivarfs is not mounted");
      return;
    }
    // EFI firmware that never defined the variable does not implement Secure Boot.
    driver.secure_boot = Observed<bool>::present(false, std::string(kSecureBootVar) + " (absent)");
    return;
  }
  if (data->size() < 5) {
    driver.secure_boot = Observed<bool>::unknown(kSecureBootVar, "shorter than 5 bytes");
    return;
  }
  const auto value = static_cast<unsigned char>((*data)[4]);
  if (value > 1) {
    driver.secure_boot =
        Observed<bool>::unknown(kSecureBootVar, "unexpected value " + std::to_string(value));
    return;
  }
  driver.secure_boot = Observed<bool>::present(value == 1, kSecureBootVar);
}

// "nvidia0" -> true; "nvidiactl", "nvidia-uvm", "nvidia" -> false.
bool is_numbered_gpu_node(std::string_view name) {
  constexpr std::string_view kPrefix = "nvidia";
  if (!name.starts_with(kPrefix) || name.size() == kPrefix.size() || name.size() > 12) {
    return false;
  }
  return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(kPrefix.size()), name.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

model::DevNode dev_node(const SysRoot& root, const std::string& path) {
  model::DevNode node;
  node.path = path;
  node.exists = root.exists(path);
  if (!node.exists) {
    node.accessible = Observed<bool>::absent(path);
  } else if (auto access = root.can_read_write(path)) {
    node.accessible = Observed<bool>::present(*access, "access(R_OK|W_OK)");
  } else {
    // Recorded machines keep their device nodes as empty regular files: existence only.
    node.accessible = Observed<bool>::unknown(path, "not a live machine");
  }
  return node;
}

void probe_dev_nodes(const ProbeContext& context, model::Facts& facts) {
  auto& nodes = facts.kernel_driver.dev_nodes;
  std::vector<std::string> numbered;
  auto entries = context.root.list_directory("/dev");
  if (entries) {
    for (const std::string& name : *entries) {
      if (is_numbered_gpu_node(name)) {
        numbered.push_back(name);
      }
    }
  } else if (entries.error().code != Errc::kNotFound) {
    add_problem(facts, "kernel_driver", entries.error().with_context("listing /dev"));
  }
  // Numeric order: nvidia2 before nvidia10.
  std::sort(numbered.begin(), numbered.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  if (numbered.empty()) {
    numbered.emplace_back("nvidia0");  // reported missing: TF's diagnostician names this one
  }
  for (const std::string& name : numbered) {
    nodes.push_back(dev_node(context.root, "/dev/" + name));
  }
  for (const char* path :
       {"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset"}) {
    nodes.push_back(dev_node(context.root, path));
  }
  // WSL2's paravirtual GPU node stands in for all of the above.
  if (facts.host.wsl2.value_or(false) || context.root.exists("/dev/dxg")) {
    nodes.push_back(dev_node(context.root, "/dev/dxg"));
  }
}

}  // namespace

void probe_kernel_driver(const ProbeContext& context, model::Facts& facts) {
  probe_version_file(context, facts.kernel_driver);
  probe_modules(context, facts.kernel_driver);
  probe_secure_boot(context, facts.kernel_driver);
  probe_dev_nodes(context, facts);
}

}  // namespace tfgpu::probe
