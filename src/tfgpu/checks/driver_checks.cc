// SPDX-License-Identifier: Apache-2.0
// Machine checks: the GPU, the kernel driver, libcuda, device nodes, WSL2 and the environment
// variables libcuda and TensorFlow's allocator read.
//
// Why these rules: TensorFlow loads libcuda.so.1 and calls cuInit(0); when either fails it logs
// one line ("Could not find cuda drivers on your machine", "failed call to cuInit: …", "kernel
// version … does not match DSO version …") and runs on the CPU
// (shared/reference/tensorflow-internals.md §4.1–§4.3). Each check below names one way that
// happens, from facts read without loading TensorFlow, and stays quiet when the fact it needs is
// unknown rather than guessing.

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/checks/check_groups.h"
#include "tfgpu/checks/common.h"

namespace tfgpu::checks {
namespace {

using model::Finding;
using model::Fix;
using model::Presence;
using model::Severity;

constexpr const char* kContainerToolkitUrl =
    "https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html";
constexpr const char* kWslLibDir = "/usr/lib/wsl/lib";

// ---- reading the facts ----------------------------------------------------------------------

std::vector<const model::PciGpu*> nvidia_pci_gpus(const model::Facts& facts) {
  std::vector<const model::PciGpu*> gpus;
  for (const auto& gpu : facts.pci_gpus) {
    if (to_lower(gpu.vendor_id) == "10de") {
      gpus.push_back(&gpu);
    }
  }
  return gpus;
}

bool pci_probe_had_problems(const model::Facts& facts) {
  return std::any_of(facts.problems.begin(), facts.problems.end(),
                     [](const model::ProbeProblem& p) { return p.probe == "pci"; });
}

// The module is known not to be loaded: no version file and /proc/modules does not list it.
bool module_known_absent(const model::Facts& facts) {
  const auto& kernel = facts.kernel_driver;
  return kernel.module_version.presence == Presence::kAbsent &&
         !kernel.nvidia_module_loaded.value_or(false);
}

bool libcuda_is_stub(const model::Facts& facts) {
  return facts.user_driver.libcuda_is_stub.value_or(false) ||
         facts.user_driver.libcuda.provider == model::Provider::kStub;
}

// libcuda.so.1 resolves, and to the driver's library rather than the toolkit's stub.
bool real_libcuda(const model::Facts& facts) {
  return facts.user_driver.libcuda.path.is_present() && !libcuda_is_stub(facts);
}

// The driver's user-space half is installed: a real libcuda, or the driver's NVML.
bool driver_userspace_present(const model::Facts& facts) {
  const auto& nvml = facts.user_driver.libnvidia_ml;
  return real_libcuda(facts) ||
         (nvml.path.is_present() && nvml.provider != model::Provider::kStub &&
          nvml.provider != model::Provider::kWsl);
}

bool nouveau_holds_gpu(const model::Facts& facts) {
  const auto gpus = nvidia_pci_gpus(facts);
  const bool bound = std::any_of(gpus.begin(), gpus.end(), [](const model::PciGpu* gpu) {
    return gpu->bound_driver.value_or("") == "nouveau";
  });
  const auto& kernel = facts.kernel_driver;
  return bound ||
         (!gpus.empty() && kernel.nouveau_loaded.value_or(false) &&
          !kernel.nvidia_module_loaded.value_or(false) && !kernel.module_version.is_present());
}

// "the NVIDIA H100 80GB HBM3 at 0000:3b:00.0", or "the NVIDIA GPU" when none is known.
// Capitalised ("The …") for the start of a sentence.
enum class Start { kMidSentence, kSentence };

std::string gpu_phrase(const MachineView& view, Start start = Start::kMidSentence) {
  const std::string article = start == Start::kSentence ? "The " : "the ";
  if (view.gpus.empty()) {
    return article + "NVIDIA GPU";
  }
  const GpuView& gpu = view.gpus.front();
  std::string text = article + gpu.name;
  if (!gpu.pci_bus_id.empty()) {
    text += " at " + gpu.pci_bus_id;
  }
  if (view.gpus.size() > 1) {
    text += fmt::format(" (and {} more)", view.gpus.size() - 1);
  }
  return text;
}

void add_gpu_evidence(Finding& finding, const model::Facts& facts) {
  for (const model::PciGpu* gpu : nvidia_pci_gpus(facts)) {
    const std::string name = gpu->model_name.value_or("10de:" + gpu->device_id);
    add_evidence(finding, "NVIDIA PCI device", gpu->bus_id + " " + name,
                 "/sys/bus/pci/devices/" + gpu->bus_id);
    add_observed(finding, "bound kernel driver of " + gpu->bus_id, gpu->bound_driver);
  }
}

void add_libcuda_evidence(Finding& finding, const model::Facts& facts) {
  const auto& libcuda = facts.user_driver.libcuda;
  add_observed(finding, "libcuda.so.1", libcuda.path);
  if (libcuda.real_path.is_present() && libcuda.real_path.value != libcuda.path.value) {
    add_observed(finding, "libcuda.so.1 real file", libcuda.real_path);
  }
  if (libcuda.path.is_present()) {
    add_evidence(finding, "libcuda.so.1 provider", model::provider_name(libcuda.provider),
                 libcuda.real_path.source.empty() ? libcuda.path.source : libcuda.real_path.source);
  }
}

// ---- building fixes -------------------------------------------------------------------------

// The distribution's way to install the NVIDIA driver (os-release ID), or a manual step.
Fix install_driver_fix(const model::Facts& facts) {
  using Via = DriverInstall::Via;
  const DriverInstall install = driver_install(facts);
  Fix fix;
  fix.needs_root = true;
  fix.reboot = true;
  fix.commands = install.commands;
  const std::string where = in_container(facts) ? " on the host (not in this container)" : "";
  switch (install.via) {
    case Via::kUbuntuDrivers:
      fix.why =
          "Install the NVIDIA driver Ubuntu recommends for this GPU" + where + ", then reboot.";
      break;
    case Via::kDebianNonFree:
      fix.why = "Install Debian's NVIDIA driver" + where +
                " (enable the contrib, non-free and non-free-firmware components in "
                "/etc/apt/sources.list first), then reboot.";
      break;
    case Via::kRpmFusion:
      fix.why = "Install the driver from RPM Fusion's nonfree repository" + where +
                " (enable it first: https://rpmfusion.org/Configuration), wait for akmods to "
                "build the module, then reboot.";
      break;
    case Via::kNvidiaRhelRepo:
      fix.why = fmt::format(
          "Install the driver from NVIDIA's CUDA repository for RHEL {} ({}){} (DKMS needs EPEL "
          "and the kernel headers: "
          "https://docs.nvidia.com/datacenter/tesla/driver-installation-guide/), then reboot.",
          install.rhel_major, install.repo_arch, where);
      break;
    case Via::kManual:
      fix.why = std::string("Install the NVIDIA driver for this GPU") + where +
                " with your distribution's packages or from " + kNvidiaDriversUrl +
                ", then reboot.";
      break;
  }
  return fix;
}

// The value of a ':'-separated list without the entries `drop` rejects.
template <class Predicate>
std::string path_list_without(std::string_view list, Predicate drop) {
  std::string kept;
  bool first = true;
  for (std::string_view entry : split(list, ':')) {
    if (drop(entry)) {
      continue;
    }
    if (!first) {
      kept += ':';
    }
    kept += entry;
    first = false;
  }
  return kept;
}

bool is_stubs_dir(std::string_view entry) {
  while (entry.size() > 1 && entry.back() == '/') {
    entry.remove_suffix(1);
  }
  return entry == "stubs" || entry.ends_with("/stubs");
}

// LD_LIBRARY_PATH entries that hold a CUDA stub: "…/stubs" directories and the directories of the
// stubs the probe saw.
bool holds_stub(std::string_view entry, const model::Facts& facts,
                const std::string& extra_dir = {}) {
  if (is_stubs_dir(entry)) {
    return true;
  }
  const std::string dir = strip_trailing_slash(entry);
  if (!extra_dir.empty() && dir == strip_trailing_slash(extra_dir)) {
    return true;
  }
  const auto& stubs = facts.user_driver.stub_libcuda_paths;
  return !dir.empty() && std::any_of(stubs.begin(), stubs.end(), [&](const std::string& stub) {
    return parent_dir(stub) == dir;
  });
}

// "export LD_LIBRARY_PATH=…" without the stub entries, or "unset LD_LIBRARY_PATH" when nothing
// is left.
Fix ld_library_path_fix(const std::string& value, const model::Facts& facts,
                        const std::string& winner_dir) {
  const std::string kept = path_list_without(
      value, [&](std::string_view entry) { return holds_stub(entry, facts, winner_dir); });
  Fix fix;
  fix.why =
      "Take the CUDA toolkit's stubs directory out of LD_LIBRARY_PATH (the stubs are for linking "
      "only); make the same change where it is set (~/.bashrc, ~/.profile, a job script or the "
      "image's ENV).";
  fix.commands = {kept.empty() ? "unset LD_LIBRARY_PATH"
                               : "export LD_LIBRARY_PATH=" + shell_quote(kept)};
  return fix;
}

// ---- the checks -----------------------------------------------------------------------------

// The newest driver minimum among the TensorFlow builds in the probed environments (CUDA 11 and
// later: the minor-version compatibility floor of the build's CUDA major).
struct DriverNeed {
  Version minimum;
  std::string who;  // "TensorFlow 2.21.0 in /root/venv"
  int cuda_major = 0;
  const kb::Provenance* row = nullptr;
};

std::optional<DriverNeed> driver_needed_by_tensorflow(const MachineView& view) {
  std::optional<DriverNeed> need;
  for (const auto& env : view.facts.python_envs) {
    for (const auto& tensorflow : env.tensorflow) {
      const BuildTarget target = build_target(tensorflow, view.kb);
      if (!target.is_cuda_build || !target.cuda) {
        continue;
      }
      const auto* compat = view.kb.minor_version_compat_for(target.cuda->major());
      if (compat == nullptr) {
        continue;
      }
      if (!need || need->minimum < compat->linux_driver) {
        need = DriverNeed{
            compat->linux_driver,
            fmt::format("TensorFlow {} in {}", text_or(tensorflow.version, "?"), env.prefix),
            target.cuda->major(), &compat->provenance};
      }
    }
  }
  return need;
}

std::vector<Finding> check_no_nvidia_gpu(const MachineView& view) {
  const auto& facts = view.facts;
  const auto& live = facts.user_driver.live;
  if (!nvidia_pci_gpus(facts).empty() || !live.devices.empty() ||
      live.device_count.value_or(0) > 0) {
    return {};
  }
  // Under WSL2 the GPU is not on the Linux PCI bus, so an empty bus proves nothing there; nor does
  // a PCI listing that failed.
  if (facts.host.wsl2.presence != Presence::kPresent || in_wsl2(facts) ||
      facts.host.wsl_lib_dir.is_present() ||
      facts.user_driver.libcuda.provider == model::Provider::kWsl ||
      pci_probe_had_problems(facts)) {
    return {};
  }
  auto finding =
      make_finding("no_nvidia_gpu", Severity::kError, kMachineScope,
                   "No NVIDIA GPU was found on this machine (none on the PCI bus, and this is not "
                   "WSL2): TensorFlow will run on the CPU.");
  add_evidence(finding, "NVIDIA PCI devices (vendor 10de)", "none", "/sys/bus/pci/devices");
  for (const auto& gpu : facts.pci_gpus) {
    add_evidence(
        finding, "other display controller",
        gpu.bus_id + " " + gpu.vendor_id + ":" + gpu.device_id + " " + gpu.model_name.value_or(""),
        "/sys/bus/pci/devices/" + gpu.bus_id);
  }
  add_observed(finding, "WSL2", facts.host.wsl2);
  if (live.device_count.is_present()) {
    add_observed(finding, "CUDA devices", live.device_count);
  }
  finding.fixes.push_back(
      Fix{"TensorFlow's CUDA build needs an NVIDIA GPU: run it on a machine that has one (a GPU "
          "cloud instance, or a computer with an NVIDIA card).",
          {},
          false,
          false});
  // For a user who adds a GPU: the driver the TensorFlow builds found here will need.
  if (const auto need = driver_needed_by_tensorflow(view)) {
    Fix fix = install_driver_fix(facts);
    fix.why = fmt::format(
        "Once an NVIDIA GPU is in: install its driver, at least {} for {} (CUDA {} builds; the "
        "knowledge base's {} row). {}",
        need->minimum.text(), need->who, need->cuda_major, need->row->key, fix.why);
    cite_row(finding, *need->row);
    finding.fixes.push_back(fix);
  }
  return {finding};
}

std::vector<Finding> check_nvidia_driver_not_installed(const MachineView& view) {
  const auto& facts = view.facts;
  // A stub libcuda is not a driver: with no module either, both this and stub_libcuda_on_path
  // apply.
  if (nvidia_pci_gpus(facts).empty() || in_wsl2(facts) || !module_known_absent(facts) ||
      driver_userspace_present(facts)) {
    return {};
  }
  auto finding = make_finding(
      "nvidia_driver_not_installed", Severity::kError, kMachineScope,
      fmt::format("{} has no NVIDIA driver: no nvidia kernel module is loaded and no libcuda.so.1 "
                  "was found, so TensorFlow will run on the CPU.",
                  gpu_phrase(view, Start::kSentence)));
  add_gpu_evidence(finding, facts);
  add_observed(finding, "kernel module version", facts.kernel_driver.module_version);
  add_observed(finding, "nvidia module loaded", facts.kernel_driver.nvidia_module_loaded);
  add_observed(finding, "libcuda.so.1", facts.user_driver.libcuda.path);
  finding.fixes.push_back(install_driver_fix(facts));
  return {finding};
}

// The kernel half of the driver is there (or its version file is unreadable) but libcuda.so.1,
// the half TensorFlow dlopens, is not on the loader's path: TensorFlow logs "Could not find cuda
// drivers" and runs on the CPU. Typical of a container that got /dev/nvidia* but not the driver's
// libraries, or a driver install that lost its user-space package.
std::vector<Finding> check_libcuda_not_found(const MachineView& view) {
  const auto& facts = view.facts;
  const auto& module = facts.kernel_driver.module_version;
  const bool kernel_side = module.presence != Presence::kAbsent ||
                           facts.kernel_driver.nvidia_module_loaded.value_or(false);
  if (in_wsl2(facts) || !kernel_side || facts.user_driver.libcuda.path.is_present() ||
      libcuda_is_stub(facts) || (nvidia_pci_gpus(facts).empty() && !module.is_present())) {
    return {};
  }
  const std::string module_text =
      module.is_present() ? "The NVIDIA kernel module " + module.value->text() + " is loaded"
                          : "An NVIDIA kernel module is reported (its version file is unreadable)";
  auto finding = make_finding(
      "libcuda_not_found", Severity::kError, kMachineScope,
      module_text +
          ", but libcuda.so.1, the driver library TensorFlow loads, is not on the loader's path: "
          "TensorFlow finds no CUDA driver and runs on the CPU.");
  add_gpu_evidence(finding, facts);
  add_observed(finding, "kernel module version", module);
  add_libcuda_evidence(finding, facts);
  if (in_container(facts)) {
    finding.fixes.push_back(
        Fix{"Start the container with the NVIDIA runtime so it mounts the driver's libraries "
            "matching the host's module (docker run --gpus all …, with the NVIDIA Container "
            "Toolkit installed on the host).",
            {"docker run --rm --gpus all ubuntu nvidia-smi"},
            false,
            false});
    return {finding};
  }
  const std::string os = os_id(facts);
  Fix fix;
  fix.needs_root = true;
  if (module.is_present() && (os == "ubuntu" || os == "debian")) {
    const std::string branch = std::to_string(module.value->major());
    fix.why =
        "Install the driver's user-space compute library of the same version as the module "
        "(a newer package would need a reboot to match).";
    fix.commands = {os == "ubuntu" ? "sudo apt install libnvidia-compute-" + branch
                                   : "sudo apt install libcuda1"};
  } else {
    fix = install_driver_fix(facts);
    fix.why =
        "Reinstall the NVIDIA driver so its libcuda.so.1 is back on the loader's path "
        "(then run sudo ldconfig).";
  }
  finding.fixes.push_back(fix);
  return {finding};
}

std::vector<Finding> check_nouveau_bound(const MachineView& view) {
  const auto& facts = view.facts;
  if (in_wsl2(facts) || !nouveau_holds_gpu(facts)) {
    return {};
  }
  auto finding = make_finding(
      "nouveau_bound", Severity::kError, kMachineScope,
      fmt::format("The open-source nouveau driver holds {}: the NVIDIA driver cannot load while it "
                  "does, so TensorFlow will run on the CPU.",
                  gpu_phrase(view)));
  add_gpu_evidence(finding, facts);
  add_observed(finding, "nouveau module loaded", facts.kernel_driver.nouveau_loaded);
  add_observed(finding, "nvidia module loaded", facts.kernel_driver.nvidia_module_loaded);
  cite_statement(finding, view.kb, "nouveau_blocks_nvidia");

  const bool needs_install = !driver_userspace_present(facts);
  const std::string os = os_id(facts);
  const std::string blacklist =
      "printf 'blacklist nouveau\\noptions nouveau modeset=0\\n' | sudo tee "
      "/etc/modprobe.d/blacklist-nouveau.conf";
  Fix fix;
  fix.needs_root = true;
  fix.reboot = !needs_install;
  if (os == "ubuntu" || os == "debian") {
    fix.why = "Keep nouveau from loading at boot and rebuild the initramfs.";
    fix.commands = {blacklist, "sudo update-initramfs -u"};
  } else if (os == "rhel" || os == "rocky" || os == "almalinux" || os == "centos" ||
             os == "fedora") {
    fix.why = "Keep nouveau from loading at boot and rebuild the initramfs.";
    fix.commands = {blacklist, "sudo dracut --force"};
  } else {
    fix.why =
        "Keep nouveau from loading at boot, then rebuild the initramfs with your distribution's "
        "tool (update-initramfs -u on Debian/Ubuntu, dracut --force on RHEL/Fedora).";
    fix.commands = {blacklist};
  }
  finding.fixes.push_back(fix);
  if (needs_install) {
    finding.fixes.push_back(install_driver_fix(facts));
  }
  return {finding};
}

std::vector<Finding> check_nvidia_module_not_loaded(const MachineView& view) {
  const auto& facts = view.facts;
  // Secure Boot refusing an unsigned module has its own check with its own fix.
  if (in_wsl2(facts) || !module_known_absent(facts) || !driver_userspace_present(facts) ||
      nouveau_holds_gpu(facts) || facts.kernel_driver.secure_boot.value_or(false)) {
    return {};
  }
  const auto& libcuda = facts.user_driver.libcuda;
  const std::string found =
      libcuda.path.is_present()
          ? *libcuda.path.value + (libcuda.version.is_present()
                                       ? " (" + libcuda.version.value->text() + ")"
                                       : std::string())
          : "the driver's libnvidia-ml.so.1";
  auto finding = make_finding(
      "nvidia_module_not_loaded", Severity::kError, kMachineScope,
      fmt::format("The NVIDIA driver is installed ({}) but its kernel module is not loaded "
                  "(/proc/driver/nvidia/version does not exist): cuInit fails and TensorFlow will "
                  "run on the CPU.",
                  found));
  add_libcuda_evidence(finding, facts);
  add_observed(finding, "kernel module version", facts.kernel_driver.module_version);
  add_observed(finding, "nvidia module loaded", facts.kernel_driver.nvidia_module_loaded);
  Fix fix;
  fix.needs_root = true;
  fix.why = in_container(facts)
                ? "Load the module on the host (a container cannot); if that fails, the host's "
                  "kernel log says why."
                : "Load the module; if modprobe fails, the kernel log says why (often: the module "
                  "was not built for the running kernel — reinstall the driver's DKMS package).";
  fix.commands = {"sudo modprobe nvidia", "sudo dmesg | grep -i nvidia"};
  finding.fixes.push_back(fix);
  return {finding};
}

std::vector<Finding> check_secure_boot_blocks_module(const MachineView& view) {
  const auto& facts = view.facts;
  if (in_wsl2(facts) || !facts.kernel_driver.secure_boot.value_or(false) ||
      !module_known_absent(facts) || !driver_userspace_present(facts)) {
    return {};
  }
  auto finding = make_finding(
      "secure_boot_blocks_module", Severity::kError, kMachineScope,
      "Secure Boot is on and the NVIDIA kernel module is not loaded although the driver is "
      "installed: the kernel refuses a module not signed with an enrolled key, so TensorFlow will "
      "run on the CPU.");
  add_observed(finding, "Secure Boot", facts.kernel_driver.secure_boot);
  add_observed(finding, "kernel module version", facts.kernel_driver.module_version);
  add_observed(finding, "nvidia module loaded", facts.kernel_driver.nvidia_module_loaded);
  add_libcuda_evidence(finding, facts);
  cite_statement(finding, view.kb, "secure_boot_unsigned_module");

  // The key each distribution's DKMS/akmods signs modules with.
  const std::string os = os_id(facts);
  std::string key;
  if (os == "ubuntu") {
    key = "/var/lib/shim-signed/mok/MOK.der";
  } else if (os == "debian") {
    key = "/var/lib/dkms/mok.pub";
  } else if (os == "fedora") {
    key = "/etc/pki/akmods/certs/public_key.der";
  }
  Fix enroll;
  enroll.needs_root = true;
  enroll.reboot = true;
  if (!key.empty()) {
    enroll.why =
        "Enroll the key the module was signed with: choose a one-time password, reboot, and pick "
        "\"Enroll MOK\" in the blue MOK manager screen (`sudo modprobe nvidia` saying \"Key was "
        "rejected by service\" confirms this cause).";
    enroll.commands = {"sudo mokutil --import " + shell_quote(key)};
  } else {
    enroll.why =
        "Enroll the key your distribution's DKMS signs modules with (sudo mokutil --import <key>), "
        "reboot and confirm it in the MOK manager.";
  }
  finding.fixes.push_back(enroll);
  finding.fixes.push_back(Fix{"Or turn Secure Boot off in the firmware setup.", {}, true, true});
  return {finding};
}

std::vector<Finding> check_driver_library_mismatch(const MachineView& view) {
  const auto& facts = view.facts;
  const auto& module = facts.kernel_driver.module_version;
  const auto& libcuda = facts.user_driver.libcuda;
  if (!module.is_present() || !real_libcuda(facts) || !libcuda.version.is_present() ||
      libcuda.version.value->parts().size() < 2) {
    return {};
  }
  const Version& kernel = *module.value;
  const Version& library = *libcuda.version.value;
  const std::string library_file = libcuda.real_path.value_or(libcuda.path.value_or(""));
  // CUDA forward compatibility (cuda-compat-*) ships a newer libcuda on purpose.
  if (kernel == library || library_file.find("/compat/") != std::string::npos) {
    return {};
  }
  const bool upgraded = kernel < library;
  std::string cause;
  if (in_container(facts)) {
    cause = "this container carries its own libcuda instead of the host's";
  } else if (upgraded) {
    cause = "the driver was upgraded without a reboot";
  } else {
    cause = "an older libcuda is found before the driver's";
  }
  auto finding = make_finding(
      "driver_library_mismatch", Severity::kError, kMachineScope,
      fmt::format("Kernel module {} and libcuda {} differ: {}, so cuInit fails and TensorFlow will "
                  "run on the CPU.",
                  kernel.text(), library.text(), cause));
  add_evidence(finding, "kernel module version", kernel.text(), module.source);
  add_evidence(finding, "libcuda version", library.text(), libcuda.version.source);
  add_libcuda_evidence(finding, facts);
  if (in_container(facts)) {
    finding.fixes.push_back(
        Fix{"Remove the libcuda files from the image (" + library_file +
                ") and let the NVIDIA Container Toolkit mount the host's driver libraries.",
            {},
            false,
            false});
  } else if (upgraded) {
    finding.fixes.push_back(Fix{"Reboot so the kernel loads the module of the installed driver.",
                                {"sudo reboot"},
                                true,
                                true});
    finding.fixes.push_back(
        Fix{"Or, when no process uses the GPU (check with `sudo fuser -v /dev/nvidia*`), "
            "unload the old modules and load the new ones.",
            {"sudo modprobe -r nvidia_uvm nvidia_drm nvidia_modeset nvidia",
             "sudo modprobe -a nvidia nvidia_uvm"},
            true,
            false});
  } else {
    finding.fixes.push_back(
        Fix{fmt::format("Remove the older libcuda at {} (found via {}) or reinstall the driver "
                        "packages so libcuda.so.1 is the driver's {}.",
                        library_file, libcuda.path.source, kernel.text()),
            {},
            true,
            false});
  }
  return {finding};
}

std::vector<Finding> check_stub_libcuda_on_path(const MachineView& view) {
  const auto& facts = view.facts;
  const auto& libcuda = facts.user_driver.libcuda;
  if (!libcuda.path.is_present() || !libcuda_is_stub(facts)) {
    return {};
  }
  const std::string& path = *libcuda.path.value;
  const model::LibraryCandidate* winner = winner_of(libcuda);
  auto finding = make_finding(
      "stub_libcuda_on_path", Severity::kError, kMachineScope,
      fmt::format("libcuda.so.1 resolves to the CUDA toolkit's link-time stub {}: TensorFlow's "
                  "cuInit fails with CUDA_ERROR_STUB_LIBRARY (34) and it runs on the CPU.",
                  path));
  add_libcuda_evidence(finding, facts);
  add_observed(finding, "libcuda.so.1 is a stub", facts.user_driver.libcuda_is_stub);
  const auto ld_library_path = env_value(facts, "LD_LIBRARY_PATH");
  if (ld_library_path) {
    add_evidence(finding, "LD_LIBRARY_PATH", *ld_library_path, "env LD_LIBRARY_PATH");
  }
  const auto& live = facts.user_driver.live;
  if (live.cu_init_status.is_present()) {
    add_evidence(finding, "cuInit",
                 live.cu_init_status_name.empty() ? std::to_string(*live.cu_init_status.value)
                                                  : live.cu_init_status_name,
                 "cuInit(0) in a child process");
  }
  const auto step = winner != nullptr ? std::optional(winner->step) : std::nullopt;
  const std::string dir = winner != nullptr ? winner->search_dir : parent_dir(path);
  if (step == model::SearchStep::kLdLibraryPath && ld_library_path) {
    finding.fixes.push_back(ld_library_path_fix(*ld_library_path, facts, dir));
  } else if (step == model::SearchStep::kLdCache) {
    finding.fixes.push_back(
        Fix{fmt::format("A file in /etc/ld.so.conf.d puts the stub's directory ({}) in the loader "
                        "cache: delete that line, then rebuild the cache.",
                        parent_dir(path)),
            {"grep -rn stubs /etc/ld.so.conf /etc/ld.so.conf.d/", "sudo ldconfig"},
            true,
            false});
  } else {
    finding.fixes.push_back(
        Fix{fmt::format("Remove the stub from where the loader finds it ({}): it is for linking "
                        "only; the driver's libcuda.so.1 must be found instead.",
                        dir),
            {},
            false,
            false});
  }
  return {finding};
}

std::vector<Finding> check_ld_library_path_stubs(const MachineView& view) {
  const auto& facts = view.facts;
  const auto value = env_value(facts, "LD_LIBRARY_PATH");
  if (!value || (facts.user_driver.libcuda.path.is_present() && libcuda_is_stub(facts))) {
    return {};
  }
  std::vector<std::string> stub_entries;
  for (std::string_view entry : split(*value, ':')) {
    if (!entry.empty() && holds_stub(entry, facts)) {
      stub_entries.emplace_back(entry);
    }
  }
  if (stub_entries.empty()) {
    return {};
  }
  const auto& libcuda = facts.user_driver.libcuda;
  const std::string winner =
      libcuda.path.is_present() ? "the driver's " + *libcuda.path.value : "no libcuda.so.1";
  auto finding = make_finding(
      "ld_library_path_stubs", Severity::kWarning, kMachineScope,
      fmt::format("LD_LIBRARY_PATH lists the CUDA stubs directory {}: libcuda.so.1 resolves to {} "
                  "today, but any libcuda.so.1 placed there, or a program that opens libcuda.so, "
                  "gets the stub and fails with CUDA_ERROR_STUB_LIBRARY.",
                  stub_entries.front(), winner));
  add_evidence(finding, "LD_LIBRARY_PATH", *value, "env LD_LIBRARY_PATH");
  add_libcuda_evidence(finding, facts);
  finding.fixes.push_back(ld_library_path_fix(*value, facts, {}));
  return {finding};
}

bool is_numbered_node(std::string_view path) {
  constexpr std::string_view kPrefix = "/dev/nvidia";
  if (!path.starts_with(kPrefix) || path.size() == kPrefix.size()) {
    return false;
  }
  path.remove_prefix(kPrefix.size());
  return std::all_of(path.begin(), path.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

std::vector<Finding> check_dev_nodes_missing(const MachineView& view) {
  const auto& facts = view.facts;
  const auto& nodes = facts.kernel_driver.dev_nodes;
  const bool container = in_container(facts);
  // /proc/driver/nvidia is the host kernel's, visible in containers too: without it and without
  // an NVIDIA device on the bus the host has no GPU to pass in, and no_nvidia_gpu says so.
  const bool nvidia_on_pci = !nvidia_pci_gpus(facts).empty();
  if (in_wsl2(facts) || nodes.empty() ||
      !(facts.kernel_driver.module_version.is_present() || (container && nvidia_on_pci))) {
    return {};
  }
  // Outside a container libcuda creates missing nodes itself (through the setuid nvidia-modprobe)
  // on first use, so a driver that answered proves the nodes are not the problem.
  if (!container && !facts.user_driver.live.devices.empty()) {
    return {};
  }
  bool numbered_listed = false;
  bool numbered_exists = false;
  std::vector<std::string> missing;
  for (const auto& node : nodes) {
    if (is_numbered_node(node.path)) {
      numbered_listed = true;
      numbered_exists = numbered_exists || node.exists;
    }
  }
  for (const auto& node : nodes) {
    if (node.exists) {
      continue;
    }
    if ((is_numbered_node(node.path) && !numbered_exists) || node.path == "/dev/nvidiactl" ||
        node.path == "/dev/nvidia-uvm") {
      missing.push_back(node.path);
    }
  }
  const bool gpu_node_missing = numbered_listed && !numbered_exists;
  const bool ctl_missing =
      std::find(missing.begin(), missing.end(), "/dev/nvidiactl") != missing.end();
  if (!gpu_node_missing && !ctl_missing) {
    return {};
  }
  const std::string list = join(missing, ", ");
  const std::string where = container
                                ? fmt::format("this {} container was started without the GPUs",
                                              facts.host.container.value_or("container"))
                                : "the driver is loaded but its device nodes were not created";
  auto finding = make_finding(
      "dev_nodes_missing", Severity::kError, kMachineScope,
      fmt::format("{} do{} not exist: {}, so cuInit finds no device and TensorFlow will run on the "
                  "CPU.",
                  list, missing.size() == 1 ? "es" : "", where));
  for (const auto& node : nodes) {
    add_evidence(finding, node.path, node.exists ? "exists" : "missing", node.path);
  }
  add_observed(finding, "kernel module version", facts.kernel_driver.module_version);
  add_observed(finding, "container", facts.host.container);
  if (!container) {
    finding.fixes.push_back(
        Fix{"Create the device nodes and load nvidia-uvm (nvidia-modprobe ships with the driver: "
            "-c=0 makes /dev/nvidia0 and /dev/nvidiactl, -u makes /dev/nvidia-uvm).",
            {"sudo nvidia-modprobe -u -c=0"},
            true,
            false});
    return {finding};
  }
  const std::string engine = facts.host.container.value_or("");
  if (engine == "podman") {
    finding.fixes.push_back(
        Fix{fmt::format("On the host, install the NVIDIA Container Toolkit ({}) and generate its "
                        "CDI description of the GPUs.",
                        kContainerToolkitUrl),
            {"sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml"},
            true,
            false});
    finding.fixes.push_back(
        Fix{"Start the container with the GPUs: add --device nvidia.com/gpu=all to its podman run "
            "command (`podman run --device nvidia.com/gpu=all …`).",
            {},
            false,
            false});
  } else if (engine == "kubernetes") {
    finding.fixes.push_back(
        Fix{fmt::format("Request GPUs in the pod spec (resources.limits: nvidia.com/gpu: 1); the "
                        "node needs the NVIDIA Container Toolkit ({}) and NVIDIA's device plugin "
                        "or GPU Operator.",
                        kContainerToolkitUrl),
            {},
            false,
            false});
  } else {
    finding.fixes.push_back(Fix{
        fmt::format("On the host, install the NVIDIA Container Toolkit ({}) and register it with "
                    "Docker.",
                    kContainerToolkitUrl),
        {"sudo nvidia-ctk runtime configure --runtime=docker", "sudo systemctl restart docker"},
        true,
        false});
    finding.fixes.push_back(
        Fix{"Start the container with the GPUs: add --gpus all to its docker run command "
            "(`docker run --gpus all …`); this checks the host's set-up:",
            {"docker run --rm --gpus all ubuntu nvidia-smi"},
            false,
            false});
  }
  return {finding};
}

std::vector<Finding> check_dev_nodes_inaccessible(const MachineView& view) {
  const auto& facts = view.facts;
  std::vector<const model::DevNode*> blocked;
  for (const auto& node : facts.kernel_driver.dev_nodes) {
    if (node.exists && node.accessible.presence == Presence::kPresent &&
        !node.accessible.value_or(true)) {
      blocked.push_back(&node);
    }
  }
  if (blocked.empty()) {
    return {};
  }
  std::vector<std::string> paths;
  for (const auto* node : blocked) {
    paths.push_back(node->path);
  }
  const std::string list = join(paths, ", ");
  auto finding = make_finding(
      "dev_nodes_inaccessible", Severity::kError, kMachineScope,
      fmt::format("This user cannot read and write {}: cuInit cannot open the GPU and TensorFlow "
                  "will run on the CPU.",
                  list));
  for (const auto* node : blocked) {
    add_evidence(finding, node->path + " read/write access", "no",
                 node->accessible.source.empty() ? node->path : node->accessible.source);
  }
  const bool dxg = std::any_of(blocked.begin(), blocked.end(),
                               [](const model::DevNode* node) { return node->path == "/dev/dxg"; });
  finding.fixes.push_back(
      Fix{"See which group owns the nodes and add this user to it, then log out and in again; "
          "tfgpu did not read the owner, and \"video\" is the usual group (use the one ls shows).",
          {dxg ? "ls -l /dev/dxg /dev/nvidia*" : "ls -l /dev/nvidia*",
           "sudo usermod -aG video \"$USER\""},
          true,
          false});
  return {finding};
}

std::vector<Finding> check_wsl_linux_driver_installed(const MachineView& view) {
  const auto& facts = view.facts;
  if (!in_wsl2(facts)) {
    return {};
  }
  const auto& kernel = facts.kernel_driver;
  const auto& libcuda = facts.user_driver.libcuda;
  const bool linux_module =
      kernel.module_version.is_present() || kernel.nvidia_module_loaded.value_or(false);
  const std::string file = libcuda.real_path.value_or(libcuda.path.value_or(""));
  const bool foreign_libcuda = libcuda.path.is_present() && !libcuda_is_stub(facts) &&
                               libcuda.provider != model::Provider::kWsl &&
                               !libcuda.path.value->starts_with(std::string(kWslLibDir) + "/") &&
                               !file.starts_with(std::string(kWslLibDir) + "/");
  if (!linux_module && !foreign_libcuda) {
    return {};
  }
  auto finding = make_finding(
      "wsl_linux_driver_installed", Severity::kError, kMachineScope,
      foreign_libcuda
          ? fmt::format("A Linux NVIDIA driver is installed inside WSL2: libcuda.so.1 resolves to "
                        "{} instead of the Windows driver's {}/libcuda.so.1, so CUDA cannot reach "
                        "the GPU and TensorFlow will run on the CPU.",
                        *libcuda.path.value, kWslLibDir)
          : "A Linux NVIDIA kernel module is reported inside WSL2, where the GPU comes from the "
            "Windows driver: the Linux driver must not be installed in WSL2.");
  add_observed(finding, "WSL2", facts.host.wsl2);
  add_observed(finding, "kernel module version", kernel.module_version);
  add_observed(finding, "nvidia module loaded", kernel.nvidia_module_loaded);
  add_libcuda_evidence(finding, facts);
  cite_statement(finding, view.kb, "wsl_driver_from_windows");
  const std::string os = os_id(facts);
  if (os == "ubuntu" || os == "debian") {
    finding.fixes.push_back(Fix{
        "Remove the Linux driver packages inside WSL2 (the driver comes from Windows); keep "
        "the WSL CUDA toolkit package if you use one.",
        {"sudo apt-get remove --purge 'nvidia-driver-*' 'libnvidia-compute-*'", "sudo ldconfig"},
        true,
        false});
  } else {
    finding.fixes.push_back(
        Fix{"Remove the Linux NVIDIA driver packages inside WSL2 with your package manager (the "
            "driver comes from Windows); keep the WSL CUDA toolkit package if you use one.",
            {},
            true,
            false});
  }
  return {finding};
}

std::vector<Finding> check_wsl_lib_missing(const MachineView& view) {
  const auto& facts = view.facts;
  if (!in_wsl2(facts)) {
    return {};
  }
  const auto& dir = facts.host.wsl_lib_dir;
  const auto& files = facts.host.wsl_driver_libraries;
  const bool dir_missing = dir.presence == Presence::kAbsent;
  const bool libcuda_missing =
      dir.is_present() && std::find(files.begin(), files.end(), "libcuda.so.1") == files.end();
  if (!dir_missing && !libcuda_missing) {
    return {};
  }
  auto finding = make_finding(
      "wsl_lib_missing", Severity::kError, kMachineScope,
      dir_missing
          ? fmt::format("This is WSL2 but {} does not exist: the Windows NVIDIA driver provides "
                        "libcuda there, so TensorFlow will run on the CPU.",
                        kWslLibDir)
          : fmt::format("This is WSL2 but {} has no libcuda.so.1: the Windows NVIDIA driver "
                        "provides it, so TensorFlow will run on the CPU.",
                        kWslLibDir));
  add_observed(finding, "WSL2", facts.host.wsl2);
  add_observed(finding, "WSL driver library folder", dir);
  if (dir.is_present()) {
    const std::string listing = join(files, ", ");
    add_evidence(finding, "files in " + std::string(kWslLibDir), listing.empty() ? "none" : listing,
                 kWslLibDir);
  }
  finding.fixes.push_back(
      Fix{fmt::format("On Windows, install the current NVIDIA driver for the GPU ({}); it brings "
                      "WSL2 support.",
                      kNvidiaDriversUrl),
          {},
          false,
          false});
  finding.fixes.push_back(Fix{"Then, in Windows PowerShell, update WSL and restart it.",
                              {"wsl --update", "wsl --shutdown"},
                              false,
                              false});
  return {finding};
}

// ---- CUDA_VISIBLE_DEVICES -------------------------------------------------------------------

// How many CUDA devices exist, before CUDA_VISIBLE_DEVICES: the live count when the driver child
// ran without the variable, else the NVIDIA PCI functions.
struct DeviceCount {
  int count = 0;
  std::string source;
};

std::optional<DeviceCount> device_count(const model::Facts& facts) {
  const auto& live = facts.user_driver.live;
  if (live.device_count.is_present() && live.cuda_visible_devices.presence == Presence::kAbsent) {
    return DeviceCount{*live.device_count.value, "cuDeviceGetCount"};
  }
  const auto pci = nvidia_pci_gpus(facts);
  if (!pci.empty()) {
    return DeviceCount{static_cast<int>(pci.size()), "NVIDIA devices on /sys/bus/pci/devices"};
  }
  return std::nullopt;
}

bool live_uuids_known(const model::Facts& facts) {
  const auto& devices = facts.user_driver.live.devices;
  return !devices.empty() && std::all_of(devices.begin(), devices.end(),
                                         [](const auto& device) { return !device.uuid.empty(); });
}

enum class Entry { kValid, kInvalid, kCannotTell };

// One CUDA_VISIBLE_DEVICES entry as libcuda reads it: an ordinal below the device count, or a
// GPU-/MIG- UUID (a unique prefix is enough). CUDA stops at the first entry it cannot use.
Entry classify_entry(std::string_view raw, const model::Facts& facts,
                     const std::optional<DeviceCount>& count) {
  const std::string_view entry = trim(raw);
  if (entry.empty()) {
    return Entry::kInvalid;
  }
  if (entry.starts_with("GPU-") || entry.starts_with("MIG-")) {
    if (!live_uuids_known(facts)) {
      return Entry::kCannotTell;
    }
    const auto& devices = facts.user_driver.live.devices;
    const bool known = std::any_of(devices.begin(), devices.end(), [&](const auto& device) {
      return std::string_view(device.uuid).starts_with(entry);
    });
    return known ? Entry::kValid : Entry::kInvalid;
  }
  std::string_view digits = entry;
  if (digits.front() == '-' || digits.front() == '+') {
    return Entry::kInvalid;
  }
  if (!std::all_of(digits.begin(), digits.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    return Entry::kInvalid;  // "NoDevFiles" (Grid Engine with no GPU granted), names, typos
  }
  // With no device counted at all, other checks say why; an index cannot be judged.
  if (!count || count->count == 0) {
    return Entry::kCannotTell;
  }
  // Compare as text length first so a huge number cannot overflow.
  const std::string max = std::to_string(count->count);
  std::string_view trimmed = digits;
  while (trimmed.size() > 1 && trimmed.front() == '0') {
    trimmed.remove_prefix(1);
  }
  const bool below = trimmed.size() < max.size() || (trimmed.size() == max.size() && trimmed < max);
  return below ? Entry::kValid : Entry::kInvalid;
}

struct VisibleDevices {
  std::string value;
  std::vector<std::string> entries;
  std::vector<Entry> verdicts;
};

std::optional<VisibleDevices> visible_devices(const model::Facts& facts) {
  const auto value = env_value(facts, "CUDA_VISIBLE_DEVICES");
  if (!value) {
    return std::nullopt;
  }
  VisibleDevices visible;
  visible.value = *value;
  const auto count = device_count(facts);
  if (!trim(*value).empty()) {
    for (std::string_view entry : split(*value, ',')) {
      visible.entries.emplace_back(trim(entry));
      visible.verdicts.push_back(classify_entry(entry, facts, count));
    }
  }
  return visible;
}

void add_visible_evidence(Finding& finding, const model::Facts& facts) {
  const auto value = env_value(facts, "CUDA_VISIBLE_DEVICES");
  add_evidence(finding, "CUDA_VISIBLE_DEVICES", "\"" + value.value_or("") + "\"",
               "env CUDA_VISIBLE_DEVICES");
  if (const auto count = device_count(facts)) {
    add_evidence(finding, "CUDA devices without CUDA_VISIBLE_DEVICES", std::to_string(count->count),
                 count->source);
  }
  const auto& live = facts.user_driver.live;
  if (live.device_count.is_present() && live.cuda_visible_devices.is_present()) {
    add_evidence(finding, "devices the driver showed with it",
                 std::to_string(*live.device_count.value), "cuDeviceGetCount");
  }
  for (const auto& device : live.devices) {
    if (!device.uuid.empty()) {
      add_evidence(finding, fmt::format("GPU {} UUID", device.ordinal), device.uuid,
                   "cuDeviceGetUuid");
    }
  }
}

std::vector<Finding> check_cuda_visible_devices_hides_all(const MachineView& view) {
  const auto& facts = view.facts;
  const auto visible = visible_devices(facts);
  if (!visible) {
    return {};
  }
  const auto& live = facts.user_driver.live;
  // The driver child ran with the variable and counted nothing: that is the same answer.
  const bool first_invalid =
      visible->entries.empty() || visible->verdicts.front() == Entry::kInvalid;
  // When the first entry cannot be judged from the facts (a UUID with no live UUIDs), the driver
  // child, which ran with the variable, settles it by counting no device on a GPU machine.
  const bool driver_saw_none =
      !visible->entries.empty() && visible->verdicts.front() == Entry::kCannotTell &&
      live.cuda_visible_devices.is_present() && live.device_count.is_present() &&
      *live.device_count.value == 0 && !nvidia_pci_gpus(facts).empty();
  if (!first_invalid && !driver_saw_none) {
    return {};
  }
  std::string why;
  if (visible->entries.empty()) {
    why = "it is empty, which hides every GPU";
  } else if (first_invalid) {
    why = fmt::format(
        "its first entry \"{}\" names no device, and CUDA stops reading at the first "
        "invalid entry",
        visible->entries.front());
  } else {
    why = "the driver found no device with it";
  }
  auto finding = make_finding(
      "cuda_visible_devices_hides_all", Severity::kError, kMachineScope,
      fmt::format("CUDA_VISIBLE_DEVICES=\"{}\" hides every GPU: {}, so TensorFlow will run on the "
                  "CPU.",
                  visible->value, why));
  add_visible_evidence(finding, facts);
  finding.fixes.push_back(
      Fix{"Show TensorFlow the GPUs: unset the variable (or `export CUDA_VISIBLE_DEVICES=0` for "
          "the first GPU only), and remove it from where it is set (shell profile, job script).",
          {"unset CUDA_VISIBLE_DEVICES"},
          false,
          false});
  return {finding};
}

std::vector<Finding> check_cuda_visible_devices_invalid(const MachineView& view) {
  const auto& facts = view.facts;
  const auto visible = visible_devices(facts);
  if (!visible || visible->entries.empty() || visible->verdicts.front() != Entry::kValid) {
    return {};
  }
  std::size_t bad = 0;
  while (bad < visible->verdicts.size() && visible->verdicts[bad] != Entry::kInvalid) {
    ++bad;
  }
  if (bad == visible->verdicts.size()) {
    return {};
  }
  // Entries before the first invalid one stay visible; valid ones after it are lost.
  std::string kept;
  std::string hidden;
  for (std::size_t i = 0; i < visible->entries.size(); ++i) {
    if (visible->verdicts[i] == Entry::kInvalid) {
      continue;
    }
    std::string& list = i < bad ? kept : hidden;
    list += (list.empty() ? "" : ",") + visible->entries[i];
  }
  auto finding = make_finding(
      "cuda_visible_devices_invalid", Severity::kWarning, kMachineScope,
      fmt::format("CUDA_VISIBLE_DEVICES=\"{}\" names a device that does not exist (\"{}\"): CUDA "
                  "stops reading there, so TensorFlow sees only {}{}.",
                  visible->value, visible->entries[bad], kept,
                  hidden.empty() ? "" : " and not " + hidden));
  add_visible_evidence(finding, facts);
  std::string valid = kept;
  if (!hidden.empty()) {
    valid += "," + hidden;
  }
  finding.fixes.push_back(Fix{"List only devices that exist (CUDA ordinals start at 0).",
                              {"export CUDA_VISIBLE_DEVICES=" + shell_quote(valid)},
                              false,
                              false});
  return {finding};
}

std::vector<Finding> check_tf_force_gpu_allow_growth_invalid(const MachineView& view) {
  const auto& facts = view.facts;
  const auto value = env_value(facts, "TF_FORCE_GPU_ALLOW_GROWTH");
  // TensorFlow compares the value with exactly "true" and "false" (gpu_bfc_allocator.cc).
  if (!value || *value == "true" || *value == "false") {
    return {};
  }
  auto finding = make_finding(
      "tf_force_gpu_allow_growth_invalid", Severity::kWarning, kMachineScope,
      fmt::format("TF_FORCE_GPU_ALLOW_GROWTH=\"{}\" is neither \"true\" nor \"false\": TensorFlow "
                  "logs an error, ignores it and keeps the configured allow_growth.",
                  printable(*value)));
  add_evidence(finding, "TF_FORCE_GPU_ALLOW_GROWTH", "\"" + printable(*value) + "\"",
               "env TF_FORCE_GPU_ALLOW_GROWTH");
  cite_statement(finding, view.kb, "tf_force_gpu_allow_growth_values");
  finding.fixes.push_back(Fix{"Set it to exactly true (or false), lower case.",
                              {"export TF_FORCE_GPU_ALLOW_GROWTH=true"},
                              false,
                              false});
  return {finding};
}

// What to do about a CUresult cuInit returned, where something more specific than "read the
// kernel log" is known (cuda.h's descriptions of these codes).
Fix cu_init_fix(int status, const model::Facts& facts) {
  switch (status) {
    case 803:  // CUDA_ERROR_SYSTEM_DRIVER_MISMATCH
      return Fix{"The driver's libraries and kernel module differ: reboot (or reload the modules).",
                 {"sudo reboot"},
                 true,
                 true};
    case 802:  // CUDA_ERROR_SYSTEM_NOT_READY: NVSwitch systems need the fabric manager
      return Fix{
          "On NVSwitch systems (HGX/DGX) start the NVIDIA Fabric Manager, matching the "
          "driver version.",
          {"sudo systemctl enable --now nvidia-fabricmanager"},
          true,
          false};
    case 100:  // CUDA_ERROR_NO_DEVICE
      if (env_value(facts, "CUDA_VISIBLE_DEVICES")) {
        return Fix{"CUDA_VISIBLE_DEVICES is set: check that it names existing devices.",
                   {"unset CUDA_VISIBLE_DEVICES", "nvidia-smi"},
                   false,
                   false};
      }
      break;
    default:
      break;
  }
  return Fix{"Look at what the driver logged and whether nvidia-smi sees the GPU.",
             {"nvidia-smi", "sudo dmesg | grep -i -e nvrm -e xid"},
             true,
             false};
}

std::vector<Finding> check_driver_probe_failed(const MachineView& view) {
  const auto& facts = view.facts;
  const auto& live = facts.user_driver.live;
  if (!facts.live || !live.outcome.is_present() || *live.outcome.value == "skipped" ||
      !real_libcuda(facts)) {
    return {};
  }
  const std::string& outcome = *live.outcome.value;
  const bool died = outcome == "timeout" || outcome.starts_with("signal");
  const bool init_failed = live.cu_init_status.is_present() && *live.cu_init_status.value != 0;
  if (!died && !init_failed) {
    return {};
  }
  const std::string status_name =
      !live.cu_init_status_name.empty()
          ? live.cu_init_status_name
          : (live.cu_init_status.is_present()
                 ? fmt::format("CUresult {}", *live.cu_init_status.value)
                 : std::string());
  std::string what;
  if (outcome == "timeout") {
    what = "the driver check hung (timed out)";
  } else if (died) {
    what = "the driver check died on " + outcome.substr(std::string_view("signal ").size());
  } else {
    what = "cuInit returned " + status_name;
  }
  const auto visible = env_value(facts, "CUDA_VISIBLE_DEVICES");
  if (visible) {
    what += fmt::format(" (with CUDA_VISIBLE_DEVICES=\"{}\")", *visible);
  }
  const bool none_answered = live.devices.empty();
  auto finding = make_finding(
      "driver_probe_failed", none_answered ? Severity::kError : Severity::kWarning, kMachineScope,
      none_answered
          ? fmt::format("The CUDA driver does not work: {}, so TensorFlow will run on the CPU.",
                        what)
          : fmt::format("The CUDA driver answered for {} device(s), but {}.", live.devices.size(),
                        what));
  add_observed(finding, "driver check outcome", live.outcome);
  if (live.cu_init_status.is_present()) {
    add_evidence(finding, "cuInit", status_name, "cuInit(0) in a child process");
  }
  add_libcuda_evidence(finding, facts);
  add_observed(finding, "kernel module version", facts.kernel_driver.module_version);
  if (!live.nvml_status_name.empty()) {
    add_evidence(finding, "NVML", live.nvml_status_name, "nvmlInit_v2 in a child process");
  }
  if (visible) {
    add_evidence(finding, "CUDA_VISIBLE_DEVICES", "\"" + *visible + "\"",
                 "env CUDA_VISIBLE_DEVICES");
  }
  finding.fixes.push_back(init_failed ? cu_init_fix(*live.cu_init_status.value, facts)
                                      : cu_init_fix(-1, facts));
  return {finding};
}

}  // namespace

std::vector<CheckInfo> driver_checks() {
  return {
      {"no_nvidia_gpu", "an NVIDIA GPU is present (on PCI, or through WSL2)", check_no_nvidia_gpu,
       nullptr},
      {"nvidia_driver_not_installed", "the NVIDIA driver is installed for the GPU",
       check_nvidia_driver_not_installed, nullptr},
      {"libcuda_not_found", "the loader finds the driver's libcuda.so.1", check_libcuda_not_found,
       nullptr},
      {"nouveau_bound", "nouveau does not hold the GPU", check_nouveau_bound, nullptr},
      {"nvidia_module_not_loaded", "the installed driver's kernel module is loaded",
       check_nvidia_module_not_loaded, nullptr},
      {"secure_boot_blocks_module", "Secure Boot does not keep the kernel module out",
       check_secure_boot_blocks_module, nullptr},
      {"driver_library_mismatch", "the kernel module and libcuda are the same driver version",
       check_driver_library_mismatch, nullptr},
      {"stub_libcuda_on_path", "libcuda.so.1 is the driver's, not the toolkit's stub",
       check_stub_libcuda_on_path, nullptr},
      {"ld_library_path_stubs", "LD_LIBRARY_PATH holds no CUDA stubs directory",
       check_ld_library_path_stubs, nullptr},
      {"dev_nodes_missing", "the /dev/nvidia* device nodes exist", check_dev_nodes_missing,
       nullptr},
      {"dev_nodes_inaccessible", "this user can open the /dev/nvidia* device nodes",
       check_dev_nodes_inaccessible, nullptr},
      {"wsl_linux_driver_installed", "no Linux NVIDIA driver is installed inside WSL2",
       check_wsl_linux_driver_installed, nullptr},
      {"wsl_lib_missing", "WSL2 has the Windows driver's libcuda in /usr/lib/wsl/lib",
       check_wsl_lib_missing, nullptr},
      {"cuda_visible_devices_hides_all", "CUDA_VISIBLE_DEVICES leaves at least one GPU visible",
       check_cuda_visible_devices_hides_all, nullptr},
      {"cuda_visible_devices_invalid", "CUDA_VISIBLE_DEVICES names only existing devices",
       check_cuda_visible_devices_invalid, nullptr},
      {"tf_force_gpu_allow_growth_invalid", "TF_FORCE_GPU_ALLOW_GROWTH is \"true\" or \"false\"",
       check_tf_force_gpu_allow_growth_invalid, nullptr},
      {"driver_probe_failed", "the CUDA driver initialises (cuInit) in a child process",
       check_driver_probe_failed, nullptr},
  };
}

}  // namespace tfgpu::checks
