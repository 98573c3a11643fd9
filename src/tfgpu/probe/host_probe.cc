// SPDX-License-Identifier: Apache-2.0
// Host probe: OS, kernel, architecture, glibc, WSL2 and container markers, all read through the
// root so a recorded machine answers as the real one did.
#include <array>
#include <string>

#include "tfgpu/base/strings.h"
#include "tfgpu/probe/os_release.h"
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {
namespace {

using model::Observed;

void probe_os_release(const ProbeContext& context, model::HostFacts& host) {
  // os-release(5): /etc/os-release first, /usr/lib/os-release as the fallback.
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    auto text = context.root.read_file(path, 64 * 1024);
    if (!text) {
      if (text.error().code == Errc::kNotFound) {
        continue;
      }
      host.os_id = Observed<std::string>::unknown(path, text.error().message);
      host.os_version_id = host.os_id;
      host.os_pretty_name = host.os_id;
      return;
    }
    const auto fields = parse_os_release(*text);
    auto field = [&](const char* key) {
      auto it = fields.find(key);
      return it == fields.end() ? Observed<std::string>::absent(path)
                                : Observed<std::string>::present(it->second, path);
    };
    host.os_id = field("ID");
    host.os_version_id = field("VERSION_ID");
    host.os_pretty_name = field("PRETTY_NAME");
    return;
  }
  host.os_id = Observed<std::string>::absent("/etc/os-release");
}

void probe_kernel(const ProbeContext& context, model::HostFacts& host) {
  const char* path = "/proc/sys/kernel/osrelease";
  auto text = context.root.read_file(path, 4096);
  if (text) {
    host.kernel_release = Observed<std::string>::present(std::string(trim(*text)), path);
  } else {
    host.kernel_release = Observed<std::string>::unknown(path, text.error().message);
  }
}

// ELF e_machine values (elf.h) of the architectures TensorFlow ships GPU wheels for or users ask
// about.
std::string elf_machine_name(unsigned machine) {
  switch (machine) {
    case 62:
      return "x86_64";
    case 183:
      return "aarch64";
    case 3:
      return "i386";
    case 21:
      return "ppc64";
    default:
      return "elf-machine-" + std::to_string(machine);
  }
}

constexpr std::array<const char*, 6> kLibcPaths = {"/lib/x86_64-linux-gnu/libc.so.6",
                                                   "/usr/lib/x86_64-linux-gnu/libc.so.6",
                                                   "/lib/aarch64-linux-gnu/libc.so.6",
                                                   "/usr/lib/aarch64-linux-gnu/libc.so.6",
                                                   "/lib64/libc.so.6",
                                                   "/usr/lib64/libc.so.6"};

void probe_libc(const ProbeContext& context, model::HostFacts& host) {
  for (const char* path : kLibcPaths) {
    if (!context.root.exists(path)) {
      continue;
    }
    auto head = context.root.read_head(path, 64);
    if (!head) {
      host.arch = Observed<std::string>::unknown(path, head.error().message);
      host.glibc_version = Observed<Version>::unknown(path, head.error().message);
      return;
    }
    const std::string& h = *head;
    if (h.size() >= 20 && h.compare(0, 4,
                                    "\x7f"
                                    "ELF") == 0) {
      // e_machine is the little- or big-endian half-word at offset 18 (EI_DATA at offset 5).
      const auto lo = static_cast<unsigned char>(h[18]);
      const auto hi = static_cast<unsigned char>(h[19]);
      const unsigned machine = h[5] == 2 ? (lo << 8U) | hi : (hi << 8U) | lo;
      host.arch = Observed<std::string>::present(elf_machine_name(machine),
                                                 std::string(path) + " (ELF e_machine)");
    } else {
      host.arch = Observed<std::string>::unknown(path, "not an ELF file");
    }
    // glibc embeds "GNU C Library (…) stable release version 2.36." in .rodata; read the file
    // in full (libc is ~2 MB) and look for that banner.
    auto body = context.root.read_file(path, 16U << 20);
    if (!body) {
      host.glibc_version = Observed<Version>::unknown(path, body.error().message);
      return;
    }
    const std::string_view marker = "release version ";
    const std::size_t banner = body->find("GNU C Library");
    const std::size_t at = banner == std::string::npos ? banner : body->find(marker, banner);
    if (at == std::string::npos || at - banner > 200) {
      host.glibc_version =
          Observed<Version>::unknown(path, "no 'GNU C Library … release version' banner");
      return;
    }
    // "2.36." ends the sentence: the full stop is not part of the version.
    auto version = Version::parse(std::string_view(*body).substr(at + marker.size(), 16));
    if (version && version->suffix() == ".") {
      version = Version::parse(version->text());
    }
    host.glibc_version = version ? Observed<Version>::present(*version, path)
                                 : Observed<Version>::unknown(path, "unparsable glibc banner");
    return;
  }
  host.arch = Observed<std::string>::absent("libc.so.6");
  host.glibc_version = Observed<Version>::absent("libc.so.6");
}

void probe_wsl(const ProbeContext& context, model::HostFacts& host) {
  // WSL2 kernels say "microsoft-standard-WSL2" in /proc/version; /dev/dxg is the paravirtual GPU.
  auto proc_version = context.root.read_file("/proc/version", 4096);
  const bool kernel_says_wsl =
      proc_version && (to_lower(*proc_version).find("microsoft") != std::string::npos ||
                       proc_version->find("WSL") != std::string::npos);
  const bool has_dxg = context.root.exists("/dev/dxg");
  if (kernel_says_wsl || has_dxg) {
    host.wsl2 = Observed<bool>::present(true, kernel_says_wsl ? "/proc/version" : "/dev/dxg");
  } else if (proc_version) {
    host.wsl2 = Observed<bool>::present(false, "/proc/version");
  } else {
    host.wsl2 = Observed<bool>::unknown("/proc/version", proc_version.error().message);
  }
  const char* lib_dir = "/usr/lib/wsl/lib";
  auto entries = context.root.list_directory(lib_dir);
  if (entries) {
    host.wsl_lib_dir = Observed<std::string>::present(lib_dir, lib_dir);
    host.wsl_driver_libraries = *entries;
  } else if (entries.error().code == Errc::kNotFound) {
    host.wsl_lib_dir = Observed<std::string>::absent(lib_dir);
  } else {
    host.wsl_lib_dir = Observed<std::string>::unknown(lib_dir, entries.error().message);
  }
}

void probe_container(const ProbeContext& context, model::HostFacts& host) {
  if (context.root.exists("/.dockerenv")) {
    host.container = Observed<std::string>::present("docker", "/.dockerenv");
    return;
  }
  if (context.root.exists("/run/.containerenv")) {
    host.container = Observed<std::string>::present("podman", "/run/.containerenv");
    return;
  }
  if (!context.env("KUBERNETES_SERVICE_HOST").empty()) {
    host.container = Observed<std::string>::present("kubernetes", "env KUBERNETES_SERVICE_HOST");
    return;
  }
  if (context.root.exists("/var/run/secrets/kubernetes.io")) {
    host.container = Observed<std::string>::present("kubernetes", "/var/run/secrets/kubernetes.io");
    return;
  }
  // systemd writes the container manager's name here (docker, podman, lxc, systemd-nspawn).
  if (auto text = context.root.read_file("/run/systemd/container", 4096)) {
    host.container =
        Observed<std::string>::present(std::string(trim(*text)), "/run/systemd/container");
    return;
  }
  if (auto cgroup = context.root.read_file("/proc/1/cgroup", 64 * 1024)) {
    for (const char* marker : {"kubepods", "docker", "libpod", "lxc"}) {
      if (cgroup->find(marker) != std::string::npos) {
        const std::string name = std::string(marker) == "kubepods" ? "kubernetes"
                                 : std::string(marker) == "libpod" ? "podman"
                                                                   : marker;
        host.container = Observed<std::string>::present(name, "/proc/1/cgroup");
        return;
      }
    }
  }
  host.container = Observed<std::string>::absent("/.dockerenv, /run/.containerenv, /proc/1/cgroup");
}

}  // namespace

void probe_host(const ProbeContext& context, model::Facts& facts) {
  probe_os_release(context, facts.host);
  probe_kernel(context, facts.host);
  probe_libc(context, facts.host);
  probe_wsl(context, facts.host);
  probe_container(context, facts.host);
}

}  // namespace tfgpu::probe
