// SPDX-License-Identifier: Apache-2.0
// Compatibility checks: the TensorFlow build against the hardware. Is the driver new enough for
// the build's CUDA (and, where the GPU runs PTX, for the PTX the build's toolkit wrote), and does
// the wheel carry kernels for each GPU's compute capability?
//
// Kernels for a GPU (TensorFlow's own test, tensorflow/core/common_runtime/gpu/gpu_device.cc,
// GetValidDeviceIds): the build's list ("sm_80", "compute_90") read as capabilities; a GPU below
// the lowest is unusable; a GPU with an entry of its own major whose minor is not above its own
// is served without TensorFlow's JIT warning (SASS sm_XY runs on X.Z for Z >= Y); otherwise the
// driver must JIT-compile PTX compute_XY with X.Y <= the GPU's capability, "which could take 30
// minutes or longer"; with no such PTX nothing runs. doctor warns exactly where TensorFlow does.
#include <algorithm>
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
using model::Severity;

// ---------------------------------------------------------------------------------------------
// The driver

// The oldest driver that runs this build, with the KB row it comes from.
struct DriverFloor {
  Version version;
  std::string rule;  // "minor version compatibility for CUDA 12"
  const kb::Provenance* row = nullptr;
};

std::optional<DriverFloor> driver_floor_for_build(const EnvView& view) {
  const Version& cuda = *view.target.cuda;
  const bool windows_column = in_wsl2(view.facts);
  if (cuda.major() >= 11) {
    // From CUDA 11 one driver branch serves a whole major (minor version compatibility).
    const auto* row = view.kb.minor_version_compat_for(cuda.major());
    if (row == nullptr) {
      return std::nullopt;
    }
    if (windows_column) {
      if (!row->windows_driver) {
        return std::nullopt;
      }
      return DriverFloor{*row->windows_driver,
                         fmt::format("the oldest Windows driver for CUDA {} builds (minor version "
                                     "compatibility)",
                                     cuda.major()),
                         &row->provenance};
    }
    return DriverFloor{
        row->linux_driver,
        fmt::format("the oldest driver for CUDA {} builds (minor version compatibility)",
                    cuda.major()),
        &row->provenance};
  }
  // Before CUDA 11 each toolkit needs at least the driver it shipped with.
  const auto* row = view.kb.driver_minimum_for(cuda);
  if (row == nullptr) {
    return std::nullopt;
  }
  if (windows_column) {
    if (!row->windows_driver) {
      return std::nullopt;
    }
    return DriverFloor{*row->windows_driver, fmt::format("the Windows driver of {}", row->release),
                       &row->provenance};
  }
  return DriverFloor{row->linux_driver, fmt::format("the driver of {}", row->release),
                     &row->provenance};
}

// How to get a driver of branch `branch` or newer on this machine.
Fix driver_upgrade_fix(const model::Facts& facts, int branch) {
  using Via = DriverInstall::Via;
  const std::string at_least = fmt::format("branch {} or newer", branch);
  if (in_wsl2(facts)) {
    return Fix{fmt::format("Update the NVIDIA driver on Windows to {} and restart WSL (wsl "
                           "--shutdown); WSL2 uses the Windows driver, so install no Linux driver "
                           "inside it: {}",
                           at_least, kNvidiaDriversUrl),
               {},
               false,
               false};
  }
  if (in_container(facts)) {
    return Fix{fmt::format("Upgrade the NVIDIA driver on the host that runs this container to "
                           "{}; a container uses the host's driver",
                           at_least),
               {},
               true,
               true};
  }
  const DriverInstall install = driver_install(facts);
  std::string why;
  switch (install.via) {
    case Via::kUbuntuDrivers:
      why = fmt::format(
          "Install an NVIDIA driver of {}, then reboot (ubuntu-drivers installs the "
          "recommended one; sudo apt install nvidia-driver-<branch> picks a branch)",
          at_least);
      break;
    case Via::kDebianNonFree:
      why = fmt::format(
          "Install Debian's NVIDIA driver (from non-free; check that it is {}), then reboot",
          at_least);
      break;
    case Via::kNvidiaRhelRepo:
      why = fmt::format("Install the NVIDIA driver {} from NVIDIA's CUDA repository, then reboot",
                        at_least);
      break;
    case Via::kRpmFusion:
      why = fmt::format("Install the NVIDIA driver {} from RPM Fusion, then reboot", at_least);
      break;
    case Via::kManual:
      why = fmt::format("Install an NVIDIA driver of {} for this distribution: {}", at_least,
                        kNvidiaDriversUrl);
      break;
  }
  return Fix{why, install.commands, true, true};
}

std::vector<Finding> driver_too_old_for_build(const EnvView& view) {
  if (!view.target.is_cuda_build || !view.target.cuda) {
    return {};
  }
  const Version& cuda = *view.target.cuda;
  const auto driver = driver_version(view.facts);
  const auto floor = driver_floor_for_build(view);
  const bool below_floor = driver && floor && driver->version < floor->version;
  const std::string row_name =
      floor ? "knowledge base " + floor->row->table + " " + floor->row->key : std::string();
  const auto& live = view.facts.user_driver.live.cuda_driver_version;
  const bool live_major_older = live.is_present() && live.value->major() < cuda.major();
  if (!below_floor && !live_major_older) {
    return {};
  }
  const bool wsl = in_wsl2(view.facts);
  std::string summary;
  if (below_floor) {
    summary = fmt::format(
        "{}river {} is older than {}, {} ({}); {} was built with CUDA {} and cannot use the GPU "
        "with it.",
        wsl ? "The Windows d" : "D", driver->version.text(), floor->version.text(), floor->rule,
        row_name, tensorflow_name(view), cuda.text());
  } else {
    summary = fmt::format(
        "The driver supports CUDA up to {} (cuDriverGetVersion), but {} was built with CUDA {}: "
        "a CUDA {} build needs a driver for CUDA {} or newer.",
        live.value->text(), tensorflow_name(view), cuda.text(), cuda.major(), cuda.major());
  }
  Finding finding =
      make_finding("driver_too_old_for_build", Severity::kError, view.env.prefix, summary);
  if (driver) {
    add_evidence(finding,
                 wsl ? "driver version (the Windows driver, as WSL2 reports it)" : "driver version",
                 driver->version.text(), driver->source);
  }
  if (floor) {
    add_evidence(finding, "minimum driver", floor->version.text(), row_name);
    cite_row(finding, *floor->row);
  }
  if (live.is_present()) {
    add_evidence(finding, "driver's CUDA version", live.value->text(), "cuDriverGetVersion");
  }
  add_evidence(finding, "build CUDA", cuda.text(), view.target.cuda_source);
  if (wsl) {
    cite_statement(finding, view.kb, "wsl_driver_from_windows");
  }
  const int branch = floor ? floor->version.major() : 0;
  if (branch > 0) {
    finding.fixes.push_back(driver_upgrade_fix(view.facts, branch));
  }
  return {std::move(finding)};
}

// ---------------------------------------------------------------------------------------------
// Kernels for each GPU

struct Arch {
  Version cc;
  bool ptx = false;
  std::string text;  // as written: "compute_90"
};

// "sm_86" → 8.6 SASS, "compute_90" → 9.0 PTX, "sm_90a" → 9.0 SASS, "sm_120" → 12.0; an older
// "X.Y" entry means both. Unreadable entries are skipped.
std::vector<Arch> parse_archs(const std::vector<std::string>& entries) {
  std::vector<Arch> archs;
  for (const auto& entry : entries) {
    std::string_view text = entry;
    bool ptx = false;
    if (text.starts_with("sm_")) {
      text.remove_prefix(3);
    } else if (text.starts_with("compute_")) {
      text.remove_prefix(8);
      ptx = true;
    } else if (text.find('.') != std::string_view::npos) {
      if (auto cc = Version::parse(text)) {
        archs.push_back({*cc, false, entry});
        archs.push_back({*cc, true, entry});
      }
      continue;
    } else {
      continue;
    }
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
      ++digits;
    }
    if (digits < 2 || digits > 4) {
      continue;
    }
    const std::string number(text.substr(0, digits));
    auto cc = Version::parse(number.substr(0, number.size() - 1) + "." + number.back());
    if (cc) {
      archs.push_back({*cc, ptx, entry});
    }
  }
  return archs;
}

enum class KernelFit { kBelowMinimum, kNative, kPtxJit, kNone };

struct Fit {
  KernelFit kind = KernelFit::kNone;
  const Arch* via = nullptr;     // the entry that serves the GPU (kNative, kPtxJit)
  const Arch* lowest = nullptr;  // the build's lowest entry
};

Fit fit_for(const Version& cc, const std::vector<Arch>& archs) {
  Fit fit;
  for (const auto& arch : archs) {
    if (fit.lowest == nullptr || arch.cc < fit.lowest->cc) {
      fit.lowest = &arch;
    }
  }
  if (fit.lowest == nullptr) {
    return fit;
  }
  if (cc < fit.lowest->cc) {
    fit.kind = KernelFit::kBelowMinimum;
    return fit;
  }
  for (const auto& arch : archs) {
    if (arch.cc.major() == cc.major() && arch.cc.minor() <= cc.minor() &&
        (fit.via == nullptr || fit.via->cc < arch.cc || (fit.via->ptx && !arch.ptx))) {
      fit.via = &arch;
    }
  }
  if (fit.via != nullptr) {
    fit.kind = KernelFit::kNative;
    return fit;
  }
  for (const auto& arch : archs) {
    if (arch.ptx && !(cc < arch.cc) && (fit.via == nullptr || fit.via->cc < arch.cc)) {
      fit.via = &arch;
    }
  }
  fit.kind = fit.via != nullptr ? KernelFit::kPtxJit : KernelFit::kNone;
  return fit;
}

std::string gpu_label(const GpuView& gpu) {
  return fmt::format("GPU {} ({}, compute capability {})", gpu.index, gpu.name,
                     gpu.compute_capability ? gpu.compute_capability->text() : "unknown");
}

void add_gpu_evidence(Finding& finding, const GpuView& gpu, const EnvView& view) {
  add_evidence(finding, fmt::format("GPU {} compute capability", gpu.index),
               gpu.compute_capability ? gpu.compute_capability->text() : "unknown", gpu.cc_source);
  add_evidence(finding, "wheel kernels", text_of(view.target.compute_capabilities),
               view.target.compute_capabilities_source);
  if (view.target.wheel_build != nullptr &&
      view.target.compute_capabilities_source.starts_with("knowledge base")) {
    cite_row(finding, view.target.wheel_build->provenance);
  }
}

// The newest TensorFlow whose official wheel serves compute capability `cc` (natively when
// `native`, else natively or through PTX), preferring a line that supports the environment's
// Python.
struct Alternative {
  const kb::TensorflowRelease* release = nullptr;
  const kb::WheelBuild* build = nullptr;
  bool python_fits = true;
};

std::optional<Alternative> newest_tensorflow_for(const EnvView& view, const Version& cc,
                                                 bool native) {
  const auto& python = view.env.python_version;
  const std::string platform = in_wsl2(view.facts) ? "wsl2" : "linux";
  std::optional<Alternative> best;
  for (const auto& build : view.kb.wheel_builds) {
    const auto archs = parse_archs(build.compute_capabilities);
    const Fit fit = fit_for(cc, archs);
    if (!(fit.kind == KernelFit::kNative || (!native && fit.kind == KernelFit::kPtxJit))) {
      continue;
    }
    for (const auto& release : view.kb.releases) {
      if (!build.lines.contains(release.line) ||
          std::find(release.gpu_platforms.begin(), release.gpu_platforms.end(), platform) ==
              release.gpu_platforms.end()) {
        continue;
      }
      const bool python_fits = !python.is_present() || release.python.contains(*python.value);
      const bool better = !best || (python_fits && !best->python_fits) ||
                          (python_fits == best->python_fits && best->release->line < release.line);
      if (better) {
        best = Alternative{&release, &build, python_fits};
      }
    }
  }
  return best;
}

void add_alternative_fix(Finding& finding, const EnvView& view, const Alternative& alternative,
                         const std::string& what) {
  const auto& release = *alternative.release;
  const std::string line = release.line.text();
  std::string why = fmt::format("Use TensorFlow {}, the newest whose wheel {}", line, what);
  if (!alternative.python_fits && view.env.python_version.is_present()) {
    why += fmt::format(" (it needs Python {} to {}; this environment has {})",
                       release.python.first.text(), release.python.last.text(),
                       view.env.python_version.value->text());
  }
  std::string command;
  if (view.kb.and_cuda_for(release.first_version) != nullptr) {
    command = fmt::format("{} -m pip install 'tensorflow[and-cuda]=={}.*'",
                          python_command(view.env), line);
  } else {
    why += fmt::format(
        "; it has no and-cuda extra, so install CUDA {} and cuDNN {} system-wide "
        "too",
        release.cuda.text(), release.cudnn.text());
    command = fmt::format("{} -m pip install 'tensorflow=={}.*'", python_command(view.env), line);
  }
  finding.fixes.push_back(Fix{why, {command}, false, false});
  cite_row(finding, alternative.build->provenance);
  cite_row(finding, release.provenance);
}

// One finding per GPU of the given fit, built by `make`.
template <class Make>
std::vector<Finding> per_gpu(const EnvView& view, KernelFit wanted, Make make) {
  std::vector<Finding> findings;
  if (!view.target.is_cuda_build) {
    return findings;
  }
  const auto archs = parse_archs(view.target.compute_capabilities);
  if (archs.empty()) {
    return findings;
  }
  for (const auto& gpu : view.gpus) {
    if (!gpu.compute_capability) {
      continue;
    }
    const Fit fit = fit_for(*gpu.compute_capability, archs);
    if (fit.kind == wanted) {
      findings.push_back(make(gpu, fit));
    }
  }
  return findings;
}

std::vector<Finding> gpu_cc_below_build_minimum(const EnvView& view) {
  return per_gpu(view, KernelFit::kBelowMinimum, [&](const GpuView& gpu, const Fit& fit) {
    const Version& cc = *gpu.compute_capability;
    Finding finding = make_finding(
        "gpu_cc_below_build_minimum", Severity::kError, view.env.prefix,
        fmt::format(
            "{}: {} is below {}, the lowest compute capability {}'s wheel was built for "
            "({}): TensorFlow will not run on this GPU (it ignores it, or finds no kernel image "
            "for it).",
            gpu_label(gpu), cc.text(), fit.lowest->cc.text(), tensorflow_name(view),
            fit.lowest->text));
    add_gpu_evidence(finding, gpu, view);
    cite_statement(finding, view.kb, "cc_below_minimum_ignored");
    if (auto alternative = newest_tensorflow_for(view, cc, false)) {
      add_alternative_fix(finding, view, *alternative,
                          fmt::format("has kernels for compute capability {}", cc.text()));
    }
    finding.fixes.push_back(
        Fix{fmt::format("Or use a GPU of compute capability {} or newer", fit.lowest->cc.text()),
            {},
            false,
            false});
    return finding;
  });
}

std::vector<Finding> gpu_needs_ptx_jit(const EnvView& view) {
  return per_gpu(view, KernelFit::kPtxJit, [&](const GpuView& gpu, const Fit& fit) {
    const Version& cc = *gpu.compute_capability;
    Finding finding = make_finding(
        "gpu_needs_ptx_jit", Severity::kWarning, view.env.prefix,
        fmt::format("{} has no kernel binaries in {}'s wheel ({}): at first use the driver "
                    "JIT-compiles them from the {} PTX, which could take 30 minutes or longer.",
                    gpu_label(gpu), tensorflow_name(view),
                    join(view.target.compute_capabilities, " "), fit.via->text));
    add_gpu_evidence(finding, gpu, view);
    cite_statement(finding, view.kb, "ptx_jit_first_use");
    finding.fixes.push_back(
        Fix{"Let the driver keep the JIT-compiled kernels between runs (4 GiB cache; add it to the "
            "environment's activate script)",
            {"export CUDA_CACHE_MAXSIZE=4294967296"},
            false,
            false});
    if (auto alternative = newest_tensorflow_for(view, cc, true)) {
      add_alternative_fix(finding, view, *alternative,
                          fmt::format("carries code TensorFlow counts as built for compute "
                                      "capability {} (no JIT warning; a PTX-only entry is still "
                                      "compiled by the driver, for the kernels used)",
                                      cc.text()));
    }
    return finding;
  });
}

std::vector<Finding> gpu_no_usable_kernels(const EnvView& view) {
  return per_gpu(view, KernelFit::kNone, [&](const GpuView& gpu, const Fit&) {
    const Version& cc = *gpu.compute_capability;
    Finding finding = make_finding(
        "gpu_no_usable_kernels", Severity::kError, view.env.prefix,
        fmt::format("{} can run none of {}'s kernels: the wheel ({}) has no binary of major {} "
                    "and no PTX at or below {} to compile (\"no kernel image is available for "
                    "execution on the device\").",
                    gpu_label(gpu), tensorflow_name(view),
                    join(view.target.compute_capabilities, " "), cc.major(), cc.text()));
    add_gpu_evidence(finding, gpu, view);
    cite_statement(finding, view.kb, "ptx_jit_first_use");
    if (auto alternative = newest_tensorflow_for(view, cc, false)) {
      add_alternative_fix(finding, view, *alternative,
                          fmt::format("has kernels for compute capability {}", cc.text()));
    }
    return finding;
  });
}

std::vector<Finding> ptx_jit_driver_too_old(const EnvView& view) {
  if (!view.target.is_cuda_build || !view.target.cuda) {
    return {};
  }
  const auto archs = parse_archs(view.target.compute_capabilities);
  std::vector<std::pair<const GpuView*, const Arch*>> jit;
  for (const auto& gpu : view.gpus) {
    if (gpu.compute_capability) {
      const Fit fit = fit_for(*gpu.compute_capability, archs);
      if (fit.kind == KernelFit::kPtxJit) {
        jit.emplace_back(&gpu, fit.via);
      }
    }
  }
  const auto driver = driver_version(view.facts);
  const auto* row = view.kb.driver_minimum_for(*view.target.cuda);
  if (jit.empty() || !driver || row == nullptr) {
    return {};
  }
  const bool wsl = in_wsl2(view.facts);
  const std::optional<Version> minimum = wsl ? row->windows_driver : row->linux_driver;
  if (!minimum || !(driver->version < *minimum)) {
    return {};
  }
  std::vector<std::string> gpus;
  std::vector<std::string> ptx;
  for (const auto& [gpu, via] : jit) {
    gpus.push_back(gpu_label(*gpu));
    if (std::find(ptx.begin(), ptx.end(), via->text) == ptx.end()) {
      ptx.push_back(via->text);
    }
  }
  Finding finding = make_finding(
      "ptx_jit_driver_too_old", Severity::kError, view.env.prefix,
      fmt::format("{} run{} {}'s kernels only by JIT-compiling its {} PTX, written by CUDA {}, "
                  "and {}driver {} is older than {} ({}'s driver): it cannot compile newer PTX "
                  "(CUDA_ERROR_UNSUPPORTED_PTX_VERSION).",
                  join(gpus, " and "), gpus.size() == 1 ? "s" : "", tensorflow_name(view),
                  join(ptx, " and "), view.target.cuda->text(), wsl ? "the Windows " : "",
                  driver->version.text(), minimum->text(), row->release));
  add_evidence(finding, "driver version", driver->version.text(), driver->source);
  add_evidence(finding, "driver of the build's CUDA", minimum->text(),
               "knowledge base driver_minimum " + row->provenance.key);
  add_evidence(finding, "build CUDA", view.target.cuda->text(), view.target.cuda_source);
  for (const auto& [gpu, via] : jit) {
    add_gpu_evidence(finding, *gpu, view);
  }
  cite_statement(finding, view.kb, "minor_version_compat_ptx");
  cite_row(finding, row->provenance);
  finding.fixes.push_back(driver_upgrade_fix(view.facts, minimum->major()));
  return {std::move(finding)};
}

std::vector<Finding> gpu_compute_capability_unknown(const EnvView& view) {
  std::vector<Finding> findings;
  if (!view.target.is_cuda_build) {
    return findings;
  }
  for (const auto& gpu : view.gpus) {
    if (gpu.compute_capability) {
      continue;
    }
    Finding finding = make_finding(
        "gpu_compute_capability_unknown", Severity::kInfo, view.env.prefix,
        fmt::format("The compute capability of GPU {} ({}) is unknown: the driver did not report "
                    "it and the knowledge base has no row for this name, so doctor cannot check "
                    "{}'s kernels for it.",
                    gpu.index, gpu.name, tensorflow_name(view)));
    add_evidence(finding, fmt::format("GPU {} name", gpu.index), gpu.name, gpu.name_source);
    if (!gpu.pci_bus_id.empty()) {
      add_evidence(finding, fmt::format("GPU {} PCI address", gpu.index), gpu.pci_bus_id, "PCI");
    }
    findings.push_back(std::move(finding));
  }
  return findings;
}

}  // namespace

std::vector<CheckInfo> compatibility_checks() {
  return {
      {"driver_too_old_for_build", "the driver is older than the build's CUDA needs", nullptr,
       driver_too_old_for_build},
      {"ptx_jit_driver_too_old",
       "a GPU needs PTX JIT and the driver is older than the PTX the build's CUDA wrote", nullptr,
       ptx_jit_driver_too_old},
      {"gpu_cc_below_build_minimum",
       "a GPU's compute capability is below the lowest the wheel was built for", nullptr,
       gpu_cc_below_build_minimum},
      {"gpu_needs_ptx_jit", "a GPU has no kernel binaries in the wheel and runs JIT-compiled PTX",
       nullptr, gpu_needs_ptx_jit},
      {"gpu_no_usable_kernels", "a GPU can run neither the wheel's binaries nor its PTX", nullptr,
       gpu_no_usable_kernels},
      {"gpu_compute_capability_unknown",
       "a GPU whose compute capability neither the driver nor the knowledge base gives", nullptr,
       gpu_compute_capability_unknown},
  };
}

}  // namespace tfgpu::checks
