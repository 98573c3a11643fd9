// SPDX-License-Identifier: Apache-2.0
#pragma once
// The knowledge base as plain data (docs/kb.md): TensorFlow releases, CUDA driver minima, GPU
// compute capabilities, cuDNN support, and the causes and log signatures `tfgpu explain` uses.
// Loaded from TOML (kb/load.h), queried by checks/ and plan/. Every row keeps where it came from
// (Provenance) so a finding can cite it.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/base/version.h"

namespace tfgpu::kb {

enum class Confidence { kConfirmed, kDerived, kUnconfirmed };

// "confirmed", "derived", "unconfirmed".
const char* confidence_name(Confidence confidence);

struct Provenance {
  std::string table;  // "release", "driver_minimum" …
  std::string key;    // the row's identity: "2.21", "CUDA 12.5 Update 1", "GeForce RTX 3060"
  Confidence confidence = Confidence::kUnconfirmed;
  std::vector<std::string> sources;  // as written: source ids or URLs
  std::vector<std::string> urls;     // resolved through sources.toml
  std::string note;
};

// Inclusive range compared on the components written: ["2.18", "2.21"] holds 2.21.3.
struct VersionRange {
  Version first;
  Version last;

  bool contains(const Version& version) const;
};

struct TensorflowRelease {
  Version line;           // "2.21"
  Version first_version;  // "2.21.0"
  VersionRange python;
  Version cuda;
  Version cudnn;
  std::vector<std::string> gpu_platforms;  // "linux", "wsl2", "windows"
  Provenance provenance;
};

struct WheelBuild {
  VersionRange lines;
  std::vector<std::string> compute_capabilities;  // "sm_80" (SASS), "compute_90" (PTX)
  Provenance provenance;
};

struct AndCudaExtra {
  Version line;
  std::vector<std::string> requirements;  // "nvidia-cudnn-cu12>=9.3.0.75,<10.0"
  // The site-packages/nvidia/<dir>/lib folders that libtensorflow_framework.so.2's RUNPATH names
  // ("cublas", "cudnn" …): TensorFlow dlopens from that object, so only these wheels are reached.
  std::vector<std::string> loader_runpath_wheels;
  Provenance provenance;
};

// What installing a line with `pip install "tensorflow[and-cuda]==X"` needs beyond that command
// (tensorflow.toml [[and_cuda_route]]; lines with no row need nothing more): the version to pin
// where the line's first release is not installable that way, and the wiring some lines need
// before TensorFlow finds the pip CUDA wheels (statement wheels_unreachable_2_16).
struct AndCudaRoute {
  VersionRange lines;
  std::string pin;  // as pip spells it ("2.15.0.post1"); empty: the release's first_version
  bool link_libraries = false;  // site-packages/nvidia/*/lib/*.so* must be made reachable
  bool link_ptxas = false;      // nvidia/cuda_nvcc/bin/ptxas must be put on PATH
  // The Pythons the extra installs on, where narrower than the release's (2.14's tensorrt pin has
  // no Python 3.11 wheel); null: the release's range.
  std::optional<VersionRange> python;
  Provenance provenance;
};

struct SonameSet {
  VersionRange lines;
  int cuda_major = 0;
  std::map<std::string, std::string> libraries;  // family → soname
  Provenance provenance;
};

// Whether a PyPI distribution of TensorFlow ("tensorflow", "tensorflow-gpu", "tensorflow-cpu")
// carries CUDA support at some versions: the plain name was CPU-only before 1.15, at 1.15.2-1.15.5
// and in 2.0.
struct DistributionSupport {
  std::string name;
  VersionRange versions;
  bool cuda = false;
  Provenance provenance;
};

// What an official TensorFlow container image ships where it differs from what its TensorFlow
// loads (the 2.18/2.19 -gpu images carry cuDNN 8.9 while TensorFlow dlopens libcudnn.so.9).
struct ContainerImage {
  std::string image;        // "tensorflow/tensorflow"
  VersionRange tensorflow;  // the TensorFlow versions of its tags
  Version cuda;
  Version cudnn;
  Provenance provenance;
};

struct Statement {
  std::string id;
  std::string text;
  Provenance provenance;
};

struct DriverMinimum {
  Version cuda;         // "12.5.1"
  std::string release;  // "CUDA 12.5 Update 1"
  Version linux_driver;
  std::optional<Version> windows_driver;
  Provenance provenance;
};

struct MinorVersionCompat {
  int cuda_major = 0;
  Version linux_driver;
  std::optional<Version> windows_driver;
  std::optional<Version> below;
  Provenance provenance;
};

struct ArchSupport {
  VersionRange cuda;
  std::vector<Version> compute_capabilities;
  Provenance provenance;
};

// The last NVIDIA driver branch that supports the GPUs of a compute-capability range (Kepler:
// R470): a newer driver does not drive them at all, whatever CUDA a TensorFlow needs.
struct DriverBranchEnd {
  VersionRange compute_capability;  // ["3.0", "3.7"]
  std::string architecture;         // "Kepler"
  Version last_branch;              // "470": driver versions 470.x are the last
  Provenance provenance;
};

struct GpuModel {
  std::string name;  // "GeForce RTX 3060"
  std::string segment;
  Version compute_capability;
  std::vector<Version> alternatives;
  std::string architecture;
  Provenance provenance;
};

struct PciDevice {
  std::string vendor;  // "10de"
  std::string device;  // "2b85"
  std::string name;    // a GpuModel name
  Provenance provenance;
};

// A GPU's theoretical peaks, for "x % of peak" in verify and bench: dense (no 2:4 sparsity)
// tensor-core throughput per dtype, FP32 without tensor cores, and memory bandwidth.
struct GpuPeak {
  std::string device_name;  // a part of the name the driver reports, matched case-insensitively
  std::string model;        // the [[gpu]] row it belongs to
  double fp32_tflops = 0;
  double tf32_tflops = 0;
  double fp16_tflops = 0;
  double bf16_tflops = 0;
  double memory_bandwidth_gbs = 0;  // GB/s (10^9 bytes)
  Provenance provenance;
};

// A PCIe generation's signalling (gpus.toml [[pcie_generation]]), for the peak of host↔device
// copies in bench: a link of `width` lanes carries transfer_rate_gts · width ·
// payload_efficiency / 8 GB/s in each direction, before packet headers.
struct PcieGeneration {
  int generation = 0;             // 1 … 6, as the link's speed in sysfs names it
  double transfer_rate_gts = 0;   // per lane: 2.5, 5, 8, 16, 32, 64
  std::string encoding;           // "8b/10b", "128b/130b", "1b/1b FLIT"
  double payload_efficiency = 0;  // the line's share that carries data: 0.8, 128/130, 242/256
  Provenance provenance;
};

struct CudnnBuild {
  VersionRange cuda;
  Version linux_driver;
  std::optional<Version> windows_driver;
};

struct CudnnRelease {
  VersionRange versions;
  std::string soname;
  VersionRange compute_capability;
  std::vector<CudnnBuild> builds;
  Provenance provenance;
};

// What a cause is: a failure to report, or benign noise that must never be reported as one.
enum class CauseKind { kFailure, kNoise };

// "failure", "noise".
const char* cause_kind_name(CauseKind kind);

// A root cause `tfgpu explain` can name (signatures.toml [[cause]]).
struct Cause {
  std::string id;  // snake_case: "missing_cudnn"
  CauseKind kind = CauseKind::kFailure;
  std::string summary;  // one sentence for users
  std::string fix;      // one or two sentences; commands in backticks
  Provenance provenance;
};

// A log line that points at a cause (signatures.toml [[signature]]). The pattern is kept as text:
// the KB module only checks that RE2 compiles it (lint); the matcher compiles it where it is used.
struct Signature {
  std::string id;       // snake_case
  std::string cause;    // a Cause id
  std::string pattern;  // RE2, matched against one line's message text
  double weight = 0;    // 0 < weight <= 1: how strongly this line alone indicates the cause
  std::vector<std::string> captures;  // names of the pattern's capture groups, in order
  Provenance provenance;
};

struct Source {
  std::string id;
  std::string title;
  std::string url;
};

struct KnowledgeBase {
  std::string origin;  // "embedded" or the folder it was loaded from
  std::vector<Source> sources;
  std::vector<TensorflowRelease> releases;
  std::vector<WheelBuild> wheel_builds;
  std::vector<AndCudaExtra> and_cuda;
  std::vector<AndCudaRoute> and_cuda_routes;
  std::vector<SonameSet> sonames;
  std::vector<Statement> statements;
  std::vector<DistributionSupport> distributions;
  std::vector<ContainerImage> container_images;
  std::string nightly_rule;
  std::vector<DriverMinimum> driver_minimums;
  std::vector<MinorVersionCompat> minor_version_compat;
  std::vector<ArchSupport> arch_support;
  std::vector<GpuModel> gpus;
  std::vector<PciDevice> pci_devices;
  std::vector<GpuPeak> peaks;
  std::vector<PcieGeneration> pcie_generations;
  std::vector<DriverBranchEnd> driver_branch_ends;
  std::vector<CudnnRelease> cudnn;
  std::vector<Cause> causes;
  std::vector<Signature> signatures;

  // The release line of a TensorFlow version: "2.15.0.post1" → 2.15, "2.21.0.dev20251101" (a
  // tf-nightly) → 2.21. Null when the KB has no row for that line.
  const TensorflowRelease* release_for(const Version& tensorflow) const;
  const TensorflowRelease* newest_release() const;
  const WheelBuild* wheel_build_for(const Version& tensorflow) const;
  const AndCudaExtra* and_cuda_for(const Version& tensorflow) const;
  // The [[and_cuda_route]] row covering `tensorflow`'s line; null when it needs nothing more.
  const AndCudaRoute* and_cuda_route_for(const Version& tensorflow) const;
  const SonameSet* sonames_for(const Version& tensorflow) const;
  const Statement* statement(std::string_view id) const;
  // The row of distribution `name` (case-insensitive, "_" read as "-") covering `version`.
  const DistributionSupport* distribution(std::string_view name, const Version& version) const;
  // The image's row covering `tensorflow`.
  const ContainerImage* container_image(std::string_view image, const Version& tensorflow) const;

  // The driver packaged with exactly this CUDA release ("12.5.1"), else with the newest release of
  // the same major.minor not newer than it ("12.5" → 12.5 GA).
  const DriverMinimum* driver_minimum_for(const Version& cuda) const;
  const MinorVersionCompat* minor_version_compat_for(int cuda_major) const;
  const ArchSupport* arch_support_for(const Version& cuda) const;

  // Case-insensitive match on the name with a leading "NVIDIA " dropped, and on the model inside
  // a pci.ids name ("GH100 [H100 SXM5 80GB]" → "H100 SXM5 80GB").
  const GpuModel* gpu_by_name(std::string_view name) const;
  const PciDevice* pci_device(std::string_view vendor, std::string_view device) const;
  // The first [[peak]] row whose device_name is part of `reported_name` (cuDeviceGetName's or
  // nvidia-smi's spelling), case-insensitively; rows run from the most specific name down.
  const GpuPeak* peak_for(std::string_view reported_name) const;
  // The [[pcie_generation]] row of `generation` (1 … 6); null when the KB has none.
  const PcieGeneration* pcie_generation(int generation) const;
  // The [[driver_branch_end]] row whose compute-capability range holds `compute_capability`.
  const DriverBranchEnd* driver_branch_end_for(const Version& compute_capability) const;
  const CudnnRelease* cudnn_for(const Version& cudnn) const;
  const Cause* cause(std::string_view id) const;

  // The URL of a source id, or the string itself when it is already a URL; empty when unknown.
  std::string source_url(std::string_view id_or_url) const;
};

}  // namespace tfgpu::kb
