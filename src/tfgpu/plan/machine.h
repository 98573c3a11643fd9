// SPDX-License-Identifier: Apache-2.0
#pragma once
// The machine a plan is for, as plain data: described on the command line (`tfgpu plan --gpu
// "RTX 3060" --driver 470.82 --python 3.12 --os ubuntu-22.04`) or derived from this machine's
// probed facts. Every value remembers where it came from, so the plan can say why.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/base/version.h"
#include "tfgpu/kb/knowledge_base.h"
#include "tfgpu/model/facts.h"

namespace tfgpu::plan {

// Where the CUDA libraries come from: the nvidia-* pip wheels of tensorflow[and-cuda] (2.14 and
// later), or a CUDA toolkit and cuDNN installed system-wide (the only way before 2.14).
enum class CudaFrom { kWheels, kSystem };

// "wheels", "system".
const char* cuda_from_name(CudaFrom from);

// Which kind of platform an os id names: Linux (any distribution), WSL2 (the Linux wheel with
// the Windows driver), native Windows, or macOS.
enum class Platform { kLinux, kWsl2, kWindows, kMacos };

struct MachineDescription {
  std::string description = "described";  // or "this machine"

  std::string gpu_name;  // as the KB or the probe names it; empty when unknown
  std::string gpu_source;
  std::optional<Version> compute_capability;
  std::string compute_capability_source;
  // This machine has no NVIDIA GPU (the PCI probe ran and found none). A described machine with
  // no --gpu/--cc has an unknown GPU instead, and is planned as if the GPU fits.
  bool gpu_absent = false;

  // The driver's version: the Linux driver, or on WSL2 and Windows the Windows driver's.
  std::optional<Version> driver;
  std::string driver_source;

  std::optional<Version> python;  // "3.12" (patch level ignored)
  std::string python_source;
  // The interpreter on this machine that is that Python (--python PATH); it makes the venv.
  // Empty: `pythonX.Y` from PATH.
  std::string python_interpreter;

  // An os id as parse_os_id() returns it ("ubuntu-22.04", "wsl2", "windows", "macos", "fedora",
  // "linux" for a Linux distribution the plan has no commands for); empty: unknown (Linux).
  std::string os;
  std::string os_source;
  std::string arch;  // "x86_64", "aarch64"; empty: x86_64

  std::optional<Version> tensorflow_pin;  // a line ("2.15"); null: the newest that fits
  CudaFrom cuda_from = CudaFrom::kWheels;
  std::string venv = "~/tf-venv";  // where the plan creates the virtual environment
};

// The platform of an os id (empty and unknown ids are Linux).
Platform platform_of(std::string_view os);

// The distribution part of a Linux os id ("ubuntu-22.04" → "ubuntu"; "wsl2" → "ubuntu", WSL's
// default distribution) and its version ("22.04"; empty when none).
std::string distribution_of(std::string_view os);
std::string distribution_version_of(std::string_view os);

// Checks and normalises an --os value: "ubuntu-22.04", "ubuntu-24.04", "debian-12", "rhel-9",
// "fedora", "wsl2", "windows", "macos", and the same forms for other releases of those
// distributions ("ubuntu-20.04", "rocky-9", "fedora-41") and "linux". Case-insensitive.
// Fails (kInvalidArgument) naming the value and the accepted ones.
Result<std::string> parse_os_id(std::string_view text);

// A compute capability as --cc gives it: "8.6", "12.0". Fails naming the value otherwise.
Result<Version> parse_compute_capability(std::string_view text);

// The GPU `name` names, looked up in the KB: exactly (KnowledgeBase::gpu_by_name), else by the
// name without its brand ("RTX 3060" for "GeForce RTX 3060", "B200" for "NVIDIA Blackwell GPU
// (B200)"). Fails (kNotFound) when no row matches, and (kInvalidArgument) when rows of different
// compute capabilities match, naming them.
Result<const kb::GpuModel*> find_gpu(std::string_view name, const kb::KnowledgeBase& kb);

// This machine as the probe saw it: the GPU from the live driver (else PCI and the KB), the
// driver doctor would report, the first Python with TensorFlow (else the newest Python found),
// and the OS from os-release (WSL2 when the host is WSL2).
MachineDescription describe_facts(const model::Facts& facts, const kb::KnowledgeBase& kb);

}  // namespace tfgpu::plan
